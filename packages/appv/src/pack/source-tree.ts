import { accessSync, constants, readdirSync, realpathSync, type Stats, statSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { KNOWN_FOLDER_TOKENS, PACKAGE_ROOT_TOKEN } from '@appv/manifest';
import {
  AppvError,
  checkPathArgument,
  checkTextArgument,
  compareOrdinal,
  describeError,
  ErrorCode,
  encodePartName,
  isAppvError,
  isTemporaryPathOf,
  LoopTurns,
  MAX_ENTRIES,
  MAX_PATH_DEPTH,
  nearestName,
  partNameProblems,
  quoted,
  strictUtf8,
  throwIfAborted,
} from '@appv/opc';
import { isStrictlyInside, unsafeNameReason } from '../extract/safe-path.js';
import { fileNameKey } from '../file-name-key.js';
import { PartNames } from '../footprint.js';

/** A payload file to pack: its package name (BlockMap form) and where its bytes are. */
export interface SourceFile {
  readonly name: string;
  readonly path: string;
  readonly size: number;
}

/** What `appv pack <dir>` found, every name already checked: nothing is written before this exists. */
export interface SourceTree {
  /** `package`: `<dir>` holds `Root/…` (and maybe footprint parts); `folder`: a plain folder placed under a VFS token. */
  readonly layout: 'package' | 'folder';
  /** Layout `folder`: where the folder was placed, e.g. `Root\VFS\ProgramFilesX86\Vendor App`. */
  readonly placement?: string;
  /** Payload files under `Root\`, sorted by name (ordinal), so the package order never depends on the disk. */
  readonly files: readonly SourceFile[];
  /** Directories under `Root\` that hold nothing (FilesystemMetadata's EmptyDirectories, FORMAT.md §5). */
  readonly emptyDirectories: readonly string[];
  /** Footprint parts found beside `Root` (layout `package`), by part name: kept and updated, not regenerated. */
  readonly footprint: ReadonlyMap<string, string>;
}

/** Footprint parts a package layout may carry beside `Root`, kept as given (FORMAT.md §1). */
const KEPT_FOOTPRINT = [
  PartNames.manifest,
  PartNames.streamMap,
  PartNames.filesystemMetadata,
  PartNames.packageHistory,
  PartNames.registry,
];
/** Always regenerated from what is written, so a stale copy beside `Root` is ignored. */
const REGENERATED = [PartNames.contentTypes, PartNames.blockMap];

/**
 * Reads the source folder. The walk uses synchronous file-system calls on purpose: tens of thousands of
 * metadata lookups cost ~3 µs each that way, against ~60 µs each through libuv's thread pool. `vfs` is where a plain folder goes (`ProgramFilesX86/Vendor App` →
 * `Root\VFS\ProgramFilesX86\Vendor App\…`). Every name is checked here (OPC can carry it, Windows can hold
 * it, no two collide in case or normalization) and every file is checked readable, so a bad source fails
 * before the first byte of the package is written. `signal` is heard between folders: a tree of hundreds of
 * thousands of files takes seconds to scan. Paths in `exclude` are not packed: a package written into the
 * folder it packs would otherwise take in the previous run's package and configuration files.
 */
export async function scanSource(
  dir: string,
  vfs: string | undefined,
  signal?: AbortSignal,
  exclude: ReadonlySet<string> = new Set(),
): Promise<SourceTree> {
  checkPathArgument(dir, 'the folder to scan', 'scanSource');
  if (vfs !== undefined) checkTextArgument(vfs, 'a VFS token path', 'scanSource');
  // The real path, so that paths excluded by their real paths (the package being written) are recognised
  // however either was reached (a symbolic link in -o or in <dir>; found by review).
  const root = await realpath(path.resolve(dir)).catch(() => path.resolve(dir));
  const info = await stat(root).catch((error: unknown) => {
    throw unreadable(root, error);
  });
  if (!info.isDirectory()) {
    throw new AppvError(ErrorCode.PACK_SOURCE_UNREADABLE, `${dir} is not a directory`, { file: dir });
  }
  const top = listDirectory(root, exclude);
  // Part names compare case-insensitively (FORMAT.md §8): `root/` is a layout too, not a plain folder whose
  // manifest and BlockMap would be packed as payload (found by review).
  const rootEntry = top.find((entry) => entry.name.toLowerCase() === 'root');
  if (rootEntry && vfs === undefined) return scanLayout(root, top, rootEntry, signal, exclude);
  const prefix = placementOf(vfs ?? `ProgramFilesX86/${path.basename(root)}`);
  const walked = await walk(root, root, prefix, signal, exclude);
  return { layout: 'folder', placement: prefix.join('\\'), ...walked, footprint: new Map() };
}

async function scanLayout(
  root: string,
  top: readonly DirEntry[],
  rootEntry: DirEntry,
  signal: AbortSignal | undefined,
  exclude: ReadonlySet<string>,
): Promise<SourceTree> {
  const footprint = new Map<string, string>();
  const unknown: string[] = [];
  // The walk checks the links below Root; Root itself and the kept parts beside it are links too, maybe:
  // one to /etc/shadow named Registry.dat was packed (found by review).
  if (rootEntry.type === 'symlink') checkLinkInside(root, path.join(root, rootEntry.name), 'Root');
  for (const entry of top) {
    if (entry === rootEntry) continue;
    const kept = KEPT_FOOTPRINT.find((name) => name.toLowerCase() === entry.name.toLowerCase());
    const file = path.join(root, entry.name);
    if (kept && entry.type === 'symlink') checkLinkInside(root, file, kept);
    const info = kept
      ? await stat(file).catch((error: unknown) => {
          throw unreadable(file, error, kept);
        })
      : null;
    if (kept && info?.isFile()) footprint.set(kept, file);
    else if (!REGENERATED.some((name) => name.toLowerCase() === entry.name.toLowerCase()))
      unknown.push(entry.name);
  }
  if (unknown.length > 0) {
    throw new AppvError(
      ErrorCode.PACK_INPUT_INVALID,
      `${root} looks like a package layout (it has Root/) but also holds ${unknown.map((n) => quoted(n)).join(', ')}: ` +
        `only Root/ and ${KEPT_FOOTPRINT.join(', ')} belong there (use --vfs to pack a plain folder)`,
    );
  }
  for (const [name, file] of footprint) checkReadable(file, name);
  const walked = await walk(root, path.join(root, rootEntry.name), ['Root'], signal, exclude);
  return { layout: 'package', ...walked, footprint };
}

/**
 * Where `--vfs` puts a plain folder, as package name segments: `ProgramFilesX86/Vendor App` (or with `\`)
 * → `Root\VFS\ProgramFilesX86\Vendor App`. The token may be written as the manifest writes it
 * (`[{ProgramFilesX86}]`); `AppVPackageRoot` is the package root itself, `Root\` (FORMAT.md §6), not a folder
 * under VFS, where no token path could name its files and every application was silently left out (found
 * by review). A token one letter off a known one is refused with the likely one.
 */
function placementOf(vfs: string): string[] {
  const segments = vfs.split(/[\\/]+/).filter((s) => s !== '');
  const token = /^\[\{(.*)\}\]$/.exec(segments[0] ?? '')?.[1] ?? segments[0];
  if (token === undefined || token === '')
    throw new AppvError(ErrorCode.USAGE, '--vfs needs a token, e.g. "ProgramFilesX86/Vendor App"');
  const rest = segments.slice(1);
  for (const segment of [token, ...rest]) checkName(segment, `--vfs ${vfs}`, segment);
  if (token.toLowerCase() === PACKAGE_ROOT_TOKEN.toLowerCase()) return ['Root', ...rest];
  // A known token is written as App-V writes it, whatever case it was given in.
  const known = KNOWN_FOLDER_TOKENS.find((k) => k.toLowerCase() === token.toLowerCase());
  if (known !== undefined) return ['Root', 'VFS', known, ...rest];
  const likely = nearestName(token, KNOWN_FOLDER_TOKENS);
  if (likely !== undefined) {
    throw new AppvError(
      ErrorCode.USAGE,
      `--vfs ${vfs}: ${quoted(token)} is no folder token; did you mean ${quoted(likely)}?`,
    );
  }
  return ['Root', 'VFS', token, ...rest];
}

async function walk(
  root: string,
  start: string,
  prefix: readonly string[],
  signal: AbortSignal | undefined,
  exclude: ReadonlySet<string>,
): Promise<{ files: SourceFile[]; emptyDirectories: string[] }> {
  const files: SourceFile[] = [];
  const emptyDirectories: string[] = [];
  let directories = 0;
  // Iterative: a deep tree must not exhaust the stack. Each directory carries its package name and depth,
  // so an entry costs one concatenation, not a copy of its parents' segments.
  if (prefix.length > MAX_PATH_DEPTH) {
    throw new AppvError(
      ErrorCode.PACK_NAME_INVALID,
      `${prefix.join('\\')} nests deeper than ${MAX_PATH_DEPTH} levels`,
    );
  }
  const stack: { dir: string; name: string; depth: number; up: Ancestry | null }[] = [
    { dir: start, name: prefix.join('\\'), depth: prefix.length, up: null },
  ];
  const turns = new LoopTurns(); // the walk is synchronous: timers and Ctrl-C still get their turn
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    await turns.take();
    throwIfAborted(signal); // a tree of 200,000 files takes seconds: Ctrl-C must not wait for all of it
    const { dir, name: dirName, depth, up } = next;
    // A folder reached again through a link inside the folder is packed again, as a link to a file is (and as
    // `zip -r` does; found by review: it was refused as "reached twice"); only one inside itself is a loop.
    const identity = directoryIdentity(dir);
    const loop = findAncestor(up, identity);
    if (loop !== null) {
      throw new AppvError(
        ErrorCode.PACK_INPUT_INVALID,
        `${dir} leads back to ${loop} above it (a symbolic link loop): its files would be packed for ever`,
        { part: dirName },
      );
    }
    const ancestry: Ancestry = { identity, dir, up };
    const entries = listDirectory(dir, exclude);
    // Links can make a small tree look huge (each level linking twice to the next): bounded as a package is.
    directories++;
    if (files.length + directories + entries.length > MAX_ENTRIES) {
      throw new AppvError(
        ErrorCode.PACK_INPUT_INVALID,
        `${root} holds more than ${MAX_ENTRIES} files and folders (following its symbolic links), more than a package may`,
      );
    }
    if (entries.length === 0 && depth > 1) emptyDirectories.push(dirName);
    // Two names are one file on Windows only if their directories are (refused when those were listed) and
    // their last segments are: so collisions are looked for among siblings, by segment.
    const siblings = new Map<string, string>();
    const named = entries.map((entry) => {
      // `dir` is resolved and a listed name is one segment (never `.`, `..` or holding `/`): no path.join.
      const full = dir.endsWith(path.sep) ? `${dir}${entry.name}` : `${dir}${path.sep}${entry.name}`;
      // Joined, not concatenated: names live as long as the pack, and a concatenation is a rope (part-name.ts).
      const name = [dirName, entry.name].join('\\');
      // `\` is the package's separator (FORMAT.md §2): inside a Linux file name it would split it in two.
      if (entry.name.includes('\\')) throw invalidName(name, full, 'its file name contains "\\"');
      if (depth >= MAX_PATH_DEPTH)
        throw invalidName(name, full, `it nests deeper than ${MAX_PATH_DEPTH} levels`);
      // The directories above were checked when they were listed: only the new segment needs checking.
      checkName(entry.name, full, name);
      claim(siblings, entry.name, dirName);
      return { entry, full, name };
    });
    for (const { entry, full, name } of named) {
      const kind = kindOf(root, full, entry, name);
      if (kind.directory) stack.push({ dir: full, name, depth: depth + 1, up: ancestry });
      else {
        checkReadable(full, name);
        files.push({ name, path: full, size: kind.size });
      }
    }
  }
  files.sort((a, b) => compareOrdinal(a.name, b.name));
  emptyDirectories.sort(compareOrdinal);
  return { files, emptyDirectories };
}

