import { checkModelArgument } from '../option-keys.js';
/** One block of a part as a record: what a BlockMap `Block` says (FORMAT.md §2). */
export interface BlockRecord {
  /** Digest of the uncompressed block. */
  readonly hash: Buffer;
  /** Compressed length, flush included; absent for a stored part. */
  readonly size?: number;
}

/** Anything that lists blocks: a BlockMap File, a part the writer wrote. */
export interface HasBlocks {
  readonly blocks: readonly BlockRecord[];
}

/** `sizes.length` digests of `hashLength` bytes end to end, and each block's Size. */
interface CompactBlocks {
  readonly hashes: Uint8Array;
  readonly hashLength: number;
  readonly sizes: readonly (number | undefined)[];
}

/**
 * Block lists kept compact until someone reads `blocks` (FORMAT.md §2): a parsed BlockMap File, a part the
 * writer wrote. A 2.4 GB part has 40,000 blocks; as objects (a record and a Buffer each) they cost ~5 MB
 * that lives as long as the map or the writer, and V8 answers that much surviving allocation by doubling its
 * young generation for the rest of the process. The verifier, the serializer and the BlockMap builder read
 * blocks through blockCount / blockHash / blockSizes / shareBlocks and never make the objects.
 *
 * The owner stays a plain object whose `blocks` is an own enumerable accessor (spread, JSON and deep
 * equality see it); the compact form sits beside it under a symbol that is not enumerable, so a proxy of the
 * owner, an object made from it or a copy of its descriptors still finds it. The first read or assignment
 * replaces the accessor with an ordinary data property, so from then on the array is authoritative (pushes
 * and edits stick). A frozen owner cannot take that property: it keeps the array it was first given here.
 */
const COMPACT = Symbol('compact blocks');

interface Owner {
  [COMPACT]?: CompactBlocks | undefined;
}

/** The arrays of owners frozen before their blocks were read (they could not take a data property). */
const frozenBlocks = new WeakMap<object, BlockRecord[]>();

/** One descriptor shared by every owner: the same getter and setter keep them on one hidden class. */
const COMPACT_BLOCKS: PropertyDescriptor = {
  get(this: object): BlockRecord[] {
    const kept = frozenBlocks.get(this);
    if (kept) return kept;
    const compact = (this as Owner)[COMPACT];
    return settle(this, compact ? materialize(compact) : []);
  },
  set(this: object, blocks: BlockRecord[]) {
    if (Object.getOwnPropertyDescriptor(this, 'blocks')?.configurable === false)
      throw new TypeError("Cannot assign to read only property 'blocks'");
    settle(this, blocks);
  },
  enumerable: true,
  configurable: true,
};

function settle(owner: object, blocks: BlockRecord[]): BlockRecord[] {
  try {
    Object.defineProperty(owner, 'blocks', {
      value: blocks,
      writable: true,
      enumerable: true,
      configurable: true,
    });
    Object.defineProperty(owner, COMPACT, {
      value: undefined,
      writable: true,
      enumerable: false,
      configurable: true,
    });
  } catch {
    frozenBlocks.set(owner, blocks);
  }
  return blocks;
}

function materialize({ hashes, hashLength, sizes }: CompactBlocks): BlockRecord[] {
  return sizes.map((size, i) => {
    const hash = digestAt(hashes, i, hashLength);
    return size === undefined ? { hash } : { hash, size };
  });
}

/** Digest `index` of digests of `hashLength` bytes laid end to end, as a Buffer over the same memory. */
export function digestAt(hashes: Uint8Array, index: number, hashLength: number): Buffer {
  return Buffer.from(hashes.buffer, hashes.byteOffset + index * hashLength, hashLength);
}

/**
 * `count` digests laid end to end, as a list of views (no copies), null where `has(index)` is false: the
 * `blockHashes` of a digest or a digested part, made only when someone asks for the list.
 */
