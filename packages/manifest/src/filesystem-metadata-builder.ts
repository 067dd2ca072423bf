import { AppvError, asciiUpper, compareOrdinal, ErrorCode, MAX_PATH_DEPTH, nameKey, quoted } from '@appv/opc';
import {
  buildFilesystemMetadata,
  type DirectoryPath,
  FILESYSTEM_METADATA_PART,
  type FilesystemEntry,
  type FilesystemMetadata,
} from './filesystem-metadata.js';
import { isRecordedShortName, isShortName, type ShortNameHints, shortName } from './short-name.js';

/**
 * FilesystemMetadata.xml for a package being written (FORMAT.md §5): the long/short tree of the payload,
 * the package root, and the empty and opaque directories a ZIP without directory entries cannot hold.
 */

export interface FilesystemMetadataInput {
  /** BlockMap-form (backslash) paths of payload files, each starting with `Root\`. */
  readonly files: readonly string[];
  /** BlockMap-form directory paths under `Root\` that exist but hold nothing. */
  readonly emptyDirectories?: readonly string[];
  /** BlockMap-form directory paths to mark opaque (FORMAT.md §5). */
  readonly opaqueDirectories?: readonly string[];
  /** `Filesystem/@Root`, e.g. `C:\Program Files (x86)\Vendor App`; `@Short` is derived per segment with shortName when not given. */
  readonly packageRoot?: { readonly long: string; readonly short?: string };
  /**
   * Short names to keep, by the nameKey of the full long path (`root\vfs\programfilesx86`): a previous
   * document's, so that an edited package keeps the sequencer's names where they still apply. One that
   * clashes in its directory with another kept one is generated anew; generated names avoid kept ones.
   */
  readonly shortNames?: ReadonlyMap<string, string>;
}

interface Node {
  /** The long name as first spelled (see generateFilesystemMetadata). */
  readonly long: string;
  readonly isFile: boolean;
  /** Children by OPC name key (FORMAT.md §8: names compare case-insensitively over ASCII). */
  readonly children: Map<string, Node>;
  listedEmpty: boolean;
  listedOpaque: boolean;
}

type Kind = 'file' | 'empty' | 'opaque';

interface PathItem {
  readonly path: string;
  readonly segments: readonly string[];
  readonly kind: Kind;
}

/** App-V's tokens for the two Program Files folders and what they stand for on an x64 machine. [tools] */
const PROGRAM_FILES_TOKENS: ReadonlyMap<string, string> = new Map([
  ['programfilesx86', 'C:\\Program Files (x86)'],
  ['programfilesx64', 'C:\\Program Files'],
]);

/**
 * Short names of folders directly under a drive whose Windows short name is fixed by install order on x64
 * Windows (`Program Files` is created first, so it is `PROGRA~1`); computing them in an empty directory
 * would call both `PROGRA~1`. [inferred]
 */
const WELL_KNOWN_SHORT: ReadonlyMap<string, string> = new Map([
  ['program files', 'PROGRA~1'],
  ['program files (x86)', 'PROGRA~2'],
]);

/**
 * The FilesystemMetadata of a payload.
 *
 * Deterministic: the same set of paths, in any order, gives the same document. Every path is sorted by
 * ordinal (UTF-16 code unit) order of its upper-cased form, ties by its exact form; directories compare
 * case-insensitively (ASCII, as OPC part names do, FORMAT.md §8), and the first path in that order to name a
 * directory gives its spelling: `Root\A\x` and `Root\a\y` share one directory `A`. Children are ordered by
 * their upper-cased long names and get their short names in that order, unique per directory. The top
 * entry is always spelled `Root` (FORMAT.md §5), whatever case the paths give it.
 *
 * Directories listed as empty or opaque are part of the tree. A directory with nothing in it (one listed
 * only as opaque, say) is an empty directory of the package and is listed in EmptyDirectories, so that the
 * document agrees with the payload (FORMAT.md §9.8). The flat lists carry full long paths and the short
 * path built from the tree's short names (`Root\VFS\COMMON~1\VENDOR`), parents before children.
 *
 * Without `packageRoot`, the root is derived from the single folder under `Root\VFS\ProgramFilesX86` or
 * `Root\VFS\ProgramFilesX64` (`C:\Program Files (x86)\<dir>`, `C:\Program Files\<dir>`) when there is
 * exactly one such folder across both, and is left out otherwise.
 *
 * Throws APPV_FSMETA_INVALID for a path not under `Root\`, an empty, `.` or `..` segment, a path nested
 * deeper than MAX_PATH_DEPTH, a path that is both a file and a directory, two files whose names differ only
 * in case, or a directory listed as empty that holds a file.
 */
