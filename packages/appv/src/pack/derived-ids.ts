import { createHash } from 'node:crypto';
import type { AppxManifest } from '@appv/manifest';
import { blockHash, compactDigests, type WrittenPart } from '@appv/opc';

/**
 * The identifiers of a deterministic write (`pack` and `edit` with `--deterministic`): derived from what
 * the package is, so the same input gives the same bytes and different input different ids.
 */

/**
 * With `--deterministic`, a PackageId not given is derived from the package name and publisher, so every
 * version of a package shares it (FORMAT.md §6: a new version keeps its PackageId); fields are joined with
 * NUL, so `abc` + `11` and `abc1` + `1` differ (found by review: they did not).
 */
export function derivedPackageId(name: string, publisher: string): string {
  return uuidFrom(createHash('sha256').update(['PackageId', name, publisher].join('\u0000')).digest());
}

/**
 * With `--deterministic`, a VersionId not given is derived from everything that makes this version: the
 * identity, every written part's name, size, CRC-32 and block digests, and the `documents` (the StreamMap)
 * that the parts do not show. Derived from names and sizes alone, different content got the same id, and a
 * client keys packages on it (found by review).
 */
export function derivedVersionId(
  manifest: AppxManifest,
  parts: readonly WrittenPart[],
  documents: readonly Uint8Array[],
): string {
  const { identity } = manifest;
  const hash = createHash('sha256').update(
    ['VersionId', identity.name, identity.publisher, identity.version, identity.packageId ?? ''].join(
      '\u0000',
    ),
  );
  hash.update(`\u0000${manifest.properties.displayName ?? ''}\u0000`);
  for (const part of parts) {
    hash.update(`${part.name}\u0000${part.size}\u0000${part.crc}\u0000`);
    const digests = compactDigests(part);
    if (digests) hash.update(digests.hashes);
    else
      for (let block = 0; block < part.blocks.length; block++) {
        const digest = blockHash(part, block);
        if (digest) hash.update(digest);
      }
  }
  for (const document of documents) hash.update(document);
  return uuidFrom(hash.digest());
}

/** An RFC 4122 version-4-shaped UUID from hash bytes (variant and version bits set). */
function uuidFrom(bytes: Buffer): string {
  const b = Buffer.from(bytes.subarray(0, 16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
