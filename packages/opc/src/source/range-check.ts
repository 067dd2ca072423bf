import { AppvError, ErrorCode } from '../errors.js';

/** Shared by every source: a read must lie inside [0, size). */
export function assertRangeInside(size: number, offset: number, length: number, name: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new AppvError(ErrorCode.ZIP_TRUNCATED, `Invalid read range ${offset}+${length} in ${name}`, {
      offset,
    });
  }
  if (offset + length > size) {
    throw new AppvError(
      ErrorCode.ZIP_TRUNCATED,
      `Read of ${length} bytes at offset ${offset} passes the end of ${name} (${size} bytes): the file is truncated or a record points outside it`,
      { offset },
    );
  }
}
