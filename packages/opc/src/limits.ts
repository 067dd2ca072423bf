/**
 * Every numeric limit of the project, in one place. Values are chosen so that a hostile package costs
 * bounded memory and time; each says why.
 */

/** FORMAT.md §2: the BlockMap hashes 64 KiB of uncompressed data per block. */
export const BLOCK_SIZE = 65_536;

/** Largest size any single ZIP field may describe before we call it hostile: 2^53 - 1 (JS safe integer). */
export const MAX_SAFE_SIZE = Number.MAX_SAFE_INTEGER;

/** Entries beyond this are refused: the central directory of a real package is far smaller. */
export const MAX_ENTRIES = 1_000_000;

/** Footprint XML parts are read whole into memory; a larger one is refused, not parsed. */
export const MAX_XML_PART_SIZE = 64 * 1024 * 1024;

/** Longest accepted ZIP item name in bytes (the field is 16-bit; OPC allows far less in practice). */
export const MAX_NAME_LENGTH = 65_535;

/** The verifier keeps at most this many findings; the rest are counted, not stored. */
export const MAX_FINDINGS = 10_000;

/** Compressed bytes handed to a worker in one job: large enough to amortise messaging, small enough to bound memory. */
export const JOB_BYTES = 1024 * 1024;

/** Jobs in flight per worker thread: keeps both cores busy while the reader fetches the next window. */
export const JOBS_PER_WORKER = 3;

/** Reads issued by the central-directory walk are served from a read-ahead window of this size. */
export const READ_AHEAD_BYTES = 256 * 1024;

/**
 * A 64 KiB block deflates to at most ~65.6 KB with any real encoder (stored deflate blocks plus the flush
 * marker). FORMAT.md §3 sets no bound, so we allow far more, but not so much that one hostile `Size` makes
 * us read a gigabyte into memory to inflate a single block.
 */
export const MAX_COMPRESSED_BLOCK = 1024 * 1024;