export function generateFilesystemMetadata(input: FilesystemMetadataInput): FilesystemMetadata {
  if (!Array.isArray(input?.files))
    invalid('generateFilesystemMetadata needs { files: [...] }, the payload paths');
  const items = [
    ...input.files.map((path) => pathItem(path, 'file')),
    ...(input.emptyDirectories ?? []).map((path) => pathItem(path, 'empty')),
    ...(input.opaqueDirectories ?? []).map((path) => pathItem(path, 'opaque')),
  ]
    // Keys computed once, not per comparison: a package has tens of thousands of paths.
    .map((item) => ({ item, upper: asciiUpper(item.path) }))
    .sort((a, b) => compareOrdinal(a.upper, b.upper) || byExact(a.item, b.item))
    .map(({ item }) => item);

  const root = newNode('Root', false);
  for (const item of items) insert(root, item);
  checkEmptyDirectories(root, 'Root');

  const emptyDirectories: DirectoryPath[] = [];
  const opaqueDirectories: DirectoryPath[] = [];
  const top: FilesystemEntry = {
    long: 'Root',
    children: entriesOf(root, 'Root', 'Root', {
      emptyDirectories,
      opaqueDirectories,
      kept: input.shortNames,
    }),
  };
  const packageRoot = input.packageRoot ?? derivedPackageRoot(root);
  return buildFilesystemMetadata({
    ...(packageRoot === undefined
      ? {}
      : { root: packageRoot.long, shortRoot: packageRoot.short ?? shortPath(packageRoot.long) }),
    entries: [top],
    emptyDirectories,
    opaqueDirectories,
  });
}

function invalid(message: string): never {
  throw new AppvError(ErrorCode.APPV_FSMETA_INVALID, `${FILESYSTEM_METADATA_PART}: ${message}`, {
    part: FILESYSTEM_METADATA_PART,
  });
}

function pathItem(path: string, kind: Kind): PathItem {
  const what = kind === 'file' ? 'file' : `${kind} directory`;
  if (typeof path !== 'string') invalid(`a ${what} path must be text, not ${typeof path}`);
  if (path.includes('/')) invalid(`${what} ${quoted(path)} is not in BlockMap form (use "\\")`);
  const segments = path.split('\\');
  if (segments.length < 2 || nameKey(segments[0] ?? '') !== 'root')
    invalid(`${what} ${quoted(path)} is not under Root\\`);
  // The parser refuses entries nested deeper than this (Root counts as one level).
  if (segments.length > MAX_PATH_DEPTH)
    invalid(`${what} ${quoted(path.slice(0, 200))}… nests deeper than ${MAX_PATH_DEPTH} levels`);
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..')
      invalid(`${what} ${quoted(path)} has an empty, "." or ".." segment`);
  }
  return { path, segments: segments.slice(1), kind };
}

function newNode(long: string, isFile: boolean): Node {
  return { long, isFile, children: new Map(), listedEmpty: false, listedOpaque: false };
}

function insert(root: Node, item: PathItem): void {
  let node = root;
  item.segments.forEach((segment, index) => {
    const last = index === item.segments.length - 1;
    const key = nameKey(segment);
    const existing = node.children.get(key);
    if (last && item.kind === 'file') {
      if (existing === undefined) node.children.set(key, newNode(segment, true));
      else if (!existing.isFile) invalid(`${item.path} is a file, and a directory of other paths`);
      else if (existing.long !== segment)
        invalid(`files ${item.path} and …\\${existing.long} differ only in case`);
      // else: the same file named twice, one entry
      return;
    }
    let child = existing;
    if (child === undefined) {
      child = newNode(segment, false);
      node.children.set(key, child);
    } else if (child.isFile) {
      invalid(
        `${item.segments.slice(0, index + 1).join('\\')} under Root is a file, and a directory of ${item.path}`,
      );
    }
    if (last && item.kind === 'empty') child.listedEmpty = true;
    if (last && item.kind === 'opaque') child.listedOpaque = true;
    node = child;
  });
}

