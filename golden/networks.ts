/**
 * Real network layers at the shapes of the published architectures, each citing the paper and
 * table or figure its shape comes from. Full-size layers are generated on demand (corpus
 * `networks`, real data); scaled-down copies that keep every attribute but shrink channels and
 * maps are part of the committed small corpus.
 *
 * "TensorFlow SAME" below is ONNX SAME_UPPER: an odd total pad puts the extra element at the end.
 */
import { defineCase, type GoldenCase } from './golden-case.ts';

const ALEXNET = 'Krizhevsky, Sutskever, Hinton 2012, "ImageNet Classification with Deep Convolutional Neural Networks", §3.5 and Fig. 2';
const RESNET = 'He, Zhang, Ren, Sun 2016, "Deep Residual Learning for Image Recognition", Table 1 (50-layer column)';
const MOBILENET_V1 = 'Howard et al. 2017, "MobileNets: Efficient Convolutional Neural Networks for Mobile Vision Applications", Table 1';
const MOBILENET_V2 = 'Sandler et al. 2018, "MobileNetV2: Inverted Residuals and Linear Bottlenecks", Tables 1 and 2';
const SHUFFLENET = 'Zhang, Zhou, Lin, Sun 2018, "ShuffleNet: An Extremely Efficient Convolutional Neural Network for Mobile Devices", Table 1 (g = 3) and Fig. 2(b)';
const XCEPTION = 'Chollet 2017, "Xception: Deep Learning with Depthwise Separable Convolutions", Fig. 5 (middle flow)';
const RESNEXT = 'Xie, Girshick, Dollár, Tu, He 2017, "Aggregated Residual Transformations for Deep Neural Networks", Table 1 (ResNeXt-50 32x4d)';
const DEEPLAB = 'Chen, Papandreou, Schroff, Adam 2017, "Rethinking Atrous Convolution for Semantic Image Segmentation", §3.3 (ASPP) and §4 (513 crop)';
const WAVENET = 'van den Oord et al. 2016, "WaveNet: A Generative Model for Raw Audio", §2.1 and Fig. 3';
const DCGAN = 'Radford, Metz, Chintala 2016, "Unsupervised Representation Learning with Deep Convolutional Generative Adversarial Networks", Fig. 1';
const C3D = 'Tran, Bourdev, Fergus, Torresani, Paluri 2015, "Learning Spatiotemporal Features with 3D Convolutional Networks", §3.3 and Fig. 3';

const WAVENET_DILATIONS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];
const ASPP_RATES = [6, 12, 18];

