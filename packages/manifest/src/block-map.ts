import {
  AppvError,
  BLOCK_SIZE,
  checkListArgument,
  checkModelArgument,
  checkNumberArgument,
  ErrorCode,
  getAttribute,
  HASH_LENGTH,
  type HasBlocks,
  type HashAlgorithm,
  HashArena,
  MAX_SAFE_SIZE,
  parseXml,
  shareBlocks,
  withCompactBlocks,
  type XmlElement,
} from '@appv/opc';
import { blockMapText } from './block-map-text.js';
import { type FootprintParseOptions, ParsedFingerprints } from './footprint-document.js';
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
   * the model does not hold survives); absent for a map built by buildBlockMap or parsed with
   * `keepSource: false` (for a BlockMap the source is its bytes rather than its tree: cheaper to hold).
   */
  source?: Uint8Array;
}

/** The options of {@link parseBlockMap} (the name it had before FilesystemMetadata shared them). */
export type ParseOptions = FootprintParseOptions;

/** FORMAT.md §2: a non-empty file needs ceil(Size / 65536) blocks, an empty one none. */
export function expectedBlockCount(size: number): number {
  checkNumberArgument(size, 'a size in bytes', 'expectedBlockCount');
  return Math.ceil(size / BLOCK_SIZE);
}

const DECIMAL = /^[0-9]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function parseBlockMap(bytes: Uint8Array | string, options: FootprintParseOptions = {}): BlockMap {
  const part = options.part ?? BLOCKMAP_PART;
  const reader = new FileReader(part);
  // Each Block and File is read as it ends and dropped from the tree (a 2 GB part has 40,000 blocks: its
  // tree would cost ten times the text); the root keeps only what is between the Files.
  const document = parseXml(bytes, {
    part,
    onElement: (element, depth, root, parent) => reader.take(element, depth, root, parent),
  });
  const { root, hashMethodUri, hashMethod, namespace } = checkRoot(document.root, part);
  // A File problem is thrown only now: a broken root or a malformed document is the more basic finding.
  if (reader.problem) throw reader.problem;
  for (const child of root.children) {
    if (child.kind === 'text' && child.cdata !== true && child.value.trim() === '') continue;
    if (child.kind === 'comment' || child.kind === 'pi') continue;
    if (child.kind === 'text') throw malformed(part, 'text directly inside BlockMap');
  }
  const map: BlockMap = { hashMethod, hashMethodUri, namespace, files: reader.files };
  if (options.keepSource === false) return map;
  map.source =
    typeof bytes === 'string' ? Buffer.from(bytes.replace(/^\uFEFF/, ''), 'utf8') : Buffer.from(bytes);
  prints.remember(map);
  return map;
}

interface CheckedRoot {
  readonly root: XmlElement;
  readonly hashMethodUri: string;
  readonly hashMethod: HashAlgorithm;
  /** Bytes of one block digest. */
  readonly hashLength: number;
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
  return { root, hashMethodUri, hashMethod, hashLength: HASH_LENGTH[hashMethod], namespace: root.namespace };
}

function malformed(part: string, message: string): AppvError {
  return new AppvError(ErrorCode.BLOCKMAP_MALFORMED, `${part}: ${message}`, { part });
}

/** A File's own attributes. */
interface FileHead {
  readonly name: string;
  readonly size: number;
  readonly lfhSize: number;
}

/**
 * Turns each `File` element into a BlockMapFile while the parser reads it; keeps the first problem. Blocks
 * are taken as each one ends, so the Blocks of a File of 40,000 (a 2.4 GB part) never sit in the tree
 * together, and their digests go to a HashArena: the file keeps them compact (compact-blocks.ts, opc).
 */
class FileReader {
  readonly files: BlockMapFile[] = [];
  problem: AppvError | null = null;
  private checked: CheckedRoot | null = null;
  private readonly arena = new HashArena();
  /** The File whose children are being read (started at its first child). */
  private open: {
    readonly element: XmlElement;
    readonly head: FileHead;
    readonly sizes: (number | undefined)[];
  } | null = null;

  constructor(private readonly part: string) {}

  /** onElement for parseXml: true drops the element from the tree. */
  take(element: XmlElement, depth: number, root: XmlElement, parent: XmlElement | undefined): boolean {
    if (this.problem) return true;
    if (depth === 1) return this.guard(root, (checked) => this.takeFile(element, checked));
    if (depth === 2 && parent !== undefined)
      return this.guard(root, (checked) => this.takeChild(element, parent, checked));
    return false;
  }

  /** Runs a step; the root's own problems are thrown after the parse, a File's are kept for then. */
  private guard(root: XmlElement, step: (checked: CheckedRoot) => boolean): boolean {
    try {
      this.checked ??= checkRoot(root, this.part);
      return step(this.checked);
    } catch (error) {
      if (this.checked) this.problem = error as AppvError;
      return true;
    }
  }

