// Our reader: `digestPackage` from @appv/opc (list, inflate every 64 KiB block, SHA-256 per block, CRC-32,
// on worker threads). `BENCH_THREADS` passes `threads`; otherwise the library picks.
import { promisify } from 'node:util';
import { sha256 } from './hashing.mjs';
import { BLOCK } from './units.mjs';

export function unavailable(reason) {
  return Object.assign(new Error(reason), { unavailable: true });
}

/** Part names may come back as OPC names (`/a%20b`), item names (`a%20b`) or decoded; compare them all alike. */
function nameKey(name) {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name);
  } catch {}
  return decoded.replace(/\\/g, '/').replace(/^\/+/, '').toLowerCase();
}

/** Central-directory facts for every entry (no data is read). */
export async function listEntries(zipPath) {
  // Loaded here, not at the top: this is the after-the-run check, and a contender's peak RSS (read right
  // after its run) must not include a peer's module (yauzl through ESM costs ~10 MB).
  const { default: yauzl } = await import('yauzl');
  const zip = await promisify(yauzl.open)(zipPath, { lazyEntries: true, autoClose: false });
  return new Promise((resolve, reject) => {
    const entries = [];
    zip.on('error', reject);
    zip.on('end', () => resolve({ zip, entries }));
    zip.on('entry', (entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.readEntry();
  });
}

function blockHashesOf(zip, entry) {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error) return reject(error);
      const chunks = [];
      stream.on('error', reject);
      stream.on('data', (chunk) => chunks.push(chunk));
      stream.on('end', () => {
        const data = Buffer.concat(chunks);
        const hashes = [];
        for (let at = 0; at < data.length; at += BLOCK) hashes.push(sha256(data.subarray(at, at + BLOCK)));
        resolve(hashes);
      });
    });
  });
}

/**
 * Checks, after the timed run, that ours did the work: one part per entry, sizes and CRC-32s equal to
 * the central directory's, one hash per 64 KiB block, and the block hashes of a few entries recomputed.
 */
async function verify(zipPath, result) {
  const problems = [];
  const { zip, entries } = await listEntries(zipPath).catch((error) => ({ error }));
  if (!entries) return { verified: `could not list: ${zip}` };
  const parts = new Map(result.parts.map((part) => [nameKey(part.name), part]));
  if (result.parts.length !== entries.length)
    problems.push(`${result.parts.length} parts, ${entries.length} entries`);
  let checked = 0;
  const spot = [];
  for (const entry of entries) {
    const part = parts.get(nameKey(entry.fileName));
    if (!part) {
      problems.push(`missing ${entry.fileName}`);
      continue;
    }
    if (part.error) problems.push(`error in ${entry.fileName}: ${part.error}`);
    if (part.size !== entry.uncompressedSize) problems.push(`size ${entry.fileName}`);
    if (part.crc32 >>> 0 !== entry.crc32) problems.push(`crc32 ${entry.fileName}`);
    const blocks = Math.ceil(entry.uncompressedSize / BLOCK);
    if (part.blockHashes.length !== blocks && !(blocks === 0 && part.blockHashes.length === 1)) {
      problems.push(`${part.blockHashes.length} block hashes for ${blocks} blocks in ${entry.fileName}`);
    }
    if (entry.uncompressedSize > BLOCK && entry.uncompressedSize < 4 * BLOCK * 16 && spot.length < 3) {
      spot.push([entry, part]);
    }
  }
  for (const [entry, part] of spot) {
    const expected = await blockHashesOf(zip, entry);
    checked += expected.length;
    if (expected.some((hash, i) => !part.blockHashes[i]?.equals(hash)))
      problems.push(`sha256 ${entry.fileName}`);
  }
  zip.close();
  const shown =
    problems.slice(0, 5).join('; ') + (problems.length > 5 ? `; +${problems.length - 5} more` : '');
  return {
    verified: problems.length === 0 ? `ok (${checked} block hashes recomputed)` : `MISMATCH: ${shown}`,
  };
}

export async function prepare(zipPath) {
  let opc;
  try {
    opc = await import('@appv/opc');
  } catch (error) {
    throw unavailable(`@appv/opc does not load (${error.code ?? error.message}); run pnpm build`);
  }
  if (typeof opc.digestPackage !== 'function' || typeof opc.FileSource?.open !== 'function') {
    throw unavailable('@appv/opc has no digestPackage/FileSource yet');
  }
  const threads = process.env.BENCH_THREADS ? Number(process.env.BENCH_THREADS) : undefined;
  return {
    async run() {
      // Opening the file is part of reading a package, so it is timed.
      const source = await opc.FileSource.open(zipPath);
      try {
        const digest = await opc.digestPackage(source, threads ? { threads } : {});
        return {
          bytes: digest.bytes,
          parts: digest.parts,
          detail: { entries: digest.parts.length, threads },
        };
      } finally {
        await source.close();
      }
    },
    verify: (result) => verify(zipPath, result),
  };
}