/** Full-size layers of published networks (real data; generated on demand, not committed). */
export const NETWORK_LAYERS: readonly GoldenCase[] = [
  defineCase({
    name: 'alexnet-conv2', type: 'grouped', source: ALEXNET, mode: 'real', tags: ['bias'],
    note: 'conv2: 256 kernels of 5x5x48 split over two GPUs (group = 2) on the 27x27x96 map after pool1; pad 2 keeps 27x27 (as in Caffe\'s bvlc_alexnet)',
    spec: { group: 2, inChannels: 96, outChannels: 256, inputShape: [27, 27], kernelShape: [5, 5], pads: [2, 2, 2, 2], bias: true },
  }),
  defineCase({
    name: 'resnet50-conv1', type: 'conv2d', source: RESNET, mode: 'real',
    note: 'conv1: 7x7, 64, stride 2 on 224x224x3; pad 3 gives the 112x112 output of Table 1',
    spec: { inChannels: 3, outChannels: 64, inputShape: [224, 224], kernelShape: [7, 7], strides: [2, 2], pads: [3, 3, 3, 3] },
  }),
  defineCase({
    name: 'resnet50-conv2-3x3', type: 'conv2d', source: RESNET, mode: 'real',
    note: 'conv2_x bottleneck middle layer: 3x3, 64 on 56x56x64, pad 1',
    spec: { inChannels: 64, outChannels: 64, inputShape: [56, 56], kernelShape: [3, 3], pads: [1, 1, 1, 1] },
  }),
  defineCase({
    name: 'resnet50-conv2-1x1-expand', type: 'pointwise', source: RESNET, mode: 'real',
    note: 'conv2_x bottleneck last layer: 1x1, 256 on 56x56x64',
    spec: { inChannels: 64, outChannels: 256, inputShape: [56, 56], kernelShape: [1, 1] },
  }),
  defineCase({
    name: 'resnet50-conv3-1-downsample', type: 'pointwise', source: `${RESNET}, whose caption says "Downsampling is performed by conv3_1, conv4_1, and conv5_1 with a stride of 2"`,
    mode: 'real', tags: ['stride-gt-kernel'],
    note: 'conv3_1 first layer: 1x1, 128 with stride 2 from 56x56x256 to 28x28 (the original ResNet puts the stride on the 1x1)',
    spec: { inChannels: 256, outChannels: 128, inputShape: [56, 56], kernelShape: [1, 1], strides: [2, 2] },
  }),
  defineCase({
    name: 'resnet50-conv5-3x3', type: 'conv2d', source: RESNET, mode: 'real',
    note: 'conv5_x bottleneck middle layer: 3x3, 512 on 7x7x512, pad 1',
    spec: { inChannels: 512, outChannels: 512, inputShape: [7, 7], kernelShape: [3, 3], pads: [1, 1, 1, 1] },
  }),
  defineCase({
    name: 'mobilenet-v1-dw1', type: 'depthwise-separable', source: MOBILENET_V1, mode: 'real',
    chain: { name: 'mobilenet-v1-block1', step: 1, of: 2 },
    note: 'depthwise separable, step 1 of 2: "Conv dw / s1, 3x3x32 dw" on 112x112x32; step 2 is mobilenet-v1-pw1',
    spec: { group: 32, inChannels: 32, outChannels: 32, inputShape: [112, 112], kernelShape: [3, 3], pads: [1, 1, 1, 1] },
  }),
  defineCase({
    name: 'mobilenet-v1-pw1', type: 'depthwise-separable', source: MOBILENET_V1, mode: 'real',
    chain: { name: 'mobilenet-v1-block1', step: 2, of: 2 },
    note: 'depthwise separable, step 2 of 2: "Conv / s1, 1x1x32x64" on 112x112x32',
    spec: { inChannels: 32, outChannels: 64, inputShape: [112, 112], kernelShape: [1, 1] },
  }),
  defineCase({
    name: 'mobilenet-v1-dw2-s2', type: 'depthwise-separable', source: MOBILENET_V1, mode: 'real', tags: ['odd-same-upper'],
    chain: { name: 'mobilenet-v1-block2', step: 1, of: 2 },
    note: 'depthwise separable, step 1 of 2: "Conv dw / s2, 3x3x64 dw" from 112x112x64 to 56x56, TensorFlow SAME (pad 0 before, 1 after); step 2 is mobilenet-v1-pw2',
    spec: { group: 64, inChannels: 64, outChannels: 64, inputShape: [112, 112], kernelShape: [3, 3], strides: [2, 2], autoPad: 'SAME_UPPER' },
  }),
  defineCase({
    name: 'mobilenet-v1-pw2', type: 'depthwise-separable', source: MOBILENET_V1, mode: 'real',
    chain: { name: 'mobilenet-v1-block2', step: 2, of: 2 },
    note: 'depthwise separable, step 2 of 2: "Conv / s1, 1x1x64x128" on 56x56x64',
    spec: { inChannels: 64, outChannels: 128, inputShape: [56, 56], kernelShape: [1, 1] },
  }),
  defineCase({
    name: 'mobilenet-v2-expand', type: 'depthwise-separable', source: MOBILENET_V2, mode: 'real',
    chain: { name: 'mobilenet-v2-bottleneck', step: 1, of: 3 },
    note: 'inverted residual "112² x 16, bottleneck, t = 6, c = 24, s = 2", step 1 of 3: 1x1 expansion 16 -> 96 on 112x112 (ReLU6 not included)',
    spec: { inChannels: 16, outChannels: 96, inputShape: [112, 112], kernelShape: [1, 1] },
  }),
  defineCase({
    name: 'mobilenet-v2-dw-s2', type: 'depthwise-separable', source: MOBILENET_V2, mode: 'real', tags: ['odd-same-upper'],
    chain: { name: 'mobilenet-v2-bottleneck', step: 2, of: 3 },
    note: 'step 2 of 3: 3x3 depthwise, stride 2, 96 channels, 112x112 -> 56x56, TensorFlow SAME',
    spec: { group: 96, inChannels: 96, outChannels: 96, inputShape: [112, 112], kernelShape: [3, 3], strides: [2, 2], autoPad: 'SAME_UPPER' },
  }),
  defineCase({
    name: 'mobilenet-v2-project', type: 'depthwise-separable', source: MOBILENET_V2, mode: 'real',
    chain: { name: 'mobilenet-v2-bottleneck', step: 3, of: 3 },
    note: 'step 3 of 3: linear 1x1 projection 96 -> 24 on 56x56',
    spec: { inChannels: 96, outChannels: 24, inputShape: [56, 56], kernelShape: [1, 1] },
  }),
  defineCase({
    name: 'shufflenet-v1-gconv1', type: 'shuffled-grouped', source: SHUFFLENET, mode: 'real',
    chain: { name: 'shufflenet-v1-unit', step: 1, of: 3 },
    note: 'Stage 2 unit (240 channels, 28x28), step 1 of 3: 1x1 GConv g = 3 to the bottleneck width 60 (1/4 of the output, §3.2); then a channel shuffle with 3 groups (not an ONNX Conv)',
    spec: { group: 3, inChannels: 240, outChannels: 60, inputShape: [28, 28], kernelShape: [1, 1] },
  }),
  defineCase({
    name: 'shufflenet-v1-dwconv', type: 'shuffled-grouped', source: SHUFFLENET, mode: 'real',
    chain: { name: 'shufflenet-v1-unit', step: 2, of: 3 },
    note: 'step 2 of 3: 3x3 DWConv on the shuffled 60 channels, stride 1, pad 1',
    spec: { group: 60, inChannels: 60, outChannels: 60, inputShape: [28, 28], kernelShape: [3, 3], pads: [1, 1, 1, 1] },
  }),
  defineCase({
    name: 'shufflenet-v1-gconv2', type: 'shuffled-grouped', source: SHUFFLENET, mode: 'real',
    chain: { name: 'shufflenet-v1-unit', step: 3, of: 3 },
    note: 'step 3 of 3: 1x1 GConv g = 3 back to 240 channels',
    spec: { group: 3, inChannels: 60, outChannels: 240, inputShape: [28, 28], kernelShape: [1, 1] },
  }),
  defineCase({
    name: 'xception-middle-dw', type: 'depthwise-separable', source: XCEPTION, mode: 'real',
    chain: { name: 'xception-middle-sepconv', step: 1, of: 2 },
    note: 'middle flow "SeparableConv 728, 3x3" on 19x19x728, step 1 of 2: the depthwise 3x3, pad 1',
    spec: { group: 728, inChannels: 728, outChannels: 728, inputShape: [19, 19], kernelShape: [3, 3], pads: [1, 1, 1, 1] },
  }),
  defineCase({
    name: 'xception-middle-pw', type: 'depthwise-separable', source: XCEPTION, mode: 'real',
    chain: { name: 'xception-middle-sepconv', step: 2, of: 2 },
    note: 'step 2 of 2: the pointwise 1x1, 728 -> 728',
    spec: { inChannels: 728, outChannels: 728, inputShape: [19, 19], kernelShape: [1, 1] },
  }),
  defineCase({
    name: 'resnext50-conv2-grouped', type: 'grouped', source: RESNEXT, mode: 'real',
    note: 'conv2 block middle layer: "3x3, 128, C = 32" (32 groups of 4 channels) on 56x56x128, pad 1',
    spec: { group: 32, inChannels: 128, outChannels: 128, inputShape: [56, 56], kernelShape: [3, 3], pads: [1, 1, 1, 1] },
  }),
  ...ASPP_RATES.map((rate) => defineCase({
    name: `deeplabv3-aspp-rate${rate}`, type: 'dilated', source: DEEPLAB, mode: 'real', tags: ['pads-ge-kernel'],
    note: `ASPP branch: 3x3 conv, 256 filters, atrous rate ${rate}, on the 33x33x2048 ResNet-101 block4 map (513 crop, output_stride 16); pad ${rate} keeps 33x33`,
    spec: { inChannels: 2048, outChannels: 256, inputShape: [33, 33], kernelShape: [3, 3], dilations: [rate, rate], pads: [rate, rate, rate, rate] },
  })),
  ...WAVENET_DILATIONS.map((d, i) => defineCase({
    name: `wavenet-dilation${d}`, type: 'dilated', source: WAVENET, mode: 'real', tags: ['1-d', 'asymmetric-pads'],
    chain: { name: 'wavenet-stack', step: i + 1, of: WAVENET_DILATIONS.length },
    note: `dilated causal conv, filter 2, dilation ${d} of the stack 1, 2, ..., 512 (receptive field 1024), 16,000 samples (one second at 16 kHz); causal = pad ${d} before, 0 after; 32 channels is an assumption (the paper gives no channel count)`,
    spec: { inChannels: 32, outChannels: 32, inputShape: [16000], kernelShape: [2], dilations: [d], pads: [d, 0] },
  })),
  defineCase({
    name: 'dcgan-generator-conv1', type: 'transposed', source: DCGAN, mode: 'real', tags: ['odd-same-upper'],
    note: 'generator: 5x5 fractionally-strided conv, stride 2, from 4x4x1024 to 8x8x512; TensorFlow SAME cropping (1 before, 2 after)',
    spec: { op: 'convTranspose', inChannels: 1024, outChannels: 512, inputShape: [4, 4], kernelShape: [5, 5], strides: [2, 2], autoPad: 'SAME_UPPER' },
  }),
  defineCase({
    name: 'c3d-conv5a', type: 'conv3d', source: C3D, mode: 'real', tags: ['3-d'],
    note: 'conv5a: 512 filters 3x3x3, stride 1, pad 1, on 2x7x7x512 (16x112x112 clips after pool1 1x2x2 and pool2-4 2x2x2)',
    spec: { inChannels: 512, outChannels: 512, inputShape: [2, 7, 7], kernelShape: [3, 3, 3], pads: [1, 1, 1, 1, 1, 1] },
  }),
];

