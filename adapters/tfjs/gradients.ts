/**
 * tfjs differentiates its conv ops; this checks its two gradients against the reference, for one
 * problem on one tfjs backend. With `L = Σ y·dy`, `y` the problem's op on x and w:
 * - Conv: `∂L/∂x = convTranspose(adjointProblem(p), dy, w)` (the transposed conv is the adjoint)
 *   and `∂L/∂w = convWeightGrad(p, x, dy)`;
 * - ConvTranspose (the adjoint of its forward twin conv `p'` over the transposed output):
 *   `∂L/∂x = conv(p', dy, w)` and `∂L/∂w = convWeightGrad(p', dy, x)` (the twin's weight
 *   `[M', C', k]` is the transposed weight `[C, M, k]`).
 * Each side is judged by the tolerance model (compare/tolerance.ts) with S and n of the reference
 * gradient's own sums (`Σ|dy·w|`, `Σ|dy·x|`), exact mode bit for bit.
 *
 * What tfjs 4.22 cannot differentiate is an unsupported part, with its reason: dilated convs (its
 * Conv2D / Conv3D / DepthwiseConv2dNative gradients assert dilation 1), conv3dTranspose (no
 * gradient registered for Conv3DBackpropInputV2), and backprop kernels a backend lacks (wasm has
 * no Conv2DBackpropFilter and no DepthwiseConv2dNative backprops).
 */
import { exactRanges, makeOperands, type DataMode } from '../../problem/operand-data.ts';
import { Random } from '../../problem/random.ts';
import { compareToReference } from '../../compare/tolerance.ts';
import { type Comparison } from '../../compare/judge.ts';
import { ConvInputError } from '../../problem/errors.ts';
import { formatDescriptor } from '../../problem/descriptor.ts';
import { withChanges, type ConvProblem } from '../../problem/problem.ts';
import { outputSpatialShape, outputTensorShape, resolvePads, sizeOf } from '../../problem/shape.ts';
import type { Tensor } from '../../problem/tensor.ts';
import type { ConvResult } from '../../reference/conv-result.ts';
import { adjointProblem, convTransposeDetailed } from '../../reference/conv-transpose.ts';
import { convDetailed } from '../../reference/conv.ts';
import { convWeightGradDetailed } from '../../reference/conv-weight-grad.ts';
import type { Tensor as TfTensor } from '@tensorflow/tfjs';
import { isUnsupportedError, UnsupportedError } from '../../problem/backend.ts';
import { fromCallFilter, fromCallInput, toCallOperands, callOp } from './call.ts';
import { activateTfjsBackend, hasKernel, isTfjsBackendName, runExclusive, tf, TFJS_BACKENDS, type TfjsBackendName } from './engine.ts';
import { planTfjs, type TfjsOp, type TfjsPlan, type TfjsPlanTarget } from './plan.ts';

/** Which gradient: with respect to the input x, or to the weight w. */
export type GradientPart = 'input' | 'weight';

/** One gradient against the reference: judged, or unsupported with the reason. */
export type GradientOutcome =
  | { readonly verdict: 'pass' | 'fail' | 'impossible'; readonly comparison: Comparison }
  | { readonly verdict: 'unsupported'; readonly reason: string };

/** Both gradients of one problem on one tfjs backend. */
export interface TfjsGradientCheck {
  readonly backend: string;
  readonly descriptor: string;
  readonly mode: DataMode;
  readonly input: GradientOutcome;
  readonly weight: GradientOutcome;
  /** No part failed (a part may be unsupported: that is not a pass, see `input` / `weight`). */
  readonly ok: boolean;
}

/** The backprop kernels each op's gradient runs (tfjs-core src/gradients/*_grad.ts). */
const GRADIENT_KERNELS: Record<TfjsOp, Record<GradientPart, string> | undefined> = {
  conv1d: { input: 'Conv2DBackpropInput', weight: 'Conv2DBackpropFilter' },
  conv2d: { input: 'Conv2DBackpropInput', weight: 'Conv2DBackpropFilter' },
  depthwiseConv2d: { input: 'DepthwiseConv2dNativeBackpropInput', weight: 'DepthwiseConv2dNativeBackpropFilter' },
  conv3d: { input: 'Conv3DBackpropInputV2', weight: 'Conv3DBackpropFilterV2' },
  conv2dTranspose: { input: 'Conv2D', weight: 'Conv2DBackpropFilter' },
  conv3dTranspose: undefined,
};

