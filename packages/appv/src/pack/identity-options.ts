import { randomUUID } from 'node:crypto';
import {
  type AppxManifest,
  checkPackageName,
  checkPublisher,
  normalizePackageGuid,
  setDisplayName,
  setPackageVersion,
} from '@appv/manifest';
import type { OptionKeys } from '@appv/opc';

/** The identity fields `pack` and `edit` take from the command line (FORMAT.md §6). */
export interface IdentityOptions {
  /** Identity/@Name. */
  readonly name?: string | undefined;
  readonly displayName?: string | undefined;
  /** Four-part version, e.g. `1.2.0.0`. */
  readonly version?: string | undefined;
  readonly publisher?: string | undefined;
  readonly packageId?: string | undefined;
  readonly versionId?: string | undefined;
}

export const IDENTITY_OPTION_KEYS: OptionKeys<IdentityOptions> = {
  name: 'string',
  displayName: 'string',
  version: 'string',
  publisher: 'string',
  packageId: 'string',
  versionId: 'string',
};

/**
 * Sets what was given on a kept manifest, and gives an App-V identity to one that lacks it (a PackageId and
 * VersionId are what the client keys a package on): `fallback` ids, else random ones.
 */
export function applyIdentityOptions(
  manifest: AppxManifest,
  options: IdentityOptions,
  fallback: { packageId?: string; versionId?: string },
): void {
  const identity = manifest.identity;
  if (options.name !== undefined) identity.name = checkPackageName(options.name);
  if (options.displayName !== undefined) setDisplayName(manifest, options.displayName);
  if (options.version !== undefined) setPackageVersion(manifest, options.version);
  if (options.publisher !== undefined) identity.publisher = checkPublisher(options.publisher);
  const packageId =
    options.packageId ?? (identity.packageId ? undefined : (fallback.packageId ?? randomUUID()));
  const versionId =
    options.versionId ?? (identity.versionId ? undefined : (fallback.versionId ?? randomUUID()));
  if (packageId !== undefined) identity.packageId = normalizePackageGuid(packageId);
  if (versionId !== undefined) identity.versionId = normalizePackageGuid(versionId);
}
