import { randomUUID } from 'node:crypto';
import { AppvError, checkModelArgument, ErrorCode, findInvalidXmlChar, quoted } from '@appv/opc';
import type { AppxManifest } from './appx-manifest.js';

/**
 * The identity of a package and the edits `appv edit` makes to it (FORMAT.md §6): a **new version** keeps
 * `appv:PackageId` and gets a new `appv:VersionId` (what lets a client upgrade in place); a **branch** gets
 * a new PackageId, a new VersionId and a new name. Also the rules an identity value must satisfy, which
 * createAppxManifest applies too: values are checked before anything is written, so a refused edit leaves
 * the manifest as it was.
 */

function invalid(message: string): never {
  throw new AppvError(ErrorCode.APPV_MANIFEST_INVALID, message);
}

/** Identity names AppX reserves (the DOS device names) [doc]. */
const RESERVED_NAMES = /^(?:CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])$/i;

/**
 * AppX `ST_PackageName` [doc]: 3 to 50 characters of A-Z, a-z, 0-9, `.` and `-`, and none of the reserved
 * device names (CON, NUL, COM1, …; found by review).
 */
export function checkPackageName(name: string): string {
  if (typeof name !== 'string' || !/^[A-Za-z0-9.-]{3,50}$/.test(name)) {
    invalid(
      `package name ${quoted(name)} is invalid: it must be 3 to 50 characters of A-Z, a-z, 0-9, '.' and '-'`,
    );
  }
  if (RESERVED_NAMES.test(name))
    invalid(`package name ${quoted(name)} is a name Windows reserves for a device`);
  return name;
}

/** One relative distinguished name of AppX `ST_Publisher` [doc]: `key=value`, value plain or quoted. */
const RDN =
  '(?:CN|L|O|OU|E|C|S|STREET|T|G|I|SN|DC|SERIALNUMBER|Description|PostalCode|POBox|Phone|X21Address|dnQualifier|OID\\.(?:0|[1-9][0-9]*)(?:\\.(?:0|[1-9][0-9]*))+)=(?:[^,+="<>#;]+|"[^"]*")';
const DISTINGUISHED_NAME = new RegExp(`^${RDN}(?:, ${RDN})*$`);

/**
 * AppX `ST_Publisher` [doc]: a distinguished name (`CN=Vendor, O=Vendor Inc, C=US`) of 1 to 8192
 * characters; App-V's default is `CN=Reserved` (FORMAT.md §6). `Vendor Inc <sales@…>` is refused.
 */
export function checkPublisher(publisher: string): string {
  if (typeof publisher !== 'string' || publisher.length > 8192 || !DISTINGUISHED_NAME.test(publisher)) {
    invalid(
      `publisher ${quoted(publisher)} is not a distinguished name like "CN=Vendor, O=Vendor Inc, C=US"`,
    );
  }
  return publisher;
}

const VERSION_PART = /^(?:0|[1-9][0-9]{0,4})$/;
const VERSION_PART_MAX = 65535;

function versionParts(version: string): number[] {
  const parts = typeof version === 'string' ? version.split('.') : [];
  if (parts.length !== 4 || !parts.every((p) => VERSION_PART.test(p) && Number(p) <= VERSION_PART_MAX)) {
    invalid(
      `package version ${quoted(version)} is invalid: it must be four dot-separated numbers 0 to 65535, like 1.0.0.0`,
    );
  }
  return parts.map(Number);
}

/** AppX `ST_VersionQuad` [doc]: `a.b.c.d`, each 0..65535 without leading zeros. */
export function checkPackageVersion(version: string): string {
  versionParts(version);
  return version;
}

/**
 * `appv:PackageId` / `appv:VersionId` are un-braced GUIDs (FORMAT.md §6). Braced or upper-case input is
 * accepted and written the way the sequencer writes them: lower case, no braces.
 */
export function normalizePackageGuid(guid: string, what = 'GUID'): string {
  const match =
    typeof guid === 'string'
      ? /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/.exec(guid)
      : null;
  // Braces must come as a pair: `{…` alone is a typo, not a GUID.
  if (match?.[1] === undefined || guid.startsWith('{') !== guid.endsWith('}')) {
    invalid(`${what} ${quoted(guid)} is not a GUID like 1a2ad958-9e6b-4f0b-8b2e-6f8e2f3c9a11`);
  }
  return match[1].toLowerCase();
}

/**
 * AppX `DisplayName` [doc]: 1 to 256 characters (code points: 200 emoji are 400 UTF-16 units but 200
 * characters; found by review); also only characters XML can carry.
 */
