/**
 * The small golden cases: every conv type of the source article at its own worked shapes, and the
 * edge cases of the ONNX Conv / ConvTranspose attributes. All are tiny (committed under
 * golden/corpus/); most use exact data (integers: a float32 backend must match bit for bit), a few
 * use real data so that the per-element bound S matters.
 */
import { defineCase, type GoldenCase } from './golden-case.ts';

const ARTICLE = 'article (Kunlun Bai, "A Comprehensive Introduction to Different Types of Convolutions in Deep Learning")';

/** The article's types at the shapes of its worked examples. */
export const ARTICLE_CASES: readonly GoldenCase[] = [
  defineCase({
    name: 'article-single-channel-5x5', type: 'conv2d', source: `${ARTICLE} §2.1`,
    note: 'single-channel 2-D: 5x5 input, 3x3 kernel, stride 1, no padding -> 3x3 (values drawn from the seed, not the article\'s)',
    spec: { inChannels: 1, outChannels: 1, inputShape: [5, 5], kernelShape: [3, 3] },
  }),
  defineCase({
    name: 'article-multi-channel', type: 'conv2d', source: `${ARTICLE} §2.2`, tags: ['bias'],
    note: 'multi-channel 2-D: each filter is a stack of Din kernels; Dout filters map 3 channels to 2',
    spec: { inChannels: 3, outChannels: 2, inputShape: [5, 5], kernelShape: [3, 3], pads: [1, 1, 1, 1], bias: true },
  }),
  defineCase({
    name: 'article-3d', type: 'conv3d', source: `${ARTICLE} §3`, tags: ['3-d'],
    note: '3-D convolution: the filter also slides along depth',
    spec: { inChannels: 1, outChannels: 2, inputShape: [5, 5, 5], kernelShape: [3, 3, 3] },
  }),
  defineCase({
    name: 'article-1x1', type: 'pointwise', source: `${ARTICLE} §4`,
    note: '1x1 convolution: a per-pixel linear map over channels (Network-in-Network)',
    spec: { inChannels: 4, outChannels: 2, inputShape: [5, 5], kernelShape: [1, 1] },
  }),
  defineCase({
    name: 'article-stride2-pad1', type: 'conv2d', source: `${ARTICLE} §5`,
    note: 'arithmetic o = floor((i + 2p - k) / s) + 1 = floor((5 + 2 - 3) / 2) + 1 = 3',
    spec: { inChannels: 1, outChannels: 1, inputShape: [5, 5], kernelShape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] },
  }),
  defineCase({
    name: 'article-transposed-2x2-to-4x4', type: 'transposed', source: `${ARTICLE} §6`,
    note: 'transposed conv up-sampling a 2x2 input to 4x4 with a 3x3 kernel (C^T of the 4x16 matrix C)',
    spec: { op: 'convTranspose', inChannels: 1, outChannels: 1, inputShape: [2, 2], kernelShape: [3, 3] },
  }),
  defineCase({
    name: 'article-transposed-stride2-to-5x5', type: 'transposed', source: `${ARTICLE} §6`,
    note: 'transposed conv with stride 2 up-sampling 2x2 to 5x5',
    spec: { op: 'convTranspose', inChannels: 1, outChannels: 1, inputShape: [2, 2], kernelShape: [3, 3], strides: [2, 2] },
  }),
  defineCase({
    name: 'article-checkerboard-k3s2', type: 'transposed', source: `${ARTICLE} §6.1`,
    note: 'checkerboard artifacts: kernel 3 not divisible by stride 2 gives uneven overlap (terms.npy shows the pattern)',
    spec: { op: 'convTranspose', inChannels: 1, outChannels: 1, inputShape: [4, 4], kernelShape: [3, 3], strides: [2, 2] },
  }),
  defineCase({
    name: 'article-checkerboard-k4s2', type: 'transposed', source: `${ARTICLE} §6.1`,
    note: 'kernel 4 divisible by stride 2: even overlap in the interior, no checkerboard',
    spec: { op: 'convTranspose', inChannels: 1, outChannels: 1, inputShape: [4, 4], kernelShape: [4, 4], strides: [2, 2] },
  }),
  defineCase({
    name: 'article-dilated-rate2', type: 'dilated', source: `${ARTICLE} §7`,
    note: 'dilated (atrous) 3x3 kernel with rate 2 (one hole between taps) spans 5x5',
    spec: { inChannels: 1, outChannels: 1, inputShape: [7, 7], kernelShape: [3, 3], dilations: [2, 2] },
  }),
  ...[1, 2, 4].map((rate, i) => defineCase({
    name: `article-dilated-stack-rate${rate}`, type: 'dilated', source: `${ARTICLE} §7`,
    chain: { name: 'article-dilated-stack', step: i + 1, of: 3 },
    tags: rate === 4 ? ['kernel-equals-padded-input'] : [],
    note: `stacked 3x3 convs with rates 1, 2, 4 have receptive fields 3, 7, 15: this is rate ${rate}, input ${[15, 13, 9][i]}x${[15, 13, 9][i]}`,
    spec: { inChannels: 1, outChannels: 1, inputShape: [[15, 13, 9][i], [15, 13, 9][i]], kernelShape: [3, 3], dilations: [rate, rate] },
  })),
  defineCase({
    name: 'article-depthwise-separable-dw', type: 'depthwise-separable', source: `${ARTICLE} §8.2`,
    chain: { name: 'article-depthwise-separable', step: 1, of: 2 },
    note: 'depthwise separable, step 1 of 2: depthwise 3x3 on 7x7x3 (675 multiplications); step 2 is article-depthwise-separable-pw',
    spec: { group: 3, inChannels: 3, outChannels: 3, inputShape: [7, 7], kernelShape: [3, 3] },
  }),
  defineCase({
    name: 'article-depthwise-separable-pw', type: 'depthwise-separable', source: `${ARTICLE} §8.2`,
    chain: { name: 'article-depthwise-separable', step: 2, of: 2 },
    note: 'depthwise separable, step 2 of 2: 1x1 from 5x5x3 to 5x5x128 (9,600 multiplications; 10,275 in all vs 86,400 for a standard 3x3)',
    spec: { inChannels: 3, outChannels: 128, inputShape: [5, 5], kernelShape: [1, 1] },
  }),
  defineCase({
    name: 'article-spatially-separable-kx1', type: 'spatially-separable', source: `${ARTICLE} §8.1`,
    chain: { name: 'article-spatially-separable', step: 1, of: 2 },
    note: 'spatially separable (Sobel-like), step 1 of 2: 3x1 on 5x5 (45 multiplications); step 2 is article-spatially-separable-1xk',
    spec: { inChannels: 1, outChannels: 1, inputShape: [5, 5], kernelShape: [3, 1] },
  }),
  defineCase({
    name: 'article-spatially-separable-1xk', type: 'spatially-separable', source: `${ARTICLE} §8.1`,
    chain: { name: 'article-spatially-separable', step: 2, of: 2 },
    note: 'spatially separable, step 2 of 2: 1x3 on the 3x5 result (27 multiplications; 72 in all vs 81 for the 3x3)',
    spec: { inChannels: 1, outChannels: 1, inputShape: [3, 5], kernelShape: [1, 3] },
  }),
  defineCase({
    name: 'flattened-channel', type: 'flattened', source: `${ARTICLE} §9 (Jin et al. 2014, "Flattened Convolutional Neural Networks")`,
    chain: { name: 'flattened', step: 1, of: 3 },
    note: 'flattened, step 1 of 3: the channel (lateral) 1-D filters, a 1x1 conv from 4 to 3 channels; then flattened-vertical, flattened-horizontal',
    spec: { inChannels: 4, outChannels: 3, inputShape: [6, 6], kernelShape: [1, 1] },
  }),
  defineCase({
    name: 'flattened-vertical', type: 'flattened', source: `${ARTICLE} §9 (Jin et al. 2014)`,
    chain: { name: 'flattened', step: 2, of: 3 },
    note: 'flattened, step 2 of 3: the vertical 1-D filters, a depthwise 3x1 conv',
    spec: { group: 3, inChannels: 3, outChannels: 3, inputShape: [6, 6], kernelShape: [3, 1] },
  }),
  defineCase({
    name: 'flattened-horizontal', type: 'flattened', source: `${ARTICLE} §9 (Jin et al. 2014)`,
    chain: { name: 'flattened', step: 3, of: 3 },
    note: 'flattened, step 3 of 3: the horizontal 1-D filters, a depthwise 1x3 conv',
    spec: { group: 3, inChannels: 3, outChannels: 3, inputShape: [4, 6], kernelShape: [1, 3] },
  }),
  defineCase({
    name: 'grouped-g2', type: 'grouped', source: `${ARTICLE} §10`, tags: ['bias'],
    note: 'grouped conv (AlexNet style): 2 groups, each 2 channels deep with 3 filters',
    spec: { group: 2, inChannels: 4, outChannels: 6, inputShape: [5, 5], kernelShape: [3, 3], pads: [1, 1, 1, 1], bias: true },
  }),
  defineCase({
    name: 'depthwise', type: 'depthwise', source: `${ARTICLE} §10`,
    note: 'depthwise: group = channels',
    spec: { group: 4, inChannels: 4, outChannels: 4, inputShape: [6, 6], kernelShape: [3, 3], pads: [1, 1, 1, 1] },
  }),
  defineCase({
    name: 'depthwise-multiplier', type: 'depthwise', source: `${ARTICLE} §10`, tags: ['channel-multiplier'],
    note: 'depthwise with channel multiplier 2: group = C = 3, M = 6',
    spec: { group: 3, inChannels: 3, outChannels: 6, inputShape: [5, 5], kernelShape: [3, 3] },
  }),
  defineCase({
    name: 'pointwise-grouped', type: 'pointwise-grouped', source: `${ARTICLE} §12 (ShuffleNet)`,
    note: 'pointwise grouped: a block-diagonal 1x1 conv with 3 groups',
    spec: { group: 3, inChannels: 6, outChannels: 9, inputShape: [4, 4], kernelShape: [1, 1] },
  }),
  defineCase({
    name: 'shuffled-grouped-1', type: 'shuffled-grouped', source: `${ARTICLE} §11 (ShuffleNet)`,
    chain: { name: 'shuffled-grouped', step: 1, of: 2 },
    note: 'shuffled grouped, step 1 of 2: grouped conv g=2 to 6 channels; then a channel shuffle with 2 groups (not an ONNX Conv), then shuffled-grouped-2',
    spec: { group: 2, inChannels: 4, outChannels: 6, inputShape: [5, 5], kernelShape: [3, 3], pads: [1, 1, 1, 1] },
  }),
  defineCase({
    name: 'shuffled-grouped-2', type: 'shuffled-grouped', source: `${ARTICLE} §11 (ShuffleNet)`,
    chain: { name: 'shuffled-grouped', step: 2, of: 2 },
    note: 'shuffled grouped, step 2 of 2: grouped conv g=2 on the shuffled 6 channels',
    spec: { group: 2, inChannels: 6, outChannels: 4, inputShape: [5, 5], kernelShape: [3, 3], pads: [1, 1, 1, 1] },
  }),
];

