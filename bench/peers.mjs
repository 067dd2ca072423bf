// The baselines, both with yauzl (what most Node code would use): read every entry, one after the other.
import { promisify } from 'node:util';
import yauzl from 'yauzl';
import { blockHasher } from './hashing.mjs';

const openZip = promisify(yauzl.open);

/**
 * Streams every entry through yauzl's inflater. `onEntry(entry)` may return a per-entry sink
 * `{ data(chunk), end() }`; without one the output is consumed and discarded.
 */
function readEveryEntry(zipPath, onEntry) {
  return openZip(zipPath, { lazyEntries: true }).then(
    (zip) =>
      new Promise((resolve, reject) => {
        let bytes = 0;
        let entries = 0;
        zip.on('error', reject);
        zip.on('end', () => resolve({ bytes, entries }));
        zip.on('entry', (entry) => {
          entries++;
          zip.openReadStream(entry, (error, stream) => {
            if (error) return reject(error);
            const sink = onEntry?.(entry);
            stream.on('error', reject);
            stream.on('data', (chunk) => {
              bytes += chunk.length;
              sink?.data(chunk);
            });
            stream.on('end', () => {
              sink?.end();
              zip.readEntry();
            });
          });
        });
        zip.readEntry();
      }),
  );
}

/** "yauzl reading every entry": inflate and discard. The fair baseline for a plain reader. */
export const yauzlPlain = {
  async prepare(zipPath) {
    return {
      async run() {
        const { bytes, entries } = await readEveryEntry(zipPath);
        return { bytes, detail: { entries } };
      },
    };
  },
};

/**
 * Like for like with ours: SHA-256 of every 64 KiB block of output (kept, as ours keeps them) and
 * CRC-32 of each entry, checked against the central directory.
 */
export const yauzlHashed = {
  async prepare(zipPath) {
    return {
      async run() {
        let blocks = 0;
        let crcMismatches = 0;
        const { bytes, entries } = await readEveryEntry(zipPath, (entry) =>
          blockHasher((result) => {
            blocks += result.blockHashes.length;
            if (result.crc32 !== entry.crc32) crcMismatches++;
          }),
        );
        return { bytes, detail: { entries, blocks, crcMismatches } };
      },
    };
  },
};