/** Refuses a segment that would be the same file on Windows as a sibling already listed (fileNameKey). */
function claim(siblings: Map<string, string>, segment: string, dirName: string): void {
  const key = fileNameKey(segment);
  const earlier = siblings.get(key);
  if (earlier !== undefined) {
    const name = `${dirName}\\${segment}`;
    throw new AppvError(
      ErrorCode.PACK_NAME_COLLISION,
      `${quoted(name)} and ${quoted(`${dirName}\\${earlier}`)} would be the same file on Windows (they differ only in case or Unicode normalization)`,
      { part: name },
    );
  }
  siblings.set(key, segment);
}

/**
 * Refuses a segment the package cannot carry: not an OPC part name (FORMAT.md §8), or not a Windows file
 * name. Both rules are per segment (depth aside, checked by the walk), so a name is valid when each of its
 * segments is. `name` is the package name the segment ends, for the message.
 */
function checkName(segment: string, where: string, name = segment): void {
  const problems = partNameProblems(encodePartName(segment));
  if (problems.length > 0) throw invalidName(name, where, problems.join('; '));
  const unsafe = unsafeNameReason(segment, 'win32');
  if (unsafe !== null) throw invalidName(name, where, unsafe);
}

function kindOf(
  root: string,
  full: string,
  entry: DirEntry,
  name: string,
): { directory: boolean; size: number } {
  if (entry.type === 'directory') return { directory: true, size: 0 };
  if (entry.type === 'symlink') checkLinkInside(root, full, name);
  let info: Stats | null = null;
  try {
    if (entry.type !== 'other') info = statSync(full);
  } catch (error) {
    throw unreadable(full, error, name);
  }
  if (info?.isDirectory()) return { directory: true, size: 0 };
  if (!info?.isFile()) {
    throw new AppvError(ErrorCode.PACK_SOURCE_UNREADABLE, `${full} is not a regular file or directory`, {
      part: name,
      file: full,
    });
  }
  return { directory: false, size: info.size };
}