export function checkDisplayName(displayName: string): string {
  if (typeof displayName !== 'string' || displayName.trim() === '' || [...displayName].length > 256) {
    invalid(`display name ${quoted(displayName)} must be 1 to 256 characters and not blank`);
  }
  if (findInvalidXmlChar(displayName) >= 0) invalid('display name contains a character XML cannot carry');
  return displayName;
}

/**
 * The next version: the last component plus one; 65535 carries into the previous component
 * (`1.2.3.65535` → `1.2.4.0`). `65535.65535.65535.65535` has no successor: APPV_MANIFEST_INVALID.
 */
export function bumpVersion(version: string): string {
  const parts = versionParts(version);
  for (let i = parts.length - 1; i >= 0; i--) {
    if ((parts[i] ?? 0) < VERSION_PART_MAX) {
      parts[i] = (parts[i] ?? 0) + 1;
      return parts.join('.');
    }
    parts[i] = 0;
  }
  return invalid(`package version ${version} is the highest there is and cannot be bumped`);
}

/** The App-V PackageId, refusing a plain AppX manifest (no App-V identity to version or branch). */
function requireAppVPackageId(manifest: AppxManifest, edit: string): string {
  const packageId = manifest.identity.packageId;
  if (!manifest.isAppV || packageId === undefined) {
    throw new AppvError(
      ErrorCode.APPV_PACKAGE_ID_MISSING,
      `cannot ${edit}: the manifest has no appv:PackageId (it is not an App-V manifest)`,
    );
  }
  return packageId;
}

/** A new GUID (given or random), refusing one equal to `current`: the point of the edit is a new id. */
function freshGuid(given: string | undefined, current: string | undefined, what: string): string {
  const guid = given === undefined ? randomUUID() : normalizePackageGuid(given, what);
  if (current !== undefined && guid === current.toLowerCase().replace(/^\{|\}$/g, '')) {
    invalid(`${what} ${guid} is the current one; a new ${what} must differ`);
  }
  return guid;
}

/**
 * A new version of the same package (FORMAT.md §6): PackageId kept, a new VersionId (random unless given),
 * Identity/@Version bumped (or set to `version`).
 */
export function newVersion(
  manifest: AppxManifest,
  options: { versionId?: string; version?: string } = {},
): void {
  checkModelArgument(manifest, 'an AppxManifest (parseAppxManifest or createAppxManifest)', 'newVersion', {
    identity: 'object',
  });
  checkModelArgument(options, 'options', 'newVersion');
  requireAppVPackageId(manifest, 'make a new version');
  const identity = manifest.identity;
  const versionId = freshGuid(options.versionId, identity.versionId, 'VersionId');
  const version =
    options.version === undefined ? bumpVersion(identity.version) : checkPackageVersion(options.version);
  identity.versionId = versionId;
  identity.version = version;
}

/**
 * A branch: another package made from this one (FORMAT.md §6): new PackageId, new VersionId, new
 * Identity/@Name, and the display name when given.
 */
export function branchPackage(
  manifest: AppxManifest,
  options: { name: string; packageId?: string; versionId?: string; displayName?: string },
): void {
  checkModelArgument(manifest, 'an AppxManifest (parseAppxManifest or createAppxManifest)', 'branchPackage', {
    identity: 'object',
  });
  checkModelArgument(options, 'options with the new name', 'branchPackage');
  const currentPackageId = requireAppVPackageId(manifest, 'branch the package');
  const identity = manifest.identity;
  const name = checkPackageName(options.name);
  // AppX names compare case-insensitively, so a case change is not a new name.
  if (name.toLowerCase() === identity.name.toLowerCase()) {
    invalid(`a branch needs a new name; ${name} is the current one`);
  }
  const packageId = freshGuid(options.packageId, currentPackageId, 'PackageId');
  const versionId = freshGuid(options.versionId, identity.versionId, 'VersionId');
  const displayName = options.displayName === undefined ? undefined : checkDisplayName(options.displayName);
  identity.packageId = packageId;
  identity.versionId = versionId;
  identity.name = name;
  if (displayName !== undefined) manifest.properties.displayName = displayName;
}

export function setPackageVersion(manifest: AppxManifest, version: string): void {
  checkModelArgument(manifest, 'an AppxManifest', 'setPackageVersion', { identity: 'object' });
  manifest.identity.version = checkPackageVersion(version);
}

export function setDisplayName(manifest: AppxManifest, displayName: string): void {
  checkModelArgument(manifest, 'an AppxManifest', 'setDisplayName', { properties: 'object' });
  manifest.properties.displayName = checkDisplayName(displayName);
}
