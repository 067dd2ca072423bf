import {
  AppvError,
  BLOCK_SIZE,
  childElements,
  ErrorCode,
  escapeAttribute,
  getAttribute,
  HASH_LENGTH,
  type HashAlgorithm,
  MAX_SAFE_SIZE,
  parseXml,
  type XmlDocument,
  type XmlElement,
} from '@appv/opc';
import {
  ParsedFingerprints,
  typedElement,
  typedRoot,
  WINDOWS_DECLARATION,
  writeTypedDocument,
} from './footprint-document.js';
import { BLOCKMAP_NAMESPACES, BLOCKMAP_NS_2010, HASH_METHOD_URIS, hashAlgorithmOf } from './namespaces.js';

/**
 * AppxBlockMap.xml (FORMAT.md §2). The parser checks what makes the document unreadable (root and
 * namespace, hash method, attribute syntax, base64 and hash length) and nothing semantic: duplicate
 * names, an empty map and block counts are the verifier's findings (FORMAT.md §9.5–§9.6), so that one
 * broken file does not hide every other problem.
 */

export const BLOCKMAP_PART = 'AppxBlockMap.xml';

export interface BlockMapBlock {
  /** Decoded `Hash`: the digest of one uncompressed 64 KiB block (the last one short). */
  hash: Buffer;
  /** `Size`: compressed length of the block; present for deflated items only (FORMAT.md §2). */
  size?: number;
}

export interface BlockMapFile {
  /** `Name` as written: percent-decoded part name with `\` separators. */
  name: string;
  /** Uncompressed size in bytes. */
  size: number;
  /** Length of the item's ZIP local file header (FORMAT.md §2, §3). */
  lfhSize: number;
  blocks: BlockMapBlock[];
}

export interface BlockMap {
  hashMethod: HashAlgorithm;
  /** The `HashMethod` URI as written. */
  hashMethodUri: string;
  /** Root namespace (2010 unless a newer writer produced the map). */
  namespace: string;
  files: BlockMapFile[];
  /** The tree it was parsed from; absent for a map built by buildBlockMap. */
  document?: XmlDocument;
}

export interface ParseOptions {
  /** Part name for error locations; default AppxBlockMap.xml. */
  readonly part?: string;
}

/** FORMAT.md §2: a non-empty file needs ceil(Size / 65536) blocks, an empty one none. */
export function expectedBlockCount(size: number): number {
  return Math.ceil(size / BLOCK_SIZE);
}

const DECIMAL = /^[0-9]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function parseBlockMap(bytes: Uint8Array | string, options: ParseOptions = {}): BlockMap {
  const part = options.part ?? BLOCKMAP_PART;
  const document = parseXml(bytes, { part });
  const root = document.root;
  const malformed = (message: string): never => {
    throw new AppvError(ErrorCode.BLOCKMAP_MALFORMED, `${part}: ${message}`, { part });
  };
  if (
    root.localName !== 'BlockMap' ||
    root.namespace === null ||
    !BLOCKMAP_NAMESPACES.includes(root.namespace)
  ) {
    throw new AppvError(
      ErrorCode.BLOCKMAP_NAMESPACE,
      `${part}: root is {${root.namespace ?? ''}}${root.localName}, not a BlockMap in a known namespace`,
      { part },
    );
  }
  const namespace = root.namespace;
  const hashMethodUri = getAttribute(root, null, 'HashMethod');
  if (hashMethodUri === undefined) malformed('BlockMap has no HashMethod');
  const hashMethod = hashAlgorithmOf(hashMethodUri as string);
  if (hashMethod === undefined) {
    throw new AppvError(ErrorCode.BLOCKMAP_HASH_METHOD, `${part}: unknown HashMethod "${hashMethodUri}"`, {
      part,
    });
  }
  const hashLength = HASH_LENGTH[hashMethod];

  const number = (
    element: XmlElement,
    attribute: string,
    fileName: string,
    required: boolean,
  ): number | undefined => {
    const text = getAttribute(element, null, attribute);
    if (text === undefined) {
      if (required) malformed(`${element.localName} of "${fileName}" has no ${attribute}`);
      return undefined;
    }
    const value = Number(text);
    if (!DECIMAL.test(text) || value > MAX_SAFE_SIZE) {
      malformed(`${attribute}="${text}" of "${fileName}" is not a non-negative integer`);
    }
    return value;
  };

  const files: BlockMapFile[] = [];
  for (const child of root.children) {
    if (child.kind === 'text' && child.cdata !== true && child.value.trim() === '') continue;
    if (child.kind === 'comment' || child.kind === 'pi') continue;
    if (child.kind !== 'element') return malformed('text directly inside BlockMap');
    // Elements of other namespaces are extensions (FORMAT.md §2: ignorable 2021 content).
    if (child.namespace !== namespace) continue;
    if (child.localName !== 'File') return malformed(`unexpected element ${child.name}`);
    const name = getAttribute(child, null, 'Name');
    if (name === undefined) return malformed('a File has no Name');
    const file: BlockMapFile = {
      name,
      size: number(child, 'Size', name, true) as number,
      lfhSize: number(child, 'LfhSize', name, true) as number,
      blocks: [],
    };
    for (const blockElement of childElements(child)) {
      // The 2021 FileHash child and any other foreign element are ignored, not errors.
      if (blockElement.namespace !== namespace) continue;
      if (blockElement.localName !== 'Block')
        return malformed(`unexpected element ${blockElement.name} in "${name}"`);
      const hashText = getAttribute(blockElement, null, 'Hash');
      if (hashText === undefined) return malformed(`a Block of "${name}" has no Hash`);
      if (!BASE64.test(hashText)) return malformed(`a Block Hash of "${name}" is not base64`);
      const hash = Buffer.from(hashText, 'base64');
      if (hash.length !== hashLength) {
        return malformed(
          `a Block Hash of "${name}" has ${hash.length} bytes, ${hashMethod} needs ${hashLength}`,
        );
      }
      const size = number(blockElement, 'Size', name, false);
      file.blocks.push(size === undefined ? { hash } : { hash, size });
    }
    files.push(file);
  }

  const map: BlockMap = { hashMethod, hashMethodUri: hashMethodUri as string, namespace, files, document };
  prints.remember(map);
  return map;
}

