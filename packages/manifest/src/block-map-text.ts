import {
  AppvError,
  blockHash,
  blockSizes,
  compactDigests,
  ErrorCode,
  escapeAttribute,
  type HasBlocks,
  invalidXmlCharLabel,
  quoted,
} from '@appv/opc';
import { TEXT_PIECE, WINDOWS_DECLARATION } from './footprint-document.js';

/** What the Windows text of a BlockMap shows (block-map.ts gives the authoritative hash method URI). */
export interface BlockMapText {
  readonly namespace: string;
  readonly hashMethodUri: string;
  readonly files: readonly (HasBlocks & {
    readonly name: string;
    readonly size: number;
    readonly lfhSize: number;
  })[];
}

/**
 * The Windows text of a BlockMap (FORMAT.md §2: declaration with standalone="no", CR LF, the map on one
 * line) as UTF-8, written straight into Buffers of about TEXT_PIECE bytes, each handed out as it fills.
 *
 * Per block nothing is allocated: no string, no number formatting, no view of the digest (it is encoded to
 * base64 where it lies). A 2.4 GB part has 40,000 blocks; making each one's text from strings (~400 bytes
 * of short-lived heap per block) swept the whole young generation of V8 and added ~10 MB to such a pack's
 * peak memory, at the very end, when the map is written.
 */
export function* blockMapText(map: BlockMapText): Generator<Buffer> {
  const out = new TextPieces();
  out.text(
    `${WINDOWS_DECLARATION}<BlockMap xmlns="${escapeAttribute(map.namespace)}" HashMethod="${escapeAttribute(map.hashMethodUri)}">`,
  );
  for (const file of map.files) {
    checkXmlName(file.name);
    out.text(`<File Name="${escapeAttribute(file.name)}" Size="`);
    out.decimal(file.size);
    out.bytes(LFH_SIZE);
    out.decimal(file.lfhSize);
    const sizes = blockSizes(file);
    if (sizes.length === 0) {
      out.bytes(CLOSE_EMPTY);
    } else {
      out.bytes(TAG_END);
      const compact = compactDigests(file);
      for (let i = 0; i < sizes.length; i++) {
        out.bytes(BLOCK_HASH);
        if (compact) out.base64(compact.hashes, i * compact.hashLength, compact.hashLength);
        else {
          const hash = blockHash(file, i);
          if (hash) out.base64(hash, 0, hash.length);
        }
        const size = sizes[i];
        if (size !== undefined) {
          out.bytes(BLOCK_SIZE_ATTRIBUTE);
          out.decimal(size);
        }
        out.bytes(CLOSE_EMPTY);
        if (out.full) yield out.take();
      }
      out.bytes(FILE_END);
    }
    if (out.full) yield out.take();
  }
  out.bytes(MAP_END);
  yield out.take();
}

const ascii = (text: string) => Buffer.from(text, 'latin1');
const LFH_SIZE = ascii('" LfhSize="');
/** Ends the last attribute and an element with no content: a File without blocks, every Block. */
const CLOSE_EMPTY = ascii('"/>');
const TAG_END = ascii('">');
const BLOCK_HASH = ascii('<Block Hash="');
const BLOCK_SIZE_ATTRIBUTE = ascii('" Size="');
const FILE_END = ascii('</File>');
const MAP_END = ascii('</BlockMap>');

const BASE64_DIGITS = ascii('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
const PAD = 0x3d; // '='
const ZERO = 0x30; // '0'

/** Room past TEXT_PIECE, so a block's text always fits before the piece is handed out. */
const SLACK = 1024;
const NOTHING = Buffer.alloc(0);

/**
 * UTF-8 text written into a Buffer that is handed out (never reused) once it holds TEXT_PIECE bytes. The
 * next buffer is made by the first write after a piece is taken, so the last piece leaves none unused.
 */
class TextPieces {
  private buffer = NOTHING;
  private at = 0;

  get full(): boolean {
    return this.at >= TEXT_PIECE;
  }

  /** The text so far; writing goes on in a fresh buffer (the consumer may keep this one). */
  take(): Buffer {
    const piece = this.buffer.subarray(0, this.at);
    this.buffer = NOTHING;
    this.at = 0;
    return piece;
  }

  text(value: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 unit: measure only what might not fit.
    if (value.length * 3 > this.buffer.length - this.at) this.room(Buffer.byteLength(value));
    this.at += this.buffer.write(value, this.at);
  }

  bytes(value: Uint8Array): void {
    this.room(value.length);
    this.buffer.set(value, this.at);
    this.at += value.length;
  }

  /** A non-negative integer in decimal, as `${value}` writes it; anything else through its string. */
  decimal(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) {
      this.text(String(value));
      return;
    }
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    this.room(digits);
    for (let i = digits - 1, rest = value; i >= 0; i--, rest = Math.floor(rest / 10)) {
      this.buffer[this.at + i] = ZERO + (rest % 10);
    }
    this.at += digits;
  }

  /** `length` bytes of `source` from `offset` in base64 with padding, as Buffer's 'base64' writes them. */
  base64(source: Uint8Array, offset: number, length: number): void {
    this.room(Math.ceil(length / 3) * 4);
    const out = this.buffer;
    const end = offset + length;
    let at = this.at;
    let i = offset;
    for (; i + 2 < end; i += 3) {
      const n = ((source[i] as number) << 16) | ((source[i + 1] as number) << 8) | (source[i + 2] as number);
      out[at++] = BASE64_DIGITS[n >>> 18] as number;
      out[at++] = BASE64_DIGITS[(n >>> 12) & 63] as number;
      out[at++] = BASE64_DIGITS[(n >>> 6) & 63] as number;
      out[at++] = BASE64_DIGITS[n & 63] as number;
    }
    if (i < end) {
      const two = end - i === 2;
      const n = ((source[i] as number) << 16) | (two ? (source[i + 1] as number) << 8 : 0);
      out[at++] = BASE64_DIGITS[n >>> 18] as number;
      out[at++] = BASE64_DIGITS[(n >>> 12) & 63] as number;
      out[at++] = two ? (BASE64_DIGITS[(n >>> 6) & 63] as number) : PAD;
      out[at++] = PAD;
    }
    this.at = at;
  }

  /**
   * Makes room for `length` more bytes: a piece's buffer on the first write, a larger one for a long name
   * (grown rather than splitting a character).
   */
  private room(length: number): void {
    if (this.at + length <= this.buffer.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(TEXT_PIECE, this.at + length) + SLACK);
    this.buffer.copy(grown, 0, 0, this.at);
    this.buffer = grown;
  }
}

/**
 * A name XML cannot carry (U+0001, U+FFFE, a lone surrogate) is refused before it is written: it was written,
 * and then the BlockMap was refused on reading, or came back as another name (found by review).
 */
function checkXmlName(name: string): void {
  const bad = invalidXmlCharLabel(name);
  if (bad === undefined) return;
  throw new AppvError(
    ErrorCode.BLOCKMAP_MALFORMED,
    `AppxBlockMap.xml: the name ${quoted(name)} has ${bad}, which XML cannot carry`,
    { part: name },
  );
}
