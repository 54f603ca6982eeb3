/**
 * A small, strict command-line parser: `--flag value`, `--flag=value`, boolean `--flag`, and
 * positionals. An unknown flag or a missing value is a UsageError (exit code 2), never ignored.
 */
import { quoted } from '../problem/errors.ts';
import { isPrecision, PRECISIONS, type Precision } from '../problem/precision.ts';

/** A usage mistake: the CLI prints the message and exits with code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** What a command accepts: flags that take a value, and boolean flags. */
export interface FlagSpec {
  readonly values: readonly string[];
  readonly booleans: readonly string[];
}

/** Parsed command line of one command. */
export interface ParsedArgs {
  readonly positionals: string[];
  readonly values: Map<string, string>;
  readonly booleans: Set<string>;
}

/** Parses `argv` against `spec`; throws UsageError naming the offending argument. */
export function parseArgs(command: string, argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const positionals: string[] = [];
  const values = new Map<string, string>();
  const booleans = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') { positionals.push(...argv.slice(i + 1)); break; }
    if (!arg.startsWith('--')) {
      // '-timeout 5' or a dash a word processor made of '--' (—timeout) read as three stray arguments
      const dashed = /^(?:-|[\u2010-\u2015\u2212]{1,2})([A-Za-z][\w-]*)/.exec(arg);
      if (dashed !== null) throw new UsageError(`convcheck ${command}: unknown flag ${quoteArg(arg)}: flags start with two hyphens (--${dashed[1]}).`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (spec.booleans.includes(name)) {
      if (eq >= 0) throw new UsageError(`convcheck ${command}: --${name} takes no value, but got "${arg}".`);
      booleans.add(name);
    } else if (spec.values.includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`convcheck ${command}: --${name} needs a value.`);
      // the second would silently win: a gate could pass without ever running the backend named first
      if (values.has(name)) {
        throw new UsageError(`convcheck ${command}: --${name} is given twice (${quoteArg(values.get(name) ?? '')} and ${quoteArg(value)}); give it once${name === 'backend' ? ' (several backends: a comma-separated list, where the command allows it)' : ''}.`);
      }
      values.set(name, value);
    } else {
      const known = [...spec.values, ...spec.booleans].map((f) => `--${f}`).join(', ');
      throw new UsageError(`convcheck ${command}: unknown flag ${quoteArg(arg)} (known: ${known || 'none'}).`);
    }
  }
  return { positionals, values, booleans };
}

/** An argument as a message quotes it (problem/errors.ts quoted): escaped, and cut after 200 characters (a 100,000-character one was echoed whole). */
export function quoteArg(arg: string): string {
  return quoted(arg, 200);
}

/**
 * The largest value of an integer flag, 2^31-1: the longest delay a timer holds (a longer
 * `--timeout` would fire at once), and the top of the 32-bit seeds and of any sane run count.
 */
export const MAX_INT_FLAG = 2 ** 31 - 1;

/** A flag's value as an integer from `min` to {@link MAX_INT_FLAG}, or the default; a bad value is a UsageError. */
export function intFlag(args: ParsedArgs, command: string, name: string, fallback: number, min = 1, max = MAX_INT_FLAG): number {
  const raw = args.values.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\s*[-+]?\d+\s*$/.test(raw) || value < min || value > max) {
    throw new UsageError(`convcheck ${command}: --${name} must be an integer from ${min} to ${max}, but got ${quoteArg(raw)}.`);
  }
  return value;
}

/** `--precision P`: one of the precisions a backend may be judged at, or undefined when not given (each backend's own). */
export function precisionFlag(args: ParsedArgs, command: string): Precision | undefined {
  const raw = args.values.get('precision');
  if (raw === undefined) return undefined;
  if (!isPrecision(raw)) throw new UsageError(`convcheck ${command}: --precision must be one of ${PRECISIONS.join(', ')}, but got ${quoteArg(raw)}.`);
  return raw;
}

/**
 * `run --seed`: the seed operands are drawn from, any 32-bit integer, signed or unsigned (the data
 * generator reads it modulo 2^32), as replay commands print them: a gate's seed may be negative, a
 * golden case's is an unsigned FNV-1a hash. Both were refused when the range was 0 to 2^31-1.
 */
export function dataSeedFlag(args: ParsedArgs, command: string): number {
  return intFlag(args, command, 'seed', 1, -(2 ** 31), 2 ** 32 - 1);
}
