/**
 * benchdnn batch files (`benchdnn --conv --batch=FILE`): the shapes of a network as problem
 * descriptors, read into the cases convcheck runs against its reference.
 *
 *   file   = line*            line = token* [ "#" comment ]
 *   token  = option | descriptor                       (separated by white space)
 *   option = "--" key [ "=" value ]
 *
 * Options set how the descriptors after them run, until changed or `--reset`, as in benchdnn:
 * `--conv` / `--deconv`, `--dir=` (comma lists run each), `--mb=` (0: the descriptor's),
 * `--cfg=` / `--dt=` (f32 only: convcheck checks float32), `--bia-dt=`, `--match=REGEX`,
 * `--batch=FILE` (relative to this file) and `--reset`. Options that choose a memory layout, an
 * algorithm or an implementation do not change what is computed: they are noted, with no
 * effect. Every other option (attributes, other data types, unknown names) is an error naming
 * the file, the line and the option: running the shapes without it would check something else
 * than the line says, so it is reported, never ignored.
 *
 * Directions: FWD_B is the forward problem with bias (benchdnn's default), FWD_D and FWD_I
 * without; BWD_D, the gradient with respect to the data, is the problem that runs the data the
 * other way (a conv's is the deconv with input and output swapped, a ConvTranspose; a deconv's the
 * conv), run forward on every backend; BWD_W is the weight gradient of a conv (of a deconv: of the
 * swapped conv), run on backends with gradients. BWD_WB and BWD_DW ask for gradients convcheck's
 * Backend does not have (bias; both at once): an error that says to use BWD_W and BWD_D.
 */
import { readFileSync, statSync } from 'node:fs';
import v8 from 'node:v8';
import { dirname, resolve } from 'node:path';
import { benchdnnProblem, readBenchdnnDescriptor, swapped, type BenchdnnDriver } from './benchdnn.ts';
import type { ConvProblem } from './problem.ts';

/** The directions convcheck runs. */
export const BATCH_DIRECTIONS = ['FWD_B', 'FWD_D', 'FWD_I', 'BWD_D', 'BWD_W'] as const;
/** One of {@link BATCH_DIRECTIONS}. */
export type BatchDirection = (typeof BATCH_DIRECTIONS)[number];

/** One case of a batch file: a descriptor under the options in force where it stands. */
export interface BatchCase {
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  /** The descriptor as written in the file. */
  readonly text: string;
  /** The benchdnn name (`n"resnet_50:conv1"`), else the descriptor as written; with the direction when it is not forward. */
  readonly name: string;
  readonly driver: BenchdnnDriver;
  readonly direction: BatchDirection;
  /** What runs: a problem forward (FWD_*, and BWD_D as the problem with data the other way), or a Conv's weight gradient (BWD_W). */
  readonly kind: 'forward' | 'weight-gradient';
  readonly problem: ConvProblem;
}

/** A parsed batch file: its cases in order, and notes on options that have no effect. */
export interface BatchFile {
  readonly cases: BatchCase[];
  readonly notes: string[];
}

/** A malformed line: the message starts with `FILE:LINE:`. */
export class BatchFileError extends Error {
  constructor(readonly file: string, readonly line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = 'BatchFileError';
  }
}

/** How a batch file reads the files it includes (`--batch=FILE`); by default from disk. */
export type ReadIncluded = (path: string) => string;

/** Options that change nothing convcheck checks, with why. */
const NO_EFFECT: Readonly<Record<string, string>> = {
  stag: 'a memory layout', wtag: 'a memory layout', dtag: 'a memory layout', strides: 'memory strides',
  alg: 'the algorithm (the implementation\'s choice; convcheck checks the result)', impl: 'an implementation', 'skip-impl': 'implementations to skip',
  mode: 'what benchdnn measures', engine: 'a device', verbose: 'verbosity', 'max-ms-per-prb': 'a time limit', 'fix-times-per-prb': 'a repeat count',
  'perf-template': 'a report format', 'memory-kind': 'a memory kind',
};

/** What an option that changes the computation is, for the error. */
function changesComputation(key: string): string | undefined {
  if (key.startsWith('attr-')) return 'an attribute (post-ops, scales, zero points, fpmath, ...), which changes what is computed';
  return undefined;
}

const DEFAULTS = { driver: 'conv' as BenchdnnDriver, dirs: ['FWD_B'] as BatchDirection[], mbs: [0], match: undefined as RegExp | undefined, biasDt: undefined as 'f32' | 'undef' | undefined };
type State = { driver: BenchdnnDriver; dirs: BatchDirection[]; mbs: number[]; match: RegExp | undefined; biasDt: 'f32' | 'undef' | undefined };

