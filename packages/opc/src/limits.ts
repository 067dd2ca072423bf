import { checkNumberArgument } from './option-keys.js';
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

/** The verifier keeps at most this many findings; the rest are counted, not stored. */
export const MAX_FINDINGS = 10_000;

/**
 * Compressed bytes handed to a worker in one read job (digest, verify, part streams): large enough to
 * amortise messaging, small enough to bound memory. 512 KiB rather than 1 MiB took 5 MiB off the peak of
 * the read path, at the same speed (median of 6 runs each).
 */
export const JOB_BYTES = 512 * 1024;

/**
 * Uncompressed bytes in one writer job (a piece of a large file, or small files gathered together). The
 * writer keeps 1 MiB: at 512 KiB, packing a 2.4 GiB file peaked at 133–134 MiB against 117–126 and ran
 * slower, and a pack of many small files gained nothing that stood out from the noise.
 */
export const WRITE_JOB_BYTES = 1024 * 1024;

/**
 * How long a block worker asked to stop may take to finish its job and exit before it is terminated: a
 * job is at most a few MiB of work, so only a stuck worker ever reaches this.
 */
export const WORKER_STOP_GRACE_MS = 5_000;

/**
 * Most worker threads a pool starts: each is a V8 isolate of ~8 MB before any work, and a pool starts them
 * all at once, so `--threads 100000` would exhaust the machine rather than go faster.
 */
export const MAX_WORKER_THREADS = 256;

/** Jobs in flight per worker thread: keeps both cores busy while the reader fetches the next window. */
export const JOBS_PER_WORKER = 2;

/**
 * Compressed bytes in flight per worker (read, queued or being worked on). With the whole-item limits below
 * this bounds a worker's memory to about this much input plus one item's output, whatever the package.
 */
export const WORKER_BYTES_IN_FLIGHT = 8 * 1024 * 1024;

/** Reads issued by the central-directory walk are served from a read-ahead window of this size. */
export const READ_AHEAD_BYTES = 256 * 1024;

/**
 * Local headers closer together than this are read in one go: a run of small entries costs one read, not one
 * each. Listing a package of small files reads nearly all of it either way; 64 KiB windows rather than 16
 * take the 16,670 headers of the bench's set in ~1,000 reads rather than ~2,800, for 4 × 64 KiB of window
 * buffers. (Through libuv's thread pool that was 225 against 260 ms of listing, median of 4; a file source
 * now makes such reads synchronously, see SYNC_READ_BYTES.)
 */
export const LOCAL_HEADER_READ_AHEAD = 64 * 1024;

/**
 * Digests that completed but wait for an earlier one to be delivered in order (digest-package.ts): past this
 * many, planning waits, so a large item on one worker does not let the rest of the package pile up behind
 * it (a few hundred bytes each).
 */
export const MAX_DIGESTS_WAITING = 4096;

/**
 * A file source reads up to this many bytes synchronously (file-source.ts): a local header window with room
 * for its last header's name and extra (local-header.ts reads up to 542 bytes past the window), and small
 * jobs. Larger reads (most jobs, the directory walk's 256 KiB windows) go through the thread pool.
 */
export const SYNC_READ_BYTES = LOCAL_HEADER_READ_AHEAD + 16 * 1024;

/**
 * A 64 KiB block deflates to at most ~65.6 KB with any real encoder (stored deflate blocks plus the flush
 * marker). FORMAT.md §3 sets no bound, so we allow far more, but not so much that one hostile `Size` makes
 * us read a gigabyte into memory to inflate a single block.
 */
export const MAX_COMPRESSED_BLOCK = 1024 * 1024;

/**
 * A deflated item with no BlockMap sizes and at most this many uncompressed bytes may be inflated as one
 * task (its output goes through a 64 KiB chunk either way, so this bounds only the task's time).
 */
export const WHOLE_ITEM_LIMIT = 16 * 1024 * 1024;

/**
 * …and whose compressed bytes fit in one job buffer, so every read goes into a pooled buffer; larger items
 * are inflated as a stream in JOB_BYTES pieces on one worker. (At 8 MiB, fresh buffers for the few large
 * items of a 420 MB set raised the reader's peak by ~20 MB.)
 */
export const WHOLE_ITEM_COMPRESSED_LIMIT = JOB_BYTES;

/**
 * The tree costs ~150 bytes of heap per node, and parsing costs more while it runs, so a 64 MiB part of
 * `<a/><a/>…` (16 M elements) would exhaust the heap although it is within MAX_XML_PART_SIZE. The largest
 * real BlockMap allowed by that size has under 3 M nodes (a `Block` is ~80 bytes of text for 3 nodes), so
 * this refuses only hostile input. It bounds the cost, not to little: a document of 6 M empty elements
 * (23.6 MB, a few KB compressed) peaks at about 2.2 GB while it is parsed (measured by review).
 */
export const MAX_XML_NODES = 6_000_000;

/**
 * Most nodes in the parts whose size does not grow with the payload: the manifest, PackageHistory and the
 * dynamic configuration (Office's, among the largest real ones, has some 10^5). A 244 KB package whose
 * manifest held 5.9 M empty elements took 1.4 GB and 25 s under MAX_XML_NODES (found by fuzzing); here the
 * worst case is about a sixth of that.
 */
