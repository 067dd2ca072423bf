import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { AppvError, ErrorCode } from '@appv/opc';
import { AppvPackage } from '../appv-package.js';
import { requireAppvPackage } from '../appv-package-check.js';
import { PartNames } from '../footprint.js';

/**
 * A package may be written into the folder it packs: it is left out of the scan, so that a re-pack does not
 * pack the previous package. But a file already there that is no App-V package is the user's own, which the
 * pack would both leave out and replace: `pack src -o src/notes.txt` lost notes.txt without a word, and
 * `-o src/data.zip` would lose a ZIP of the user's (found by review). Refused before anything is written.
 */
export async function refuseSourceFileAsOutput(dir: string, output: string): Promise<void> {
  const source = await realpath(path.resolve(dir)).catch(() => null);
  const target = await realpath(path.resolve(output)).catch(() => null);
  if (source === null || target === null) return; // nothing there yet: nothing to lose
  const relative = path.relative(source, target);
  // `..notes.txt` is inside; only `..` as a whole segment leads out (found by review).
  if (relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) return;
  if (await isAppvPackage(target)) return;
  throw new AppvError(
    ErrorCode.PACK_INPUT_INVALID,
    `The package would replace ${output}, a file of the folder being packed that is no App-V package: write it elsewhere`,
    { file: output },
  );
}

/**
 * What a package from an earlier run is: an App-V package with its BlockMap (requireAppvPackage). A plain
 * AppX/MSIX of the user's, which has a manifest and a BlockMap too, was replaced (found by review).
 */
async function isAppvPackage(file: string): Promise<boolean> {
  const pkg = await AppvPackage.open(file, { readOnly: true }).catch(() => null);
  if (pkg === null) return false;
  try {
    requireAppvPackage(pkg, await pkg.manifest());
    return pkg.has(PartNames.blockMap);
  } catch {
    return false; // no manifest, one that does not parse, or no App-V package: not one we wrote
  } finally {
    await pkg.close();
  }
}
