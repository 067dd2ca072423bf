import { AppvError, ErrorCode } from '../errors.js';

/**
 * A 64-bit little-endian field as a JS number. Values past 2^53 cannot be positions or sizes in any
 * file we can read, so they are refused rather than silently rounded.
 */
export function readUint64(buffer: Buffer, offset: number): number {
  const value = buffer.readBigUInt64LE(offset);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new AppvError(ErrorCode.ZIP_SIZE_LIMIT, `A 64-bit ZIP field holds ${value}, beyond any real file`);
  }
  return Number(value);
}
