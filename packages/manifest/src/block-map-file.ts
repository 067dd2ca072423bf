import type { BlockMapBlock, BlockMapFile } from './block-map.js';

/** A parsed File's blocks: `sizes.length` digests of `hashLength` bytes end to end, and each block's Size. */
interface CompactBlocks {
  readonly hashes: Buffer;
  readonly hashLength: number;
  readonly sizes: readonly (number | undefined)[];
}

/**
 * Parsed BlockMap `File`s keep their blocks compact (FORMAT.md §2) until someone reads `blocks`. A 2.4 GB
 * part has 40,000 blocks; as objects (a record and a Buffer each) they cost ~5 MB that lives as long as the
 * map, and V8 answers that much surviving allocation by doubling its young generation for the rest of the
 * process. The verifier and the serializer read blocks through blockCount / blockHash / blockSizes below and
 * never make the objects.
 *
 * The file itself is a plain object whose `blocks` is an own enumerable accessor (spread, JSON and deep
 * equality see it). The first read or assignment replaces the accessor with an ordinary data property, so
 * from then on the array is authoritative (pushes and edits stick) and the compact form is dropped.
 */
const compactOf = new WeakMap<BlockMapFile, CompactBlocks>();

/** One descriptor shared by every parsed file: the same getter and setter keep them on one hidden class. */
const COMPACT_BLOCKS: PropertyDescriptor = {
  get(this: BlockMapFile): BlockMapBlock[] {
    const compact = compactOf.get(this);
    return settle(this, compact ? materialize(compact) : []);
  },
  set(this: BlockMapFile, blocks: BlockMapBlock[]) {
    settle(this, blocks);
  },
  enumerable: true,
  configurable: true,
};

function settle(file: BlockMapFile, blocks: BlockMapBlock[]): BlockMapBlock[] {
  compactOf.delete(file);
  Object.defineProperty(file, 'blocks', {
    value: blocks,
    writable: true,
    enumerable: true,
    configurable: true,
  });
  return blocks;
}

function materialize({ hashes, hashLength, sizes }: CompactBlocks): BlockMapBlock[] {
  return sizes.map((size, i) => {
    const hash = hashes.subarray(i * hashLength, (i + 1) * hashLength);
    return size === undefined ? { hash } : { hash, size };
  });
}

/** A File read by the parser: `hashes` holds `sizes.length` digests of `hashLength` bytes, end to end. */
export function compactBlockMapFile(
  head: { readonly name: string; readonly size: number; readonly lfhSize: number },
  hashes: Buffer,
  hashLength: number,
  sizes: readonly (number | undefined)[],
): BlockMapFile {
  const file = { name: head.name, size: head.size, lfhSize: head.lfhSize } as BlockMapFile;
  compactOf.set(file, { hashes, hashLength, sizes });
  Object.defineProperty(file, 'blocks', COMPACT_BLOCKS);
  return file;
}

/** How many blocks the file lists. */
export function blockCount(file: BlockMapFile): number {
  return compactOf.get(file)?.sizes.length ?? file.blocks.length;
}

/** Block `index`'s digest (a view, not a copy, for a parsed file), or undefined where there is none. */
export function blockHash(file: BlockMapFile, index: number): Buffer | undefined {
  const compact = compactOf.get(file);
  if (compact === undefined) return file.blocks[index]?.hash;
  if (!Number.isInteger(index) || index < 0 || index >= compact.sizes.length) return undefined;
  return compact.hashes.subarray(index * compact.hashLength, (index + 1) * compact.hashLength);
}

/** Each block's compressed `Size` (undefined where absent). Read-only: for a parsed file it is the model's own list. */
export function blockSizes(file: BlockMapFile): readonly (number | undefined)[] {
  return compactOf.get(file)?.sizes ?? file.blocks.map((block) => block.size);
}
