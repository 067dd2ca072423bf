import { realpathSync } from 'node:fs';
import path from 'node:path';

/**
 * How pack reads a path a user typed for a file or folder of the payload (`--publishing`, `--primary`,
 * `--opaque`): `/` or `\` as separators, `.` and empty segments dropped, so `./app.exe` is `app.exe`.
 */
export function typedPackageName(typed: string): string {
  return typed
    .replaceAll('/', '\\')
    .split('\\')
    .filter((segment) => segment !== '' && segment !== '.')
    .join('\\');
}

/** An absolute path as the walk of the source folder spells it (through its links), or resolved. */
export function realPathOf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}
