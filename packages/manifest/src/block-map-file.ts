import type { BlockMapBlock, BlockMapFile } from './block-map.js';

/**
 * A parsed BlockMap `File` that keeps its blocks compact (FORMAT.md §2): every digest in one buffer and the
 * sizes in one list, until someone reads `blocks`. A 2.4 GB part has 40,000 blocks; as objects (a record
 * and a Buffer each) they cost ~5 MB that lives as long as the map, and V8 answers that much surviving
 * allocation by doubling the young generation for the rest of the process. The verifier and the serializer
 * read blocks through blockCount / blockHash / blockSizes below and never make the objects.
 *
 * To its users it is an ordinary BlockMapFile: `blocks` is an own enumerable property (spread, equality
 * and JSON see it), made into objects on first read and then authoritative (pushes and assignments stick).
 */
class CompactBlockMapFile implements BlockMapFile {
  declare blocks: BlockMapBlock[];
  #hashes: Buffer | null;
  #hashLength: number;
  #sizes: readonly (number | undefined)[] | null;
  #blocks: BlockMapBlock[] | null = null;

  /** One descriptor shared by every instance: the same getter and setter keep one hidden class. */
  static readonly #blocksProperty: PropertyDescriptor = {
    get(this: CompactBlockMapFile): BlockMapBlock[] {
      this.#blocks ??= this.#materialize();
      return this.#blocks;
    },
    set(this: CompactBlockMapFile, blocks: BlockMapBlock[]) {
      this.#blocks = blocks;
      this.#hashes = null;
      this.#sizes = null;
    },
    enumerable: true,
    configurable: true,
  };

  constructor(
    public name: string,
    public size: number,
    public lfhSize: number,
    hashes: Buffer,
    hashLength: number,
    sizes: readonly (number | undefined)[],
  ) {
    this.#hashes = hashes;
    this.#hashLength = hashLength;
    this.#sizes = sizes;
    Object.defineProperty(this, 'blocks', CompactBlockMapFile.#blocksProperty);
  }

  /** The compact form while no one has asked for block objects, else null. */
  static compact(
    file: BlockMapFile,
  ): { hashes: Buffer; hashLength: number; sizes: readonly (number | undefined)[] } | null {
    if (!(file instanceof CompactBlockMapFile) || file.#hashes === null || file.#sizes === null) return null;
    return { hashes: file.#hashes, hashLength: file.#hashLength, sizes: file.#sizes };
  }

  #materialize(): BlockMapBlock[] {
    const compact = CompactBlockMapFile.compact(this);
    if (compact === null) return [];
    const { hashes, hashLength, sizes } = compact;
    this.#hashes = null;
    this.#sizes = null;
    return sizes.map((size, i) => {
      const hash = hashes.subarray(i * hashLength, (i + 1) * hashLength);
      return size === undefined ? { hash } : { hash, size };
    });
  }
}

/** A File read by the parser: `hashes` holds `sizes.length` digests of `hashLength` bytes, end to end. */
export function compactBlockMapFile(
  head: { readonly name: string; readonly size: number; readonly lfhSize: number },
  hashes: Buffer,
  hashLength: number,
  sizes: readonly (number | undefined)[],
): BlockMapFile {
  return new CompactBlockMapFile(head.name, head.size, head.lfhSize, hashes, hashLength, sizes);
}

/** How many blocks the file lists. */
export function blockCount(file: BlockMapFile): number {
  return CompactBlockMapFile.compact(file)?.sizes.length ?? file.blocks.length;
}

/** Block `index`'s digest (a view, not a copy, for a parsed file), or undefined past the end. */
export function blockHash(file: BlockMapFile, index: number): Buffer | undefined {
  const compact = CompactBlockMapFile.compact(file);
  if (compact === null) return file.blocks[index]?.hash;
  if (index < 0 || index >= compact.sizes.length) return undefined;
  return compact.hashes.subarray(index * compact.hashLength, (index + 1) * compact.hashLength);
}

/** Each block's compressed `Size` (undefined where absent). Read-only: for a parsed file it is the model's own list. */
export function blockSizes(file: BlockMapFile): readonly (number | undefined)[] {
  return CompactBlockMapFile.compact(file)?.sizes ?? file.blocks.map((block) => block.size);
}