const ONNX_CONV = 'ONNX Conv-11 attribute edge case';
const ONNX_CONVT = 'ONNX ConvTranspose-11 attribute edge case';

/** Edge cases of Conv's attributes. */
export const CONV_EDGE_CASES: readonly GoldenCase[] = [
  defineCase({
    name: 'asymmetric-pads', type: 'conv2d', source: ONNX_CONV, tags: ['asymmetric-pads', 'bias'],
    note: 'pads begin [0, 2], end [1, 0]',
    spec: { inChannels: 2, outChannels: 3, inputShape: [5, 6], kernelShape: [3, 3], pads: [0, 2, 1, 0], bias: true },
  }),
  defineCase({
    name: 'pads-ge-kernel', type: 'conv2d', source: ONNX_CONV, tags: ['pads-ge-kernel', 'asymmetric-pads'],
    note: 'pads 3 and 2 around a 2x2 kernel: border outputs see only padding (y = 0 with n = 0)',
    spec: { inChannels: 1, outChannels: 2, inputShape: [4, 4], kernelShape: [2, 2], pads: [3, 2, 2, 3] },
  }),
  defineCase({
    name: 'stride-gt-kernel', type: 'conv2d', source: ONNX_CONV, tags: ['stride-gt-kernel'],
    note: 'stride 3 with a 2x2 kernel: input rows and columns between windows are never read',
    spec: { inChannels: 2, outChannels: 2, inputShape: [9, 9], kernelShape: [2, 2], strides: [3, 3] },
  }),
  defineCase({
    name: 'stride-and-dilation', type: 'dilated', source: ONNX_CONV, tags: ['stride-and-dilation'],
    note: 'stride 2 and dilation 2 together',
    spec: { inChannels: 2, outChannels: 2, inputShape: [11, 11], kernelShape: [3, 3], strides: [2, 2], dilations: [2, 2], pads: [1, 1, 1, 1] },
  }),
  defineCase({
    name: 'kernel-equals-padded-input', type: 'conv2d', source: ONNX_CONV, tags: ['kernel-equals-padded-input'],
    note: '7x7 kernel on a 5x5 input padded by 1: a single output position',
    spec: { inChannels: 2, outChannels: 3, inputShape: [5, 5], kernelShape: [7, 7], pads: [1, 1, 1, 1] },
  }),
  defineCase({
    name: 'size-1-height', type: 'conv2d', source: ONNX_CONV, tags: ['size-1-dims'],
    note: 'input height 1 with a 1x3 kernel: a 2-D conv that is a 1-D one',
    spec: { inChannels: 2, outChannels: 2, inputShape: [1, 7], kernelShape: [1, 3], pads: [0, 1, 0, 1] },
  }),
  defineCase({
    name: 'size-1-everything', type: 'pointwise', source: ONNX_CONV, tags: ['size-1-dims', 'bias'],
    note: 'one channel, one pixel, a 1x1 kernel and a bias: y = x·w + b',
    spec: { inChannels: 1, outChannels: 1, inputShape: [1, 1], kernelShape: [1, 1], bias: true },
  }),
  defineCase({
    name: 'same-upper-odd', type: 'conv2d', source: ONNX_CONV, tags: ['odd-same-upper'],
    note: 'SAME_UPPER, kernel 4 stride 1: total pad 3, begin 1 end 2',
    spec: { inChannels: 1, outChannels: 2, inputShape: [6, 6], kernelShape: [4, 4], autoPad: 'SAME_UPPER' },
  }),
  defineCase({
    name: 'same-lower-odd', type: 'conv2d', source: ONNX_CONV, tags: ['odd-same-lower'],
    note: 'SAME_LOWER, kernel 4 stride 1: total pad 3, begin 2 end 1',
    spec: { inChannels: 1, outChannels: 2, inputShape: [6, 6], kernelShape: [4, 4], autoPad: 'SAME_LOWER' },
  }),
  defineCase({
    name: 'same-upper-strided', type: 'conv2d', source: ONNX_CONV, tags: ['odd-same-upper'],
    note: 'SAME_UPPER, kernel 2 stride 2 on 5: output 3, total pad 1 at the end',
    spec: { inChannels: 2, outChannels: 2, inputShape: [5, 5], kernelShape: [2, 2], strides: [2, 2], autoPad: 'SAME_UPPER' },
  }),
  defineCase({
    name: 'same-lower-strided', type: 'conv2d', source: ONNX_CONV, tags: ['odd-same-lower'],
    note: 'SAME_LOWER, kernel 2 stride 2 on 5: output 3, total pad 1 at the beginning',
    spec: { inChannels: 2, outChannels: 2, inputShape: [5, 5], kernelShape: [2, 2], strides: [2, 2], autoPad: 'SAME_LOWER' },
  }),
  defineCase({
    name: 'valid-strided', type: 'conv2d', source: ONNX_CONV, tags: ['valid'],
    note: 'auto_pad VALID with stride 2 on 6x5: the last row is dropped',
    spec: { inChannels: 2, outChannels: 2, inputShape: [6, 5], kernelShape: [3, 3], strides: [2, 2], autoPad: 'VALID' },
  }),
  defineCase({
    name: 'batch-2', type: 'conv2d', source: ONNX_CONV, tags: ['batch', 'bias'],
    note: 'batch 2: each image convolved independently',
    spec: { batch: 2, inChannels: 2, outChannels: 2, inputShape: [4, 4], kernelShape: [3, 3], pads: [1, 1, 1, 1], bias: true },
  }),
  defineCase({
    name: 'conv-1d', type: 'conv1d', source: ONNX_CONV, tags: ['1-d', 'bias'],
    note: '1-D conv, stride 2, pad 1',
    spec: { inChannels: 2, outChannels: 3, inputShape: [9], kernelShape: [3], strides: [2], pads: [1, 1], bias: true },
  }),
  defineCase({
    name: 'conv-1d-causal-dilated', type: 'dilated', source: ONNX_CONV, tags: ['1-d', 'asymmetric-pads'],
    note: 'causal dilated 1-D conv (WaveNet style): kernel 2, dilation 4, pad 4 at the beginning only',
    spec: { inChannels: 2, outChannels: 2, inputShape: [10], kernelShape: [2], dilations: [4], pads: [4, 0] },
  }),
  defineCase({
    name: 'conv-3d-strided-asymmetric', type: 'conv3d', source: ONNX_CONV, tags: ['3-d', 'asymmetric-pads'],
    note: '3-D conv, strides [1, 2, 2], pads begin [0, 1, 1] end [1, 0, 1]',
    spec: { inChannels: 2, outChannels: 2, inputShape: [4, 5, 6], kernelShape: [2, 3, 3], strides: [1, 2, 2], pads: [0, 1, 1, 1, 0, 1] },
  }),
  defineCase({
    name: 'conv-3d-same-lower', type: 'conv3d', source: ONNX_CONV, tags: ['3-d', 'odd-same-lower'],
    note: '3-D SAME_LOWER with kernel 2: total pad 1 per axis, at the beginning',
    spec: { inChannels: 1, outChannels: 2, inputShape: [3, 4, 5], kernelShape: [2, 2, 2], autoPad: 'SAME_LOWER' },
  }),
];

