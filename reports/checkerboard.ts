/**
 * The checkerboard pictures of the report (article §6.1, Odena et al. 2016): a constant 6x6 input
 * through a constant kernel, up-sampled 2x by a transposed conv (k3 s2: uneven overlap, a
 * checkerboard; k4 s2: even) and by resize-convolution (nearest, then a 3x3 conv: uniform).
 */
import { makeProblem } from '../problem/problem.ts';
import { inputTensorShape, sizeOf, weightShape } from '../problem/shape.ts';
import type { Tensor64 } from '../problem/tensor.ts';
import { convTranspose } from '../reference/conv-transpose.ts';
import { resizeConv } from '../reference/resize-conv.ts';
import type { Picture } from './report-model.ts';

function ones(shape: readonly number[]): Tensor64 {
  return { shape: [...shape], data: new Float64Array(sizeOf(shape)).fill(1) };
}

function picture(title: string, y: Tensor64): Picture {
  const [rows, cols] = y.shape.slice(-2);
  return { title, rows, cols, values: Array.from(y.data.subarray(0, rows * cols)) };
}

/** The three pictures: transposed k3 s2, transposed k4 s2, and nearest resize then 3x3 conv. */
export function checkerboardPictures(size = 6): Picture[] {
  const pictures: Picture[] = [];
  for (const k of [3, 4]) {
    const p = makeProblem({ op: 'convTranspose', inChannels: 1, outChannels: 1, inputShape: [size, size], kernelShape: [k, k], strides: [2, 2] });
    pictures.push(picture(`transposed conv k${k} s2 (${k % 2 === 0 ? 'k mod s = 0: even' : 'k mod s ≠ 0: checkerboard'})`, convTranspose(p, { x: ones(inputTensorShape(p)), w: ones(weightShape(p)) })));
  }
  const p = makeProblem({ inChannels: 1, outChannels: 1, inputShape: [2 * size, 2 * size], kernelShape: [3, 3], pads: [1, 1, 1, 1] });
  const y = resizeConv(p, { factors: [2, 2], mode: 'nearest' }, { x: ones([1, 1, size, size]), w: ones(weightShape(p)) }).y;
  pictures.push(picture('nearest resize x2, then 3x3 conv (uniform inside)', y));
  return pictures;
}
