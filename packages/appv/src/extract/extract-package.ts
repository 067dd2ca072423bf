import path from 'node:path';
import {
  AppvError,
  callerCallback,
  checkOptionKeys,
  checkPathArgument,
  describeError,
  ErrorCode,
  type Finding,
  findingFromError,
  isAppvError,
  LoopTurns,
  type OptionKeys,
  type PackageInput,
  type PackageItem,
  throwIfAborted,
  toAppvError,
  WHOLE_READ_BYTES,
} from '@appv/opc';
import { AppvPackage } from '../appv-package.js';

import { assertAbsent, writeBufferAtomically, writeFileAtomically } from './atomic-write.js';
import { DirectoryGuard } from './directory-guard.js';
import { type PlanEntry, planExtraction } from './extract-plan.js';
import { makeDirectories } from './make-directories.js';

export interface ExtractOptions {
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: ExtractProgress) => void) | undefined;
  /** Replace files that already exist in the target (default false: refuse before writing anything). */
  readonly overwrite?: boolean | undefined;
  /**
   * Only these items (decoded or ZIP names). Default: every item, footprint XML and `[Content_Types].xml`
   * included, plus FilesystemMetadata.xml's empty directories.
   */
  readonly parts?: readonly string[] | undefined;
}

const EXTRACT_OPTION_KEYS: OptionKeys<ExtractOptions> = {
  signal: 'signal',
  onProgress: 'function',
  overwrite: 'boolean',
  parts: 'strings',
};

export interface ExtractProgress {
  readonly files: number;
  readonly totalFiles: number;
  readonly bytes: number;
  readonly totalBytes: number;
}

export interface ExtractResult {
  readonly files: number;
  /** Directories created (parents and FilesystemMetadata.xml's empty directories). */
  readonly directories: number;
  /** Uncompressed bytes written. */
  readonly bytes: number;
  /** Non-fatal: FilesystemMetadata.xml could not be read, so its empty directories were not created. */
  readonly problems: readonly Finding[];
}

/**
 * Writes every item of the package under `targetDir`, each at its decoded name (FORMAT.md §8: BlockMap form,
 * `\` → path separator, so the ZIP's `%255B` becomes a file named `%5B`).
 *
 * Safety: every name is validated before the first write (EXTRACT_PATH_UNSAFE: traversal, absolute, drive,
 * control characters, collisions), no directory is entered through a link leading outside the target, and
 * each file appears under its final name only once complete and CRC-checked. Memory stays bounded: parts are
 * streamed one at a time. Existing files are refused (IO_WRITE_FAILED) unless `overwrite`.
 */
