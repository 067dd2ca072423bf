import { AppvError, ErrorCode } from '../errors.js';

/** A read of a source that was closed: the caller's mistake, said plainly (not an fd error). */
export function assertOpen(closed: boolean, name: string): void {
  if (closed) throw new AppvError(ErrorCode.USAGE, `${name} was closed; it cannot be read any more`);
}

/** Shared by every source: a read must lie inside [0, size). */
export function assertRangeInside(size: number, offset: number, length: number, name: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    // A caller's mistake, not the package's: every offset the readers compute is a whole number ≥ 0.
    throw new AppvError(
      ErrorCode.USAGE,
      `Invalid read range ${offset}+${length} in ${name}: offset and length are whole numbers, 0 or more`,
    );
  }
  if (offset + length > size) {
    throw new AppvError(
      ErrorCode.ZIP_TRUNCATED,
      `Read of ${length} bytes at offset ${offset} passes the end of ${name} (${size} bytes): the file is truncated or a record points outside it`,
      { offset },
    );
  }
}