export function digestList(
  hashes: Uint8Array,
  hashLength: number,
  count: number,
  has: (index: number) => boolean,
): (Buffer | null)[] {
  return Array.from({ length: count }, (_, i) => (has(i) ? digestAt(hashes, i, hashLength) : null));
}

/** The compact form while no block objects exist, else undefined (then `blocks` is the truth). */
/** A BlockMap file, compact or with a `blocks` array: anything else is USAGE, not a TypeError on `blocks`. */
function checkBlocksOwner(owner: HasBlocks, call: string): void {
  checkModelArgument(owner, 'a BlockMap file ({ blocks })', call);
  if (compactOf(owner) === undefined)
    checkModelArgument(owner, 'a BlockMap file ({ blocks })', call, { blocks: 'array' });
}

function compactOf(owner: HasBlocks): CompactBlocks | undefined {
  return frozenBlocks.has(owner) ? undefined : (owner as Owner)[COMPACT];
}

/**
 * Gives `owner` a compact `blocks`: `hashes` holds `sizes.length` digests of `hashLength` bytes, end to end
 * (undefined sizes: stored blocks). Returns the owner, typed as listing blocks.
 */
export function withCompactBlocks<T extends object>(
  owner: T,
  hashes: Uint8Array,
  hashLength: number,
  sizes: readonly (number | undefined)[],
): T & { blocks: BlockRecord[] } {
  checkModelArgument(owner, 'an object to give the blocks', 'withCompactBlocks');
  const compact: CompactBlocks = { hashes, hashLength, sizes };
  Object.defineProperty(owner, COMPACT, {
    value: compact,
    writable: true,
    enumerable: false,
    configurable: true,
  });
  Object.defineProperty(owner, 'blocks', COMPACT_BLOCKS);
  return owner as T & { blocks: BlockRecord[] };
}

/**
 * Gives `owner` the blocks of `from`: the same compact form when `from` still has one (nothing is made or
 * copied), else a copy of its list. The records themselves are shared either way.
 */
export function shareBlocks<T extends object>(owner: T, from: HasBlocks): T & { blocks: BlockRecord[] } {
  checkModelArgument(owner, 'an object to give the blocks', 'shareBlocks');
  checkBlocksOwner(from, 'shareBlocks');
  const compact = compactOf(from);
  if (compact) return withCompactBlocks(owner, compact.hashes, compact.hashLength, compact.sizes);
  return Object.assign(owner, { blocks: [...from.blocks] });
}

/** How many blocks are listed. */
export function blockCount(owner: HasBlocks): number {
  checkBlocksOwner(owner, 'blockCount');
  return compactOf(owner)?.sizes.length ?? owner.blocks.length;
}

/** Block `index`'s digest (a view, not a copy, for a compact list), or undefined where there is none. */
export function blockHash(owner: HasBlocks, index: number): Buffer | undefined {
  checkBlocksOwner(owner, 'blockHash');
  const compact = compactOf(owner);
  if (compact === undefined) return owner.blocks[index]?.hash;
  if (!Number.isInteger(index) || index < 0 || index >= compact.sizes.length) return undefined;
  return digestAt(compact.hashes, index, compact.hashLength);
}

/**
 * The compact form's digests, end to end (block i at i × `hashLength`), or undefined for a list of block
 * objects: a serializer reads a 2.4 GB part's 40,000 digests in place, without a view per block.
 */
export function compactDigests(
  owner: HasBlocks,
): { readonly hashes: Uint8Array; readonly hashLength: number } | undefined {
  checkModelArgument(owner, 'a BlockMap file ({ blocks })', 'compactDigests');
  return compactOf(owner);
}

/** Each block's compressed `Size` (undefined where absent). Read-only: for a compact list it is the owner's own. */
export function blockSizes(owner: HasBlocks): readonly (number | undefined)[] {
  checkBlocksOwner(owner, 'blockSizes');
  return compactOf(owner)?.sizes ?? owner.blocks.map((block) => block.size);
}
