import type { AppxManifest, PackageHistory } from '@appv/manifest';
import { type HashAlgorithm, type OptionKeys, PackageWriter, type WorkerPool } from '@appv/opc';

/** How `pack` and `edit` write: the options they share, in one place. */
export interface WriteOptions {
  /** Deflate level 1–9, 0 to store everything; default 6. */
  readonly level?: number | undefined;
  /** Extensions stored without compression besides the built-in list (`zip`, `cab`, `png`, `jpg`, …). */
  readonly store?: readonly string[] | undefined;
  /** Fixed timestamps (and, for pack, order and identifiers): the same input gives the same bytes. */
  readonly deterministic?: boolean | undefined;
  /** Replace an existing output file (default true). */
  readonly overwrite?: boolean | undefined;
  /**
   * Write `<Name>_DeploymentConfig.xml` and `<Name>_UserConfig.xml` beside the package (default true): they
   * carry its PackageId and DisplayName (FORMAT.md §7), so an edited package needs its own too.
   */
  readonly dynamicConfig?: boolean | undefined;
  readonly threads?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Uncompressed bytes written, of the total. */
  readonly onProgress?: ((done: number, total: number) => void) | undefined;
}

export const WRITE_OPTION_KEYS: OptionKeys<WriteOptions> = {
  level: true,
  store: 'strings',
  deterministic: 'boolean',
  overwrite: 'boolean',
  dynamicConfig: 'boolean',
  threads: true,
  signal: 'signal',
  onProgress: 'function',
};

/** The identity a written package ends up with (FORMAT.md §6), for results and reports. */
export interface WrittenIdentity {
  readonly name: string;
  readonly version: string;
  readonly packageId: string;
  readonly versionId: string;
}

/** 1980-01-01, the ZIP epoch: the history time of a deterministic write. */
const DETERMINISTIC_TIME = new Date(Date.UTC(1980, 0, 1));

/**
 * The time recorded in PackageHistory for this write. Deterministic: the latest time the history already
 * has (else the ZIP epoch), rounded up to the whole second the document records, so that the history never
 * goes back in time (a 1980 item after a 2026 one read as a package edited before it was made; found by
 * review). Only ISO 8601 times count, a time without a zone as UTC: Date.parse reads that, and other forms,
 * in the machine's zone, which made the bytes depend on where they were written.
 */
export function historyTime(options: WriteOptions, history?: PackageHistory): Date {
  if (!options.deterministic) return new Date();
  let latest = DETERMINISTIC_TIME.getTime();
  for (const item of history?.items ?? []) {
    const time = isoTime(item.attributes.Time ?? '');
    if (time > latest) latest = time;
  }
  return new Date(Math.ceil(latest / 1000) * 1000);
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;

/** Milliseconds since the epoch of an ISO 8601 time (UTC when it gives no zone); NaN for anything else. */
function isoTime(text: string): number {
  const match = ISO_TIME.exec(text);
  if (!match) return Number.NaN;
  return Date.parse(match[3] === undefined ? `${text}Z` : text);
}

/**
 * A writer to `output` (temporary file, renamed when complete) for `total` uncompressed bytes of payload, on
 * `pool` when the caller started one earlier (its workers then load while the source is read).
 */
export function openWriter(
  output: string,
  options: WriteOptions,
  algorithm: HashAlgorithm,
  total: number,
  pool?: WorkerPool,
): Promise<PackageWriter> {
  const { onProgress } = options;
  return PackageWriter.toFile(output, {
    algorithm,
    ...(pool ? { pool } : {}),
    deterministic: options.deterministic ?? false,
    overwrite: options.overwrite ?? true,
    ...(options.level === undefined ? {} : { level: options.level }),
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(onProgress ? { onProgress: (done: number) => onProgress(Math.min(done, total), total) } : {}),
  });
}

export function writtenIdentity(manifest: AppxManifest): WrittenIdentity {
  const identity = manifest.identity;
  return {
    name: identity.name,
    version: identity.version,
    packageId: identity.packageId ?? '',
    versionId: identity.versionId ?? '',
  };
}