/**
 * The forward conv a transposed problem is the adjoint of: channels swapped, input the transposed
 * output `O`, the resolved pads, no bias. Its output is the transposed input when output_padding
 * is below the stride (always so for the problems tfjs runs).
 */
export function forwardTwin(p: ConvProblem): ConvProblem {
  const pads = resolvePads(p);
  return withChanges(p, {
    op: 'conv', inChannels: p.outChannels, outChannels: p.inChannels, inputShape: outputSpatialShape(p),
    padsBegin: pads.begin, padsEnd: pads.end, autoPad: 'NOTSET', outputPadding: p.inputShape.map(() => 0),
    outputShape: undefined, bias: false,
  });
}

/** Whether tfjs on `backendName` can differentiate `p` with respect to `part`, and if not, why. Never throws. */
export function tfjsGradientSupport(backendName: TfjsPlanTarget, p: ConvProblem, part: GradientPart): { supported: true; plan: TfjsPlan } | { supported: false; reason: string } {
  const result = planTfjs(p, backendName);
  if (!result.ok) return { supported: false, reason: result.reason };
  const plan = result.plan;
  const kernels = GRADIENT_KERNELS[plan.op];
  if (kernels === undefined) return { supported: false, reason: `tfjs: ${plan.op} has no gradient (none is registered for Conv3DBackpropInputV2; tensorflow/tfjs#6323).` };
  if (plan.dilations.some((d) => d > 1)) {
    return { supported: false, reason: `tfjs: no gradient for a dilated ${plan.op} (dilations=[${p.dilations}]): its gradient asserts "dilation rates greater than 1 are not yet supported in gradients".` };
  }
  // the browser backends (webgl, webgpu) register every backprop kernel; their page checks it at start
  if (isTfjsBackendName(backendName) && !hasKernel(backendName, kernels[part])) {
    return { supported: false, reason: `tfjs: the ${part} gradient of ${plan.op} runs kernel ${kernels[part]}, which is not registered for backend '${TFJS_BACKENDS[backendName]}'.` };
  }
  return { supported: true, plan };
}

/** dy `[N, M, ...o]`: exact mode small integers (a third zero), real mode uniform in [-1, 1). */
function drawDy(p: ConvProblem, mode: DataMode, seed: number): Tensor<Float32Array> {
  const rng = new Random((seed ^ 0x5bd1e995) >>> 0);
  const max = exactRanges(p).xMax;
  const shape = outputTensorShape(p);
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = mode === 'real' ? rng.next() * 2 - 1 : rng.int(0, 2) === 0 ? 0 : rng.int(-max, max);
  return { shape, data };
}

/** The reference gradients (with S and n) of `L = Σ y·dy` for `p` at x, w. */
function referenceGradients(p: ConvProblem, x: Tensor, w: Tensor, dy: Tensor): Record<GradientPart, ConvResult> {
  if (p.op === 'conv') {
    return { input: convTransposeDetailed(adjointProblem(p), { x: dy, w }), weight: convWeightGradDetailed(p, x, dy) };
  }
  const twin = forwardTwin(p);
  return { input: convDetailed(twin, { x: dy, w }), weight: convWeightGradDetailed(twin, dy, x) };
}

/** tfjs's gradient of `Σ op(x, w)·dy` with respect to `part`, in ONNX layout (inside the engine lock, backend active). */
async function gradientOnActiveBackend(plan: TfjsPlan, p: ConvProblem, part: GradientPart, operands: { x: Tensor; w: Tensor }, dy: Tensor): Promise<Tensor<Float32Array>> {
  const call = toCallOperands(p, plan, operands);
  const dyCall = toCallOperands(p, plan, { x: dy, w: operands.w }).x; // dy in the call's layout, like x
  const grad = tf.tidy(() => {
    const x = tf.tensor(call.x.data, [...call.x.shape], 'float32');
    const filter = tf.tensor(call.filter.data, [...call.filter.shape], 'float32');
    const dyT = tf.tensor(dyCall.data, [...dyCall.shape], 'float32');
    const loss = (xT: TfTensor, fT: TfTensor): TfTensor => tf.sum(tf.mul(callOp(tf, plan, xT, fT), dyT));
    return part === 'input' ? tf.grad((xT: TfTensor) => loss(xT, filter))(x) : tf.grad((fT: TfTensor) => loss(x, fT))(filter);
  });
  try {
    const data = await grad.data();
    if (!(data instanceof Float32Array)) throw new Error(`tfjs gradient returned ${grad.dtype} data, not float32`);
    const got = { shape: grad.shape, data };
    return part === 'input' ? fromCallInput(plan, got) : fromCallFilter(p, plan, got, operands.w.shape);
  } finally {
    grad.dispose();
  }
}

