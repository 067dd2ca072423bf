import {
  AppvError,
  checkModelArgument,
  ErrorCode,
  getAttribute,
  MAX_PATH_DEPTH,
  parseXml,
  type XmlDocument,
  type XmlElement,
} from '@appv/opc';
import { mergeFilesystemMetadata } from './filesystem-metadata-merge.js';
import {
  type FootprintParseOptions,
  ParsedFingerprints,
  typedElement,
  typedRoot,
  writeTypedDocument,
} from './footprint-document.js';
import { FILESYSTEM_METADATA_NS, sameNamespaceIgnoringCase } from './namespaces.js';

/**
 * FilesystemMetadata.xml (FORMAT.md §5, [tools]): the long/short name tree of the captured files, the
 * package root, and the empty and opaque directories that a ZIP without directory entries cannot hold.
 * Whether it agrees with the payload is the verifier's check (APPV_FSMETA_MISMATCH).
 */

export const FILESYSTEM_METADATA_PART = 'FilesystemMetadata.xml';

export interface FilesystemEntry {
  /** One path segment (the long name). */
  long: string;
  /** 8.3 short name; absent on the top `Root` entry. */
  short?: string;
  children: FilesystemEntry[];
}

/** A flat entry of EmptyDirectories / OpaqueDirectories: full relative paths, long and short. */
export interface DirectoryPath {
  long: string;
  short?: string;
}

export interface FilesystemMetadata {
  namespace: string;
  /** `Filesystem/@Root`: the primary virtual application directory, e.g. `C:\Program Files\Vendor App`. */
  root?: string;
  /** `Filesystem/@Short`: its 8.3 form. */
  shortRoot?: string;
  /** Top-level entries of `Filesystem` (normally the single `Root`). */
  entries: FilesystemEntry[];
  emptyDirectories: DirectoryPath[];
  opaqueDirectories: DirectoryPath[];
  document?: XmlDocument;
}

/**
 * Every file and directory path of the tree, parents before children, in the package's backslash form
 * (`Root`, `Root\VFS`, `Root\VFS\ProgramFilesX86\…`). The tree does not say which leaves are files.
 */
export function flattenPaths(tree: FilesystemMetadata | readonly FilesystemEntry[]): string[] {
  const out: string[] = [];
  forEachPath(tree, (path) => out.push(path));
  return out;
}

/**
 * Offers `visit` every path {@link flattenPaths} lists, in the same order, without holding them all: a
 * checker that only needs each path once keeps its memory to the tree it already has.
 */
export function forEachPath(
  tree: FilesystemMetadata | readonly FilesystemEntry[],
  visit: (path: string) => void,
): void {
  if (!Array.isArray(tree))
    checkModelArgument(tree, 'a FilesystemMetadata or its entries', 'forEachPath', { entries: 'array' });
  if (typeof visit !== 'function') throw new AppvError(ErrorCode.USAGE, 'forEachPath takes a visit function');
  const entries: readonly FilesystemEntry[] = isEntryList(tree) ? tree : tree.entries;
  // Iterative: a hostile document may nest deeper than the call stack.
  const stack: { entry: FilesystemEntry; prefix: string }[] = [];
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i];
    if (entry !== undefined) stack.push({ entry, prefix: '' });
  }
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const path = item.prefix === '' ? item.entry.long : `${item.prefix}\\${item.entry.long}`;
    visit(path);
    for (let i = item.entry.children.length - 1; i >= 0; i--) {
      const child = item.entry.children[i];
      if (child !== undefined) stack.push({ entry: child, prefix: path });
    }
  }
}

function isEntryList(
  tree: FilesystemMetadata | readonly FilesystemEntry[],
): tree is readonly FilesystemEntry[] {
  return Array.isArray(tree);
}

export function buildFilesystemMetadata(
  fields: Omit<FilesystemMetadata, 'namespace' | 'document'>,
): FilesystemMetadata {
  return { namespace: FILESYSTEM_METADATA_NS, ...fields };
}

