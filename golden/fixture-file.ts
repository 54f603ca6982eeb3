/**
 * Reading and hashing fixture files: a read checks the size before it reads, and every error
 * names the file.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { FixtureFormatError } from './fixture-error.ts';

/** Lower-case hex SHA-256 of bytes (what the manifest records for every file). */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Reads a file after checking that it is a regular file of at most `maxBytes`; errors name it. */
export async function readFixtureFile(path: string, maxBytes: number): Promise<Uint8Array> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new FixtureFormatError(path, `cannot be read (${error instanceof Error ? error.message : String(error)}).`);
  }
  if (!info.isFile()) throw new FixtureFormatError(path, 'is not a regular file.');
  if (info.size > maxBytes) throw new FixtureFormatError(path, `is ${info.size} bytes, more than the ${maxBytes} convcheck reads.`);
  const buffer = await readFile(path);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
