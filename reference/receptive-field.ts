/**
 * Receptive field of a stack of (strided, dilated) convolutions: how many input positions, per axis,
 * lie between the first and the last input that one output of the last layer reads.
 *
 * Layer l widens the field by `(k_l - 1)·d_l` steps of its own input, and one step of layer l's input
 * is `J_l = Π_{j<l} s_j` steps of the stack's input (the "jump"), so
 * `r = 1 + Σ_l (k_l - 1)·d_l·Π_{j<l} s_j` (article §7: 3x3 at rates 1, 2, 4 stacked give 3, 7, 15;
 * the same recurrence as Araujo et al., "Computing Receptive Fields of CNNs", Distill 2019).
 *
 * `r` is the extent (span) of the field. Every position inside it is read when no layer leaves gaps
 * (e.g. stride 1 and each dilation at most the field below it); otherwise, as with a 1x1 stride-2
 * layer under a 3-tap one, fewer positions than `r` are read, spread over `r`.
 */
import { ConvInputError } from '../problem/errors.ts';
import type { ConvProblem } from '../problem/problem.ts';
import { effectiveKernelSize } from '../problem/shape.ts';

/** One layer of a stack, per spatial axis: `kernel`, `stride` and `dilation` have one value per axis. */
export interface ReceptiveLayer {
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  readonly dilation: readonly number[];
}

/** The layer a Conv or ConvTranspose problem contributes to a stack: its kernel, strides and dilations. */
export function layerOf(p: ConvProblem): ReceptiveLayer {
  return { kernel: [...p.kernelShape], stride: [...p.strides], dilation: [...p.dilations] };
}

/**
 * Receptive field per axis of a stack of layers, first layer first:
 * `r = 1 + Σ_l (effectiveKernelSize(k_l, d_l) - 1)·Π_{j<l} s_j`, i.e. `(k_l - 1)·d_l` per layer times
 * its jump. An empty stack sees one position (`r = 1` on each axis of `rank`, default 2).
 * @example receptiveField([3, 3, 3].map((k, l) => ({ kernel: [k, k], stride: [1, 1], dilation: [2 ** l, 2 ** l] }))) // [15, 15]
 */
export function receptiveField(layers: readonly ReceptiveLayer[], rank = layers[0]?.kernel.length ?? 2): number[] {
  layers.forEach((layer, l) => checkLayer(layer, l, rank));
  return Array.from({ length: rank }, (_, a) => {
    let field = 1, jump = 1;
    for (const layer of layers) {
      field += (effectiveKernelSize(layer.kernel[a], layer.dilation[a]) - 1) * jump;
      jump *= layer.stride[a];
    }
    return field;
  });
}

/** Distance, in input positions, between neighbouring outputs of the stack: `Π_l s_l` per axis. */
export function stackStride(layers: readonly ReceptiveLayer[], rank = layers[0]?.kernel.length ?? 2): number[] {
  layers.forEach((layer, l) => checkLayer(layer, l, rank));
  return Array.from({ length: rank }, (_, a) => layers.reduce((jump, layer) => jump * layer.stride[a], 1));
}

function checkLayer(layer: ReceptiveLayer, l: number, rank: number): void {
  for (const field of ['kernel', 'stride', 'dilation'] as const) {
    const values = layer[field];
    if (values.length !== rank) {
      throw new ConvInputError(`layers[${l}].${field}`, `receptiveField: every layer needs one ${field} per axis (${rank}), but layers[${l}].${field}=[${values}].`);
    }
    values.forEach((v, a) => {
      if (!Number.isInteger(v) || v < 1) {
        throw new ConvInputError(`layers[${l}].${field}[${a}]`, `receptiveField: ${field} must be an integer >= 1, but layers[${l}].${field}[${a}]=${v}.`);
      }
    });
  }
}
