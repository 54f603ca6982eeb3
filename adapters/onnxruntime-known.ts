/**
 * Known discrepancies of ONNX Runtime 1.30 (CPU execution provider) against the ONNX spec, found by
 * running thousands of random Conv / ConvTranspose problems of every attribute through it in exact
 * data mode. Within the problems it runs, ORT matched the reference bit for bit; what differs is
 * two classes of problems that it refuses with an error instead of an answer (one that the spec
 * defines, one that rests on an ambiguous sentence of it). The same held with weights as
 * initializers, where ORT rewrites 2-D Conv to its NCHWc kernels. A third record is about the
 * process, not the problem: onnxruntime-node's telemetry crashes it when the command line is long.
 * adapters/onnxruntime-known.test.ts runs each minimal descriptor on ORT and fails once ORT stops
 * refusing it, so this list stays true.
 *
 * Checked and NOT reproducing in 1.30 (regression tests in adapters/onnxruntime.test.ts):
 * ConvTranspose SAME_UPPER / SAME_LOWER swapped on odd total padding (onnxruntime#9370, fixed by
 * onnxruntime#12537 for 1.13), ConvTranspose SAME_* with output_padding (onnxruntime#11927: ORT
 * gives `i·s` as the spec says), the output_shape pad split on odd totals, output_padding with
 * dilation (below the stride), Conv SAME_* with stride > 1, asymmetric pads in ConvTranspose, and
 * output_shape with auto_pad VALID.
 */
import type { ConvProblem } from '../problem/problem.ts';
import type { QuantizedConvProblem } from '../problem/quantized.ts';
import type { KnownDiscrepancy } from '../problem/known-discrepancy.ts';

/** Backend name the records carry (as Backend.name of adapters/onnxruntime.ts). */
const BACKEND = 'onnxruntime';

/**
 * Conv with auto_pad SAME_UPPER / SAME_LOWER and a dilation > 1: ONNX Conv-11 defines it (pad so
 * that the output is `ceil(i/s)`, with the dilated kernel), ORT's CPU kernel refuses it.
 */
export const ORT_CONV_SAME_DILATION: KnownDiscrepancy = {
  id: 'ort-conv-same-dilation-refused',
  backend: BACKEND,
  descriptor: 'mb1ic1iw2oc1kw2dw2apU',
  summary: 'Conv with auto_pad=SAME_UPPER or SAME_LOWER and any dilation > 1 is refused at run time, although Conv-11 defines SAME padding for dilated kernels (total pad (ceil(i/s)-1)·s + d·(k-1) + 1 - i); ConvInteger and QLinearConv refuse it too (CIu8u8mb1ic1iw2oc1kw2dw2apU).',
  observed: 'error: "Dilation not supported for AutoPadType::SAME_UPPER or AutoPadType::SAME_LOWER." (x=[1,2], w=[3,4])',
  expected: 'y=[8,3] of shape [1,1,2] (pads 1,1; taps at 0 and 2 of [0,1,2,0])',
  upstream: 'https://github.com/microsoft/onnxruntime/issues/20582',
  matches: (p, part) => part === undefined && isConvSameWithDilation(p),
  // ConvInteger and QLinearConv share the Conv attributes' check, and refuse the same class
  matchesQuantized: (p) => isConvSameWithDilation(p.conv),
};

/**
 * ConvTranspose with output_padding >= stride on some axis, where output_padding < dilation. ONNX
 * bounds output_padding by "the corresponding stride/dilation dimension"; PyTorch (and convcheck's
 * validator) read that as smaller than the stride or the dilation, and PyTorch exports such models.
 * ORT reads it as smaller than the stride: it checks that a Conv over its output gives back the
 * input size, which fails exactly when output_padding >= stride, and refuses the model at run time.
 * A finding on an ambiguous sentence of the spec, recorded as such.
 */
