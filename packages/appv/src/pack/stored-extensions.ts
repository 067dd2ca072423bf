import { AppvError, ErrorCode, quoted } from '@appv/opc';

/**
 * Extensions whose content is already compressed, stored without deflate by default (FORMAT.md §3: deflate
 * would only add a few bytes per block and a reader's inflate for nothing). Parts of other types are deflated
 * unless deflate saves too little (the writer's `auto`), so this list only saves the attempt.
 */
const ALREADY_COMPRESSED = [
  '7z',
  'appv',
  'appx',
  'bz2',
  'cab',
  'docx',
  'gif',
  'gz',
  'jar',
  'jpeg',
  'jpg',
  'msix',
  'mp3',
  'mp4',
  'nupkg',
  'png',
  'pptx',
  'rar',
  'webp',
  'xlsx',
  'xz',
  'zip',
  'zst',
];

/** `name` ends in a default stored extension or one of `extra` (given as `zip` or `.zip`, any case). */
export function isStoredExtension(name: string, extra: readonly string[]): boolean {
  const dot = name.lastIndexOf('.');
  if (dot < 0 || dot < name.lastIndexOf('\\')) return false;
  const extension = name.slice(dot + 1).toLowerCase();
  return (
    ALREADY_COMPRESSED.includes(extension) ||
    extra.some((e) => e.replace(/^\./, '').toLowerCase() === extension)
  );
}

/**
 * One extension as a name ends in it (`iso` or `.iso`): no dot inside, no separator, space or glob character
 * (`*`, `?`, `[…]`, `{…}` matched nothing; found by review).
 */
export function isExtension(text: string): boolean {
  return /^\.?[^\\/.*?[\]{}\s]+$/.test(text);
}

/**
 * The `store` option: each entry an extension (`iso` or `.iso`). A glob or an empty entry matched nothing,
 * and the pack said nothing (`--store '*.exe'`; found by review): refused as USAGE.
 */
export function checkStoredExtensions(store: readonly string[] | undefined, fn: string): void {
  for (const entry of store ?? []) {
    if (!isExtension(entry)) {
      throw new AppvError(
        ErrorCode.USAGE,
        `${fn}: store takes extensions such as "iso" or ".iso", not ${quoted(entry)}`,
      );
    }
  }
}
