import { type AppxManifest, tokenPathToPackagePath } from '@appv/manifest';
import { ErrorCode, type Finding, FindingList, type FindingSink, MAX_FINDINGS, partKey } from '@appv/opc';
import { PartNames } from './footprint.js';

/**
 * A warning (not in FORMAT.md §9, so the package stays valid) for each application whose executable is not
 * in the package: `edit --remove` of an application's .exe left a package that verified clean and launched
 * nothing (found by review). Paths that are no package path (`C:\Windows\notepad.exe`) are not ours to check.
 * `has` says whether the package holds a part; verify asks the package, edit the parts it is writing.
 */
export function checkApplicationTargets(
  manifest: AppxManifest,
  has: (name: string) => boolean,
  sink: FindingSink,
): void {
  for (const application of manifest.applications) {
    // App-V applications name theirs by `Target`; TargetInPackage="false" points outside, on purpose.
    const target = application.kind === 'appv' ? application.target : undefined;
    if (target === undefined || application.targetInPackage === false) continue;
    let name: string;
    try {
      name = tokenPathToPackagePath(target);
    } catch {
      continue;
    }
    if (has(name)) continue;
    sink.add({
      code: ErrorCode.APPV_APPLICATION_TARGET_MISSING,
      severity: 'warning',
      part: PartNames.manifest,
      message: `Application ${application.id ?? ''} runs ${target}, which the package does not have (${name})`,
    });
  }
}

/**
 * The same warnings for a package about to be written, whose parts are `names`: said by the writer at once
 * rather than by a later verify (found by review: edit --remove of an application's .exe, then pack of a
 * layout whose kept manifest names a file no longer there, were silent).
 */
export function applicationTargetWarnings(manifest: AppxManifest, names: Iterable<string>): Finding[] {
  const keys = new Set<string>();
  for (const name of names) keys.add(partKey(name));
  const warnings = new FindingList(MAX_FINDINGS);
  checkApplicationTargets(manifest, (name) => keys.has(partKey(name)), warnings);
  return warnings.findings;
}
