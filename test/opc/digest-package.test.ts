import { createHash, randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import {
  BLOCK_SIZE,
  BufferSource,
  digestPackage,
  isAppvError,
  JOB_BYTES,
  OpcPackage,
  PackageWriter,
  WHOLE_ITEM_COMPRESSED_LIMIT,
} from '@appv/opc';
import { describe, expect, it } from 'vitest';
import { hostileCases } from '../helpers/hostile.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();

/** What OpcPackage.open makes of the bytes: its readable items' names, or the code it refuses them with. */
async function openedAs(bytes: Buffer): Promise<{ names?: string[]; code?: string }> {
  try {
    const pkg = await OpcPackage.open(new BufferSource(bytes));
    return { names: pkg.items.filter((item) => item.readable).map((item) => item.name) };
  } catch (error) {
    return { code: isAppvError(error) ? error.code : 'not typed' };
  }
}

async function digestedAs(bytes: Buffer): Promise<{ names?: string[]; code?: string }> {
  try {
    const digest = await digestPackage(new BufferSource(bytes), { threads: 2 });
    return { names: digest.parts.map((part) => part.name) };
  } catch (error) {
    return { code: isAppvError(error) ? error.code : 'not typed' };
  }
}

describe('digestPackage (the plain read path) lists a package as a ZIP only', () => {
  // It skips the OPC layer (naming, content types) but must read exactly what OpcPackage calls readable:
  // no directory entry, no overlapping entry, no item whose local header disagrees, under the same names.
  it.each(hostileCases().map((c) => [c.name, c.bytes] as const))(
    'digests what OpcPackage.open calls readable: %s',
    async (_, bytes) => {
      expect(await digestedAs(bytes)).toEqual(await openedAs(bytes));
    },
  );
});

describe('digestPackage with large items among small ones', () => {
  it('feeds each large stream in the background and still delivers every part, in order, correct', async () => {
    // Incompressible items of several job sizes (streamed in pieces, one worker each) between small ones.
    const contents: [string, Buffer][] = [];
    for (let i = 0; i < 6; i++) {
      contents.push([`Root/small-${i}-a.txt`, Buffer.from(`small ${i} `.repeat(200 + i))]);
      contents.push([
        `Root/large-${i}.bin`,
        randomBytes(WHOLE_ITEM_COMPRESSED_LIMIT + (i + 1) * JOB_BYTES + i),
      ]);
      contents.push([`Root/small-${i}-b.txt`, Buffer.from(`more ${i} `.repeat(90 + i))]);
    }
    const chunks: Buffer[] = [];
    const out = new PassThrough();
    out.on('data', (c: Buffer) => chunks.push(c));
    const writer = PackageWriter.toStream(out, { threads: 2 });
    for (const [name, content] of contents) await writer.addPart(name, content, { method: 'deflate' });
    await writer.finish();
    const digest = await digestPackage(new BufferSource(Buffer.concat(chunks)), { threads: 2 });
    expect(digest.parts.map((p) => p.name)).toEqual(contents.map(([name]) => name.replaceAll('/', '\\')));
    digest.parts.forEach((part, i) => {
      const content = (contents[i] as [string, Buffer])[1];
      expect(part.error).toBeNull();
      expect(part.size).toBe(content.length);
      expect(part.blockCount).toBe(Math.ceil(content.length / BLOCK_SIZE));
      part.blockHashes.forEach((hash, b) => {
        expect(hash?.equals(sha256(content.subarray(b * BLOCK_SIZE, (b + 1) * BLOCK_SIZE)))).toBe(true);
      });
    });
    expect(digest.bytes).toBe(contents.reduce((sum, [, c]) => sum + c.length, 0));
  });

  it('a large stream that fails to inflate fails that part alone; the items planned around it complete', async () => {
    const chunks: Buffer[] = [];
    const out = new PassThrough();
    out.on('data', (c: Buffer) => chunks.push(c));
    const writer = PackageWriter.toStream(out, { threads: 2 });
    await writer.addPart('Root/before.txt', Buffer.from('before '.repeat(1000)), { method: 'deflate' });
    await writer.addPart('Root/large.bin', randomBytes(4 * JOB_BYTES), { method: 'deflate' });
    await writer.addPart('Root/after.txt', Buffer.from('after '.repeat(1000)), { method: 'deflate' });
    await writer.finish();
    const bytes = Buffer.concat(chunks);
    const pkg = await OpcPackage.open(new BufferSource(bytes));
    const large = pkg.requireItem('Root\\large.bin');
    // Deflate block type 3 is reserved: the stream breaks a third of the way in.
    bytes.fill(0xff, large.dataOffset + JOB_BYTES + 100, large.dataOffset + JOB_BYTES + 400);
    const digest = await digestPackage(new BufferSource(bytes), { threads: 2 });
    // The broken part carries the inflate error; the parts around it (planned meanwhile) are intact.
    const byName = new Map(digest.parts.map((p) => [p.name, p]));
    expect(byName.get('Root\\large.bin')?.error).toMatch(/invalid block type/);
    expect(byName.get('Root\\large.bin')?.crc32).toBeNull();
    expect(byName.get('Root\\before.txt')?.error).toBeNull();
    expect(byName.get('Root\\after.txt')?.size).toBe('after '.length * 1000);
    expect(byName.get('Root\\after.txt')?.crc32).toBe(pkg.requireItem('Root\\after.txt').crc32);
  });
});
