// Units shared by every bench file: "MB" means MiB (2^20 bytes) everywhere, for sizes, rates and RSS.
export const KiB = 1024;
export const MiB = 1024 * 1024;
/** The BlockMap block: 64 KiB of uncompressed data (FORMAT.md §2-3). */
export const BLOCK = 64 * KiB;

export const mb = (bytes) => bytes / MiB;
