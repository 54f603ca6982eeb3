/**
 * `convcheck cost DESCRIPTOR`: multiplications, parameters, receptive field, and the separable and
 * grouped savings the article computes (§8.1, §8.2, §10), all from the reference's cost formulas.
 */
import { parseDescriptor } from '../../problem/descriptor.ts';
import { ConvInputError } from '../../problem/errors.ts';
import { activeLimits, formatCount, resourceEstimate, resourceLimitError, type ResourceLimits } from '../../problem/limits.ts';
import { withChanges, type ConvProblem } from '../../problem/problem.ts';
import { outputTensorShape, sizeOf, weightShape } from '../../problem/shape.ts';
import { MAX_ELEMENTS } from '../../problem/validate.ts';
import { countEffectiveMultiplications, countParameters, denseMultiplications, effectiveMultiplications, outputElements, parameterCount } from '../../reference/cost.ts';
import { depthwiseSeparableMultiplications, depthwiseSeparableParameters, makeDepthwiseSeparable } from '../../reference/depthwise-separable.ts';
import { layerOf, receptiveField } from '../../reference/receptive-field.ts';
import { spatiallySeparableMultiplications, spatiallySeparableParameters } from '../../reference/spatially-separable.ts';
import { parseArgs, UsageError } from '../args.ts';
import { textTable, type Io } from '../output.ts';
import { applyLimitFlags, describeLimits, LIMIT_FLAGS, LIMITS_HELP } from '../limits.ts';

export const COST_HELP = `Usage: convcheck cost DESCRIPTOR [--json] [--max-elements N] [--max-macs N]

Prints the cost of one Conv / ConvTranspose problem: multiplications (dense, counting taps in the
padding as the article does, and effective, as the reference performs them), parameters, output
elements, the receptive field of the layer, and what the article's alternatives would cost:
grouped (parameters / g), depthwise separable (depthwise + 1x1) and spatially separable (per axis).
Every figure is a closed formula, so any valid problem answers at once; the last line says whether
run, gate and golden would compute the problem under the resource limits (the options below).

Options:
${LIMITS_HELP}

Example: convcheck cost mb1ic3ih7iw7oc128kh3kw3   (the article's 86,400 vs 675 + 9,600)`;

/** A count as printed: exact below 2^53, `≈4.61e+18` past it (a double is not exact there). */
const n = (v: number): string => formatCount(v).replace(/ \(2\^\d+\)$/, '');

/** The cost figures of a problem, as printed and as JSON. */
export interface CostFigures {
  readonly descriptor: string;
  readonly output: number[];
  readonly denseMultiplications: number;
  readonly effectiveMultiplications: number;
  readonly parameters: number;
  readonly outputElements: number;
  readonly receptiveField: number[];
  readonly alternatives: Array<{ name: string; multiplications: number; parameters: number; note: string }>;
  /** Each tensor's elements and the dense multiply-accumulates, against the limits in force. */
  readonly resources: {
    readonly tensors: Record<string, number>;
    readonly macs: number;
    readonly limits: ResourceLimits;
    /** Why run would refuse the problem, or undefined when it is within the limits. */
    readonly refused?: string;
  };
}

/**
 * Computes the figures; alternatives are given for Conv problems only. Their multiplications are
 * all effective (taps in the padding skipped), as the separable counts of the reference are: the
 * standard and grouped rows used to be dense, so with padding they were compared with effective
 * separable counts (e.g. 5,400 dense vs a depthwise 676 that skips the padding).
 */
