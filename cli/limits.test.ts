import { cpSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { activeLimits, DEFAULT_LIMITS } from '../problem/limits.ts';
import { main } from './main.ts';
import { memoryIo } from './output.ts';

const scratch = (): string => mkdtempSync(join(tmpdir(), 'convcheck-limits-'));

describe('resource limits on every command that computes: refused before any work, naming the problem, the estimate, the limit and the option', () => {
  it('run refuses x of 10^9 elements with exit 2 at once (before: y alone was checked, 8 GB of x and w allocated)', async () => {
    const io = memoryIo();
    const start = performance.now();
    expect(await main(['run', 'mb1ic1iw1000000000oc1kw1000000000', '--backend', 'reference'], io)).toBe(2);
    expect(performance.now() - start).toBeLessThan(2000);
    expect(io.errors()).toBe('mb1ic1iw1000000000oc1kw1000000000: x [1,1,1000000000] has 1,000,000,000 elements (8.0 GB as float64), more than the limit of 33,554,432 (2^25) elements per tensor; --max-elements 1000000000 raises it, if the machine has the memory.');
  });

  it('run refuses a problem over --max-macs, and runs it once the option raises the limit', async () => {
    const io = memoryIo();
    expect(await main(['run', 'mb1ic4ih8iw8oc4kh3kw3', '--backend', 'reference', '--max-macs', '1000'], io)).toBe(2);
    expect(io.errors()).toBe("mb1ic4ih8iw8oc4kh3kw3: 5,184 multiply-accumulates, more than the limit of 1,000; --max-macs 5184 raises it (the reference's fast path runs about 0.5 G a second on 2 cores).");
    const raised = memoryIo();
    expect(await main(['run', 'mb1ic4ih8iw8oc4kh3kw3', '--backend', 'reference', '--max-macs', '5184'], raised), raised.errors()).toBe(0);
    // the next command starts from the defaults again
    expect(await main(['cost', 'mb1ic1iw4oc1kw1'], memoryIo())).toBe(0);
    expect(activeLimits()).toEqual(DEFAULT_LIMITS);
  });

  it('run --batch: a case over the limits is that case\'s error verdict naming the file, the line and the option; the others run', async () => {
    const file = join(scratch(), 'two.batch');
    writeFileSync(file, 'mb1ic1ih5oc1kh3n"small"\nmb1ic64ih64oc64kh3n"large"\n');
    const io = memoryIo();
    expect(await main(['run', '--batch', file, '--backend', 'reference', '--max-macs', '100000'], io), io.text()).toBe(1);
    expect(io.text()).toMatch(/\[1\/2\] small +reference +pass/);
    expect(io.text()).toContain(`[2/2] large  reference  error        ${file}:2: large: 141,705,216 multiply-accumulates, more than the limit of 100,000; --max-macs 141705216 raises it`);
  });

  it('gate: a golden case over the limits is an error verdict naming it and the option (laws and other cases still run)', async () => {
    const io = memoryIo();
    expect(await main(['gate', '--backend', 'reference', '--conv-types', 'conv3d', '--num-runs', '1', '--seed', '1', '--max-macs', '150000'], io)).toBe(1);
    expect(io.text()).toContain('message:    golden scaled-c3d-conv5a (mb1ic8id2ih7iw7oc8kd3kh3kw3pd1ph1pw1n"scaled-c3d-conv5a"): 169,344 multiply-accumulates, more than the limit of 150,000; --max-macs 169344 raises it');
  });

  it('golden generate refuses a case over the limits before writing anything (exit 2)', async () => {
    const out = join(scratch(), 'corpus');
    const io = memoryIo();
    expect(await main(['golden', 'generate', '--out', out, '--case', 'article-1x1,scaled-c3d-conv5a', '--max-macs', '150000'], io)).toBe(2);
    expect(io.errors()).toContain('golden generate: case scaled-c3d-conv5a (mb1ic8id2ih7iw7oc8kd3kh3kw3pd1ph1pw1n"scaled-c3d-conv5a"): 169,344 multiply-accumulates');
    expect(() => readFileSync(join(out, 'manifest.json'))).toThrow();
  });

  it('golden verify does not regenerate a manifest case of 2^31-1 elements: an over-limit issue naming the manifest, then the next case (before: gigabytes allocated)', async () => {
    const dir = join(scratch(), 'corpus');
    cpSync('golden/corpus', dir, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { cases: Array<{ descriptor: string; dir: string }> };
    manifest.cases = manifest.cases.slice(0, 2);
    manifest.cases[0].descriptor = 'mb1ic1iw2147483647oc1kw1';
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    const io = memoryIo();
    const start = performance.now();
    expect(await main(['golden', 'verify', dir], io)).toBe(1);
    expect(performance.now() - start).toBeLessThan(10_000);
    expect(io.text()).toContain(`over-limit: ${manifest.cases[0].dir}/: manifest.json lists a case convcheck will not regenerate: descriptor "mb1ic1iw2147483647oc1kw1": x [1,1,2147483647] has 2,147,483,647 elements`);
    expect(io.text()).not.toContain(`${manifest.cases[1].dir}/`);
  });

  it('golden import refuses a test whose problem is over the limits, naming the data set and the option', async () => {
    const io = memoryIo();
    expect(await main(['golden', 'import', 'golden/corpus/article-3d', '--backend', 'reference', '--max-elements', '20'], io)).toBe(1);
    expect(io.text()).toContain('golden/corpus/article-3d/test_data_set_0: the problem mb1ic1id5ih5iw5oc2kd3kh3kw3n"article-3d": x [1,1,5,5,5] has 125 elements (1.0 kB as float64), more than the limit of 20 elements per tensor; --max-elements 125 raises it');
  });

  it('golden import does not read a 3 GiB input file: it names the file, the limit and the option (before: "File size ... is greater than 2 GiB", no file named)', async () => {
    const dir = join(scratch(), 'article-3d');
    cpSync('golden/corpus/article-3d', dir, { recursive: true });
    truncateSync(join(dir, 'test_data_set_0', 'input_0.pb'), 3 * 2 ** 30); // sparse: no disk used
    const io = memoryIo();
    expect(await main(['golden', 'import', dir, '--backend', 'reference'], io)).toBe(1);
    expect(io.text()).toContain(`${join(dir, 'test_data_set_0', 'input_0.pb')}: is 3221225472 bytes, more than the 269484032 convcheck reads for a tensor of at most 33,554,432 (2^25) elements (--max-elements raises it).`);
  });
});