function fingerprint(map: BlockMap): string {
  const parts = [map.hashMethod, map.hashMethodUri, map.namespace];
  for (const file of map.files) {
    parts.push(`${file.name}\u0000${file.size}\u0000${file.lfhSize}`);
    for (const block of file.blocks) parts.push(`${block.hash.toString('base64')}\u0000${block.size ?? ''}`);
    parts.push('\u0001');
  }
  return parts.join('\n');
}

const prints = new ParsedFingerprints<BlockMap>(fingerprint);

/** A fresh map (2010 namespace) for a writer. Block hashes are taken as given. */
export function buildBlockMap(
  files: readonly BlockMapFile[],
  hashMethod: HashAlgorithm = 'sha256',
): BlockMap {
  return {
    hashMethod,
    hashMethodUri: HASH_METHOD_URIS[hashMethod],
    namespace: BLOCKMAP_NS_2010,
    files: files.map((f) => ({ ...f, blocks: f.blocks.map((b) => ({ ...b })) })),
  };
}

function regenerate(map: BlockMap): XmlElement {
  const files = map.files.map((file) =>
    typedElement(
      'File',
      map.namespace,
      [
        ['Name', file.name],
        ['Size', String(file.size)],
        ['LfhSize', String(file.lfhSize)],
      ],
      file.blocks.map((block) =>
        typedElement('Block', map.namespace, [
          ['Hash', block.hash.toString('base64')],
          ['Size', block.size === undefined ? undefined : String(block.size)],
        ]),
      ),
    ),
  );
  return typedRoot('BlockMap', map.namespace, [['HashMethod', methodUri(map)]], files);
}

/** The algorithm is authoritative: a caller who changed it without the URI still gets a consistent map. */
function methodUri(map: BlockMap): string {
  return hashAlgorithmOf(map.hashMethodUri) === map.hashMethod
    ? map.hashMethodUri
    : HASH_METHOD_URIS[map.hashMethod];
}

/**
 * The bytes of AppxBlockMap.xml: the parsed text when nothing typed changed, else Windows style
 * (FORMAT.md §2: declaration with standalone="no", CR LF, the map on one line).
 */
export function serializeBlockMap(map: BlockMap): Buffer {
  // A fresh map (a writer's) is written straight to text: a 2 GB part has 40,000 blocks, and a tree of
  // them would cost ten times the text in heap. A parsed map goes through its tree to keep what it holds.
  if (map.document === undefined) return windowsText(map);
  return writeTypedDocument(map, prints, regenerate);
}

/** The same bytes `regenerate` + the serializer give for a fresh map (tested as such), without the tree. */
function windowsText(map: BlockMap): Buffer {
  const parts: string[] = [
    `${WINDOWS_DECLARATION}<BlockMap xmlns="${escapeAttribute(map.namespace)}" HashMethod="${escapeAttribute(methodUri(map))}">`,
  ];
  for (const file of map.files) {
    const head = `<File Name="${escapeAttribute(file.name)}" Size="${file.size}" LfhSize="${file.lfhSize}"`;
    if (file.blocks.length === 0) {
      parts.push(`${head}/>`);
      continue;
    }
    parts.push(`${head}>`);
    for (const block of file.blocks) {
      const size = block.size === undefined ? '' : ` Size="${block.size}"`;
      parts.push(`<Block Hash="${block.hash.toString('base64')}"${size}/>`);
    }
    parts.push('</File>');
  }
  parts.push('</BlockMap>');
  return Buffer.from(parts.join(''), 'utf8');
}
