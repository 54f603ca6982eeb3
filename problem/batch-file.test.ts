import { execFileSync } from 'node:child_process';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { BatchFileError, MAX_BATCH_FILE_BYTES, parseBatchFile, readBatchFile } from './batch-file.ts';
import { formatDescriptor } from './descriptor.ts';
import { inputTensorShape, outputTensorShape, weightShape } from './shape.ts';

const parse = (text: string, files: Record<string, string> = {}) => parseBatchFile(text, '/nets/test.batch', (path) => {
  const body = files[path];
  if (body === undefined) throw new Error(`ENOENT: no such file '${path}'`);
  return body;
});
const summary = (text: string): string[] => parse(text).cases.map((c) => `${c.line} ${c.name} ${c.direction} ${formatDescriptor(c.problem)}`);

describe('batch files: lines, comments, options', () => {
  test('one descriptor per line or several, # comments, blank lines; named by the benchdnn name, else as written', () => {
    expect(summary([
      '# a comment line',
      '',
      'mb1ic1ih5oc1kh3n"net:a"   # trailing comment',
      '  mb1ic1iw5oc1kw3 mb1ic2iw4oc2kw1n"net:c"',
    ].join('\n'))).toEqual([
      '3 net:a FWD_B mb1ic1ih5iw5oc1kh3kw3b1n"net:a"',
      '4 mb1ic1iw5oc1kw3 FWD_B mb1ic1iw5oc1kw3b1',
      '4 net:c FWD_B mb1ic2iw4oc2kw1b1n"net:c"',
    ]);
  });

  test('FWD_B (the default) has a bias, FWD_D and FWD_I do not, unless --bia-dt=f32; --bia-dt=undef drops it', () => {
    expect(summary('mb1ic1iw5oc1kw3\n--dir=FWD_D mb1ic1iw5oc1kw3\n--dir=FWD_I mb1ic1iw5oc1kw3\n--bia-dt=f32 mb1ic1iw5oc1kw3\n--dir=FWD_B --bia-dt=undef mb1ic1iw5oc1kw3').map((l) => l.split(' ').pop()))
      .toEqual(['mb1ic1iw5oc1kw3b1', 'mb1ic1iw5oc1kw3', 'mb1ic1iw5oc1kw3', 'mb1ic1iw5oc1kw3b1', 'mb1ic1iw5oc1kw3']);
  });

  test('options hold for the lines below until changed or --reset; lists run each value', () => {
    expect(summary('--dir=FWD_D,BWD_D --mb=1,3\nic2ih6oc4kh3n"x"\n--reset\nic2iw6oc4kw3n"y"')).toEqual([
      '2 x (mb1) FWD_D mb1ic2ih6iw6oc4kh3kw3n"x"',
      '2 x (BWD_D, mb1) BWD_D Tmb1ic4ih4iw4oc2kh3kw3n"x"',
      '2 x (mb3) FWD_D mb3ic2ih6iw6oc4kh3kw3n"x"',
      '2 x (BWD_D, mb3) BWD_D Tmb3ic4ih4iw4oc2kh3kw3n"x"',
      '4 y FWD_B mb2ic2iw6oc4kw3b1n"y"',
    ]);
  });

  test('BWD_D of a conv is the ConvTranspose from its output back to its input; of a deconv the conv; BWD_W a conv\'s weight gradient', () => {
    const [data, weights] = parse('--dir=BWD_D,BWD_W mb1ic3ih9oc5kh3sh2ph1n"l"').cases;
    const forward = parse('--dir=FWD_D mb1ic3ih9oc5kh3sh2ph1n"l"').cases[0].problem;
    expect(data.kind).toBe('forward');
    expect(inputTensorShape(data.problem)).toEqual(outputTensorShape(forward));
    expect(outputTensorShape(data.problem)).toEqual(inputTensorShape(forward));
    expect(weightShape(data.problem)).toEqual(weightShape(forward)); // ConvTranspose [C', M'/g, k] = Conv [M, C/g, k]
    expect(weights).toMatchObject({ kind: 'weight-gradient', direction: 'BWD_W', name: 'l (BWD_W)' });
    expect(weights.problem).toEqual(forward);
    const [deconvData, deconvWeights] = parse('--deconv --dir=BWD_D,BWD_W mb1ic8ih4oc4oh8kh5sh2ph1').cases;
    expect(formatDescriptor(deconvData.problem)).toBe('mb1ic4ih8iw8oc8kh5kw5sh2sw2ph1pw1eh2ew2');
    expect(deconvWeights).toMatchObject({ kind: 'weight-gradient', problem: deconvData.problem });
  });

  test('--match runs in time linear in the line: a pattern that backtracks exponentially answers at once (before: 27 s on 28 characters)', () => {
    const line = `mb1ic1ih5oc1kh3n"${'a'.repeat(40)}!"`;
    const started = performance.now();
    expect(summary(`--match=(a+)+$\n${line}`)).toEqual([]);
    expect(summary(`--match=(a+)+!\n${line}`)).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  test('--match keeps the descriptors it matches; --cfg=f32 and --dt=f32:f32:f32 are accepted', () => {
    expect(summary('--cfg=f32 --dt=f32:f32:f32 --match=kh3\nic1ih5oc1kh3n"a" ic1ih5oc1kh1n"b"')).toEqual(['2 a FWD_B mb2ic1ih5iw5oc1kh3kw3b1n"a"']);
  });

  test('layout, algorithm and implementation options are noted with no effect', () => {
    const parsed = parse('--stag=axb --alg=WINO -v2\nic1iw5oc1kw3');
    expect(parsed.cases).toHaveLength(1);
    expect(parsed.notes).toEqual([
      '/nets/test.batch:1: --stag=axb sets a memory layout; it does not change the problem: noted, no effect.',
      '/nets/test.batch:1: --alg=WINO sets the algorithm (the implementation\'s choice; convcheck checks the result); it does not change the problem: noted, no effect.',
      '/nets/test.batch:1: -v2 sets verbosity; it does not change the problem: noted, no effect.',
    ]);
  });

  test('--batch=FILE includes a file relative to this one, with the options in force; a cycle is an error', () => {
    const parsed = parse('--dir=FWD_D\n--batch=more/b.batch\nic1iw3oc1kw1n"after"', { '/nets/more/b.batch': 'ic1iw5oc1kw3n"inner"' });
    expect(parsed.cases.map((c) => `${c.file}:${c.line} ${c.name} ${c.direction}`)).toEqual(['/nets/more/b.batch:1 inner FWD_D', '/nets/test.batch:3 after FWD_D']);
    expect(() => parse('--batch=test.batch')).toThrow(/\/nets\/test\.batch:1: --batch=test\.batch includes a file that is already being read \(a cycle: \/nets\/test\.batch -> \/nets\/test\.batch\)/);
    expect(() => parse('\n--batch=none.batch')).toThrow(/\/nets\/test\.batch:2: --batch=none\.batch: cannot read \/nets\/none\.batch \(ENOENT/);
  });
});

describe('batch files: a malformed line is an error naming the file and the line', () => {
  test.each([
    ['ic1iw5oc1kw3\nic1iw5oc1kw3xw2', /^\/nets\/test\.batch:2: benchdnn descriptor "ic1iw5oc1kw3xw2": unknown entry at "xw2"/],
    ['\n\nic3ih5oc2kh3oh2ph0', /^\/nets\/test\.batch:3: benchdnn descriptor "ic3ih5oc2kh3oh2ph0": oh=2 does not match the arithmetic/],
    ['--attr-post-ops=relu\nic1iw5oc1kw3', /^\/nets\/test\.batch:1: --attr-post-ops=relu is an attribute \(post-ops, scales, zero points, fpmath, \.\.\.\), which changes what is computed; convcheck checks plain Conv \/ ConvTranspose/],
    ['--frobnicate=3', /^\/nets\/test\.batch:1: unknown benchdnn option --frobnicate=3 \(convcheck knows --conv, --deconv, --dir/],
    ['--dt=u8:s8:f32', /:1: --dt=u8:s8:f32: convcheck checks float32 convolutions only/],
    ['--cfg=bf16bf16bf16', /:1: --cfg=bf16bf16bf16: convcheck checks float32 convolutions only/],
    ['--dir=BWD_WB', /:1: --dir=BWD_WB asks for the bias gradient, which convcheck's backends are not asked for: use --dir=BWD_D and --dir=BWD_W/],
    ['--dir=SIDEWAYS', /:1: --dir=SIDEWAYS is not a direction \(known: FWD_B, FWD_D, FWD_I, BWD_D, BWD_W\)/],
    ['--mb=two', /:1: --mb must be a list of integers >= 0, but got "two"/],
    ['--match=(', /:1: --match=\( is not a regular expression/],
    ['--match=(k)\\1', /:1: --match=\(k\)\\1: convcheck matches in time linear in the line .* backreferences \(\\1, \\k<name>\) and lookaround .* are refused/],
    ['--match=mb(?=1)', /:1: --match=mb\(\?=1\): convcheck matches in time linear in the line/],
    ['--conv=yes', /:1: --conv takes no value, but got "--conv=yes"/],
    ['--dir', /:1: --dir needs a value \(--dir=\.\.\.\)/],
    ['-x', /:1: "-x" is neither an option \(--key=value\) nor a problem descriptor/],
    ['--bia-dt=s32', /:1: --bia-dt=s32: convcheck's bias is float32 \(f32\) or absent \(undef\)/],
  ])('%s', (text, message) => {
    expect(() => parse(text)).toThrow(BatchFileError);
    expect(() => parse(text)).toThrow(message);
  });

  test('a file that cannot be read is an error naming it', () => {
    expect(() => readBatchFile('/nonexistent/net.batch')).toThrow(/^\/nonexistent\/net\.batch:0: cannot read the batch file \(ENOENT/);
  });

  test('only a regular file of at most 16 MiB is read: a device, a FIFO, a directory or a huge file is an error, at once (/dev/zero filled 13 GB, a FIFO blocked for good)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'convcheck-batch-'));
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const huge = join(dir, 'huge.batch');
    writeFileSync(huge, '');
    truncateSync(huge, MAX_BATCH_FILE_BYTES + 1); // sparse: no disk space taken
    for (const [path, what] of [['/dev/zero', 'is a device'], [fifo, 'is a FIFO'], [dir, 'is a directory'], [huge, `has ${MAX_BATCH_FILE_BYTES + 1} bytes; a batch file may have at most ${MAX_BATCH_FILE_BYTES} (16 MiB)`]]) {
      expect(() => readBatchFile(path), path).toThrow(`${path}:0: cannot read the batch file (${path} ${what}`);
    }
    writeFileSync(join(dir, 'outer.batch'), `ic1iw5oc1kw3\n--batch=${fifo}\n`);
    expect(() => readBatchFile(join(dir, 'outer.batch'))).toThrow(`outer.batch:2: --batch=${fifo}: cannot read ${fifo} (${fifo} is a FIFO; a batch file must be a regular file).`);
  });

  test('a file on disk is read, its includes relative to it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'convcheck-batch-'));
    writeFileSync(join(dir, 'inner.batch'), 'ic1iw5oc1kw3n"inner"\n');
    writeFileSync(join(dir, 'outer.batch'), '--dir=FWD_I --batch=inner.batch\n');
    expect(readBatchFile(join(dir, 'outer.batch')).cases.map((c) => [c.name, c.direction, c.file])).toEqual([['inner', 'FWD_I', join(dir, 'inner.batch')]]);
  });
});
