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
  type XmlElement,
} from '@appv/opc';
import { ParsedFingerprints, WINDOWS_DECLARATION } from './footprint-document.js';
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
  /**
   * The bytes it was parsed from, written back as they are while the typed fields are unchanged (so what
   * the model does not hold survives); absent for a map built by buildBlockMap.
   */
  source?: Uint8Array;
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
  const reader = new FileReader(part);
  // Each File is read as it ends and dropped from the tree (a 2 GB part has 40,000 blocks: its tree
  // would cost ten times the text); the root keeps only what is between the Files.
  const document = parseXml(bytes, {
    part,
    onElement: (element, depth, root) => depth === 1 && reader.take(element, root),
  });
  const { root, hashMethodUri, hashMethod, namespace } = checkRoot(document.root, part);
  // A File problem is thrown only now: a broken root or a malformed document is the more basic finding.
  if (reader.problem) throw reader.problem;
  for (const child of root.children) {
    if (child.kind === 'text' && child.cdata !== true && child.value.trim() === '') continue;
    if (child.kind === 'comment' || child.kind === 'pi') continue;
    if (child.kind === 'text') throw malformed(part, 'text directly inside BlockMap');
  }
  const source =
    typeof bytes === 'string' ? Buffer.from(bytes.replace(/^\uFEFF/, ''), 'utf8') : Buffer.from(bytes);
  const map: BlockMap = { hashMethod, hashMethodUri, namespace, files: reader.files, source };
  prints.remember(map);
  return map;
}

interface CheckedRoot {
  readonly root: XmlElement;
  readonly hashMethodUri: string;
  readonly hashMethod: HashAlgorithm;
  readonly namespace: string;
}

/** The root must be a BlockMap of a known namespace with a known HashMethod (FORMAT.md §2). */
function checkRoot(root: XmlElement, part: string): CheckedRoot {
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
  const hashMethodUri = getAttribute(root, null, 'HashMethod');
  if (hashMethodUri === undefined) throw malformed(part, 'BlockMap has no HashMethod');
  const hashMethod = hashAlgorithmOf(hashMethodUri);
  if (hashMethod === undefined) {
    throw new AppvError(ErrorCode.BLOCKMAP_HASH_METHOD, `${part}: unknown HashMethod "${hashMethodUri}"`, {
      part,
    });
  }
  return { root, hashMethodUri, hashMethod, namespace: root.namespace };
}

function malformed(part: string, message: string): AppvError {
  return new AppvError(ErrorCode.BLOCKMAP_MALFORMED, `${part}: ${message}`, { part });
}

/** Turns each `File` element into a BlockMapFile as the parser finishes it; keeps the first problem. */
class FileReader {
  readonly files: BlockMapFile[] = [];
  problem: AppvError | null = null;
  private checked: CheckedRoot | null = null;

  constructor(private readonly part: string) {}

  /** Takes a child of the root (true: drop it from the tree). Elements of other namespaces are extensions. */
  take(element: XmlElement, root: XmlElement): boolean {
    if (this.problem) return true;
    try {
      this.checked ??= checkRoot(root, this.part);
      const { namespace } = this.checked;
      // Elements of other namespaces are extensions (FORMAT.md §2: ignorable 2021 content).
      if (element.namespace !== namespace) return true;
      if (element.localName !== 'File') throw malformed(this.part, `unexpected element ${element.name}`);
      this.files.push(this.read(element, this.checked));
    } catch (error) {
      // The root's own problems are thrown after the parse; a File's are kept for then.
      if (this.checked) this.problem = error as AppvError;
    }
    return true;
  }

  private read(element: XmlElement, { namespace, hashMethod }: CheckedRoot): BlockMapFile {
    const name = getAttribute(element, null, 'Name');
    if (name === undefined) throw malformed(this.part, 'a File has no Name');
    const file: BlockMapFile = {
      name,
      size: this.number(element, 'Size', name, true) as number,
      lfhSize: this.number(element, 'LfhSize', name, true) as number,
      blocks: [],
    };
    const hashLength = HASH_LENGTH[hashMethod];
    for (const blockElement of childElements(element)) {
      // The 2021 FileHash child and any other foreign element are ignored, not errors.
      if (blockElement.namespace !== namespace) continue;
      if (blockElement.localName !== 'Block')
        throw malformed(this.part, `unexpected element ${blockElement.name} in "${name}"`);
      const hashText = getAttribute(blockElement, null, 'Hash');
      if (hashText === undefined) throw malformed(this.part, `a Block of "${name}" has no Hash`);
      if (!BASE64.test(hashText)) throw malformed(this.part, `a Block Hash of "${name}" is not base64`);
      const hash = Buffer.from(hashText, 'base64');
      if (hash.length !== hashLength) {
        throw malformed(
          this.part,
          `a Block Hash of "${name}" has ${hash.length} bytes, ${hashMethod} needs ${hashLength}`,
        );
      }
      const size = this.number(blockElement, 'Size', name, false);
      file.blocks.push(size === undefined ? { hash } : { hash, size });
    }
    return file;
  }

  private number(
    element: XmlElement,
    attribute: string,
    fileName: string,
    required: boolean,
  ): number | undefined {
    const text = getAttribute(element, null, attribute);
    if (text === undefined) {
      if (required) throw malformed(this.part, `${element.localName} of "${fileName}" has no ${attribute}`);
      return undefined;
    }
    const value = Number(text);
    if (!DECIMAL.test(text) || value > MAX_SAFE_SIZE) {
      throw malformed(this.part, `${attribute}="${text}" of "${fileName}" is not a non-negative integer`);
    }
    return value;
  }
}

function fingerprint(map: BlockMap, put: (text: string) => void): void {
  put(`${map.hashMethod}\n${map.hashMethodUri}\n${map.namespace}`);
  for (const file of map.files) {
    put(`\n${file.name}\u0000${file.size}\u0000${file.lfhSize}`);
    for (const block of file.blocks) put(`\n${block.hash.toString('base64')}\u0000${block.size ?? ''}`);
    put('\n\u0001');
  }
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
  // Written straight to text, never through a tree: a 2 GB part has 40,000 blocks, and a tree of them
  // would cost ten times the text in heap. An unchanged parsed map is its own bytes, whatever they hold.
  if (map.source !== undefined && prints.unchanged(map)) return Buffer.from(map.source);
  return windowsText(map);
}

/** Windows style (FORMAT.md §2), the same bytes the generic serializer gives a typed tree (tested as such). */
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