/**
 * tfjs's gradient of `L = Σ y·dy` (y the problem's op on x and w, no bias) with respect to `part`
 * on the tfjs backend `backendName`, in ONNX layout: x's shape for `input`, w's for `weight`.
 * Rejects with an UnsupportedError when tfjs cannot differentiate it there ({@link tfjsGradientSupport}).
 * @example await tfjsGradient('tfjs-cpu', p, 'weight', { x, w }, dy)
 */
export function tfjsGradient(backendName: TfjsBackendName, p: ConvProblem, part: GradientPart, operands: { x: Tensor; w: Tensor }, dy: Tensor): Promise<Tensor<Float32Array>> {
  return runExclusive(async () => {
    await activateTfjsBackend(backendName);
    const support = tfjsGradientSupport(backendName, p, part);
    if (!support.supported) throw new UnsupportedError(support.reason);
    return gradientOnActiveBackend(support.plan, p, part, operands, dy);
  });
}

/**
 * Checks tfjs's input and weight gradients of `p` on the tfjs backend `backendName` (`tfjs-cpu`,
 * `tfjs-wasm`, `tfjs-node`) against the reference, with operands drawn from `seed` (x and w as
 * problem/operand-data.ts draws them; the bias, which no gradient here depends on, is dropped).
 * Exact mode needs every reference sum within 2^24 (else a ConvInputError naming `mode`).
 * Throws an Error if the backend cannot be loaded or tfjs throws.
 * @example await checkTfjsGradients('tfjs-cpu', parseDescriptor('mb1ic2ih5iw5oc3kh3kw3sh2sw2ph1pw1'), 7)
 */
export async function checkTfjsGradients(backendName: string, p: ConvProblem, seed: number, mode: DataMode = 'real'): Promise<TfjsGradientCheck> {
  if (!isTfjsBackendName(backendName)) {
    throw new ConvInputError('backendName', `checkTfjsGradients: backendName must be one of ${Object.keys(TFJS_BACKENDS).join(', ')}, but backendName=${JSON.stringify(backendName)}.`);
  }
  const problem = withChanges(p, { bias: false });
  if (problem.op === 'convTranspose' && [...resolvePads(problem).begin, ...resolvePads(problem).end].some((pad) => pad < 0)) {
    const reason = `reference: the transposed problem's output_shape extends past its full output (resolved pads [${[...resolvePads(problem).begin, ...resolvePads(problem).end]}]), so it has no forward-twin conv to take gradients against.`;
    return { backend: backendName, descriptor: formatDescriptor(p), mode, input: { verdict: 'unsupported', reason }, weight: { verdict: 'unsupported', reason }, ok: true };
  }
  const { x, w } = makeOperands(problem, mode, seed);
  const dy = drawDy(problem, mode, seed);
  const reference = referenceGradients(problem, x, w, dy);
  if (mode === 'exact') {
    for (const part of ['input', 'weight'] as const) {
      const largest = reference[part].absSum.reduce((a, b) => Math.max(a, b), 0);
      if (largest > 2 ** 24) throw new ConvInputError('mode', `checkTfjsGradients: exact mode needs every ${part}-gradient sum within 2^24, but one reaches ${largest} on ${formatDescriptor(p)}; use mode 'real'.`);
    }
  }
  const outcome = async (part: GradientPart): Promise<GradientOutcome> => {
    let got: Tensor;
    try {
      got = await tfjsGradient(backendName, problem, part, { x, w }, dy);
    } catch (error) {
      if (isUnsupportedError(error)) return { verdict: 'unsupported', reason: error.reason };
      throw error;
    }
    const comparison = compareToReference(reference[part], got, 'fp32', { exact: mode === 'exact' });
    return { verdict: comparison.verdict, comparison };
  };
  const input = await outcome('input');
  const weight = await outcome('weight');
  const failed = (o: GradientOutcome): boolean => o.verdict === 'fail' || o.verdict === 'impossible';
  return { backend: backendName, descriptor: formatDescriptor(p), mode, input, weight, ok: !failed(input) && !failed(weight) };
}