  /** A child of the root; elements of other namespaces are extensions (FORMAT.md §2: ignorable content). */
  private takeFile(element: XmlElement, checked: CheckedRoot): boolean {
    if (element.namespace !== checked.namespace) return true;
    if (element.localName !== 'File') throw malformed(this.part, `unexpected element ${element.name}`);
    const open = this.open?.element === element ? this.open : this.start(element);
    this.open = null;
    this.files.push(withCompactBlocks(open.head, this.arena.end(), checked.hashLength, open.sizes));
    return true;
  }

  /** A child of a File: a Block, or a foreign element such as the 2021 FileHash (ignored, not an error). */
  private takeChild(element: XmlElement, parent: XmlElement, checked: CheckedRoot): boolean {
    const { namespace } = checked;
    if (parent.namespace !== namespace || parent.localName !== 'File') return false;
    if (this.open?.element !== parent) this.open = this.start(parent);
    const { head, sizes } = this.open;
    if (element.namespace !== namespace) return true;
    if (element.localName !== 'Block')
      throw malformed(this.part, `unexpected element ${element.name} in "${head.name}"`);
    this.block(element, head.name, checked, sizes);
    return true;
  }

  /** A File's own attributes, checked before any of its blocks; its digests start a run in the arena. */
  private start(element: XmlElement): { element: XmlElement; head: FileHead; sizes: (number | undefined)[] } {
    const name = getAttribute(element, null, 'Name');
    if (name === undefined) throw malformed(this.part, 'a File has no Name');
    const head = {
      name,
      size: this.number(element, 'Size', name, true) as number,
      lfhSize: this.number(element, 'LfhSize', name, true) as number,
    };
    this.arena.begin();
    return { element, head, sizes: [] };
  }

  private block(
    element: XmlElement,
    name: string,
    { hashMethod, hashLength }: CheckedRoot,
    sizes: (number | undefined)[],
  ): void {
    const hashText = getAttribute(element, null, 'Hash');
    if (hashText === undefined) throw malformed(this.part, `a Block of "${name}" has no Hash`);
    if (!BASE64.test(hashText)) throw malformed(this.part, `a Block Hash of "${name}" is not base64`);
    const length = Buffer.byteLength(hashText, 'base64');
    if (length !== hashLength) {
      throw malformed(
        this.part,
        `a Block Hash of "${name}" has ${length} bytes, ${hashMethod} needs ${hashLength}`,
      );
    }
    const size = this.number(element, 'Size', name, false);
    this.arena.add(hashText, length);
    sizes.push(size);
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

/**
 * The typed fields as the Windows text writes them (every field, reversibly escaped), plus the two the text
 * may not show as given: the algorithm and the URI as written.
 */
function fingerprint(map: BlockMap, put: (text: string | Uint8Array) => void): void {
  put(`${map.hashMethod}\n${map.hashMethodUri}\n`);
  for (const piece of windowsText(map)) put(piece);
}

const prints = new ParsedFingerprints<BlockMap>(fingerprint);

/**
 * A fresh map (2010 namespace) for a writer. The file list and the file objects are new; their blocks are
 * the input's: its compact form when it has one (the package writer's records do, so a 2.4 GB part's
 * 40,000 blocks are never made into objects), else a copy of its list of the same records.
 */
export function buildBlockMap(
  files: readonly (HasBlocks & Pick<BlockMapFile, 'name' | 'size' | 'lfhSize'>)[],
  hashMethod: HashAlgorithm = 'sha256',
): BlockMap {
  checkListArgument(files, 'files ({ name, size, lfhSize, blocks })', 'buildBlockMap');
  return {
    hashMethod,
    hashMethodUri: HASH_METHOD_URIS[hashMethod],
    namespace: BLOCKMAP_NS_2010,
    files: files.map((f) => shareBlocks({ name: f.name, size: f.size, lfhSize: f.lfhSize }, f)),
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
  const pieces = [...serializeBlockMapPieces(map)];
  return pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces);
}

/**
 * The same bytes in pieces of about 64 KiB, made as they are taken: a writer streaming them never holds the
 * whole text (2.8 MB for a 2.4 GB part; as one Buffer plus its pieces, the peak of such a pack's memory).
 */
export function* serializeBlockMapPieces(map: BlockMap): Generator<Buffer> {
  checkModelArgument(map, 'a BlockMap (parseBlockMap or buildBlockMap)', 'serializeBlockMapPieces');
  // Written straight to text, never through a tree: a 2 GB part has 40,000 blocks, and a tree of them
  // would cost ten times the text in heap. An unchanged parsed map is its own bytes, whatever they hold.
  if (map.source !== undefined && prints.unchanged(map)) yield Buffer.from(map.source);
  else yield* windowsText(map);
}

/** Windows style (FORMAT.md §2), written as bytes (block-map-text.ts). */
function windowsText(map: BlockMap): Generator<Buffer> {
  return blockMapText({ namespace: map.namespace, hashMethodUri: methodUri(map), files: map.files });
}
