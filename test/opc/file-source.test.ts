import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ErrorCode, FileSource, SYNC_READ_BYTES } from '@appv/opc';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(path.join(tmpdir(), 'appv-file-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A real file on disk, larger than a synchronous read, and its bytes. */
function fileOf(length: number): { file: string; bytes: Buffer } {
  const bytes = randomBytes(length);
  const file = path.join(dir, `f${length}.bin`);
  writeFileSync(file, bytes);
  return { file, bytes };
}

describe('FileSource (positioned reads of a file on disk)', () => {
  const { file, bytes } = fileOf(3 * SYNC_READ_BYTES + 777);

  // Reads up to SYNC_READ_BYTES are made synchronously, larger ones through the thread pool: both must
  // answer the same bytes, at any offset, into a caller's buffer or a fresh one.
  it.each([
    ['empty', 5, 0],
    ['one byte', 12_345, 1],
    ['just under the synchronous limit', 1, SYNC_READ_BYTES - 1],
    ['exactly the synchronous limit', 999, SYNC_READ_BYTES],
    ['just over it', 3, SYNC_READ_BYTES + 1],
    ['most of the file', 100, 3 * SYNC_READ_BYTES],
    ['up to the last byte', 3 * SYNC_READ_BYTES + 777 - 4096, 4096],
  ])('reads %s (offset %i, length %i)', async (_, offset, length) => {
    const source = await FileSource.open(file);
    try {
      const expected = bytes.subarray(offset, offset + length);
      expect((await source.read(offset, length)).equals(expected)).toBe(true);
      const into = Buffer.alloc(length + 10);
      const read = await source.read(offset, length, undefined, into);
      expect(read.equals(expected)).toBe(true);
      expect(read.buffer).toBe(into.buffer);
    } finally {
      await source.close();
    }
  });

  it('refuses a range past the end with a typed error, small or large', async () => {
    const source = await FileSource.open(file);
    try {
      for (const length of [10, 2 * SYNC_READ_BYTES]) {
        await expect(source.read(bytes.length - 5, length)).rejects.toMatchObject({
          code: ErrorCode.ZIP_TRUNCATED,
        });
      }
    } finally {
      await source.close();
    }
  });

  it('a read after close is a USAGE error that says so, not an fd error or a bare exception', async () => {
    const source = await FileSource.open(file);
    await source.close();
    for (const length of [10, 2 * SYNC_READ_BYTES]) {
      await expect(source.read(0, length)).rejects.toMatchObject({
        code: ErrorCode.USAGE,
        message: expect.stringMatching(/was closed/),
      });
    }
  });
});