export async function extractPackage(
  input: AppvPackage | PackageInput,
  targetDir: string,
  options: ExtractOptions = {},
): Promise<ExtractResult> {
  checkOptionKeys(options, EXTRACT_OPTION_KEYS, 'extractPackage');
  // An empty target resolved to the current folder, and the package was written there (found by review).
  checkPathArgument(targetDir, 'the target folder', 'extractPackage');
  if (input instanceof AppvPackage) return extractOpen(input, targetDir, options);
  // A path or bytes, as verifyPackage takes: opened read-only for this extraction and closed after it.
  const pkg = await AppvPackage.open(input, {
    readOnly: true,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  try {
    return await extractOpen(pkg, targetDir, options);
  } finally {
    await pkg.close();
  }
}

async function extractOpen(
  pkg: AppvPackage,
  targetDir: string,
  options: ExtractOptions,
): Promise<ExtractResult> {
  const { signal } = options;
  const root = path.resolve(targetDir);
  const items = selectItems(pkg, options.parts);
  const problems: Finding[] = [];
  const emptyDirectories = options.parts ? [] : await emptyDirectoriesOf(pkg, problems, signal);
  throwIfAborted(signal);

  const plan = await planExtraction(
    root,
    items,
    emptyDirectories,
    (item) => pkg.opc.unreadableError(item),
    signal,
  );
  refuseExisting(plan, options.overwrite ?? false);

  try {
    await makeDirectories(root);
  } catch (error) {
    throw new AppvError(
      ErrorCode.IO_WRITE_FAILED,
      `Cannot create the target folder ${root}: ${describeError(error)}`,
      { file: root, cause: error },
    );
  }
  const guard = await DirectoryGuard.forRoot(root);
  const fileEntries = plan.filter((e) => e.kind === 'file');
  const totalBytes = fileEntries.reduce((sum, e) => sum + e.item.uncompressedSize, 0);
  let files = 0;
  let bytes = 0;
  const onProgress = callerCallback('onProgress', options.onProgress);
  const report = () => onProgress?.({ files, totalFiles: fileEntries.length, bytes, totalBytes });

  try {
    // Small files are read and written synchronously: the loop must still hear an abort or Ctrl-C.
    const turns = new LoopTurns();
    for (const entry of plan) {
      await turns.take();
      throwIfAborted(signal);
      if (entry.kind === 'directory') {
        guard.ensure(entry.target, entry.name);
        continue;
      }
      if (entry.item.uncompressedSize <= WHOLE_READ_BYTES) {
        // Small: read and checked whole (size, CRC) before anything is written, then written in one go; its
        // folder is checked after the read, just before the write (the narrowest window left to a racer).
        const content = await pkg.opc.readPart(entry.item, {
          maxSize: WHOLE_READ_BYTES,
          ...(signal ? { signal } : {}),
        });
        guard.ensure(path.dirname(entry.target), entry.name);
        writeBufferAtomically(content, entry.target, entry.name, { overwrite: options.overwrite ?? false });
        bytes += content.length;
        files++;
        report();
        continue;
      }
      guard.ensure(path.dirname(entry.target), entry.name);
      await writeFileAtomically(
        () => pkg.opc.openStream(entry.item, signal ? { signal } : {}),
        entry.target,
        entry.name,
        {
          overwrite: options.overwrite ?? false,
          ...(signal ? { signal } : {}),
          onBytes: (length) => {
            bytes += length;
            report();
          },
        },
      );
      files++;
      report();
    }
  } catch (error) {
    throw leftBehind(error, files, root);
  }
  return { files, directories: guard.created, bytes, problems };
}

/**
 * A failure part-way (a part that fails its CRC, a full disk) says what it leaves: the files written before
 * it stay, each whole (found by review: the error alone read as if nothing had been written).
 */
function leftBehind(error: unknown, files: number, root: string): unknown {
  // An abort and the caller's own callback failing (USAGE, the thrown error as cause) are theirs to read as is.
  const callers: string[] = [ErrorCode.ABORTED, ErrorCode.USAGE];
  if (files === 0 || !isAppvError(error) || callers.includes(error.code)) return error;
  return new AppvError(
    error.code,
    `${error.message} (the ${files} file(s) extracted before it are left in ${root}, each complete)`,
    {
      ...(error.part === undefined ? {} : { part: error.part }),
      ...(error.offset === undefined ? {} : { offset: error.offset }),
      ...(error.block === undefined ? {} : { block: error.block }),
      cause: error,
    },
  );
}

function selectItems(pkg: AppvPackage, parts: readonly string[] | undefined): readonly PackageItem[] {
  if (!parts) return pkg.items;
  const chosen = new Map<number, PackageItem>();
  for (const name of parts) {
    const item = pkg.part(name);
    chosen.set(item.index, item);
  }
  return [...chosen.values()];
}

/** FORMAT.md §5: a ZIP has no directory entries, so empty directories exist only in FilesystemMetadata.xml. */
async function emptyDirectoriesOf(
  pkg: AppvPackage,
  problems: Finding[],
  signal: AbortSignal | undefined,
): Promise<string[]> {
  try {
    const metadata = await pkg.filesystemMetadata({ signal });
    return metadata ? metadata.emptyDirectories.map((d) => d.long) : [];
  } catch (error) {
    const wrapped = toAppvError(error, ErrorCode.APPV_FSMETA_INVALID);
    if (wrapped.code === ErrorCode.ABORTED || wrapped.code === ErrorCode.IO_READ_FAILED) throw wrapped;
    // The files are still worth having: extract them, and say the empty directories are missing.
    problems.push(findingFromError(wrapped, 'warning'));
    return [];
  }
}

/** What is in the way (see assertAbsent) is refused before the first write, not halfway through. */
function refuseExisting(plan: readonly PlanEntry[], overwrite: boolean): void {
  for (const entry of plan) if (entry.kind === 'file') assertAbsent(entry.target, entry.name, overwrite);
}
