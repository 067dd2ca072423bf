import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { type ContentTypes, contentTypeOf, parseContentTypes } from './content-types.js';
import { AppvError, ErrorCode, isAppvError, toAppvError } from './errors.js';
import { type Finding, FindingList, findingFromError } from './finding.js';
import { MAX_FINDINGS, MAX_XML_PART_SIZE } from './limits.js';
import { checkOptionKeys, describeValue, type OptionKeys } from './option-keys.js';
import type { ItemKind, ListedItem, PackageItem } from './package-item.js';
import {
  CONTENT_TYPES_ITEM,
  decodeItemName,
  nameKey,
  partKey,
  partNameLeniencies,
  partNameProblems,
} from './part-name.js';
import { assertReadable, openPartStream, type PartStreamOptions, readPartBuffer } from './part-stream.js';
import { quoted } from './printable-text.js';
import { BufferSource } from './source/buffer-source.js';
import { checkedSource } from './source/checked-source.js';
import { FileSource } from './source/file-source.js';
import { isRandomAccessSource, type RandomAccessSource } from './source/random-access-source.js';
import type { EndRecords } from './zip/end-records.js';
import type { ZipItem } from './zip/zip-item.js';
import { isDirectoryEntry, listZip } from './zip/zip-listing.js';

/** A path, a file: URL, the package's bytes, or a source of the caller's (HTTP, say). */
export type PackageInput = string | URL | Uint8Array | ArrayBuffer | RandomAccessSource;

export interface OpenOptions {
  readonly signal?: AbortSignal | undefined;
}

/**
 * An open OPC package: its items, its content types, and every container finding (FORMAT.md §8, §9.1–4)
 * seen while opening. Opening only throws when nothing can be listed (not a ZIP, unlocatable or corrupt
 * central directory); everything else is a finding, so a verifier can report all problems at once and
 * `ls` still works on a damaged package.
 */
export class OpcPackage {
  private constructor(
    readonly source: RandomAccessSource,
    private readonly ownsSource: boolean,
    readonly endRecords: EndRecords,
    readonly items: readonly PackageItem[],
    /** Items by nameKey(name), the first of each name (a part before a directory entry). */
    private readonly byKey: ReadonlyMap<string, PackageItem>,
    readonly contentTypes: ContentTypes | null,
    readonly findings: readonly Finding[],
  ) {}

  static async open(input: PackageInput, options: OpenOptions = {}): Promise<OpcPackage> {
    const { source, owned } = await toSource(input);
    try {
      return await OpcPackage.fromSource(source, owned, options.signal);
    } catch (error) {
      if (owned) await source.close();
      // A package that cannot be listed is a file the error is about (`--json`'s `file` was null for a
      // truncated package, though set for a missing one; found by review).
      const file =
        typeof input === 'string' ? input : input instanceof URL ? fileURLToPath(input) : undefined;
      throw toAppvError(error, ErrorCode.ZIP_CD_INVALID, file === undefined ? {} : { file });
    }
  }

  private static async fromSource(
    source: RandomAccessSource,
    owned: boolean,
    signal?: AbortSignal,
  ): Promise<OpcPackage> {
    const sink = new FindingList(MAX_FINDINGS);
    const { end, items } = await listZip(source, sink, signal);
    const byKey = nameItems(items, sink);
    const contentTypes = await loadContentTypes(source, items, sink, signal);
    for (const item of items) setContentType(item, contentTypes, sink);
    return new OpcPackage(source, owned, end, items, byKey, contentTypes, byPartName(sink.findings, items));
  }

  /** The parts (no content types stream, no directory entries). */
  get parts(): PackageItem[] {
    return this.items.filter((item) => item.kind === 'part');
  }

  /**
   * Looks an item up by its decoded name (`Root\\a b.dll`; `/` is accepted as separator too),
   * case-insensitively. Decoded names, not ZIP names: a package may hold `a%255B` and `a%25255B`, and only
   * the decoded form tells them apart unambiguously from what a user types.
   */
  item(name: string): PackageItem | undefined {
    assertName(name);
    return this.byKey.get(partKey(name));
  }

  /** Looks an item up by its ZIP item name as written (`Root/a%20b.dll`), case-insensitively. */
  itemByZipName(zipName: string): PackageItem | undefined {
    assertName(zipName);
    const key = nameKey(zipName);
    return (
      this.items.find((item) => item.zipName === zipName) ??
      this.items.find((item) => nameKey(item.zipName) === key)
    );
  }

