import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FixtureFormatError } from './fixture-error.ts';
import { decodeNpy, encodeNpy, readNpyFile } from './npy.ts';

const latin1 = (bytes: Uint8Array): string => new TextDecoder('latin1').decode(bytes);

/** A .npy file with a hand-written header (version 1.0) and `dataBytes` zero bytes of data. */
function handMade(header: string, dataBytes: number, version: [number, number] = [1, 0]): Uint8Array {
  const lengthBytes = version[0] === 1 ? 2 : 4;
  const bytes = new Uint8Array(8 + lengthBytes + header.length + dataBytes);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version[0], version[1]]);
  const view = new DataView(bytes.buffer);
  if (lengthBytes === 2) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) bytes[8 + lengthBytes + i] = header.charCodeAt(i);
  return bytes;
}

function pythonHasNumpy(): boolean {
  try {
    execFileSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('.npy writer', () => {
  test('writes the header numpy writes, padded to 64 bytes and ended by a newline', () => {
    const bytes = encodeNpy(Float32Array.of(1, 2, 3), [3]);
    expect(latin1(bytes.subarray(0, 6))).toBe('\x93NUMPY');
    expect([bytes[6], bytes[7]]).toEqual([1, 0]);
    const headerLength = bytes[8] + 256 * bytes[9];
    expect((10 + headerLength) % 64).toBe(0);
    const header = latin1(bytes.subarray(10, 10 + headerLength));
    expect(header.trimEnd()).toBe("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }");
    expect(header.endsWith(' \n')).toBe(true);
    expect(bytes.length).toBe(10 + headerLength + 12);
  });

  test('round-trips float32, float64 and int32 with their shapes', () => {
    const cases = [
      { data: Float32Array.of(0.5, -1, Math.fround(0.1), 7, 8, 9), shape: [2, 3] },
      { data: Float64Array.of(0.1, -2e-300), shape: [1, 2, 1] },
      { data: Int32Array.of(0, -1, 2 ** 31 - 1), shape: [3] },
      { data: Float32Array.of(4), shape: [] },
    ];
    for (const { data, shape } of cases) {
      const back = decodeNpy(encodeNpy(data, shape), 'a.npy');
      expect(back.shape).toEqual(shape);
      expect(back.data.constructor).toBe(data.constructor);
      expect(Array.from(back.data)).toEqual(Array.from(data));
    }
  });

  test('refuses data that does not fill the shape', () => {
    expect(() => encodeNpy(Float32Array.of(1, 2), [3])).toThrow(/holds 3 elements, but the data has 2/);
  });

  test('reads version 2.0 headers and the numpy-style header without a trailing comma', () => {
    const header = "{'shape': (2,), 'fortran_order': False, 'descr': '<f8'}".padEnd(116, ' ') + '\n';
    const bytes = handMade(header, 16, [2, 0]);
    new DataView(bytes.buffer).setFloat64(bytes.length - 8, 3.5, true);
    expect(Array.from(decodeNpy(bytes, 'v2.npy').data)).toEqual([0, 3.5]);
  });
});

describe('.npy files against numpy itself', () => {
  const hasNumpy = pythonHasNumpy();

  test('numpy loads convcheck\'s files, and numpy.save of the same array gives the same bytes', async (ctx) => {
    if (!hasNumpy) ctx.skip('python3 with numpy is not installed on this machine: the cross-check with numpy was not run');
    const dir = await mkdtemp(join(tmpdir(), 'convcheck-npy-'));
    const files = {
      'f4.npy': encodeNpy(Float32Array.of(1.5, -2, Math.fround(0.1), 0, 5, 6), [1, 2, 3]),
      'f8.npy': encodeNpy(Float64Array.of(0.1, 1e-300, -3), [3]),
      'i4.npy': encodeNpy(Int32Array.of(1, -2, 3, 4), [2, 2]),
      'u1.npy': encodeNpy(Uint8Array.of(0, 255, 7), [3]),
      'i1.npy': encodeNpy(Int8Array.of(-128, 127, 0, -1), [1, 4]),
    };
    for (const [name, bytes] of Object.entries(files)) await writeFile(join(dir, name), bytes);
    const script = [
      'import io, sys, numpy as np',
      'for name in sys.argv[2:]:',
      '    path = sys.argv[1] + "/" + name',
      '    a = np.load(path)',
      '    b = io.BytesIO(); np.save(b, a)',
      '    print(name, a.dtype.str, list(a.shape), b.getvalue() == open(path, "rb").read(), a.ravel().tolist())',
    ].join('\n');
    const out = execFileSync('python3', ['-c', script, dir, ...Object.keys(files)], { encoding: 'utf8' }).trim().split('\n');
    await rm(dir, { recursive: true });
    expect(out).toEqual([
      `f4.npy <f4 [1, 2, 3] True [1.5, -2.0, ${Math.fround(0.1)}, 0.0, 5.0, 6.0]`,
      'f8.npy <f8 [3] True [0.1, 1e-300, -3.0]',
      'i4.npy <i4 [2, 2] True [1, -2, 3, 4]',
      'u1.npy |u1 [3] True [0, 255, 7]',
      'i1.npy |i1 [1, 4] True [-128, 127, 0, -1]',
    ]);
    // and convcheck reads its 8-bit files back
    expect(Array.from(decodeNpy(files['u1.npy'], 'u1.npy').data)).toEqual([0, 255, 7]);
    expect(Array.from(decodeNpy(files['i1.npy'], 'i1.npy').data)).toEqual([-128, 127, 0, -1]);
  });

  test('convcheck reads a file numpy wrote, and refuses numpy\'s Fortran-order file', async (ctx) => {
    if (!hasNumpy) ctx.skip('python3 with numpy is not installed on this machine: the cross-check with numpy was not run');
    const dir = await mkdtemp(join(tmpdir(), 'convcheck-npy-'));
    const script = 'import sys, numpy as np; a = np.arange(6, dtype="<f4").reshape(2, 3) / 4; np.save(sys.argv[1] + "/c.npy", a); np.save(sys.argv[1] + "/f.npy", np.asfortranarray(a))';
    execFileSync('python3', ['-c', script, dir]);
    const c = await readNpyFile(join(dir, 'c.npy'));
    expect(c.shape).toEqual([2, 3]);
    expect(Array.from(c.data)).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25]);
    await expect(readNpyFile(join(dir, 'f.npy'))).rejects.toThrow(/f\.npy: fortran_order is True/);
    expect((await readFile(join(dir, 'c.npy'))).length).toBe(128 + 24);
    await rm(dir, { recursive: true });
  });
});

