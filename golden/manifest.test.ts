import { describe, expect, test } from 'vitest';
import { corpusCases } from './corpus.ts';
import { FixtureFormatError } from './fixture-error.ts';
import { CONVENTIONS, formatManifest, manifestCase, parseManifest, type Manifest } from './manifest.ts';

const SHA = 'a'.repeat(64);

function sampleManifest(): Manifest {
  const cases = corpusCases('small').filter((c) => ['grouped-g2', 'transposed-output-shape', 'conv-1d'].includes(c.name));
  return {
    format: 'convcheck-golden', version: 1, corpus: 'small', formats: ['onnx', 'npy', 'json'], conventions: CONVENTIONS,
    cases: cases.map((c) => manifestCase(c, { 'model.onnx': SHA, 'test_data_set_0/input_0.pb': 'b'.repeat(64) })),
  };
}

/** The sample manifest as JSON, edited by `edit`. */
function edited(edit: (json: { cases: Array<Record<string, unknown>> } & Record<string, unknown>) => void): string {
  const json = JSON.parse(formatManifest(sampleManifest())) as { cases: Array<Record<string, unknown>> } & Record<string, unknown>;
  edit(json);
  return JSON.stringify(json);
}

describe('manifest', () => {
  test('records name, descriptor, ONNX attributes, shapes, mode, seed, bound files and hashes of each case', () => {
    const entry = sampleManifest().cases.find((c) => c.name === 'transposed-output-shape');
    expect(entry).toMatchObject({
      name: 'transposed-output-shape', dir: 'transposed-output-shape', op: 'ConvTranspose', mode: 'exact',
      descriptor: 'Tmb1ic1ih3iw3oc2kh3kw3sh2sw2oh6ow6n"transposed-output-shape"',
      attributes: { group: 1, kernel_shape: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [0, 0, 0, 0], output_padding: [0, 0], output_shape: [6, 6] },
      shapes: { x: [1, 1, 3, 3], w: [1, 2, 3, 3], y: [1, 2, 6, 6] },
      bound: { S: 'absSum.npy', n: 'terms.npy' },
    });
    expect(Object.keys(entry ?? {})).toEqual(['name', 'dir', 'descriptor', 'op', 'type', 'tags', 'source', 'note', 'attributes', 'shapes', 'mode', 'seed', 'bound', 'files']);
  });

  test('formats and parses back to the same manifest', () => {
    const m = sampleManifest();
    expect(parseManifest(formatManifest(m), 'manifest.json')).toEqual(m);
    expect(formatManifest(m).endsWith('}\n')).toBe(true);
  });
});

describe('a malformed manifest gives an error naming the file and the field', () => {
  const rejects = (text: string, pattern: RegExp): void => {
    let caught: unknown;
    try { parseManifest(text, 'corpus/manifest.json'); } catch (error) { caught = error; }
    expect(caught).toBeInstanceOf(FixtureFormatError);
    expect((caught as Error).message).toMatch(/^corpus\/manifest\.json: /);
    expect((caught as Error).message).toMatch(pattern);
  };

  test('not JSON (truncated)', () => rejects(formatManifest(sampleManifest()).slice(0, 300), /is not valid JSON/));
  test('not an object', () => rejects('[1, 2]', /manifest must be an object/));
  test('another format', () => rejects(edited((j) => { j.format = 'other'; }), /manifest\.format must be "convcheck-golden", but it is "other"/));
  test('a newer version', () => rejects(edited((j) => { j.version = 2; }), /manifest\.version must be 1/));
  test('cases missing', () => rejects(edited((j) => { delete (j as Record<string, unknown>).cases; }), /manifest\.cases must be an array, but it is missing/));
  test('a case without a descriptor', () => rejects(edited((j) => { delete j.cases[1].descriptor; }), /manifest\.cases\[1\]\.descriptor must be a string/));
  test('an unknown data mode', () => rejects(edited((j) => { j.cases[0].mode = 'fuzzy'; }), /manifest\.cases\[0\]\.mode must be one of exact, real/));
  test('a negative seed', () => rejects(edited((j) => { j.cases[2].seed = -1; }), /manifest\.cases\[2\]\.seed must be an integer >= 0/));
  test('a bad sha256', () => rejects(edited((j) => { (j.cases[0].files as Record<string, string>)['model.onnx'] = 'xyz'; }), /files\.model\.onnx must be a 64-digit lower-case hex sha256/));
  test('a file path escaping the corpus', () => rejects(edited((j) => { j.cases[0].files = { '../../etc/passwd': SHA }; }), /must be a relative path inside the corpus/));
  test('a case directory escaping the corpus', () => rejects(edited((j) => { j.cases[0].dir = '/tmp'; }), /manifest\.cases\[0\]\.dir must be a relative path/));
  test('two cases in one directory', () => rejects(edited((j) => { j.cases[1].dir = j.cases[0].dir; }), /two cases share the directory "grouped-g2"/));
  test('a negative dimension in a shape', () => rejects(edited((j) => { (j.cases[0].shapes as Record<string, number[]>).x = [1, -4]; }), /shapes\.x\[1\] must be an integer >= 0/));
});
