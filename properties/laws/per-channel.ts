/** Per-channel quantization is per-tensor quantization of each output channel: the per-channel parameters belong to w's output axis. */
import { judgeIntegers } from '../../compare/judge.ts';
import { quantizedOutputShape } from '../../problem/quantized.ts';
import { quantizedCaseArb, quantizedLabel, type QuantizedCase } from '../arbitraries/quantized.ts';
import { defineLaw, judge } from '../law.ts';
import { channelSplit, quantizedOperandsOf } from './quantized-common.ts';

// op(x, w; w_zp[·], w_scale[·])[:, m] = op(x[:, group of m], w[m]; w_zp[m], w_scale[m]): one per-tensor problem per output channel
export const perChannelLaw = defineLaw<QuantizedCase>('a per-channel quantized conv is the concatenation of per-tensor convs of its output channels', {
  math: 'op(x, w; w_zp[·], w_scale[·])[:, m] = op(x[:, group(m)], w[m]; w_zp[m], w_scale[m], B[m])',
  convTypes: ['conv-integer', 'qlinear-conv'],
  budgetShare: 0.6,
  cases: (scope) => quantizedCaseArb(scope, { perChannel: 'only' }),
  describe: quantizedLabel,
}, async (c, ctx) => {
  const p = c.problem;
  const operands = quantizedOperandsOf(c);
  const whole = await ctx.runQuantized(p, operands);
  const shape = quantizedOutputShape(p);
  const M = p.conv.outChannels, N = p.conv.batch, plane = whole.output.data.length / (N * M);
  const split = new Float64Array(whole.output.data.length);
  for (let m = 0; m < M; m++) {
    const part = channelSplit(p, operands, m);
    const y = await ctx.runQuantized(part.problem, part.operands);
    for (let n = 0; n < N; n++) split.set(Array.from(y.output.data.subarray(n * plane, (n + 1) * plane)), (n * M + m) * plane);
  }
  // equal, or both within the exact reference's tie-neighbour allowance
  const { lo, hi } = whole.reference.expectation;
  const inside = (i: number): boolean => split[i] >= lo[i] && split[i] <= hi[i];
  const want = { shape, value: split, lo: split.map((v, i) => (inside(i) ? lo[i] : v)), hi: split.map((v, i) => (inside(i) ? hi[i] : v)), allowance: whole.reference.expectation.allowance };
  return judge('per-channel vs its per-tensor output channels', judgeIntegers(whole.output, want));
});
