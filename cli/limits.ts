/**
 * The resource-limit options every command that computes takes (`--max-elements`, `--max-macs`;
 * the limits themselves and their defaults are problem/limits.ts): parsed once per command and set
 * as the limits in force for the process, so the reference and every check read the same ones.
 */
import { DEFAULT_LIMITS, formatCount, LIMIT_OPTIONS, setActiveLimits, type ResourceLimits } from '../problem/limits.ts';
import { quoteArg, UsageError, type ParsedArgs } from './args.ts';

/** The flag names (without `--`) a command adds to its value flags. */
export const LIMIT_FLAGS = ['max-elements', 'max-macs'] as const;

/** The options' lines of a command's help text. */
export const LIMITS_HELP = `  --max-elements N      most elements of each of x, w, b and y (default ${formatCount(DEFAULT_LIMITS.maxElements)}); a
                        larger problem is refused before any work, naming this option
  --max-macs N          most multiply-accumulates of a problem (default ${formatCount(DEFAULT_LIMITS.maxMacs)}); likewise`;

/** One limit's value: a positive integer, written plainly or as `2e10`; at most 2^53. */
function limitValue(args: ParsedArgs, command: string, flag: (typeof LIMIT_FLAGS)[number], fallback: number): number {
  const raw = args.values.get(flag);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`convcheck ${command}: --${flag} must be an integer from 1 to 2^53 (e.g. 1000000 or 2e10), but got ${quoteArg(raw)}.`);
  }
  return value;
}

/** The limits the options give (defaults for those not given). */
export function limitsFromArgs(args: ParsedArgs, command: string): ResourceLimits {
  return {
    maxElements: limitValue(args, command, 'max-elements', DEFAULT_LIMITS.maxElements),
    maxMacs: limitValue(args, command, 'max-macs', DEFAULT_LIMITS.maxMacs),
  };
}

/** Parses the options and makes them the limits in force; returns them. */
export function applyLimitFlags(args: ParsedArgs, command: string): ResourceLimits {
  const limits = limitsFromArgs(args, command);
  setActiveLimits(limits);
  return limits;
}

/** How the limits in force are written in a command's output: `limits: 2^25 elements a tensor (--max-elements), ...`. */
export function describeLimits(limits: ResourceLimits): string {
  return `${formatCount(limits.maxElements)} elements a tensor (${LIMIT_OPTIONS.maxElements}), ${formatCount(limits.maxMacs)} multiply-accumulates (${LIMIT_OPTIONS.maxMacs})`;
}
