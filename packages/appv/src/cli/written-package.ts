import type { Writable } from 'node:stream';
import type { WrittenIdentity } from '../pack/write-options.js';
import { writeJson } from './output.js';

/** What `pack` and `edit` both report about the package they wrote. */
interface WrittenSummary extends WrittenIdentity {
  readonly output: string;
  readonly parts: readonly unknown[];
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

/** `--json`: the result with its parts counted, not listed (`appv ls --json` lists them). */
export function writeWrittenJson(stdout: Writable, result: WrittenSummary): void {
  const { parts, ...summary } = result;
  writeJson(stdout, { ...summary, parts: parts.length });
}
