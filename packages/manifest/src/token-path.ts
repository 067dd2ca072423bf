import { AppvError, checkTextArgument, ErrorCode, quoted } from '@appv/opc';

/**
 * Token paths: how the manifest and the dynamic configuration name a file of the package (FORMAT.md §6:
 * `[{ProgramFilesX86}]\Vendor App\app.exe`), and how they map to BlockMap-form part names (FORMAT.md §1,
 * §2: `Root\VFS\ProgramFilesX86\Vendor App\app.exe`). A known folder `<Token>` lives at `Root\VFS\<Token>`;
 * everything else under `Root` is relative to the package root, `[{AppVPackageRoot}]`.
 */

/** The token of the package root (FORMAT.md §6). */
export const PACKAGE_ROOT_TOKEN = 'AppVPackageRoot';

/**
 * Known-folder tokens the App-V client maps to folders of the machine or the user (`Root\VFS\<Token>`,
 * FORMAT.md §1, §6). Not every token there is: a name near one of these but not one (`ProgramFilesx68`) is
 * a typo worth a question; any other name is let be.
 */
export const KNOWN_FOLDER_TOKENS: readonly string[] = [
  'AppData',
  'Common AppData',
  'Common Desktop',
  'Common Programs',
  'Common Start Menu',
  'Common Templates',
  'Desktop',
  'Favorites',
  'Fonts',
  'Local AppData',
  'Personal',
  'ProgramFilesCommonX64',
  'ProgramFilesCommonX86',
  'ProgramFilesX64',
  'ProgramFilesX86',
  'Programs',
  'Start Menu',
  'Startup',
  'System',
  'SystemX86',
  'Templates',
  'Windows',
];

const TOKEN_PATH = /^\[\{([^\\[\]{}]+)\}\](?:\\(.*))?$/s;

function invalid(message: string): never {
  throw new AppvError(ErrorCode.APPV_MANIFEST_INVALID, message);
}

/**
 * FORMAT.md §8: part names have no empty, `.` or `..` segment and no control character, so neither do the
 * paths that stand for them: `[{AppVPackageRoot}]\..\..\Windows\System32\cmd.exe` named a file outside
 * the package (found by review).
 */
function checkSegments(path: string, what: string): void {
  for (const segment of path.split('\\')) {
    if (segment === '') invalid(`${what} "${path}" has an empty segment`);
    if (segment === '.' || segment === '..') invalid(`${what} "${path}" has a "${segment}" segment`);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
    if (/[\u0000-\u001f\u007f]/.test(segment)) invalid(`${what} ${quoted(path)} has a control character`);
  }
}

/**
 * `Root\VFS\ProgramFilesX86\Vendor App\app.exe` → `[{ProgramFilesX86}]\Vendor App\app.exe`;
 * `Root\app.exe` → `[{AppVPackageRoot}]\app.exe`. `Root` and `VFS` are matched case-insensitively (part
 * names compare that way, FORMAT.md §8); the token keeps the case it is written in. A name outside `Root`
 * (`Registry.dat`, `AppxManifest.xml`) has no token path: AppvError APPV_MANIFEST_INVALID.
 */
export function packagePathToTokenPath(blockMapName: string): string {
  checkTextArgument(blockMapName, 'a package path', 'packagePathToTokenPath');
  checkSegments(blockMapName, 'package path');
  const segments = blockMapName.split('\\');
  if (segments[0]?.toLowerCase() !== 'root') {
    invalid(`package path "${blockMapName}" is not under Root, so the manifest cannot refer to it`);
  }
  const [, second, third, ...rest] = segments;
  if (second?.toLowerCase() === 'vfs' && third !== undefined) {
    // `Root\VFS\AppVPackageRoot` would come back as `Root`: no token path can name it.
    if (/[[\]{}]/.test(third) || third.toLowerCase() === PACKAGE_ROOT_TOKEN.toLowerCase())
      invalid(`package path "${blockMapName}": "${third}" cannot be a token`);
    return [`[{${third}}]`, ...rest].join('\\');
  }
  return [`[{${PACKAGE_ROOT_TOKEN}}]`, ...segments.slice(1)].join('\\');
}

/**
 * The inverse of packagePathToTokenPath: `[{ProgramFilesX86}]\Vendor App\app.exe` →
 * `Root\VFS\ProgramFilesX86\Vendor App\app.exe`; `[{AppVPackageRoot}]\app.exe` → `Root\app.exe`. The
 * package-root token is matched case-insensitively. A path that does not start with a token (`C:\x.exe`)
 * is not a package path: AppvError APPV_MANIFEST_INVALID.
 */
export function tokenPathToPackagePath(tokenPath: string): string {
  const match = TOKEN_PATH.exec(tokenPath);
  if (match === null) invalid(`"${tokenPath}" is not a token path like [{ProgramFilesX86}]\\Vendor\\app.exe`);
  const [, token = '', rest] = match;
  if (rest !== undefined) checkSegments(rest, 'token path');
  const base = token.toLowerCase() === PACKAGE_ROOT_TOKEN.toLowerCase() ? 'Root' : `Root\\VFS\\${token}`;
  return rest === undefined ? base : `${base}\\${rest}`;
}