/** The tokens of a line, without its `#` comment (a `#` inside a quoted name is kept). */
function tokensOf(line: string): string[] {
  let quoted = false, end = line.length;
  for (let c = 0; c < line.length; c++) {
    if (line[c] === '"') quoted = !quoted;
    else if (line[c] === '#' && !quoted) { end = c; break; }
  }
  return line.slice(0, end).trim().split(/\s+/).filter((t) => t !== '');
}

/** Largest batch file read (benchdnn's own are a few KB; a network's shapes fit in far less). */
export const MAX_BATCH_FILE_BYTES = 16 * 2 ** 20;

/**
 * The text of the batch file at `path`: a regular file of at most {@link MAX_BATCH_FILE_BYTES}
 * (a FIFO would block the read for good, /dev/zero fill the memory; both deaf to Ctrl-C, since the
 * read holds the thread). Throws an Error saying what the file is instead.
 */
export function readBatchText(path: string): string {
  const stat = statSync(path);
  if (!stat.isFile()) {
    const kind = stat.isDirectory() ? 'a directory' : stat.isFIFO() ? 'a FIFO' : stat.isCharacterDevice() || stat.isBlockDevice() ? 'a device' : stat.isSocket() ? 'a socket' : 'not a file';
    throw new Error(`${path} is ${kind}; a batch file must be a regular file`);
  }
  if (stat.size > MAX_BATCH_FILE_BYTES) throw new Error(`${path} has ${stat.size} bytes; a batch file may have at most ${MAX_BATCH_FILE_BYTES} (16 MiB)`);
  return readFileSync(path, 'utf8');
}

/** Parses the text of a batch file; `file` names it in messages and anchors `--batch=` includes. */
export function parseBatchFile(text: string, file: string, readIncluded: ReadIncluded = readBatchText): BatchFile {
  const out: BatchFile = { cases: [], notes: [] };
  parseInto(text, file, readIncluded, { ...DEFAULTS, dirs: [...DEFAULTS.dirs], mbs: [...DEFAULTS.mbs] }, out, [resolve(file)]);
  return out;
}

/** Reads and parses a batch file from disk. A missing file is a BatchFileError at line 0. */
export function readBatchFile(path: string): BatchFile {
  let text;
  try {
    text = readBatchText(path);
  } catch (error) {
    throw new BatchFileError(path, 0, `cannot read the batch file (${error instanceof Error ? error.message : String(error)}).`);
  }
  return parseBatchFile(text, path);
}

function parseInto(text: string, file: string, readIncluded: ReadIncluded, state: State, out: BatchFile, stack: string[]): void {
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const fail = (message: string): never => { throw new BatchFileError(file, line, message); };
    for (const token of tokensOf(raw)) {
      if (token.startsWith('-')) applyOption(token, state, fail, (message) => out.notes.push(`${file}:${line}: ${message}`), (included) => {
        const path = resolve(dirname(file), included);
        if (stack.includes(path)) fail(`--batch=${included} includes a file that is already being read (a cycle: ${[...stack, path].join(' -> ')}).`);
        if (stack.length >= 16) fail(`--batch=${included} nests batch files more than 16 deep.`);
        let includedText;
        try {
          includedText = readIncluded(path);
        } catch (error) {
          fail(`--batch=${included}: cannot read ${path} (${error instanceof Error ? error.message : String(error)}).`);
        }
        parseInto(includedText ?? '', path, readIncluded, state, out, [...stack, path]);
      });
      else out.cases.push(...casesOf(token, file, line, state, fail));
    }
  });
}

