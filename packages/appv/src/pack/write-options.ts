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
 * has (else the ZIP epoch), a function of the input that never goes back in time (a 1980 item after a 2026
 * one read as a package edited before it was made; found by review).
 */
export function historyTime(options: WriteOptions, history?: PackageHistory): Date {
  if (!options.deterministic) return new Date();
  let latest = DETERMINISTIC_TIME.getTime();
  for (const item of history?.items ?? []) {
    const time = Date.parse(item.attributes.Time ?? '');
    if (Number.isFinite(time) && time > latest) latest = time;
  }
  return new Date(latest);
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
