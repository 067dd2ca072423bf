import { ErrorCode } from '../errors.js';
import type { FindingSink } from '../finding.js';
import { hex } from '../hex.js';
import { LOCAL_HEADER_READ_AHEAD } from '../limits.js';
import type { RandomAccessSource } from '../source/random-access-source.js';
import type { CentralEntry } from './central-directory.js';
import {
  FLAG_DATA_DESCRIPTOR,
  LOCAL_HEADER_SIZE,
  SDK_VERSIONS_NEEDED,
  SIG_LOCAL_HEADER,
  UINT32_SATURATED,
} from './signatures.js';

/** A local file header (APPNOTE 4.3.7) as written. */
export interface LocalHeader {
  readonly offset: number;
  readonly versionNeeded: number;
  readonly flags: number;
  readonly method: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly name: Buffer;
  /** 30 + name + extra: the BlockMap's `LfhSize` (FORMAT.md §2). */
  readonly size: number;
}

/** Room read after a header for its name and extra field, so one read usually gets the whole header. */
const NAME_ALLOWANCE = 512;

/**
 * Reads the local headers at the given offsets, in file order, so headers of neighbouring small entries
 * come from one read (a package of 20,000 small files would otherwise cost 40,000 reads), with a few reads
 * in flight at once (the reads, not the parsing, are what listing waits on). Each result is the header, or
 * the reason it could not be read.
 */
export async function readLocalHeaders(
  source: RandomAccessSource,
  offsets: readonly number[],
  limit: number,
  signal?: AbortSignal,
): Promise<(LocalHeader | string)[]> {
  const results: (LocalHeader | string)[] = new Array(offsets.length);
  const clusters = clusterHeaders(offsets, limit, results);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < clusters.length; i = next++) {
      const cluster = clusters[i];
      if (cluster) await readCluster(source, cluster, limit, results, signal);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READS_IN_FLIGHT, clusters.length) }, worker));
  return results;
}

/** Reads in flight while listing: libuv's default thread pool has four threads for file reads. */
const READS_IN_FLIGHT = 4;

interface Cluster {
  readonly start: number;
  readonly end: number;
  readonly members: { offset: number; index: number }[];
}

/** Groups headers that lie within LOCAL_HEADER_READ_AHEAD of a cluster's first one into one read. */
function clusterHeaders(
  offsets: readonly number[],
  limit: number,
  results: (LocalHeader | string)[],
): Cluster[] {
  const order = offsets.map((offset, index) => ({ offset, index })).sort((a, b) => a.offset - b.offset);
  const clusters: Cluster[] = [];
  let current: { start: number; end: number; members: { offset: number; index: number }[] } | null = null;
  for (const member of order) {
    if (member.offset + LOCAL_HEADER_SIZE > limit) {
      results[member.index] =
        `its local header at offset ${member.offset} is not before the central directory`;
      continue;
    }
    const end = Math.min(member.offset + LOCAL_HEADER_SIZE + NAME_ALLOWANCE, limit);
    if (current && end - current.start <= LOCAL_HEADER_READ_AHEAD) {
      current.end = Math.max(current.end, end);
      current.members.push(member);
    } else {
      current = { start: member.offset, end, members: [member] };
      clusters.push(current);
    }
  }
  return clusters;
}

async function readCluster(
  source: RandomAccessSource,
  cluster: Cluster,
  limit: number,
  results: (LocalHeader | string)[],
  signal?: AbortSignal,
): Promise<void> {
  const window = await source.read(cluster.start, cluster.end - cluster.start, signal);
  for (const { offset, index } of cluster.members) {
    let header = parseLocalHeader(window, offset - cluster.start, offset);
    if (header === 'short') {
      // Name and extra longer than the allowance: read exactly what this header needs.
      const fixed = await source.read(offset, LOCAL_HEADER_SIZE, signal);
      const length = LOCAL_HEADER_SIZE + fixed.readUInt16LE(26) + fixed.readUInt16LE(28);
      if (offset + length > limit) {
        results[index] = `its local header at offset ${offset} runs into the central directory`;
        continue;
      }
      header = parseLocalHeader(await source.read(offset, length, signal), 0, offset);
    }
    results[index] = header === 'short' ? `its local header at offset ${offset} is truncated` : header;
  }
}

