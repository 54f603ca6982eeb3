/**
 * tfjs's fused depthwise separable convolution, `tf.separableConv2d`, as itself: one call that
 * runs a depthwise step and a 1x1 step, checked against the reference composite
 * (reference/depthwise-separable.ts). Its API takes 'valid' or 'same' only; a 1-D problem runs
 * with a unit height axis; the bias is added after the call (as in adapters/tfjs/call.ts).
 */
import type { Tensor4D } from '@tensorflow/tfjs';
import { ConvInputError } from '../../problem/errors.ts';
import { checkTensor, type Tensor } from '../../problem/tensor.ts';
import { inputTensorShape, resolvePads, weightShape } from '../../problem/shape.ts';
import { SUPPORTED, unsupported, UnsupportedError, type Support } from '../../problem/backend.ts';
import type { DepthwiseSeparableProblem } from '../../reference/depthwise-separable.ts';
import { addBias } from './call.ts';
import { activateTfjsBackend, isTfjsBackendName, runExclusive, tf, TFJS_BACKENDS, type TfjsBackendName } from './engine.ts';
import { reshaped, toChannelsFirst, toChannelsLast, toKernelLast } from './layout.ts';
import { namedPaddingFor, planTfjs, type TfjsPlan } from './plan.ts';

/** Operands of a separable problem: x `[N, C, ...]`, depthwiseW `[C·mult, 1, ...k]`, pointwiseW `[M, C·mult]`, b `[M]`. */
export interface SeparableOperands {
  readonly x: Tensor;
  readonly depthwiseW: Tensor;
  readonly pointwiseW: Tensor;
  readonly b?: Tensor;
}

/** The depthwise step's strides, dilations and named padding on a 2-D call, or why there are none. */
function separablePlan(p: DepthwiseSeparableProblem, backend: TfjsBackendName): { ok: true; plan: TfjsPlan } | { ok: false; reason: string } {
  const rank = p.depthwise.inputShape.length;
  if (rank === 3) return { ok: false, reason: 'tfjs: separableConv2d is 2-D only (3-D depthwise separable problem).' };
  const result = planTfjs(p.depthwise, backend);
  if (!result.ok) return result;
  const padding = namedPaddingFor(p.depthwise);
  if (padding === undefined) {
    const pads = resolvePads(p.depthwise);
    return { ok: false, reason: `tfjs: separableConv2d takes only 'valid' or 'same', but the depthwise pads (begin [${pads.begin}], end [${pads.end}]) are neither zero nor SAME_UPPER's.` };
  }
  const lift = (v: readonly number[]): number[] => (rank === 1 ? [1, v[0]] : [...v]);
  return { ok: true, plan: { ...result.plan, padding, callRank: 2, lifted: rank === 1, strides: lift(p.depthwise.strides), dilations: lift(p.depthwise.dilations) } };
}

/** Whether tf.separableConv2d on `backend` computes `p` exactly, and if not, why. Never throws. */
export function tfjsSeparableSupport(backend: TfjsBackendName, p: DepthwiseSeparableProblem): Support {
  try {
    const result = separablePlan(p, backend);
    return result.ok ? SUPPORTED : unsupported(result.reason);
  } catch (error) {
    return unsupported(`tfjs: invalid problem: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Runs `p` as one `tf.separableConv2d` call on the tfjs backend `backendName` and returns y
 * `[N, M, ...o]` (ONNX layout). Rejects with an UnsupportedError for what
 * {@link tfjsSeparableSupport} refuses, a ConvInputError for operands that do not fit.
 * @example await runTfjsSeparableConv2d('tfjs-cpu', makeDepthwiseSeparable({ inChannels: 3, outChannels: 4, inputShape: [5, 5], kernelShape: [3, 3] }), { x, depthwiseW, pointwiseW })
 */
export async function runTfjsSeparableConv2d(backendName: string, p: DepthwiseSeparableProblem, operands: SeparableOperands): Promise<Tensor<Float32Array>> {
  if (!isTfjsBackendName(backendName)) {
    throw new ConvInputError('backendName', `runTfjsSeparableConv2d: backendName must be one of ${Object.keys(TFJS_BACKENDS).join(', ')}, but backendName=${JSON.stringify(backendName)}.`);
  }
  const result = separablePlan(p, backendName);
  if (!result.ok) throw new UnsupportedError(result.reason);
  const { plan } = result;
  const dw = p.depthwise, C = dw.inChannels, mult = dw.outChannels / C;
  checkTensor('x', operands.x, inputTensorShape(dw));
  checkTensor('depthwiseW', operands.depthwiseW, weightShape(dw));
  checkTensor('pointwiseW', operands.pointwiseW, [p.outChannels, dw.outChannels]);
  if (p.bias !== (operands.b !== undefined)) throw new ConvInputError('b', `separableConv2d: bias=${p.bias}, but a b tensor was ${operands.b === undefined ? 'not ' : ''}given.`);
  if (operands.b !== undefined) checkTensor('b', operands.b, [p.outChannels]);
  const height = (shape: readonly number[], at: number): number[] => (plan.lifted ? [...shape.slice(0, at), 1, ...shape.slice(at)] : [...shape]);
  const x = toChannelsLast(operands.x);
  const depthwiseFilter = reshaped(toKernelLast(operands.depthwiseW), [...height(dw.kernelShape, 0), C, mult]);
  const pointwiseFilter = toKernelLast({ shape: [p.outChannels, dw.outChannels, 1, 1], data: operands.pointwiseW.data }); // [1, 1, C·mult, M]
  const named = plan.padding === 'same' ? 'same' : 'valid';
  return runExclusive(async () => {
    await activateTfjsBackend(backendName);
    const y = tf.tidy(() => {
      const xT = tf.tensor(x.data, height(x.shape, 1), 'float32');
      const depthwiseT = tf.tensor(depthwiseFilter.data, [...depthwiseFilter.shape], 'float32');
      const pointwiseT = tf.tensor(pointwiseFilter.data, [...pointwiseFilter.shape], 'float32');
      const out = tf.separableConv2d(
        xT as Tensor4D, depthwiseT as Tensor4D, pointwiseT as Tensor4D,
        [plan.strides[0], plan.strides[1]], named, [plan.dilations[0], plan.dilations[1]], 'NHWC',
      );
      return operands.b !== undefined ? addBias(tf, out, operands.b) : out;
    });
    try {
      const data = await y.data();
      if (!(data instanceof Float32Array)) throw new Error(`separableConv2d returned ${y.dtype} data, not float32`);
      const channelsLast = plan.lifted ? { shape: [y.shape[0], ...y.shape.slice(2)], data } : { shape: y.shape, data };
      return toChannelsFirst(channelsLast);
    } finally {
      y.dispose();
    }
  });
}