/** Network layers scaled down (channels and maps smaller, every attribute kept), for the committed corpus. */
export const SCALED_NETWORK_LAYERS: readonly GoldenCase[] = [
  defineCase({
    name: 'scaled-alexnet-conv2', type: 'grouped', source: ALEXNET, mode: 'real', tags: ['bias'],
    note: 'alexnet-conv2 scaled: 8 -> 8 channels on 13x13; 5x5 kernel, pad 2, group 2 kept',
    spec: { group: 2, inChannels: 8, outChannels: 8, inputShape: [13, 13], kernelShape: [5, 5], pads: [2, 2, 2, 2], bias: true },
  }),
  defineCase({
    name: 'scaled-resnet50-conv1', type: 'conv2d', source: RESNET, mode: 'real',
    note: 'resnet50-conv1 scaled: 3 -> 4 channels on 32x32; 7x7, stride 2, pad 3 kept',
    spec: { inChannels: 3, outChannels: 4, inputShape: [32, 32], kernelShape: [7, 7], strides: [2, 2], pads: [3, 3, 3, 3] },
  }),
  defineCase({
    name: 'scaled-resnext50-grouped', type: 'grouped', source: RESNEXT, mode: 'real',
    note: 'resnext50-conv2-grouped scaled: 8 groups of 4 channels (the "4d" width kept) on 8x8',
    spec: { group: 8, inChannels: 32, outChannels: 32, inputShape: [8, 8], kernelShape: [3, 3], pads: [1, 1, 1, 1] },
  }),
  defineCase({
    name: 'scaled-mobilenet-v1-dw-s2', type: 'depthwise', source: MOBILENET_V1, mode: 'real', tags: ['odd-same-upper'],
    note: 'mobilenet-v1-dw2-s2 scaled: 8 channels on 16x16; 3x3 depthwise, stride 2, TensorFlow SAME kept',
    spec: { group: 8, inChannels: 8, outChannels: 8, inputShape: [16, 16], kernelShape: [3, 3], strides: [2, 2], autoPad: 'SAME_UPPER' },
  }),
  defineCase({
    name: 'scaled-shufflenet-gconv', type: 'pointwise-grouped', source: SHUFFLENET, mode: 'real',
    note: 'shufflenet-v1-gconv1 scaled: 12 -> 6 channels on 7x7; 1x1 GConv g = 3 kept',
    spec: { group: 3, inChannels: 12, outChannels: 6, inputShape: [7, 7], kernelShape: [1, 1] },
  }),
  ...ASPP_RATES.map((rate) => defineCase({
    name: `scaled-deeplabv3-aspp-rate${rate}`, type: 'dilated', source: DEEPLAB, mode: 'real', tags: ['pads-ge-kernel'],
    note: `deeplabv3-aspp-rate${rate} scaled: 4 -> 4 channels, the 33x33 map and rate ${rate} kept (at rate ${rate} most taps read padding)`,
    spec: { inChannels: 4, outChannels: 4, inputShape: [33, 33], kernelShape: [3, 3], dilations: [rate, rate], pads: [rate, rate, rate, rate] },
  })),
  defineCase({
    name: 'scaled-wavenet-dilation8', type: 'dilated', source: WAVENET, mode: 'real', tags: ['1-d', 'asymmetric-pads'],
    note: 'wavenet-dilation8 scaled: 4 channels, 64 samples; causal filter 2, dilation 8 kept',
    spec: { inChannels: 4, outChannels: 4, inputShape: [64], kernelShape: [2], dilations: [8], pads: [8, 0] },
  }),
  defineCase({
    name: 'scaled-dcgan-generator-conv1', type: 'transposed', source: DCGAN, mode: 'real', tags: ['odd-same-upper'],
    note: 'dcgan-generator-conv1 scaled: 16 -> 8 channels; 4x4 -> 8x8, 5x5, stride 2, TensorFlow SAME kept',
    spec: { op: 'convTranspose', inChannels: 16, outChannels: 8, inputShape: [4, 4], kernelShape: [5, 5], strides: [2, 2], autoPad: 'SAME_UPPER' },
  }),
  defineCase({
    name: 'scaled-c3d-conv5a', type: 'conv3d', source: C3D, mode: 'real', tags: ['3-d'],
    note: 'c3d-conv5a scaled: 8 -> 8 channels; the 2x7x7 map, 3x3x3 kernel and pad 1 kept',
    spec: { inChannels: 8, outChannels: 8, inputShape: [2, 7, 7], kernelShape: [3, 3, 3], pads: [1, 1, 1, 1, 1, 1] },
  }),
];
