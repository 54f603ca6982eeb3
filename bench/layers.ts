/**
 * Real layer shapes for `npm run bench`, batch 1, each with where it comes from.
 */
import { parseDescriptor } from '../problem/descriptor.ts';
import type { ConvProblem } from '../problem/problem.ts';

/** One benchmarked layer. */
export interface BenchLayer {
  /** Short label for the table. */
  readonly label: string;
  /** The published architecture and table (or file) the shape comes from. */
  readonly source: string;
  readonly problem: ConvProblem;
}

/** The layers `npm run bench` measures, in table order. */
export const BENCH_LAYERS: readonly BenchLayer[] = [
  {
    label: 'ResNet-50 conv2_x 3x3',
    // conv2_x block [1x1, 64; 3x3, 64; 1x1, 256] at 56x56: its 3x3 is 64 -> 64, stride 1, pad 1.
    source: 'He et al., "Deep Residual Learning for Image Recognition", CVPR 2016, Table 1 (50-layer, conv2_x)',
    problem: parseDescriptor('mb1ic64ih56iw56oc64kh3kw3ph1pw1n"resnet50:conv2_x/3x3"'),
  },
  {
    label: 'MobileNet v1 depthwise 3x3',
    // The first depthwise layer: "Conv dw / s1, 3x3x32 dw, input 112x112x32".
    source: 'Howard et al., "MobileNets: Efficient Convolutional Neural Networks for Mobile Vision Applications", 2017, Table 1',
    problem: parseDescriptor('g32mb1ic32ih112iw112oc32kh3kw3ph1pw1n"mobilenet_v1:conv_dw_1"'),
  },
  {
    label: 'ResNet-50 conv2_x 1x1 reduce',
    // The 1x1, 64 that opens the second and third conv2_x blocks reads the previous block's 256 channels.
    source: 'He et al., "Deep Residual Learning for Image Recognition", CVPR 2016, Table 1 (50-layer, conv2_x)',
    problem: parseDescriptor('mb1ic256ih56iw56oc64kh1kw1n"resnet50:conv2_x/1x1_reduce"'),
  },
  {
    label: 'DCGAN generator k4 s2',
    // ConvTranspose2d(ngf * 2, ngf, 4, 2, 1) with ngf = 64: (128) x 16 x 16 -> (64) x 32 x 32.
    source: 'Radford et al., "Unsupervised Representation Learning with Deep Convolutional GANs", ICLR 2016; shape from pytorch/examples dcgan/main.py (ngf=64)',
    problem: parseDescriptor('Tmb1ic128ih16iw16oc64kh4kw4sh2sw2ph1pw1n"dcgan:netG/deconv3"'),
  },
];