export function parseFilesystemMetadata(
  bytes: Uint8Array | string,
  options: FootprintParseOptions = {},
): FilesystemMetadata {
  const part = options.part ?? FILESYSTEM_METADATA_PART;
  const document = parseXml(bytes, {
    part,
    ...(options.maxNodes === undefined ? {} : { maxNodes: options.maxNodes }),
  });
  const invalid = (message: string): never => {
    throw new AppvError(ErrorCode.APPV_FSMETA_INVALID, `${part}: ${message}`, { part });
  };
  const root = document.root;
  if (root.localName !== 'Metadata' || !sameNamespaceIgnoringCase(root.namespace, FILESYSTEM_METADATA_NS)) {
    invalid(`root is {${root.namespace ?? ''}}${root.localName}, not a FilesystemMetadata Metadata`);
  }
  const namespace = root.namespace as string;
  const children = (element: XmlElement): XmlElement[] =>
    element.children.filter((c): c is XmlElement => c.kind === 'element' && c.namespace === namespace);
  const entryOf = (element: XmlElement): FilesystemEntry => {
    if (element.localName !== 'Entry') invalid(`unexpected element ${element.name}`);
    const long = getAttribute(element, null, 'Long');
    if (long === undefined || long === '') return invalid('an Entry has no Long name');
    const short = getAttribute(element, null, 'Short');
    return short === undefined ? { long, children: [] } : { long, short, children: [] };
  };

  const metadata: FilesystemMetadata = {
    namespace,
    entries: [],
    emptyDirectories: [],
    opaqueDirectories: [],
  };
  let seenFilesystem = false;
  for (const section of children(root)) {
    switch (section.localName) {
      case 'Filesystem': {
        if (seenFilesystem) invalid('more than one Filesystem element');
        seenFilesystem = true;
        const rootPath = getAttribute(section, null, 'Root');
        const shortRoot = getAttribute(section, null, 'Short');
        if (rootPath !== undefined) metadata.root = rootPath;
        if (shortRoot !== undefined) metadata.shortRoot = shortRoot;
        // Iterative walk of nested Entry elements. The depth is capped: real paths are short, and every
        // consumer builds full paths, which costs depth² characters on a hostile, deeply nested tree.
        const stack: { element: XmlElement; into: FilesystemEntry[]; depth: number }[] = children(section)
          .map((element) => ({ element, into: metadata.entries, depth: 1 }))
          .reverse();
        for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
          if (item.depth > MAX_PATH_DEPTH) invalid(`entries nest deeper than ${MAX_PATH_DEPTH} levels`);
          const entry = entryOf(item.element);
          item.into.push(entry);
          const nested = children(item.element);
          for (let i = nested.length - 1; i >= 0; i--) {
            const child = nested[i];
            if (child !== undefined)
              stack.push({ element: child, into: entry.children, depth: item.depth + 1 });
          }
        }
        break;
      }
      case 'EmptyDirectories':
      case 'OpaqueDirectories': {
        const list =
          section.localName === 'EmptyDirectories' ? metadata.emptyDirectories : metadata.opaqueDirectories;
        for (const element of children(section)) {
          const { long, short } = entryOf(element);
          list.push(short === undefined ? { long } : { long, short });
        }
        break;
      }
      default:
        // Unknown sections are kept in the tree and survive an unchanged round trip. [inferred]
        break;
    }
  }
  if (options.keepSource === false) return metadata;
  metadata.document = document;
  prints.remember(metadata);
  return metadata;
}

function fingerprint(m: FilesystemMetadata, put: (text: string) => void): void {
  // Iterative (a parsed tree may be deeper than JSON.stringify can recurse).
  put(JSON.stringify([m.namespace, m.root, m.shortRoot, m.emptyDirectories, m.opaqueDirectories]));
  const stack: (FilesystemEntry | ')')[] = [...m.entries].reverse();
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (item === ')') {
      put(')');
      continue;
    }
    put(`(${JSON.stringify([item.long, item.short])}`);
    stack.push(')');
    for (let i = item.children.length - 1; i >= 0; i--) {
      const child = item.children[i];
      if (child !== undefined) stack.push(child);
    }
  }
}

const prints = new ParsedFingerprints<FilesystemMetadata>(fingerprint);

/** The `Entry` elements of a tree, built iteratively so that depth cannot overflow the stack. */
function entryElements(ns: string, entries: readonly FilesystemEntry[]): XmlElement[] {
  const top: XmlElement[] = [];
  const stack: { entry: FilesystemEntry; into: XmlElement[] }[] = entries
    .map((entry) => ({ entry, into: top }))
    .reverse();
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    requireLong(item.entry.long);
    const element = typedElement('Entry', ns, [
      ['Long', item.entry.long],
      ['Short', item.entry.short],
    ]);
    item.into.push(element);
    const children = item.entry.children;
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i];
      if (child !== undefined) stack.push({ entry: child, into: element.children as XmlElement[] });
    }
  }
  return top;
}

/** An Entry without a Long name is refused when read (FORMAT.md §5), so it is refused when written too. */
function requireLong(long: string): string {
  if (typeof long === 'string' && long !== '') return long;
  throw new AppvError(ErrorCode.APPV_FSMETA_INVALID, 'FilesystemMetadata.xml: an Entry has no Long name', {
    part: 'FilesystemMetadata.xml',
  });
}

function regenerate(m: FilesystemMetadata): XmlElement {
  const ns = m.namespace;
  const flat = (name: string, list: readonly DirectoryPath[]): XmlElement =>
    typedElement(
      name,
      ns,
      [],
      list.map((d) =>
        typedElement('Entry', ns, [
          ['Long', requireLong(d.long)],
          ['Short', d.short],
        ]),
      ),
    );
  return typedRoot(
    'Metadata',
    ns,
    [],
    [
      typedElement(
        'Filesystem',
        ns,
        [
          ['Root', m.root],
          ['Short', m.shortRoot],
        ],
        entryElements(ns, m.entries),
      ),
      flat('EmptyDirectories', m.emptyDirectories),
      flat('OpaqueDirectories', m.opaqueDirectories),
    ],
  );
}

/**
 * The bytes of FilesystemMetadata.xml: the parsed text when unchanged; else Windows style, within the parsed
 * (or kept, see `document`) document when there is one, so foreign content survives. [inferred]
 */
export function serializeFilesystemMetadata(metadata: FilesystemMetadata): Buffer {
  checkModelArgument(metadata, 'a FilesystemMetadata', 'serializeFilesystemMetadata', {
    entries: 'array',
    emptyDirectories: 'array',
    opaqueDirectories: 'array',
  });
  return writeTypedDocument(metadata, prints, regenerate, (m, document) =>
    mergeFilesystemMetadata(regenerate(m), document),
  );
}
