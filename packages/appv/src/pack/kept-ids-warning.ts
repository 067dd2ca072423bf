import type { AppxManifest } from '@appv/manifest';
import { ErrorCode, type Finding } from '@appv/opc';
import { PartNames } from '../footprint.js';

/**
 * A manifest whose name, publisher or version was changed while its VersionId stayed: `pack` of an extracted layout
 * with `--version 2.0.0.0`, or `edit --set-version` without `--new-version`, made a second package with the
 * first one's ids, silently (found by review). Warned, not changed: keeping the ids is what re-packing a
 * layout, or fixing a package in place, means.
 */
export function keptIdsWarning(
  before: AppxManifest['identity'],
  after: AppxManifest['identity'],
): Finding | null {
  if (after.versionId === undefined || after.versionId !== before.versionId) return null;
  const changed = [
    before.name === after.name ? null : `name ${before.name} → ${after.name}`,
    before.publisher === after.publisher ? null : `publisher ${before.publisher} → ${after.publisher}`,
    before.version === after.version ? null : `version ${before.version} → ${after.version}`,
  ].filter((c): c is string => c !== null);
  if (changed.length === 0) return null;
  return {
    code: ErrorCode.APPV_IDS_KEPT,
    severity: 'warning',
    part: PartNames.manifest,
    message: `${changed.join(', ')} with the kept manifest's VersionId ${after.versionId}: App-V clients take both packages for one; give --version-id (and --package-id for another package), or edit --new-version or --branch`,
  };
}