  /** Like {@link item} but throws OPC_PART_NOT_FOUND. */
  requireItem(name: string): PackageItem {
    const found = this.item(name);
    if (!found)
      throw new AppvError(
        ErrorCode.OPC_PART_NOT_FOUND,
        `No part named ${quoted(name)} in the package (appv ls lists them)`,
        {
          part: name,
        },
      );
    return found;
  }

  /**
   * Why `item` cannot be read, as the error a read of it throws: the code and words of the finding that
   * made it unreadable (ZIP_METHOD_UNSUPPORTED, ZIP_ENCRYPTED, ZIP_ENTRY_OUT_OF_BOUNDS…), so `cat` and
   * `extract` say what `verify` says rather than a generic ZIP_DATA_INVALID (found by review). Null for a
   * readable item.
   */
  unreadableError(item: PackageItem): AppvError | null {
    assertItem(item);
    if (item.readable || item.kind === 'directory') return null;
    const finding =
      this.findings.find(
        (f) => UNREADABLE_BECAUSE.has(f.code) && (f.part === item.name || f.part === item.zipName),
      ) ??
      // An overlap is reported once, at the later entry; the earlier one is named in its message.
      this.findings.find((f) => f.code === ErrorCode.ZIP_ENTRY_OVERLAP && f.message.includes(item.zipName));
    const location = { part: item.name, offset: item.localHeaderOffset };
    if (!finding) {
      return new AppvError(
        ErrorCode.ZIP_DATA_INVALID,
        `${item.name} cannot be read safely (see the verifier's findings for why)`,
        location,
      );
    }
    return new AppvError(finding.code, finding.message, location);
  }

  /** The item's uncompressed bytes, streamed, CRC- and size-checked. */
  openStream(item: PackageItem, options: PartStreamOptions = {}): Readable {
    checkOptionKeys(options, STREAM_OPTION_KEYS, 'openStream');
    this.assertReadable(item);
    return openPartStream(this.source, item, options);
  }

  /** The whole item in memory; refuses one larger than `maxSize` (default: the footprint XML limit). */
  async readPart(item: PackageItem, options: ReadPartOptions = {}): Promise<Buffer> {
    checkOptionKeys(options, READ_PART_OPTION_KEYS, 'readPart');
    this.assertReadable(item);
    return readPartBuffer(this.source, item, options.maxSize ?? MAX_XML_PART_SIZE, options.signal);
  }

  /** Raw (still compressed) bytes [start, end) of the item's data, e.g. one block by BlockMap sizes (§3). */
  async readRaw(item: PackageItem, start = 0, endAt?: number, signal?: AbortSignal): Promise<Buffer> {
    this.assertReadable(item);
    const end = endAt ?? item.compressedSize;
    if (
      !Number.isSafeInteger(start) ||
      !Number.isSafeInteger(end) ||
      start < 0 ||
      end < start ||
      end > item.compressedSize
    ) {
      throw new AppvError(
        ErrorCode.ZIP_ENTRY_OUT_OF_BOUNDS,
        `Range [${start}, ${end}) is outside ${item.name}'s ${item.compressedSize} compressed bytes`,
        { part: item.name, offset: item.dataOffset },
      );
    }
    try {
      return await this.source.read(item.dataOffset + start, end - start, signal);
    } catch (error) {
      throw toAppvError(error, ErrorCode.IO_READ_FAILED, {
        part: item.name,
        offset: item.dataOffset + start,
      });
    }
  }

  async close(): Promise<void> {
    if (this.ownsSource) await this.source.close();
  }

  /** An item of this package that can be read; else the reason it cannot, as a typed error. */
  private assertReadable(item: PackageItem): void {
    assertItem(item);
    const unreadable = this.unreadableError(item);
    if (unreadable) throw unreadable;
    assertReadable(item);
  }
}