/**
 * A symbolic link is followed (its target's content is packed, as `zip -r` does) only when it resolves
 * inside the folder being packed: a link to /etc/passwd put that file into the package silently, to be
 * shipped with it (found by review). A dangling link is left to the read that follows (unreadable).
 */
function checkLinkInside(root: string, full: string, name: string): void {
  let target: string;
  try {
    target = realpathSync(full);
  } catch {
    return;
  }
  if (target === root || isStrictlyInside(root, target)) return;
  throw new AppvError(
    ErrorCode.PACK_INPUT_INVALID,
    `${full} is a symbolic link to ${target}, outside the folder being packed: copy the file in if it belongs in the package`,
    { part: name },
  );
}

interface DirEntry {
  readonly name: string;
  readonly type: 'file' | 'directory' | 'symlink' | 'other';
}

/**
 * The entries of `dir`, less those whose paths are in `exclude` (the package being written, its configs) and
 * the temporary files of those (a writer killed with SIGKILL leaves its half package there).
 */
function listDirectory(dir: string, exclude: ReadonlySet<string> = new Set()): DirEntry[] {
  try {
    const entries = readdirSync(dir, { withFileTypes: true, encoding: 'buffer' });
    const listed: DirEntry[] = entries.map((entry) => ({
      name: decodeFileName(entry.name, dir),
      type: entry.isFile()
        ? 'file'
        : entry.isDirectory()
          ? 'directory'
          : entry.isSymbolicLink()
            ? 'symlink'
            : 'other',
    }));
    if (exclude.size === 0) return listed;
    return listed.filter((entry) => !isExcluded(path.join(dir, entry.name), exclude));
  } catch (error) {
    if (isAppvError(error)) throw error;
    throw unreadable(dir, error);
  }
}