export const ORT_CONV_TRANSPOSE_OUTPUT_PADDING: KnownDiscrepancy = {
  id: 'ort-convtranspose-output-padding-ge-stride-refused',
  backend: BACKEND,
  descriptor: 'Tmb1ic1iw1oc1kw2dw2opw1',
  summary: 'ConvTranspose with stride <= output_padding < dilation on an axis is refused at run time, with or without output_shape: ORT reads the spec bound "less than the corresponding stride/dilation" as < stride, PyTorch (which exports such models) as < stride or < dilation; the output s·(i-1) + output_padding + d·(k-1) + 1 - pads is well defined either way.',
  observed: 'error: "Computed output shape is inconsistent with input spatial dimensions. output_padding (1) may be too large for stride (1). Expected input size 2 but got 1." (x=[2], w=[3,4])',
  expected: 'y=[6,0,8,0] of shape [1,1,4] (taps at 0 and 2, then one output_padding element)',
  upstream: 'https://github.com/microsoft/onnxruntime/pull/29446 (added the check); https://github.com/microsoft/onnxruntime/issues/14208 (PyTorch-exported model with output_padding < dilation)',
  matches: (p, part) => part === undefined && isConvTransposeOutputPaddingAtLeastStride(p),
};

/**
 * onnxruntime-node 1.30 crashes the process (SIGSEGV) creating its first session when the command
 * line is long and ORT's telemetry is on (its default on Linux outside CI). Root cause: ORT's POSIX
 * telemetry (1.29+, onnxruntime#27379) collects system information with the Microsoft 1DS client
 * as it creates its environment; that reads /proc/self/cmdline and matches it against a
 * std::regex (`(.*)[ ]*.*...`), and libstdc++'s regex executor recurses once or more per
 * character (gdb: a cycle of three frames under OrtEnv's creation, about 87,000 frames for a
 * 40,000-character argument), until the main-thread stack overflows: past about 28,900 bytes with
 * an 8 MiB stack, about 58,000 with 16 MiB, never with `ulimit -s unlimited`. The same root cause
 * crashed Vespa's unit tests (vespa-engine/vespa#37786). ORT skips telemetry when
 * ORT_DISABLE_TELEMETRY=1 or a CI variable (CI=true, GITHUB_ACTIONS, TF_BUILD, ...) is set, which is
 * why CI runners do not see it. Reproduced without convcheck by adapters/testdata/ort-long-argv.mjs.
 * convcheck turns the telemetry off in its own process (adapters/onnx/onnxruntime-node.ts), so no
 * call of convcheck's meets the condition: the record is kept, with its test, so that it is known
 * and its reproduction stays true; problem names are bounded besides (problem/validate.ts).
 */
export const ORT_LONG_COMMAND_LINE: KnownDiscrepancy = {
  id: 'ort-long-command-line-crash',
  backend: BACKEND,
  descriptor: 'mb1ic1iw1oc1kw1',
  summary: "onnxruntime-node 1.30 crashes the whole process (SIGSEGV, exit 139) when it creates its first session with its telemetry on (Linux's default outside CI) in a process whose command line is longer than about 28,900 bytes with the default 8 MiB stack (about 3.5 bytes per KiB of stack limit), whatever the model: the telemetry client matches /proc/self/cmdline against a std::regex whose recursion, one level per character, overflows the main-thread stack. Reproduced with a plain node script and a one-node Identity model (adapters/testdata/ort-long-argv.mjs); ORT_DISABLE_TELEMETRY=1 avoids it, and convcheck sets it in its process.",
  observed: 'exit 139 (SIGSEGV) in InferenceSession.create with one 28,946-character argument (node ort-long-argv.mjs ARG, ulimit -s 8192; 28,945 runs; with ulimit -s 16384, 57,000 runs and 60,000 crashes); runs with ORT_DISABLE_TELEMETRY=1 or CI=true; convcheck run crashed with a 40,000-character n"..." name before it set ORT_DISABLE_TELEMETRY',
  expected: 'the session is created and runs: Y = X = 3',
  upstream: 'https://github.com/vespa-engine/vespa/pull/37786 (the same crash in another ORT user; no ONNX Runtime issue found); the recursion: https://gcc.gnu.org/bugzilla/show_bug.cgi?id=86164',
  condition: "ORT's telemetry is on in the process (ORT_DISABLE_TELEMETRY unset, no CI variable such as CI=true) and its command line is longer than about 3.5 bytes per KiB of its stack limit (28,900 bytes at `ulimit -s 8192`); never in convcheck's process, which turns the telemetry off",
  matches: () => false,
};

/** Every known ONNX Runtime discrepancy, in report and precedence order (Backend.knownDiscrepancies of onnxruntime). */
export const ONNX_RUNTIME_KNOWN_DISCREPANCIES: readonly KnownDiscrepancy[] = [ORT_CONV_SAME_DILATION, ORT_CONV_TRANSPOSE_OUTPUT_PADDING, ORT_LONG_COMMAND_LINE];