export function costFigures(descriptor: string, p: ConvProblem, limits: ResourceLimits = activeLimits()): CostFigures {
  const alternatives: CostFigures['alternatives'] = [];
  if (p.op === 'conv') {
    // counted without validating: with a large g, the same layer without groups can have a weight
    // past the 2^31-1 elements a tensor may have (g2147483647...ic2147483647...oc2147483647: 2^62)
    const standard = withChanges(p, { group: 1 });
    const standardWeight = sizeOf(weightShape(standard));
    const tooLarge = standardWeight > MAX_ELEMENTS ? `; its weight would have ${formatCount(standardWeight)} elements, more than a tensor may have (2^31-1)` : '';
    alternatives.push({ name: 'standard (group 1)', multiplications: countEffectiveMultiplications(standard), parameters: countParameters(standard), note: `the same layer without groups${tooLarge}` });
    if (p.group > 1) alternatives.push({ name: `grouped (g=${p.group})`, multiplications: effectiveMultiplications(p), parameters: parameterCount(p), note: `parameters divided by g = ${p.group}` });
    const pads = [...p.padsBegin, ...p.padsEnd];
    const separable = makeDepthwiseSeparable({
      batch: p.batch, inChannels: p.inChannels, outChannels: p.outChannels, inputShape: p.inputShape, kernelShape: p.kernelShape,
      strides: p.strides, dilations: p.dilations, pads, autoPad: p.autoPad, bias: p.bias,
    });
    const ds = depthwiseSeparableMultiplications(separable);
    alternatives.push({ name: 'depthwise separable', multiplications: ds.total, parameters: depthwiseSeparableParameters(separable), note: `depthwise ${n(ds.depthwise)} + pointwise ${n(ds.pointwise)}` });
    if (p.inputShape.length >= 2) {
      // Per channel, as the article's §8.1 example: one channel in, one out.
      const oneChannel = withChanges(p, { batch: 1, inChannels: 1, outChannels: 1, group: 1, bias: false });
      const ss = spatiallySeparableMultiplications(oneChannel);
      alternatives.push({ name: 'spatially separable, per channel', multiplications: ss.total, parameters: spatiallySeparableParameters(oneChannel), note: `steps ${ss.steps.map(n).join(' + ')} vs ${n(effectiveMultiplications(oneChannel))} for the full kernel on one channel` });
    }
  }
  const estimate = resourceEstimate(p);
  const refused = resourceLimitError(p, limits, descriptor)?.message;
  return {
    descriptor, output: outputTensorShape(p), denseMultiplications: denseMultiplications(p), effectiveMultiplications: effectiveMultiplications(p),
    parameters: parameterCount(p), outputElements: outputElements(p), receptiveField: receptiveField([layerOf(p)]), alternatives,
    resources: { tensors: Object.fromEntries(estimate.tensors.map((t) => [t.name, t.elements])), macs: estimate.macs, limits, ...(refused !== undefined ? { refused } : {}) },
  };
}

/** Runs the command; returns the exit code. */
export async function costCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs('cost', argv, { values: [...LIMIT_FLAGS], booleans: ['help', 'json'] });
  if (args.booleans.has('help')) { io.out(COST_HELP); return 0; }
  if (args.positionals.length !== 1) throw new UsageError(`convcheck cost: expected one DESCRIPTOR, but got ${args.positionals.length} arguments.\n\n${COST_HELP}`);
  const limits = applyLimitFlags(args, 'cost');
  let f: CostFigures;
  try {
    // a problem cost cannot figure is a usage error (exit 2), as a malformed descriptor is
    f = costFigures(args.positionals[0], parseDescriptor(args.positionals[0]), limits);
  } catch (error) {
    if (error instanceof ConvInputError) throw new UsageError(error.message);
    throw error;
  }
  if (args.booleans.has('json')) { io.out(JSON.stringify(f, null, 2)); return 0; }
  io.out(`${f.descriptor}: output [${f.output}]`);
  io.out(textTable(['quantity', 'value'], [
    ['multiplications (dense, article)', n(f.denseMultiplications)],
    ['multiplications (effective, padding skipped)', n(f.effectiveMultiplications)],
    ['parameters', n(f.parameters)],
    ['output elements', n(f.outputElements)],
    ['receptive field of this layer', f.receptiveField.join(' x ')],
  ]));
  io.out('');
  io.out(`resources: ${Object.entries(f.resources.tensors).map(([name, count]) => `${name} ${n(count)}`).join(', ')} elements; ${n(f.resources.macs)} multiply-accumulates`);
  io.out(f.resources.refused !== undefined
    ? `over the limits: run, gate and golden would refuse it: ${f.resources.refused}`
    : `within the limits (${describeLimits(f.resources.limits)})`);
  if (f.alternatives.length > 0) {
    io.out('');
    io.out(textTable(['alternative', 'multiplications (effective)', 'parameters', 'note'], f.alternatives.map((a) => [a.name, n(a.multiplications), n(a.parameters), a.note])));
  }
  return 0;
}
