import type { Writable } from 'node:stream';
import type { Finding } from '@appv/opc';
import type { WrittenIdentity } from '../pack/write-options.js';
import { findingJson } from './finding-output.js';
import { writeJson } from './output.js';

/** What `pack` and `edit` both report about the package they wrote. */
interface WrittenSummary extends WrittenIdentity {
  readonly output: string;
  readonly parts: readonly unknown[];
  readonly warnings: readonly Finding[];
}

/** The identity lines of a written package, for renderFields. */
export function writtenPackageFields(result: WrittenSummary): [string, string][] {
  return [
    ['Package', result.output],
    ['Name', result.name],
    ['Version', result.version],
    ['Package ID', result.packageId],
    ['Version ID', result.versionId],
  ];
}

/**
 * `--json`: the result with its items counted, not listed (`appv ls --json` lists them), as `itemCount` like
 * `info --json` (it was `parts`, which info uses for parts without [Content_Types].xml; found by review).
 */
export function writeWrittenJson(stdout: Writable, result: WrittenSummary): void {
  const { parts, warnings, ...summary } = result;
  writeJson(stdout, { ...summary, warnings: warnings.map(findingJson), itemCount: parts.length });
}