/** Edge cases of ConvTranspose's attributes. */
export const CONV_TRANSPOSE_EDGE_CASES: readonly GoldenCase[] = [
  defineCase({
    name: 'transposed-output-padding', type: 'transposed', source: ONNX_CONVT, tags: ['output-padding', 'bias'],
    note: 'stride 2, pad 1, output_padding 1: output 2·2 + 1 + 3 - 2 = 6',
    spec: { op: 'convTranspose', inChannels: 2, outChannels: 3, inputShape: [3, 3], kernelShape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], outputPadding: [1, 1], bias: true },
  }),
  defineCase({
    name: 'transposed-output-shape', type: 'transposed', source: ONNX_CONVT, tags: ['output-shape'],
    note: 'output_shape [6, 6] from a full output of 7: the one cropped element goes at the beginning (NOTSET)',
    spec: { op: 'convTranspose', inChannels: 1, outChannels: 2, inputShape: [3, 3], kernelShape: [3, 3], strides: [2, 2], outputShape: [6, 6] },
  }),
  defineCase({
    name: 'transposed-output-shape-and-padding', type: 'transposed', source: ONNX_CONVT, tags: ['output-shape', 'output-padding'],
    note: 'output_padding [1, 1] and output_shape [7, 8] from full outputs 8 and 10',
    spec: { op: 'convTranspose', inChannels: 1, outChannels: 1, inputShape: [3, 4], kernelShape: [3, 3], strides: [2, 2], outputPadding: [1, 1], outputShape: [7, 8] },
  }),
  defineCase({
    name: 'transposed-same-upper-odd', type: 'transposed', source: ONNX_CONVT, tags: ['odd-same-upper'],
    note: 'SAME_UPPER: output i·s = 6 from a full 7, the cropped element at the end',
    spec: { op: 'convTranspose', inChannels: 1, outChannels: 2, inputShape: [3, 3], kernelShape: [3, 3], strides: [2, 2], autoPad: 'SAME_UPPER' },
  }),
  defineCase({
    name: 'transposed-same-lower-odd', type: 'transposed', source: ONNX_CONVT, tags: ['odd-same-lower'],
    note: 'SAME_LOWER: output i·s = 6 from a full 7, the cropped element at the beginning',
    spec: { op: 'convTranspose', inChannels: 1, outChannels: 2, inputShape: [3, 3], kernelShape: [3, 3], strides: [2, 2], autoPad: 'SAME_LOWER' },
  }),
  defineCase({
    name: 'transposed-grouped', type: 'transposed', source: ONNX_CONVT,
    note: 'grouped ConvTranspose: 2 groups, weight [C, M/group, k, k] = [4, 3, 3, 3]',
    spec: { op: 'convTranspose', group: 2, inChannels: 4, outChannels: 6, inputShape: [3, 3], kernelShape: [3, 3], strides: [2, 2] },
  }),
  defineCase({
    name: 'transposed-depthwise-multiplier', type: 'transposed', source: ONNX_CONVT, tags: ['channel-multiplier'],
    note: 'depthwise ConvTranspose with channel multiplier 2: group = C = 3, M = 6',
    spec: { op: 'convTranspose', group: 3, inChannels: 3, outChannels: 6, inputShape: [3, 3], kernelShape: [2, 2], strides: [2, 2] },
  }),
  defineCase({
    name: 'transposed-dilated', type: 'transposed', source: ONNX_CONVT,
    note: 'dilated ConvTranspose: dilation 2, pad 1',
    spec: { op: 'convTranspose', inChannels: 2, outChannels: 2, inputShape: [4, 4], kernelShape: [3, 3], dilations: [2, 2], pads: [1, 1, 1, 1] },
  }),
  defineCase({
    name: 'transposed-stride-and-dilation', type: 'transposed', source: ONNX_CONVT, tags: ['stride-and-dilation'],
    note: 'ConvTranspose with stride 2 and dilation 2: output 2·2 + 2·1 + 1 = 7',
    spec: { op: 'convTranspose', inChannels: 1, outChannels: 2, inputShape: [3, 3], kernelShape: [2, 2], strides: [2, 2], dilations: [2, 2] },
  }),
  defineCase({
    name: 'transposed-stride-gt-kernel', type: 'transposed', source: ONNX_CONVT, tags: ['stride-gt-kernel'],
    note: 'stride 3 with kernel 2: output positions no tap reaches stay 0 (n = 0)',
    spec: { op: 'convTranspose', inChannels: 1, outChannels: 1, inputShape: [3, 3], kernelShape: [2, 2], strides: [3, 3] },
  }),
  defineCase({
    name: 'transposed-asymmetric-pads', type: 'transposed', source: ONNX_CONVT, tags: ['asymmetric-pads'],
    note: 'ConvTranspose crops pads begin [1, 0], end [2, 1] from the full output',
    spec: { op: 'convTranspose', inChannels: 2, outChannels: 2, inputShape: [4, 4], kernelShape: [4, 4], strides: [2, 2], pads: [1, 0, 2, 1] },
  }),
  defineCase({
    name: 'transposed-pads-ge-kernel', type: 'transposed', source: ONNX_CONVT, tags: ['pads-ge-kernel'],
    note: 'ConvTranspose pads 2 with kernel 2: cropping as much as the kernel adds',
    spec: { op: 'convTranspose', inChannels: 1, outChannels: 1, inputShape: [5, 5], kernelShape: [2, 2], pads: [2, 2, 2, 2] },
  }),
  defineCase({
    name: 'transposed-1d', type: 'transposed', source: ONNX_CONVT, tags: ['1-d', 'bias'],
    note: '1-D ConvTranspose, stride = kernel = 3: no overlap',
    spec: { op: 'convTranspose', inChannels: 2, outChannels: 2, inputShape: [5], kernelShape: [3], strides: [3], bias: true },
  }),
  defineCase({
    name: 'transposed-3d', type: 'transposed', source: ONNX_CONVT, tags: ['3-d'],
    note: '3-D ConvTranspose, kernel 2 stride 2: doubles every axis',
    spec: { op: 'convTranspose', inChannels: 2, outChannels: 1, inputShape: [2, 3, 3], kernelShape: [2, 2, 2], strides: [2, 2, 2] },
  }),
  defineCase({
    name: 'transposed-size-1', type: 'transposed', source: ONNX_CONVT, tags: ['size-1-dims'],
    note: 'ConvTranspose of a single pixel: the output is the kernel times it',
    spec: { op: 'convTranspose', inChannels: 1, outChannels: 1, inputShape: [1, 1], kernelShape: [3, 3], strides: [2, 2] },
  }),
];

