import { open, realpath } from 'node:fs/promises';
import path from 'node:path';
import { AppvError, ErrorCode, SIG_LOCAL_HEADER } from '@appv/opc';

/**
 * A package may be written into the folder it packs: it is left out of the scan, so that a re-pack does not
 * pack the previous package. But a file already there that is no ZIP is the user's own file, which the pack
 * would both leave out and replace: `pack src -o src/notes.txt` lost notes.txt without a word (found by
 * review). Refused before anything is written.
 */
export async function refuseSourceFileAsOutput(dir: string, output: string): Promise<void> {
  const source = await realpath(path.resolve(dir)).catch(() => null);
  const target = await realpath(path.resolve(output)).catch(() => null);
  if (source === null || target === null) return; // nothing there yet: nothing to lose
  const relative = path.relative(source, target);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return;
  if (await startsWithZipHeader(target)) return;
  throw new AppvError(
    ErrorCode.PACK_INPUT_INVALID,
    `The package would replace ${output}, a file of the folder being packed that is not a package: write it elsewhere`,
    { file: output },
  );
}

/** How a package from an earlier run starts: a ZIP local file header (FORMAT.md §8). */
async function startsWithZipHeader(file: string): Promise<boolean> {
  const handle = await open(file, 'r').catch(() => null);
  if (handle === null) return false;
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return bytesRead === 4 && head.readUInt32LE(0) === SIG_LOCAL_HEADER;
  } finally {
    await handle.close();
  }
}