export const MAX_XML_NODES_FIXED_PART = 1_000_000;

/**
 * Nodes per item, and per 64 KiB block of payload, that a part growing with the payload (FilesystemMetadata,
 * StreamMap) may hold beyond MAX_XML_NODES_FIXED_PART. Real ones take far fewer: the bench set's
 * FilesystemMetadata has ~63,000 nodes for 16,677 items (an Entry and its two names each, plus directories);
 * a StreamMap that lists every block of every file one by one, ~4 per block. MAX_XML_NODES alone let a
 * 15-item package carry a FilesystemMetadata of 5.9 M empty elements (a few KB compressed), which took 1.15 GB
 * and 5.6 s to refuse (found by review); bounded by the package, it stops at ~270 MB and 0.7 s, as the
 * manifest does, while a package with the items to justify it still gets up to MAX_XML_NODES.
 */
export const XML_NODES_PER_PAYLOAD_UNIT = 16;

/** The most nodes a payload-sized part may hold in a package of `items` items and `blocks` payload blocks. */
export function payloadXmlNodeLimit(items: number, blocks: number): number {
  checkNumberArgument(items, 'an item count', 'payloadXmlNodeLimit');
  checkNumberArgument(blocks, 'a block count', 'payloadXmlNodeLimit');
  return Math.min(MAX_XML_NODES, MAX_XML_NODES_FIXED_PART + XML_NODES_PER_PAYLOAD_UNIT * (items + blocks));
}

/**
 * Longest XML name (element, attribute, PI target) and attribute value accepted, in characters. fast-xml-
 * parser's validator (the second opinion, xml-parser.ts) builds both a character at a time, ~40 bytes of heap
 * per character: one 8 MiB value, a few KB compressed, cost 350 MB and 0.7 s, and a 64 MiB one would exhaust
 * the heap. No footprint name comes near the first limit; the longest real values (a percent-encoded part
 * name of 65,535 bytes, three characters per byte at worst) fit under the second.
 */
export const MAX_XML_NAME_LENGTH = 4096;
export const MAX_XML_ATTRIBUTE_LENGTH = 256 * 1024;

/**
 * Longest content type accepted in `[Content_Types].xml`. Media types have no length limit of their own
 * (RFC 6838 bounds only the type and subtype, at 127 characters each), but every item of a package gets one
 * and `ls --json` prints it per item: a megabyte-long type shared by 10,000 tiny items would print 10 GB.
 */
export const MAX_CONTENT_TYPE_LENGTH = 1024;

/**
 * Deepest directory nesting accepted in a package's file tree (FilesystemMetadata, extraction). Windows
 * paths stop at 32,767 characters, so a real tree is far shallower; a hostile one nested 100,000 deep would
 * cost gigabytes as full path strings.
 */
export const MAX_PATH_DEPTH = 1024;

/**
 * Deepest element nesting accepted in an XML part. The deepest real footprint document is a FilesystemMetadata
 * tree, one level per directory (MAX_PATH_DEPTH) under a few levels of its own; a hostile part of 7 MB nested
 * a million deep was accepted, cost 520 MB and seconds to parse, and left the typed readers behind it walking
 * for longer still (found by fuzzing).
 */
export const MAX_XML_DEPTH = MAX_PATH_DEPTH + 16;

/**
 * Compressed results the package writer holds that are not yet written out: with the worker pool's own
 * bound this caps a pack's memory whatever the package size, and a slow destination stalls reading.
 */
export const WRITE_QUEUE_BYTES = 4 * 1024 * 1024;

/**
 * Longest stretch of synchronous work (file-system calls in a loop) before the event loop gets a turn
 * (loop-turns.ts): short enough that an abort or Ctrl-C is heard at once, long enough to cost nothing.
 */
export const EVENT_LOOP_SLICE_MS = 20;

/**
 * Items up to this size (compressed and uncompressed) are read whole by readPartBuffer: one read and one
 * inflate call rather than a stream, which for the thousands of small files of an extraction costs several
 * times less. Larger items are streamed, so memory stays bounded.
 */
export const WHOLE_READ_BYTES = 1024 * 1024;

/**
 * Directories an extraction's guard remembers as checked (directory-guard.ts, appv), most recently used
 * first; a forgotten one is checked again. Paths are at most ~4 KB, so this bounds the guard to ~32 MB.
 */
export const DIRECTORIES_REMEMBERED = 4096;

/** Parts up to this size share one worker job with their neighbours (one message for many small files). */
export const SMALL_PART_BYTES = 256 * 1024;

/**
 * Deflate cannot expand data by more than about 1032:1; a declared uncompressed size beyond that (plus a
 * block of slack for tiny items) is a lie, typically a decompression bomb's.
 */
export const MAX_DEFLATE_RATIO = 1032;

/** Longest file name most file systems take (ext4, NTFS, APFS: 255 bytes or UTF-16 units), for extraction. */
export const MAX_SEGMENT_BYTES = 255;

/** Most block indices `blockIndices` lists one by one (a 1 TiB file); beyond, its ranges are the form to use. */
export const MAX_BLOCK_INDICES = 1 << 24;
