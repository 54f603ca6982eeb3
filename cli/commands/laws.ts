/**
 * `convcheck laws`: every law of the suite with its math and the conv types it covers, so a user
 * can read what a gate checks and name one law with `--law`.
 */
import { allLaws } from '../../properties/laws/index.ts';
import { parseArgs, UsageError } from '../args.ts';
import type { Io } from '../output.ts';

export const LAWS_HELP = `Usage: convcheck laws [--json]

Lists every law of the suite: its sentence (what gate and report --law take), its math, the conv
types its cases cover, and whether it is structural (shapes, costs, receptive fields,
permutations: run on the reference only).

Options:
  --json   one JSON array instead of text
  --help   this text`;

/** Prints the laws; returns the exit code. */
export async function lawsCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs('laws', argv, { values: [], booleans: ['help', 'json'] });
  if (args.booleans.has('help')) { io.out(LAWS_HELP); return 0; }
  if (args.positionals.length > 0) throw new UsageError(`convcheck laws: unexpected argument "${args.positionals[0]}".\n\n${LAWS_HELP}`);
  const laws = allLaws();
  if (args.booleans.has('json')) {
    io.out(JSON.stringify(laws.map((l) => ({ name: l.name, math: l.math, convTypes: l.convTypes, structural: l.structural })), null, 2));
    return 0;
  }
  laws.forEach((l, k) => {
    io.out(`${String(k + 1).padStart(2)}. ${l.name}${l.structural ? '   (structural: reference only)' : ''}`);
    io.out(`    ${l.math}`);
    io.out(`    types: ${l.convTypes.join(', ')}`);
  });
  return 0;
}