/** True when the subtree holds a file. Throws when a directory listed as empty does. */
function checkEmptyDirectories(node: Node, path: string): boolean {
  let holdsFile = false;
  for (const child of node.children.values()) {
    holdsFile = child.isFile || checkEmptyDirectories(child, `${path}\\${child.long}`) || holdsFile;
  }
  if (holdsFile && node.listedEmpty) invalid(`${path} is listed as an empty directory but holds files`);
  return holdsFile;
}

/** What entriesOf fills, and the short names it keeps. */
interface EntryLists {
  readonly emptyDirectories: DirectoryPath[];
  readonly opaqueDirectories: DirectoryPath[];
  readonly kept: ReadonlyMap<string, string> | undefined;
}

/** The entries under `node`, short names assigned in order; fills the flat lists in tree order. */
function entriesOf(
  node: Node,
  longPath: string,
  shortPathSoFar: string,
  lists: EntryLists,
): FilesystemEntry[] {
  const { emptyDirectories, opaqueDirectories, kept } = lists;
  const children = [...node.children.values()]
    .map((child) => ({ child, upper: asciiUpper(child.long) }))
    .sort((a, b) => compareOrdinal(a.upper, b.upper))
    .map(({ child }) => child);
  const hints: ShortNameHints = new Map();
  // A name that is already 8.3 is its own short name, as on Windows, and no other entry may take it: they
  // are reserved first (found by review: "Setup Files" took SETUPF~1 beside a file named SETUPF~1). Kept
  // names come next, if still valid 8.3 and free, so that the generated ones are chosen around both.
  const own = children.map((child) => (isShortName(child.long) ? asciiUpper(child.long) : undefined));
  const taken = new Set<string>(own.filter((short) => short !== undefined));
  const keptShorts = children.map((child, i) => {
    if (own[i] !== undefined) return own[i];
    const short = kept?.get(nameKey(`${longPath}\\${child.long}`));
    if (short === undefined || !isRecordedShortName(short) || taken.has(asciiUpper(short))) return undefined;
    taken.add(asciiUpper(short));
    return asciiUpper(short);
  });
  return children.map((child, i) => {
    let short = keptShorts[i];
    if (short === undefined) {
      short = shortName(child.long, taken, hints);
      taken.add(short);
    }
    const long = `${longPath}\\${child.long}`;
    const shortPath = `${shortPathSoFar}\\${short}`;
    // A directory with nothing in it is empty whether or not it was listed so (see generateFilesystemMetadata).
    if (!child.isFile && (child.listedEmpty || child.children.size === 0))
      emptyDirectories.push({ long, short: shortPath });
    if (child.listedOpaque) opaqueDirectories.push({ long, short: shortPath });
    return {
      long: child.long,
      short,
      children: entriesOf(child, long, shortPath, lists),
    };
  });
}

/** The single folder under the Program Files tokens, as a Windows path (see generateFilesystemMetadata). */
function derivedPackageRoot(root: Node): { readonly long: string; readonly short?: string } | undefined {
  const vfs = root.children.get('vfs');
  if (vfs === undefined || vfs.isFile) return undefined;
  const candidates: string[] = [];
  for (const [token, windowsPath] of PROGRAM_FILES_TOKENS) {
    const folder = vfs.children.get(token);
    if (folder === undefined || folder.isFile) continue;
    for (const child of folder.children.values())
      if (!child.isFile) candidates.push(`${windowsPath}\\${child.long}`);
  }
  const [only] = candidates;
  return candidates.length === 1 && only !== undefined ? { long: only } : undefined;
}

/** `C:\Program Files (x86)\Vendor App` → `C:\PROGRA~2\VENDOR~1`: each segment on its own. */
function shortPath(long: string): string {
  const segments = long.split('\\');
  return segments
    .map((segment, index) => {
      if (segment === '' || segment === '.' || segment === '..') return segment;
      if (/^[A-Za-z]:$/.test(segment)) return asciiUpper(segment);
      const underDrive = index === 1 && /^[A-Za-z]:$/.test(segments[0] ?? '');
      const known = underDrive ? WELL_KNOWN_SHORT.get(nameKey(segment)) : undefined;
      return known ?? shortName(segment, new Set());
    })
    .join('\\');
}

function byExact(a: PathItem, b: PathItem): number {
  return compareOrdinal(a.path, b.path) || compareOrdinal(a.kind, b.kind);
}
