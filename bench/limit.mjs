// The machine limit: how fast this machine can do the CPU work of digesting this data set, with no I/O,
// no ZIP parsing, no scheduling and no messaging.
//
// Exactly what is measured:
//  - the raw deflate streams of the set's entries (all of them, or an evenly strided subset of entries when
//    the compressed data passes LIMIT_SAMPLE_BYTES) are read once into one SharedArrayBuffer;
//  - N = os.availableParallelism() worker threads start together (after all are ready) and each one, from
//    memory, for every entry: a raw inflate (one reused inflater per thread, as appv's workers do; see
//    limit-work.mjs) handing over each 64 KiB of output, SHA-256 (crypto.hash) of each, zlib.crc32 of all. Each worker starts at a
//    different entry so they do not move in lockstep, and repeats the sample (passes) until it has done at
//    least LIMIT_MIN_BYTES_PER_THREAD, so a small set still gives a long enough timing;
//  - the figure is (N x uncompressed bytes of the sample) / (wall time from "go" to the last worker done).
// That is the work ours must do per byte (inflate + SHA-256 + CRC-32) at full use of every core, so
// "ratio vs limit" is the share of the machine ours achieves. After the parallel run, the main thread
// times inflate, SHA-256 and CRC-32 separately on one core (detail, to see which dominates).
import { closeSync, openSync, readSync } from 'node:fs';
import { promisify } from 'node:util';
import yauzl from 'yauzl';
import { crc32, sha256 } from './hashing.mjs';
import { startLimitThreads, strideSample } from './limit-run.mjs';
import { inflateEntry } from './limit-work.mjs';
import { fastestOf } from './measure.mjs';
import { BLOCK, MiB } from './units.mjs';

const LIMIT_SAMPLE_BYTES = 256 * MiB;
/** Each worker digests at least this much (repeating the sample) so small sets still time well. */
const LIMIT_MIN_BYTES_PER_THREAD = 384 * MiB;
/** The per-step breakdown hashes the first outputs up to this much (the set's own mix of entry sizes). */
const BREAKDOWN_HASH_BYTES = 128 * MiB;
const openZip = promisify(yauzl.open);

/** Entries with where their compressed data starts (from each local header). */
async function locateEntries(zipPath) {
  const zip = await openZip(zipPath, { lazyEntries: true, autoClose: false });
  const entries = await new Promise((resolve, reject) => {
    const list = [];
    zip.on('error', reject);
    zip.on('end', () => resolve(list));
    zip.on('entry', (entry) => {
      list.push(entry);
      zip.readEntry();
    });
    zip.readEntry();
  });
  const located = [];
  for (const entry of entries) {
    if (entry.compressionMethod !== 8) continue;
    const { fileDataStart } = await promisify(zip.readLocalFileHeader.bind(zip))(entry, { minimal: true });
    located.push({ start: fileDataStart, compressed: entry.compressedSize, size: entry.uncompressedSize });
  }
  return { zip, located };
}

/** Copies the sample's compressed streams into shared memory: [{ offset, compressed, size }]. */
async function loadSample(zipPath) {
  const { zip, located } = await locateEntries(zipPath);
  zip.close();
  const { picked, strided } = strideSample(located, (e) => e.compressed, LIMIT_SAMPLE_BYTES);
  const shared = new SharedArrayBuffer(picked.reduce((sum, e) => sum + e.compressed, 0));
  const entries = [];
  const fd = openSync(zipPath, 'r');
  try {
    let offset = 0;
    for (const e of picked) {
      const target = Buffer.from(shared, offset, e.compressed);
      for (let at = 0; at < e.compressed; ) {
        const n = readSync(fd, target, at, e.compressed - at, e.start + at);
        if (n === 0) throw new Error(`${zipPath} is shorter than its central directory says`);
        at += n;
      }
      entries.push({ offset, compressed: e.compressed, size: e.size });
      offset += e.compressed;
    }
  } finally {
    closeSync(fd);
  }
  return { shared, entries, strided };
}

/** One core, each step alone, on the same sample: where the time goes. */
function breakdown(shared, entries) {
  // Best of two, like the contenders.
  const time = (fn) => fastestOf(2, fn);
  const outputs = [];
  let bytes = 0;
  let kept = 0;
  const inflateSeconds = time(() => {
    bytes = 0;
    for (const e of entries) {
      const out = inflateEntry(shared, e);
      bytes += out.length;
      if (kept < BREAKDOWN_HASH_BYTES && outputs.length < entries.length) {
        outputs.push(out);
        kept += out.length;
      }
    }
  });
  const sampleBytes = outputs.reduce((sum, o) => sum + o.length, 0);
  const shaSeconds = time(() => {
    for (const out of outputs)
      for (let at = 0; at < out.length; at += BLOCK) sha256(out.subarray(at, at + BLOCK));
  });
  const crcSeconds = time(() => {
    for (const out of outputs) crc32(out);
  });
  const rate = (n, s) => Math.round(n / MiB / s);
  return {
    inflateMBps: rate(bytes, inflateSeconds),
    sha256MBps: rate(sampleBytes, shaSeconds),
    crc32MBps: rate(sampleBytes, crcSeconds),
  };
}

export async function prepare(zipPath) {
  const { shared, entries, strided } = await loadSample(zipPath);
  const work = { url: new URL('./limit-work.mjs', import.meta.url), name: 'digestEntry' };
  const threads = await startLimitThreads(work, shared, entries, LIMIT_MIN_BYTES_PER_THREAD, { strided });
  return {
    run: () => threads.run(),
    verify: () => breakdown(shared, entries),
  };
}
