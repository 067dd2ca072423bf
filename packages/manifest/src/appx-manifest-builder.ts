import { randomUUID } from 'node:crypto';
import { AppvError, checkListArgument, checkModelArgument, ErrorCode, quoted } from '@appv/opc';
import { type AppxManifest, parseAppxManifest } from './appx-manifest.js';
import { APPV_MANIFEST_NS_2010, APPX_MANIFEST_NS_2010 } from './namespaces.js';
import {
  checkDisplayName,
  checkPackageName,
  checkPackageVersion,
  checkPublisher,
  normalizePackageGuid,
} from './package-versioning.js';
import { renderSequencerXml, type SequencerXmlElement } from './sequencer-xml-text.js';
import { packagePathToTokenPath, tokenPathToPackagePath } from './token-path.js';

/**
 * A new AppxManifest.xml in the App-V flavour (FORMAT.md §6), in the shapes the sequencer writes (the
 * test oracle's `manifestXml` and the fixture AppxManifest.xml). It is rendered as text and parsed, so the
 * result is an ordinary model: serialize → parse → serialize is byte-identical.
 */

export interface ManifestApplicationSpec {
  /** Token path of the executable, e.g. `[{ProgramFilesX86}]\Vendor App\app.exe`; also the application Id. */
  target: string;
  /** `VisualElements/Name`. */
  name: string;
  /** `VisualElements/Version` (the file version); left out when not given. */
  version?: string;
}

export interface ShortcutSpec {
  /** Token path of the `.lnk`, e.g. `[{Common Programs}]\Vendor App\Vendor App.lnk`. */
  file: string;
  /** Token path of what it starts (an application target). */
  target: string;
  icon?: string;
  description?: string;
  arguments?: string;
  workingDirectory?: string;
}

export interface FileTypeAssociationSpec {
  /** `.vnd` */
  extension: string;
  progId: string;
  /** Token path of the application that opens the file. */
  target: string;
  description?: string;
  icon?: string;
  contentType?: string;
}

export interface NewManifestOptions {
  /** Identity/@Name: 3 to 50 characters of A-Z, a-z, 0-9, `.`, `-`. */
  name: string;
  /** Default `CN=Reserved`, as the sequencer writes it. */
  publisher?: string;
  /** Four parts 0..65535; default `0.0.0.1`. */
  version?: string;
  /** Default `name`. */
  displayName?: string;
  /** `appv:AppVPackageDescription`. */
  description?: string;
  /** Un-braced GUIDs (braced or upper-case input is normalised); random unless given. */
  packageId?: string;
  versionId?: string;
  applications?: readonly ManifestApplicationSpec[];
  /** None unless given. */
  shortcuts?: readonly ShortcutSpec[];
  fileTypeAssociations?: readonly FileTypeAssociationSpec[];
  /** `appv:TargetOSes/@SequencingStationProcessorArchitecture`; default x64. */
  processorArchitecture?: 'x86' | 'x64';
}

// FORMAT.md §6: the values App-V writes where AppX wants a publisher, a logo, …
const RESERVED_PUBLISHER = 'CN=Reserved';
const RESERVED = 'Reserved';
const RESERVED_LOGO = 'Reserved.jpeg';
const DEFAULT_VERSION = '0.0.0.1';
/** [tools] What the sequencer writes when no description is entered (oracle, NotepadPlusPlus fixture). */
const NO_DESCRIPTION = 'No description entered';

function invalid(message: string): never {
  throw new AppvError(ErrorCode.APPV_MANIFEST_INVALID, message);
}

/** A token path the manifest can carry (FORMAT.md §6), with `what` in the message when it is not. */
function checkTokenPath(value: string, what: string): string {
  if (typeof value !== 'string') invalid(`${what} must be a token path string`);
  try {
    tokenPathToPackagePath(value);
  } catch (error) {
    invalid(`${what}: ${(error as Error).message}`);
  }
  return value;
}

function checkText(value: string | undefined, what: string): string | undefined {
  if (value !== undefined && typeof value !== 'string') invalid(`${what} must be a string`);
  return value;
}

/** Refuses two entries whose keys differ only in case (Windows paths and extensions are case-insensitive). */
function checkUnique<T>(items: readonly T[], key: (item: T) => string, what: string): void {
  const seen = new Set<string>();
  for (const item of items) {
    const k = key(item).toLowerCase();
    if (seen.has(k)) invalid(`${what} ${key(item)} is given twice`);
    seen.add(k);
  }
}