describe('malformed .npy files give an error naming the file and the fault', () => {
  const header = (dict: string): string => dict.padEnd(117, ' ') + '\n';
  const rejects = (bytes: Uint8Array, pattern: RegExp): void => {
    let caught: unknown;
    try { decodeNpy(bytes, 'corpus/x.npy'); } catch (error) { caught = error; }
    expect(caught).toBeInstanceOf(FixtureFormatError);
    expect((caught as Error).message).toMatch(/^corpus\/x\.npy: /);
    expect((caught as Error).message).toMatch(pattern);
  };
  const good = encodeNpy(Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3]);

  test('truncated before the header length', () => rejects(good.subarray(0, 9), /truncated: 9 bytes/));
  test('truncated inside the header', () => rejects(good.subarray(0, 40), /truncated header: it declares 118 bytes, but 30 remain/));
  test('truncated inside the data', () => rejects(good.subarray(0, good.length - 4), /truncated data: shape \[2, 3\] of <f4 needs 24 bytes after the header, but 20 remain/));
  test('trailing bytes after the data', () => rejects(Uint8Array.from([...good, 0, 0, 0, 0]), /trailing bytes/));
  test('bad magic', () => rejects(Uint8Array.from([0x89, ...good.subarray(1)]), /bad magic/));
  test('an unknown format version', () => rejects(Uint8Array.from([...good.subarray(0, 6), 9, 0, ...good.subarray(8)]), /version 9\.0/));
  test('a header claiming 2^40 elements (never allocated)', () => {
    rejects(handMade(header("{'descr': '<f4', 'fortran_order': False, 'shape': (1048576, 1048576), }"), 16), /more than 2\^31-1 elements; refusing to allocate/);
  });
  test('a wrong dtype', () => rejects(handMade(header("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }"), 16), /dtype '<i8' is not supported/));
  test('big-endian floats', () => rejects(handMade(header("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }"), 8), /'>f4' is not supported \(big-endian\)/));
  test('Fortran order', () => rejects(handMade(header("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }"), 16), /fortran_order is True/));
  test('negative dims', () => rejects(handMade(header("{'descr': '<f4', 'fortran_order': False, 'shape': (-2, 3), }"), 0), /dimension 0 = -2/));
  test('a header that is not a dict', () => rejects(handMade(header('descr=<f4'), 0), /malformed \.npy header/));
  test('a missing key', () => rejects(handMade(header("{'descr': '<f4', 'shape': (1,), }"), 4), /'fortran_order' as True or False/));
  test('an unknown key', () => rejects(handMade(header("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 'y', }"), 4), /unknown key 'x'/));
  test('a missing file is a named error', async () => {
    await expect(readNpyFile('/nonexistent/convcheck/y.npy')).rejects.toThrow(/\/nonexistent\/convcheck\/y\.npy: cannot be read/);
  });
});