/** Whether `p` is a Conv with SAME_UPPER / SAME_LOWER and a dilation > 1 on some axis. */
export function isConvSameWithDilation(p: ConvProblem): boolean {
  return p.op === 'conv' && (p.autoPad === 'SAME_UPPER' || p.autoPad === 'SAME_LOWER') && p.dilations.some((d) => d > 1);
}

/** Whether `p` is a ConvTranspose with output_padding >= stride on some axis. */
export function isConvTransposeOutputPaddingAtLeastStride(p: ConvProblem): boolean {
  return p.op === 'convTranspose' && p.outputPadding.some((o, axis) => o >= p.strides[axis]);
}

/**
 * ConvInteger with a per-channel w_zero_point (a 1-D tensor of M values): ConvInteger-10 defines it
 * ("It could be a scalar or a 1-D tensor, which means a per-tensor/layer or per output channel
 * quantization"), ORT's CPU kernel refuses it at run time. QLinearConv's per-channel form runs.
 */
export const ORT_CONV_INTEGER_PER_CHANNEL: KnownDiscrepancy = {
  id: 'ort-convinteger-per-channel-refused',
  backend: BACKEND,
  descriptor: 'CIu8u8mb1ic1iw1oc2kw1wzc0,4',
  summary: 'ConvInteger with a per-output-channel (1-D) w_zero_point is refused at run time, although ConvInteger-10 defines it (one zero point per output channel of w).',
  observed: 'error: "IsScalarOr1ElementVector(W_Zero_Point) was false. Non per-tensor quantization is not supported now." (x=[2], w=[1,3]; a 1-D w_zero_point of one element, M = 1, runs)',
  expected: 'y=[2,-2] of shape [1,2,1] (y[m] = (x - 0)·(w[m] - w_zp[m]): 2·(1 - 0), 2·(3 - 4))',
  matches: () => false,
  matchesQuantized: (p) => isConvIntegerPerChannel(p),
};

/** Whether `p` is a ConvInteger with a per-channel w_zero_point of more than one element (ORT takes a 1-element one). */
export function isConvIntegerPerChannel(p: QuantizedConvProblem): boolean {
  return p.operator === 'ConvInteger' && p.perChannel && p.wZeroPoint.length > 1;
}

/**
 * QLinearConv whose exact accumulator `Σ (x - x_zp)(w - w_zp) + B` leaves int32 somewhere: ORT's
 * int32 accumulator (MLAS) wraps, and the wrapped value is requantized, so the output comes out
 * at the other end of the range. Found by the quantized agreement law's int32-limit cases (33,026
 * extreme products) and by the requantize and saturation laws (extreme B near ±2^31 plus a few
 * products). ONNX's text is silent on the accumulator's width: it says B is "quantized using
 * scale = input scale * weight scale and zero point as 0" (added to the accumulator), and its
 * Python reference (onnx/reference/ops/op_qlinear_conv.py) casts the sum to int32, wrapping as ORT
 * does; convcheck takes the exact sum, as the issue asks (an implementation that overflows is a
 * finding), so this is recorded as a finding on a point the spec leaves open.
 */
export const ORT_QLINEAR_CONV_INT32_WRAP: KnownDiscrepancy = {
  id: 'ort-qlinearconv-int32-accumulator-wraps',
  backend: BACKEND,
  descriptor: 'QLs8s8s8mb1ic33026iw1oc1kw1xs1xz-128ws1wz-128ys33554432',
  summary: 'QLinearConv wraps its int32 accumulator: where the exact Σ (x - x_zp)(w - w_zp) + B passes ±2^31, the wrapped sum is requantized (the output lands at the other end of the range); every other output is exact, ties rounded to even.',
  observed: 'y=[-64] (acc wrapped to 2147515650 - 2^32 = -2147451646, times 2^-25) for x = 127, w = 127 in all 33,026 channels',
  expected: 'y=[64] (acc = 33,026·255·255 = 2147515650, times 2^-25 = 64.0009)',
  matches: () => false,
  matchesQuantized: (p, evidence) => p.operator === 'QLinearConv' && evidence.int32Overflows > 0,
};

/** The known discrepancies of ORT's quantized ops, in precedence order. */
export const ONNX_RUNTIME_QUANTIZED_KNOWN_DISCREPANCIES: readonly KnownDiscrepancy[] = [ORT_CONV_INTEGER_PER_CHANNEL, ORT_QLINEAR_CONV_INT32_WRAP];