const el = (
  name: string,
  content: { attributes?: [string, string][]; text?: string; children?: SequencerXmlElement[] } = {},
): SequencerXmlElement => ({ name, ...content });
const appv = (localName: string, text?: string): SequencerXmlElement =>
  text === undefined ? el(`appv:${localName}`) : el(`appv:${localName}`, { text });

/** [tools] AppV.Shortcut as the sequencer writes it (oracle `manifestXml`, fixture). */
function shortcutExtension(s: ShortcutSpec): SequencerXmlElement {
  const shortcut = [
    appv('File', checkTokenPath(s.file, 'shortcut file')),
    appv('Target', checkTokenPath(s.target, 'shortcut target')),
    ...(s.icon === undefined ? [] : [appv('Icon', checkText(s.icon, 'shortcut icon'))]),
    appv('Arguments', checkText(s.arguments, 'shortcut arguments')),
    appv('WorkingDirectory', checkText(s.workingDirectory, 'shortcut working directory')),
    appv('Description', checkText(s.description, 'shortcut description')),
    appv('Hotkey', '0'),
    appv('ShowCommand', '1'),
    appv('ApplicationId', s.target),
  ];
  return el('appv:Extension', {
    attributes: [['Category', 'AppV.Shortcut']],
    children: [el('appv:Shortcut', { children: shortcut })],
  });
}

/**
 * [tools] AppV.FileTypeAssociation as the sequencer writes it: the extension (fixture) and its ProgId with
 * an `Open` verb that starts the target with the document. [inferred] MimeAssociation="true" only when a
 * content type is given.
 */
function fileTypeAssociationExtension(f: FileTypeAssociationSpec): SequencerXmlElement {
  if (typeof f.extension !== 'string' || !/^\.[^\s\\/:*?"<>|.][^\s\\/:*?"<>|]*$/.test(f.extension)) {
    invalid(`file type extension ${quoted(f.extension)} must be a dot and a name, like .vnd`);
  }
  if (typeof f.progId !== 'string' || !/^[^\s\\]{1,255}$/.test(f.progId)) {
    invalid(`ProgId ${quoted(f.progId)} must be 1 to 255 characters without spaces or backslashes`);
  }
  const target = checkTokenPath(f.target, `target of ${f.extension}`);
  const fileExtension = el('appv:FileExtension', {
    attributes: [['MimeAssociation', String(f.contentType !== undefined)]],
    children: [
      appv('Name', f.extension),
      appv('ProgId', f.progId),
      ...(f.contentType === undefined ? [] : [appv('ContentType', checkText(f.contentType, 'content type'))]),
    ],
  });
  const progId = el('appv:ProgId', {
    children: [
      appv('Name', f.progId),
      ...(f.description === undefined ? [] : [appv('Description', checkText(f.description, 'description'))]),
      appv('EditFlags', '0'),
      ...(f.icon === undefined ? [] : [appv('DefaultIcon', checkText(f.icon, 'icon'))]),
      el('appv:ShellCommands', {
        children: [
          appv('DefaultCommand', 'Open'),
          el('appv:ShellCommand', {
            children: [
              appv('ApplicationId', target),
              appv('Name', 'Open'),
              appv('CommandLine', `"${target}" "%1"`),
            ],
          }),
        ],
      }),
    ],
  });
  return el('appv:Extension', {
    attributes: [['Category', 'AppV.FileTypeAssociation']],
    children: [el('appv:FileTypeAssociation', { children: [fileExtension, progId] })],
  });
}

/** FORMAT.md §6: children of `Applications` are in the App-V namespace, made the default there. */
function applicationElement(a: ManifestApplicationSpec): SequencerXmlElement {
  const target = checkTokenPath(a.target, 'application target');
  if (typeof a.name !== 'string' || a.name.trim() === '') invalid(`application ${target} needs a name`);
  return el('Application', {
    attributes: [
      ['Id', target],
      ['Origin', 'Application'],
      ['TargetInPackage', 'true'],
    ],
    children: [
      el('Target', { text: target }),
      el('VisualElements', {
        children: [
          el('Name', { text: a.name }),
          ...(a.version === undefined ? [] : [el('Version', { text: checkText(a.version, 'version') })]),
        ],
      }),
    ],
  });
}

