import { randomUUID } from 'node:crypto';
import {
  type AppxManifest,
  checkDisplayName,
  checkPackageName,
  checkPackageVersion,
  checkPublisher,
  normalizePackageGuid,
  setDisplayName,
  setPackageVersion,
} from '@appv/manifest';
import { AppvError, ErrorCode, isAppvError, type OptionKeys } from '@appv/opc';

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

/** How each identity option is checked (FORMAT.md §6); each throws APPV_MANIFEST_INVALID saying why. */
export const IDENTITY_CHECKS: { readonly [K in keyof IdentityOptions]-?: (value: string) => unknown } = {
  name: checkPackageName,
  displayName: checkDisplayName,
  version: checkPackageVersion,
  publisher: checkPublisher,
  packageId: (value) => normalizePackageGuid(value, 'PackageId'),
  versionId: (value) => normalizePackageGuid(value, 'VersionId'),
};

/**
 * The identity values given, checked before anything is read or written: a value the manifest cannot take
 * is the caller's mistake (USAGE naming the option, as `fn: version: …`), not a finding about a manifest
 * (it was APPV_MANIFEST_INVALID, raised while the manifest was built). `labels` names options the caller
 * knows by another name (editPackage's `setVersion`).
 */
export function checkIdentityOptions(
  options: IdentityOptions,
  fn: string,
  labels: { readonly [K in keyof IdentityOptions]?: string } = {},
): void {
  for (const key of Object.keys(IDENTITY_CHECKS) as (keyof IdentityOptions)[]) {
    const value = options[key];
    if (value === undefined) continue;
    try {
      IDENTITY_CHECKS[key](value);
    } catch (error) {
      if (!isAppvError(error)) throw error;
      throw new AppvError(ErrorCode.USAGE, `${fn}: ${labels[key] ?? key}: ${error.message}`, {
        cause: error,
      });
    }
  }
}

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