/** Whether `full` is one of the `exclude` targets or a temporary file of one (no array made per entry). */
function isExcluded(full: string, exclude: ReadonlySet<string>): boolean {
  if (exclude.has(full)) return true;
  for (const target of exclude) if (isTemporaryPathOf(full, target)) return true;
  return false;
}

/** File names are bytes on Linux; a name that is not UTF-8 has no part name (FORMAT.md §8). */
function decodeFileName(raw: Buffer, dir: string): string {
  try {
    return strictUtf8.decode(raw);
  } catch {
    throw new AppvError(
      ErrorCode.PACK_NAME_INVALID,
      `A file in ${dir} has a name that is not UTF-8 (${quoted(raw.toString('latin1'))}): a package cannot carry it`,
    );
  }
}

/** The folders being listed above one (its path back to the packed folder), by identity. */
interface Ancestry {
  readonly identity: string;
  readonly dir: string;
  readonly up: Ancestry | null;
}

/** The folder above with this identity, or null. At most MAX_PATH_DEPTH steps. */
function findAncestor(up: Ancestry | null, identity: string): string | null {
  for (let at = up; at !== null; at = at.up) if (at.identity === identity) return at.dir;
  return null;
}

function directoryIdentity(dir: string): string {
  try {
    const info = statSync(dir);
    return `${info.dev}:${info.ino}`;
  } catch (error) {
    throw unreadable(dir, error);
  }
}

function checkReadable(file: string, name: string): void {
  try {
    accessSync(file, constants.R_OK);
  } catch (error) {
    throw unreadable(file, error, name);
  }
}

function invalidName(name: string, where: string, why: string): AppvError {
  return new AppvError(ErrorCode.PACK_NAME_INVALID, `${where}: ${quoted(name)} cannot be packed: ${why}`, {
    part: name,
  });
}

function unreadable(file: string, error: unknown, name?: string): AppvError {
  const why = describeError(error);
  return new AppvError(ErrorCode.PACK_SOURCE_UNREADABLE, `Cannot read ${file}: ${why}`, {
    ...(name === undefined ? {} : { part: name }),
    file,
    cause: error,
  });
}