/** Applies one option token to the state; `fail` throws for the line, `note` records a no-effect option. */
function applyOption(token: string, state: State, fail: (m: string) => never, note: (m: string) => void, include: (file: string) => void): void {
  const verbosity = /^-v\d*$/.test(token);
  const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(token);
  if (!verbosity && m === null) fail(`"${token}" is neither an option (--key=value) nor a problem descriptor.`);
  const key = verbosity ? 'verbose' : m?.[1] ?? '', value = m?.[2];
  const needValue = (): string => (value === undefined || value === '' ? fail(`--${key} needs a value (--${key}=...).`) : value);
  const noValue = (): void => { if (value !== undefined) fail(`--${key} takes no value, but got "${token}".`); };
  switch (key) {
    case 'conv': case 'deconv': noValue(); state.driver = key; return;
    case 'reset': noValue(); Object.assign(state, { ...DEFAULTS, dirs: [...DEFAULTS.dirs], mbs: [...DEFAULTS.mbs] }); return;
    case 'dir': {
      const dirs = needValue().split(',');
      for (const dir of dirs) {
        if (dir === 'BWD_WB' || dir === 'BWD_DW') fail(`--dir=${dir} asks for ${dir === 'BWD_WB' ? 'the bias gradient' : 'the data and weight gradients at once'}, which convcheck's backends are not asked for: use --dir=BWD_D and --dir=BWD_W (the weight gradient).`);
        if (!(BATCH_DIRECTIONS as readonly string[]).includes(dir)) fail(`--dir=${dir} is not a direction (known: ${BATCH_DIRECTIONS.join(', ')}).`);
      }
      state.dirs = dirs as BatchDirection[];
      return;
    }
    case 'mb': {
      const mbs = needValue().split(',').map((v) => (/^\d+$/.test(v) ? Number(v) : fail(`--mb must be a list of integers >= 0, but got "${value}".`)));
      state.mbs = mbs;
      return;
    }
    case 'cfg': case 'dt': {
      for (const dt of needValue().split(',')) {
        if (!dt.split(':').every((t) => t === 'f32')) fail(`--${key}=${dt}: convcheck checks float32 convolutions only (f32${key === 'dt' ? ' or f32:f32:f32' : ''}); the data types set the tolerance and the data, so running other types as f32 would check something else.`);
      }
      return;
    }
    case 'bia-dt': {
      const v = needValue();
      if (v !== 'f32' && v !== 'undef') fail(`--bia-dt=${v}: convcheck's bias is float32 (f32) or absent (undef).`);
      state.biasDt = v;
      return;
    }
    case 'match': {
      state.match = linearRegExp(needValue(), fail);
      return;
    }
    case 'batch': include(needValue()); return;
    default: {
      const what = NO_EFFECT[key];
      if (what !== undefined) { note(`${token} sets ${what}; it does not change the problem: noted, no effect.`); return; }
      const change = changesComputation(key);
      fail(change !== undefined
        ? `${token} is ${change}; convcheck checks plain Conv / ConvTranspose, so remove it or check these shapes without it knowingly.`
        : `unknown benchdnn option ${token} (convcheck knows --conv, --deconv, --dir, --mb, --cfg, --dt, --bia-dt, --match, --batch, --reset, and notes ${Object.keys(NO_EFFECT).map((k) => `--${k}`).join(', ')}).`);
    }
  }
}

/**
 * `--match=SOURCE` as a regular expression that runs in time linear in the line it tests: V8's
 * linear engine (the `l` flag, enabled here), which has no backreferences and no lookaround. A
 * batch file's pattern could otherwise backtrack for hours on one line (`(a+)+$` takes 27 s on 28
 * characters); a pattern the linear engine cannot run is refused, saying why.
 */
function linearRegExp(source: string, fail: (m: string) => never): RegExp {
  try {
    new RegExp(source);
  } catch (error) {
    fail(`--match=${source} is not a regular expression (${error instanceof Error ? error.message : String(error)}).`);
  }
  v8.setFlagsFromString('--enable-experimental-regexp-engine');
  try {
    return new RegExp(source, 'l');
  } catch {
    return fail(`--match=${source}: convcheck matches in time linear in the line (a pattern must not be able to hang it), so backreferences (\\1, \\k<name>) and lookaround ((?=...), (?!...), (?<=...), (?<!...)) are refused; write the pattern without them.`);
  }
}

/** The cases of one descriptor under the state: one per direction and minibatch. */
function casesOf(text: string, file: string, line: number, state: State, fail: (m: string) => never): BatchCase[] {
  if (state.match !== undefined && !state.match.test(text)) return [];
  let desc;
  try {
    desc = readBenchdnnDescriptor(text, state.driver);
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
  const cases: BatchCase[] = [];
  for (const mb of state.mbs) {
    const d = mb === 0 ? desc : { ...desc, mb };
    for (const direction of state.dirs) {
      const forward = direction.startsWith('FWD');
      const bias = forward && (direction === 'FWD_B' ? state.biasDt !== 'undef' : state.biasDt === 'f32');
      const other: BenchdnnDriver = state.driver === 'conv' ? 'deconv' : 'conv';
      let problem: ConvProblem;
      try {
        if (forward) problem = benchdnnProblem(d, state.driver, bias, text);
        else if (direction === 'BWD_D') problem = benchdnnProblem(swapped(d), other, false, text);
        else problem = state.driver === 'conv' ? benchdnnProblem(d, 'conv', false, text) : benchdnnProblem(swapped(d), 'conv', false, text);
      } catch (error) {
        return fail(error instanceof Error ? error.message : String(error));
      }
      const base = desc.name ?? text;
      const suffix = [forward ? '' : direction, mb === 0 ? '' : `mb${mb}`].filter((s) => s !== '').join(', ');
      cases.push({
        file, line, text, name: suffix === '' ? base : `${base} (${suffix})`, driver: state.driver, direction,
        kind: direction === 'BWD_W' ? 'weight-gradient' : 'forward', problem,
      });
    }
  }
  return cases;
}
