/**
 * What went wrong, in words, for a failure from Node's file system (or anything else thrown at us): Node's
 * own text ("ENOENT: no such file or directory, open 'x.appv'") repeats the path our messages already name
 * and leads with the errno code (found by review). The code stays, in brackets, for searching.
 */
const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a folder on the path is a file',
  EEXIST: 'already exists',
  ENOTEMPTY: 'the folder is not empty',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many levels of symbolic links',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'input/output error',
  EBUSY: 'busy',
  EXDEV: 'on another file system',
  EFBIG: 'too large for the file system',
  ETXTBSY: 'in use by a running program',
};

/** `error` as a short reason without the path: "no such file or directory (ENOENT)". */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code !== 'string' || !/^E[A-Z0-9]+$/.test(code)) return error.message;
  const reason = REASONS[code] ?? withoutNodeDecoration(error.message, code);
  return `${reason} (${code})`;
}

/** "EXYZ: some text, syscall 'path'" → "some text". */
function withoutNodeDecoration(message: string, code: string): string {
  const text = message.startsWith(`${code}: `) ? message.slice(code.length + 2) : message;
  return text.replace(/, \w+ '.*'$/s, '');
}

/** A Node system error's path, when it names one. */
export function errorPath(error: unknown): string | undefined {
  const path = (error as NodeJS.ErrnoException | undefined)?.path;
  return typeof path === 'string' ? path : undefined;
}
