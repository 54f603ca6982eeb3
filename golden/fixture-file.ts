/**
 * Reading and hashing fixture files: a read checks the size before it reads, and every error
 * names the file.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { FixtureFormatError } from './fixture-error.ts';

/** Lower-case hex SHA-256 of bytes (what the manifest records for every file). */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Lower-case hex SHA-256 of a file, read as a stream (a network fixture of ~100 MB is never held
 * whole), after the same checks as {@link readFixtureFile}; errors name the file.
 */
export async function sha256OfFile(path: string, maxBytes: number): Promise<string> {
  await checkFixtureFile(path, maxBytes);
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  } catch (error) {
    throw new FixtureFormatError(path, `cannot be read (${error instanceof Error ? error.message : String(error)}).`);
  }
  return hash.digest('hex');
}

async function checkFixtureFile(path: string, maxBytes: number, why?: string): Promise<number> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new FixtureFormatError(path, `cannot be read (${error instanceof Error ? error.message : String(error)}).`);
  }
  if (!info.isFile()) throw new FixtureFormatError(path, 'is not a regular file.');
  if (info.size > maxBytes) throw new FixtureFormatError(path, `is ${info.size} bytes, more than the ${maxBytes} convcheck reads${why !== undefined ? ` ${why}` : ''}.`);
  return info.size;
}

/** Largest file Node reads in one piece (`fs.readFile` refuses more: ERR_FS_FILE_TOO_LARGE). */
const MAX_ONE_PIECE_BYTES = 2 ** 31 - 1;

/**
 * Reads a file after checking that it is a regular file of at most `maxBytes` (`why` says where
 * that bound comes from, e.g. the resource limit that sets it); every error names the file.
 */
export async function readFixtureFile(path: string, maxBytes: number, why?: string): Promise<Uint8Array> {
  const size = await checkFixtureFile(path, maxBytes, why);
  if (size > MAX_ONE_PIECE_BYTES) throw new FixtureFormatError(path, `is ${size} bytes, more than the 2 GiB Node reads in one piece.`);
  let buffer: Buffer;
  try {
    buffer = await readFile(path);
  } catch (error) {
    throw new FixtureFormatError(path, `cannot be read (${error instanceof Error ? error.message : String(error)}).`);
  }
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