export function createAppxManifest(options: NewManifestOptions): AppxManifest {
  checkModelArgument(options, 'options ({ name, … })', 'createAppxManifest');
  const name = checkPackageName(options.name);
  const publisher = checkPublisher(options.publisher ?? RESERVED_PUBLISHER);
  const version = checkPackageVersion(options.version ?? DEFAULT_VERSION);
  const displayName = checkDisplayName(options.displayName ?? name);
  const description = checkText(options.description, 'description') ?? NO_DESCRIPTION;
  const packageId =
    options.packageId === undefined ? randomUUID() : normalizePackageGuid(options.packageId, 'PackageId');
  const versionId =
    options.versionId === undefined ? randomUUID() : normalizePackageGuid(options.versionId, 'VersionId');
  const architecture = options.processorArchitecture ?? 'x64';
  if (architecture !== 'x86' && architecture !== 'x64') {
    invalid(`processor architecture ${quoted(architecture)} must be x86 or x64`);
  }
  const applications = options.applications ?? [];
  const shortcuts = options.shortcuts ?? [];
  const associations = options.fileTypeAssociations ?? [];
  checkUnique(applications, (a) => a.target, 'application');
  checkUnique(shortcuts, (s) => s.file, 'shortcut');
  checkUnique(associations, (f) => f.extension, 'file type');

  const root = el('Package', {
    attributes: [
      ['IgnorableNamespaces', 'appv'],
      ['xmlns', APPX_MANIFEST_NS_2010],
      ['xmlns:appv', APPV_MANIFEST_NS_2010],
    ],
    children: [
      el('Identity', {
        attributes: [
          ['Name', name],
          ['Publisher', publisher],
          ['Version', version],
          ['appv:PackageId', packageId],
          ['appv:VersionId', versionId],
        ],
      }),
      el('Properties', {
        children: [
          el('DisplayName', { text: displayName }),
          el('PublisherDisplayName', { text: RESERVED }),
          el('Description', { text: RESERVED }),
          el('Logo', { text: RESERVED_LOGO }),
          appv('AppVPackageDescription', description),
        ],
      }),
      el('Resources', { children: [el('Resource', { attributes: [['Language', 'en-us']] })] }),
      el('Prerequisites', {
        children: [
          el('OSMinVersion', { text: '6.1' }),
          el('OSMaxVersionTested', { text: '6.1' }),
          el('appv:TargetOSes', { attributes: [['SequencingStationProcessorArchitecture', architecture]] }),
        ],
      }),
      el('appv:Extensions', {
        children: [...shortcuts.map(shortcutExtension), ...associations.map(fileTypeAssociationExtension)],
      }),
      el('Applications', {
        attributes: [['xmlns', APPV_MANIFEST_NS_2010]],
        children: applications.map(applicationElement),
      }),
    ],
  });
  return parseAppxManifest(renderSequencerXml(root, ErrorCode.APPV_MANIFEST_INVALID));
}

/**
 * Applications found among the payload's executables: every `.exe` (case-insensitive) under `Root`, as
 * BlockMap-form names (FORMAT.md §2). One spec per target, sorted by target; the name is the file name
 * without its extension. Names outside `Root` cannot be a target (no token path) and are skipped.
 */
export function discoverApplications(payloadNames: readonly string[]): ManifestApplicationSpec[] {
  checkListArgument(payloadNames, 'part names', 'discoverApplications');
  const found: ManifestApplicationSpec[] = [];
  for (const blockMapName of payloadNames) {
    if (!/\.exe$/i.test(blockMapName) || !/^root\\/i.test(blockMapName)) continue;
    // Directly under Root\VFS a file stands where a known-folder token must: it has no token path (found by
    // review: Root\VFS\top.exe became the target [{top.exe}]).
    if (/^root\\vfs\\[^\\]+$/i.test(blockMapName)) continue;
    const fileName = blockMapName.slice(blockMapName.lastIndexOf('\\') + 1);
    const stem = fileName.slice(0, -'.exe'.length);
    // A path no token path can name (`Root\VFS\{x}\a.exe`) is skipped like the others, not fatal to the
    // whole pack (found by review).
    const target = tokenPathOrNull(blockMapName);
    if (target !== null) found.push({ target, name: stem === '' ? fileName : stem });
  }
  // Sorted before de-duplication, so which spelling of a case-variant wins does not depend on input order.
  found.sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
  const seen = new Set<string>();
  return found.filter((spec) => {
    const key = spec.target.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The token path of a payload name, or null when none can name it. */
function tokenPathOrNull(blockMapName: string): string | null {
  try {
    return packagePathToTokenPath(blockMapName);
  } catch {
    return null;
  }
}
