// Where a written package's or ZIP's bytes went, from its central directory: what the size comparison
// between packers is made of (payload deflated or stored, App-V footprint parts, ZIP headers).
import { statSync } from 'node:fs';
import { listEntries } from './ours.mjs';

/** Compressed bytes by kind; `isPayload(name)` tells payload entries from the rest (the footprint). */
export async function makeUp(path, isPayload) {
  const { zip, entries } = await listEntries(path);
  zip.close();
  const parts = { deflated: 0, stored: 0, storedParts: 0, footprint: 0 };
  for (const entry of entries) {
    if (!isPayload(entry.fileName)) parts.footprint += entry.compressedSize;
    else if (entry.compressionMethod === 0) {
      parts.stored += entry.compressedSize;
      parts.storedParts++;
    } else parts.deflated += entry.compressedSize;
  }
  return { ...parts, headers: statSync(path).size - parts.deflated - parts.stored - parts.footprint };
}
