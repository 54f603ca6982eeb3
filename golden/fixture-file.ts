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

async function checkFixtureFile(path: string, maxBytes: number): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new FixtureFormatError(path, `cannot be read (${error instanceof Error ? error.message : String(error)}).`);
  }
  if (!info.isFile()) throw new FixtureFormatError(path, 'is not a regular file.');
  if (info.size > maxBytes) throw new FixtureFormatError(path, `is ${info.size} bytes, more than the ${maxBytes} convcheck reads.`);
}

/** Reads a file after checking that it is a regular file of at most `maxBytes`; errors name it. */
export async function readFixtureFile(path: string, maxBytes: number): Promise<Uint8Array> {
  await checkFixtureFile(path, maxBytes);
  const buffer = await readFile(path);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