function parseLocalHeader(bytes: Buffer, at: number, offset: number): LocalHeader | 'short' | string {
  if (at + LOCAL_HEADER_SIZE > bytes.length) return 'short';
  if (bytes.readUInt32LE(at) !== SIG_LOCAL_HEADER) {
    return `no local header signature at offset ${offset} (found 0x${bytes.readUInt32LE(at).toString(16)})`;
  }
  const nameLength = bytes.readUInt16LE(at + 26);
  const extraLength = bytes.readUInt16LE(at + 28);
  const size = LOCAL_HEADER_SIZE + nameLength + extraLength;
  if (at + size > bytes.length) return 'short';
  return {
    offset,
    versionNeeded: bytes.readUInt16LE(at + 4),
    flags: bytes.readUInt16LE(at + 6),
    method: bytes.readUInt16LE(at + 8),
    crc32: bytes.readUInt32LE(at + 14),
    compressedSize: bytes.readUInt32LE(at + 18),
    uncompressedSize: bytes.readUInt32LE(at + 22),
    // A copy: a view would pin the whole read window in memory for as long as the header lives.
    name: Buffer.from(bytes.subarray(at + LOCAL_HEADER_SIZE, at + LOCAL_HEADER_SIZE + nameLength)),
    size,
  };
}

/**
 * FORMAT.md §9.2: the local header must agree with its central directory entry on method, flags and name,
 * or two readers (one walking local headers, one the central directory) would see different packages.
 */
export function checkLocalHeader(
  entry: CentralEntry,
  header: LocalHeader,
  name: string,
  sink: FindingSink,
): void {
  const at = { part: name, offset: entry.localHeaderOffset };
  const mismatch = (what: string, local: string | number, central: string | number) =>
    sink.add({
      code: ErrorCode.ZIP_LFH_MISMATCH,
      severity: 'error',
      message: `${name}: the local header's ${what} (${local}) differs from the central directory's (${central})`,
      ...at,
    });
  if (header.method !== entry.method) mismatch('compression method', header.method, entry.method);
  if (header.flags !== entry.flags) mismatch('general purpose flags', hex4(header.flags), hex4(entry.flags));
  if (!header.name.equals(entry.rawName)) {
    mismatch('name', JSON.stringify(header.name.toString('latin1')), JSON.stringify(name));
  }
  // Without a data descriptor the local header carries CRC and sizes itself (saturated = in a ZIP64 extra).
  if (!(header.flags & FLAG_DATA_DESCRIPTOR)) {
    if (header.crc32 !== entry.crc32) mismatch('CRC-32', hex4(header.crc32), hex4(entry.crc32));
    if (header.compressedSize !== UINT32_SATURATED && header.compressedSize !== entry.compressedSize) {
      mismatch('compressed size', header.compressedSize, entry.compressedSize);
    }
    if (header.uncompressedSize !== UINT32_SATURATED && header.uncompressedSize !== entry.uncompressedSize) {
      mismatch('uncompressed size', header.uncompressedSize, entry.uncompressedSize);
    }
  }
  if (!SDK_VERSIONS_NEEDED.includes(header.versionNeeded)) {
    sink.add({
      code: ErrorCode.ZIP_LFH_VERSION,
      severity: 'error',
      message: `${name}: local header "version needed" is ${header.versionNeeded}; the AppX SDK accepts only 20 or 45`,
      ...at,
    });
  }
}

function hex4(value: number): string {
  return `0x${hex(value, 4)}`;
}
