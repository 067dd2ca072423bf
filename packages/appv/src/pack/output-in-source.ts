import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { AppvError, ErrorCode } from '@appv/opc';
import { AppvPackage } from '../appv-package.js';
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
  if (relative.startsWith('..') || path.isAbsolute(relative)) return;
  if (await isAppvPackage(target)) return;
  throw new AppvError(
    ErrorCode.PACK_INPUT_INVALID,
    `The package would replace ${output}, a file of the folder being packed that is no App-V package: write it elsewhere`,
    { file: output },
  );
}

/** A package from an earlier run: it opens, and holds a manifest and a BlockMap (FORMAT.md §1). */
async function isAppvPackage(file: string): Promise<boolean> {
  const pkg = await AppvPackage.open(file, { readOnly: true }).catch(() => null);
  if (pkg === null) return false;
  try {
    return pkg.has(PartNames.manifest) && pkg.has(PartNames.blockMap);
  } finally {
    await pkg.close();
  }
}