/** Real-valued cases: cancellation happens and the per-element bound S decides. */
export const REAL_CASES: readonly GoldenCase[] = [
  defineCase({
    name: 'real-deep-accumulation', type: 'conv2d', source: 'convcheck tolerance model', mode: 'real', tags: ['bias'],
    note: 'real data, 16 channels x 3x3 + bias: n up to 145 terms per output',
    spec: { inChannels: 16, outChannels: 4, inputShape: [6, 6], kernelShape: [3, 3], pads: [1, 1, 1, 1], bias: true },
  }),
  defineCase({
    name: 'real-transposed', type: 'transposed', source: 'convcheck tolerance model', mode: 'real', tags: ['bias'],
    note: 'real data, ConvTranspose k4 s2 p1 (the DCGAN up-sampling step)',
    spec: { op: 'convTranspose', inChannels: 8, outChannels: 4, inputShape: [4, 4], kernelShape: [4, 4], strides: [2, 2], pads: [1, 1, 1, 1], bias: true },
  }),
  defineCase({
    name: 'real-conv-3d', type: 'conv3d', source: 'convcheck tolerance model', mode: 'real', tags: ['3-d'],
    note: 'real data, 3-D conv with pad 1',
    spec: { inChannels: 4, outChannels: 2, inputShape: [3, 4, 4], kernelShape: [3, 3, 3], pads: [1, 1, 1, 1, 1, 1] },
  }),
  defineCase({
    name: 'real-grouped-1d-dilated', type: 'grouped', source: 'convcheck tolerance model', mode: 'real', tags: ['1-d'],
    note: 'real data, grouped 1-D conv with dilation 2',
    spec: { group: 2, inChannels: 8, outChannels: 4, inputShape: [16], kernelShape: [5], dilations: [2], pads: [4, 4] },
  }),
];
