import type { BlockRecord } from '../blocks/compact-blocks.js';
import type { CompressionMethod } from '../zip/compression-method.js';
import type { CentralRecord } from './profile-records.js';

/** One 64 KiB block as the writer produced it: what AppxBlockMap.xml records (FORMAT.md §2). */
export type WrittenBlock = BlockRecord;

/**
 * Everything the writer knows about a part once its bytes are out: enough to write its central directory
 * header and its BlockMap `File` without reading anything twice (FORMAT.md §2, §8).
 */
export interface WrittenPart extends CentralRecord {
  /** Decoded part name in BlockMap form (`\` separators). */
  readonly name: string;
  readonly method: CompressionMethod;
  /** Length of the local header: BlockMap `LfhSize`. */
  readonly lfhSize: number;
  readonly blocks: readonly WrittenBlock[];
  /** False for parts the BlockMap never lists (`[Content_Types].xml`, the BlockMap itself). */
  readonly inBlockMap: boolean;
}
