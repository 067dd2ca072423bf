import { CONTENT_TYPES_ITEM, ErrorCode, type Finding, nameKey } from '@appv/opc';
import type { AppvPackage } from '../appv-package.js';

/**
 * Open-time findings of the input that an edit leaves behind (FORMAT.md §9.1–§9.4): edit writes every header
 * and end record anew, and `[Content_Types].xml`, and drops directory entries, so a flag, a comment, a local
 * header that disagrees with its directory entry on something other than where the data lies, wrong
 * end-record counts or a damaged `[Content_Types].xml` are gone from the result. Findings that make a copied
 * part unreadable stop the edit instead (containerProblems).
 */
export function containerRepairs(pkg: AppvPackage): Finding[] {
  const contentTypes = nameKey(CONTENT_TYPES_ITEM);
  return pkg.opc.findings.filter(
    (finding) =>
      finding.code.startsWith('ZIP_') ||
      finding.code.startsWith('CONTENT_TYPES_') ||
      finding.code === ErrorCode.OPC_DIRECTORY_ENTRY ||
      (finding.part !== undefined && nameKey(finding.part) === contentTypes),
  );
}

/**
 * The one warning (none when nothing was repaired) for everything the input had wrong that the edited
 * package has not (container findings, the BlockMap's, stale manifest or history hashes, ids that were not
 * GUIDs), so an edit does not repair a package unsaid (found by a mutation test and a review: verify failed
 * the input, and the edit that made it valid reported nothing). It names the first and counts the rest;
 * `appv verify` of the input lists them all.
 */
export function repairsWarnings(repaired: readonly Finding[]): Finding[] {
  const first = repaired[0];
  if (first === undefined) return [];
  const more = repaired.length > 1 ? ` and ${repaired.length - 1} more` : '';
  return [
    {
      code: ErrorCode.APPV_INPUT_REPAIRED,
      severity: 'warning',
      ...(first.part !== undefined ? { part: first.part } : {}),
      message: `The input package has ${first.code}${more}, which the edited package does not (appv verify lists them): ${first.message}`,
    },
  ];
}