/** The options of {@link OpcPackage.readPart}. */
export interface ReadPartOptions {
  /** Largest part accepted, in bytes (default: the footprint XML limit). */
  readonly maxSize?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

const READ_PART_OPTION_KEYS: OptionKeys<ReadPartOptions> = { maxSize: true, signal: 'signal' };
const STREAM_OPTION_KEYS: OptionKeys<PartStreamOptions> = { signal: 'signal', verify: 'boolean' };

/** The findings that make an item unreadable (central-directory.ts, zip-listing.ts): a read names them. */
const UNREADABLE_BECAUSE: ReadonlySet<string> = new Set([
  ErrorCode.ZIP_METHOD_UNSUPPORTED,
  ErrorCode.ZIP_ENCRYPTED,
  ErrorCode.ZIP_STORED_SIZE_MISMATCH,
  ErrorCode.ZIP_SIZE_LIMIT,
  ErrorCode.ZIP_ENTRY_OUT_OF_BOUNDS,
  ErrorCode.ZIP_LFH_INVALID,
  ErrorCode.ZIP_ENTRY_OVERLAP,
]);

/**
 * The ZIP layer's findings located by decoded part name, as every later finding is: the ZIP layer runs before
 * names are decoded and says `Root/Vendor%20App/a.exe` where the BlockMap checks say `Root\\Vendor App\\a.exe`,
 * so `verify --json` named one part two ways (found by review). Messages that lead with the ZIP name lead
 * with the decoded one.
 */
function byPartName(findings: readonly Finding[], items: readonly PackageItem[]): Finding[] {
  // A name OPC refuses keeps its ZIP form: decoded, `Root/a\\b` and `Root//b` would hide what is wrong.
  const misnamed = new Set(
    findings.filter((f) => f.code.startsWith('OPC_NAME_') && f.part !== undefined).map((f) => f.part),
  );
  const named = new Map<string, PackageItem>();
  for (const item of items) {
    if (item.name !== item.zipName && !misnamed.has(item.zipName)) named.set(item.zipName, item);
  }
  return findings.map((finding) => {
    const item = finding.part === undefined ? undefined : named.get(finding.part);
    if (!item) return finding;
    return { ...finding, part: item.name, message: withDecodedName(finding.message, item) };
  });
}

/**
 * A finding's message with the decoded part name where it leads with the ZIP name ("Root/a%20b.dll uses
 * method 12" becomes "Root\\a b.dll uses method 12"): errors name parts decoded, as users type them.
 */
function withDecodedName(message: string, item: PackageItem): string {
  return message.startsWith(item.zipName) ? `${item.name}${message.slice(item.zipName.length)}` : message;
}

/**
 * A path (string or file: URL), bytes (Buffer, Uint8Array, ArrayBuffer) or a RandomAccessSource of the
 * caller's; anything else is a USAGE error here rather than a TypeError at the first read.
 */
async function toSource(input: PackageInput): Promise<{ source: RandomAccessSource; owned: boolean }> {
  if (typeof input === 'string') return { source: await FileSource.open(input), owned: true };
  if (input instanceof URL) {
    if (input.protocol !== 'file:')
      throw new AppvError(ErrorCode.USAGE, `Only file: URLs can be opened, not ${input.protocol} ones`);
    return { source: await FileSource.open(fileURLToPath(input)), owned: true };
  }
  if (input instanceof Uint8Array) return { source: new BufferSource(asBuffer(input)), owned: true };
  if (input instanceof ArrayBuffer) return { source: new BufferSource(Buffer.from(input)), owned: true };
  if (isRandomAccessSource(input)) return { source: checkedSource(input), owned: false };
  throw new AppvError(
    ErrorCode.USAGE,
    'A package is opened from a path, a file: URL, a Buffer or Uint8Array, or a RandomAccessSource ' +
      `(size, read, close); got ${describeValue(input)}`,
  );
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function assertName(name: unknown): asserts name is string {
  if (typeof name !== 'string')
    throw new AppvError(ErrorCode.USAGE, `A part name is a string, not ${describeValue(name)}`);
}

/** Refuses what is not an item (undefined from a failed lookup, say) before it is read as one. */
function assertItem(item: unknown): asserts item is PackageItem {
  const candidate = item as Partial<PackageItem> | null | undefined;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.name !== 'string' ||
    typeof candidate.dataOffset !== 'number'
  ) {
    throw new AppvError(ErrorCode.USAGE, `Expected an item of the package, got ${describeValue(item)}`);
  }
}

/**
 * FORMAT.md §9.3: names valid, decodable, unique case-insensitively, no directory entries, no prefixes. Sets
 * each item's kind and decoded name; returns the items by name key.
 */
function nameItems(items: readonly ListedItem[], sink: FindingList): Map<string, ListedItem> {
  const byKey = new Map<string, ListedItem>();
  for (const item of items) {
    item.kind = itemKind(item);
    item.name = nameOf(item, item.kind, sink);
    const key = nameKey(item.name);
    const first = byKey.get(key);
    if (first === undefined || (first.kind === 'directory' && item.kind !== 'directory')) {
      byKey.set(key, item);
    } else if (item.kind !== 'directory') {
      // The content types stream takes part in the check: a part `%5BContent_Types%5D.xml` (decoding to the
      // same name) or a second `[content_types].xml` would otherwise ride along unhashed.
      sink.add({
        code: ErrorCode.OPC_NAME_DUPLICATE,
        severity: 'error',
        part: item.name,
        offset: item.localHeaderOffset,
        message: `${item.zipName} is the same part name as ${first.zipName} (names compare case-insensitively)`,
      });
    }
  }
  checkPrefixes(byKey, sink);
  return byKey;
}

const CONTENT_TYPES_KEY = nameKey(CONTENT_TYPES_ITEM);

function itemKind(item: ZipItem): ItemKind {
  if (isDirectoryEntry(item.zipName)) return 'directory';
  if (item.zipName.length === CONTENT_TYPES_ITEM.length && nameKey(item.zipName) === CONTENT_TYPES_KEY) {
    return 'content-types';
  }
  return 'part';
}

function nameOf(item: ZipItem, kind: ItemKind, sink: FindingList): string {
  const at = { part: item.zipName, offset: item.localHeaderOffset };
  if (kind === 'directory') {
    sink.add({
      code: ErrorCode.OPC_DIRECTORY_ENTRY,
      severity: 'error',
      message: `${item.zipName} is a directory entry; OPC packages have none (empty directories live in FilesystemMetadata.xml)`,
      ...at,
    });
    // Named like the parts (decoded), so a directory entry and the files under it agree on their path.
    try {
      return decodeItemName(item.zipName.replace(/\/+$/, ''));
    } catch {
      return item.zipName;
    }
  }
  if (kind === 'content-types') return item.zipName;
  const problems = partNameProblems(item.zipName);
  if (problems.length > 0) {
    sink.add({
      code: ErrorCode.OPC_NAME_INVALID,
      severity: 'error',
      message: `${quoted(item.zipName)} is not a valid part name: ${problems.join('; ')}`,
      ...at,
    });
  } else {
    const leniencies = partNameLeniencies(item.zipName);
    if (leniencies.length > 0) {
      sink.add({
        code: ErrorCode.OPC_NAME_NOT_CANONICAL,
        severity: 'warning',
        message: `${quoted(item.zipName)} is a valid part name, but ${leniencies.join('; ')}`,
        ...at,
      });
    }
  }
  try {
    return decodeItemName(item.zipName);
  } catch (error) {
    if (problems.length === 0 && isAppvError(error)) sink.add(findingFromError(error));
    return item.zipName;
  }
}

/** OPC: no part name may be another's name plus more segments (`a` and `a/b` cannot both exist). */
function checkPrefixes(byKey: ReadonlyMap<string, PackageItem>, sink: FindingList): void {
  const keys: string[] = [];
  for (const [key, item] of byKey) if (item.kind === 'part') keys.push(key);
  keys.sort();
  for (let i = 0; i + 1 < keys.length; i++) {
    const current = keys[i] as string;
    for (let j = i + 1; j < keys.length; j++) {
      const other = keys[j] as string;
      if (!other.startsWith(current)) break;
      if (other.charAt(current.length) === '\\') {
        const inner = (byKey.get(other) as PackageItem).name;
        const outer = (byKey.get(current) as PackageItem).name;
        sink.add({
          code: ErrorCode.OPC_NAME_PREFIX,
          severity: 'error',
          part: inner,
          message: `${inner} lies "inside" the part ${outer}; a part name cannot be another's prefix`,
        });
      }
    }
  }
}

async function loadContentTypes(
  source: RandomAccessSource,
  items: readonly PackageItem[],
  sink: FindingList,
  signal?: AbortSignal,
): Promise<ContentTypes | null> {
  const named = items.find((i) => i.kind === 'content-types');
  if (!named) {
    sink.add({
      code: ErrorCode.CONTENT_TYPES_MISSING,
      severity: 'error',
      part: CONTENT_TYPES_ITEM,
      message: 'The package has no [Content_Types].xml',
    });
    return null;
  }
  try {
    const bytes = await readPartBuffer(source, named, MAX_XML_PART_SIZE, signal);
    return parseContentTypes(bytes, sink);
  } catch (error) {
    const wrapped = toAppvError(error, ErrorCode.CONTENT_TYPES_MALFORMED, { part: CONTENT_TYPES_ITEM });
    if (wrapped.code === ErrorCode.ABORTED || wrapped.code === ErrorCode.IO_READ_FAILED) throw wrapped;
    sink.add(findingFromError(wrapped));
    return null;
  }
}

function setContentType(item: ListedItem, types: ContentTypes | null, sink: FindingList): void {
  if (item.kind !== 'part' || !types) return;
  item.contentType = contentTypeOf(types, item.name, item.zipName);
  if (item.contentType === undefined) {
    sink.add({
      code: ErrorCode.CONTENT_TYPES_NO_TYPE,
      severity: 'error',
      part: item.name,
      message: `${item.name} has no content type: no Override names it and no Default covers its extension`,
    });
  }
}
