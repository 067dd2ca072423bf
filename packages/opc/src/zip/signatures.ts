/**
 * ZIP record signatures and fixed sizes (APPNOTE 4.3) that our own code reads, named once for every reader
 * and writer (yauzl checks the central directory's own).
 */
export const SIG_LOCAL_HEADER = 0x04034b50;
export const SIG_EOCD = 0x06054b50;
export const SIG_ZIP64_EOCD = 0x06064b50;
export const SIG_ZIP64_LOCATOR = 0x07064b50;

export const LOCAL_HEADER_SIZE = 30;
export const CENTRAL_HEADER_SIZE = 46;
export const EOCD_SIZE = 22;
/** Where the end of central directory record keeps its comment's length (2 bytes). */
export const EOCD_COMMENT_LENGTH_AT = 20;
export const ZIP64_LOCATOR_SIZE = 20;
/** Fixed part of the ZIP64 EOCD record, signature and size field included. */
export const ZIP64_EOCD_FIXED_SIZE = 56;

/** FORMAT.md §8: the profile the SDK writes; a local header "version needed" other than these is refused by it. */
export const SDK_VERSIONS_NEEDED: readonly number[] = [20, 45];
export const ZIP64_VERSION = 45;

export const UINT16_SATURATED = 0xffff;
export const UINT32_SATURATED = 0xffffffff;

export const FLAG_ENCRYPTED = 0x0001;
export const FLAG_DATA_DESCRIPTOR = 0x0008;
export const FLAG_STRONG_ENCRYPTION = 0x0040;
export const FLAG_UTF8 = 0x0800;
/** FORMAT.md §8: bits 12–15 are reserved/enhanced-compression bits the SDK forbids. */
export const FLAGS_FORBIDDEN_MASK = 0xf000;

export const SIG_CENTRAL_HEADER = 0x02014b50;
export const SIG_DATA_DESCRIPTOR = 0x08074b50;
/** FORMAT.md §8: the 24-byte data descriptor (signature, CRC, 8-byte sizes) the SDK writes after every entry. */
export const DATA_DESCRIPTOR_ZIP64_SIZE = 24;
/** The ZIP64 extended-information extra field's header id (APPNOTE 4.5.3). */
export const ZIP64_EXTRA_ID = 0x0001;
/** "Size of the ZIP64 EOCD record" as written: the record minus its signature and this field (FORMAT.md §8). */
export const ZIP64_EOCD_RECORD_SIZE = 44;
