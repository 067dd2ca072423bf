/**
 * Builds complete, valid App-V 5 packages for tests, independently of the product (an oracle): XML is
 * produced with template strings and an escape function, the container with ./zip-crafter.ts.
 *
 * Layout (FORMAT.md §1): payload (`Root/…`), then the App-V parts, then `AppxManifest.xml`,
 * `AppxBlockMap.xml` and `[Content_Types].xml` last. Every stage can be tampered with to produce a
 * specific defect (see `AppvTamper`).
 */
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import {
  BLOCK_SIZE,
  type CraftEntry,
  type CraftLayout,
  type CraftMethod,
  type CraftOptions,
  craftZip,
  deflateBlocks,
  toBytes,
} from './zip-crafter.js';

// ---------------------------------------------------------------------------------------------------
// Names

/** FORMAT.md §8: the ASCII characters percent-encoded in a ZIP item name (besides non-ASCII). */
const ENCODED_ASCII = new Set(" !#$%&'()+,;=@[]^`{}");

/**
 * BlockMap name (`\` separators, decoded) → ZIP item name: `/` separators, non-ASCII (as UTF-8) and the
 * listed ASCII characters percent-encoded with upper-case hex.
 */
export function encodeZipName(blockMapName: string): string {
  let out = '';
  for (const ch of blockMapName.replaceAll('\\', '/')) {
    const code = ch.codePointAt(0) ?? 0;
    if (code > 0x7f || ENCODED_ASCII.has(ch)) {
      for (const byte of Buffer.from(ch, 'utf8'))
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    } else {
      out += ch;
    }
  }
  return out;
}

/** ZIP item name → BlockMap name: percent-decoded exactly once, `/` → `\`. */
export function decodeZipName(zipName: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < zipName.length; i++) {
    const ch = zipName[i] as string;
    if (ch === '%' && /^[0-9A-Fa-f]{2}$/.test(zipName.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(zipName.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(ch, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8').replaceAll('/', '\\');
}

export function xmlEscape(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

const SHORT_INVALID = /[^A-Z0-9!#$%&'()\-@^_`{}~]/g;

function isValid83(name: string): boolean {
  const upper = name.toUpperCase();
  const dot = upper.indexOf('.');
  const base = dot < 0 ? upper : upper.slice(0, dot);
  const ext = dot < 0 ? '' : upper.slice(dot + 1);
  if (base.length === 0 || base.length > 8 || ext.length > 3 || ext.includes('.')) return false;
  if (dot >= 0 && ext.length === 0) return false;
  return base.replace(SHORT_INVALID, '') === base && ext.replace(SHORT_INVALID, '') === ext;
}

/**
 * An 8.3 short name for `long`, unique among `taken` (upper-case names already used in the directory).
 * Follows the Windows scheme closely enough for tests: a valid 8.3 name is kept (upper-cased), otherwise
 * the first 6 valid characters + `~N` + the first 3 of the last extension.
 */
export function shortName83(long: string, taken: ReadonlySet<string>): string {
  if (isValid83(long) && !taken.has(long.toUpperCase())) return long.toUpperCase();
  const upper = long.toUpperCase();
  const lastDot = upper.lastIndexOf('.');
  const rawBase = lastDot > 0 ? upper.slice(0, lastDot) : upper;
  const rawExt = lastDot > 0 ? upper.slice(lastDot + 1) : '';
  const clean = (s: string) =>
    s
      .replace(/[ .]/g, '')
      .replace(/[+,;=[\]]/g, '_')
      .replace(SHORT_INVALID, '_');
  const base = clean(rawBase) || '_';
  const ext = clean(rawExt).slice(0, 3);
  for (let n = 1; ; n++) {
    const suffix = `~${n}`;
    const candidate = `${base.slice(0, 8 - suffix.length)}${suffix}${ext ? `.${ext}` : ''}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** `[{ProgramFilesX86}]\Vendor App\app.exe` → `Root\VFS\ProgramFilesX86\Vendor App\app.exe`. */
export function tokenPathToPackagePath(tokenPath: string): string {
  const m = /^\[\{([^}]+)\}\](.*)$/.exec(tokenPath);
  if (!m) return tokenPath;
  const token = m[1] as string;
  const rest = m[2] as string;
  return token === 'AppVPackageRoot' ? `Root${rest}` : `Root\\VFS\\${token}${rest}`;
}

// ---------------------------------------------------------------------------------------------------
// Spec

export type AppvFileMethod = 'stored' | 'deflate-blocks' | 'deflate-oneshot';

export interface AppvFile {
  /** BlockMap form, `\` separators: `Root\VFS\ProgramFilesX86\Vendor App\app.exe`. */
  name: string;
  data: Buffer;
  /** Default: `stored` for empty data, else `deflate-blocks`. */
  method?: AppvFileMethod;
  omitFinalBlock?: boolean;
  level?: number;
  /** ZIP item name override (default `encodeZipName(name)`), for hostile names. */
  zipName?: string | Buffer;
  /** Crafter fields for this entry, applied last. */
  entry?: Partial<CraftEntry>;
  /** Default true. */
  inBlockMap?: boolean;
  /** Default true for names under `Root\`. */
  inFilesystemMetadata?: boolean;
}

export interface AppvApplication {
  /** Token path, e.g. `[{ProgramFilesX86}]\Vendor App\app.exe`. */
  target: string;
  name: string;
  version?: string;
}

export interface AppvShortcut {
  /** Token path of the .lnk, e.g. `[{Common Programs}]\Vendor App\Vendor App.lnk`. */
  file: string;
  target: string;
  icon?: string;
  description?: string;
}

export interface StreamMapFile {
  /** BlockMap form name. */
  name: string;
  /** Runs `[index, count]`; absent = the whole file. */
  blocks?: Array<[number, number]>;
}

export interface PackageHistoryItem {
  time: string;
  packageVersion: number;
  sequencerVersion?: string;
  sequencerUser?: string;
  sequencingStation?: string;
}

export type AppvPartName =
  | 'AppxManifest.xml'
  | 'StreamMap.xml'
  | 'FilesystemMetadata.xml'
  | 'PackageHistory.xml'
  | 'Registry.dat';

/** The generated App-V parts, as handed to `tamper.parts`. Set one to `null` to leave it out. */
export type AppvParts = Record<AppvPartName, string | Buffer | null>;

export interface BlockMapBlock {
  /** base64 SHA-256 of the uncompressed block. */
  hash: string;
  /** Compressed size (deflated items only). */
  size?: number;
}

export interface BlockMapFile {
  name: string;
  size: number;
  lfhSize: number;
  blocks: BlockMapBlock[];
}

export interface AppvTamper {
  /** Edit the App-V parts (XML strings, Registry.dat) before they are hashed. */
  parts?: (parts: AppvParts) => AppvParts | undefined;
  /** Edit the BlockMap model (in place or by returning a new list) before it is serialized. */
  blockMap?: (files: BlockMapFile[]) => BlockMapFile[] | undefined;
  blockMapXml?: (xml: string) => string;
  contentTypesXml?: (xml: string) => string;
  /** Edit the crafter entries (all of them, footprint included) just before crafting. */
  entries?: (entries: CraftEntry[]) => CraftEntry[] | undefined;
}

export interface AppvPackageSpec {
  files: AppvFile[];
  /** BlockMap hash method (FORMAT.md §2); default sha256. */
  hashAlgorithm?: HashAlgorithmName;
  /** BlockMap-form directory paths under `Root\` that hold nothing. */
  emptyDirectories?: string[];
  opaqueDirectories?: string[];
  packageId?: string;
  versionId?: string;
  displayName?: string;
  description?: string;
  /** Default: one application for the first `.exe` under `Root\VFS\<Token>\`. */
  applications?: AppvApplication[];
  /** Default: one per application, with the first `.ico` as icon. */
  shortcuts?: AppvShortcut[];
  /** `Filesystem/@Root` and `@Short`. */
  packageRoot?: { long: string; short: string };
  /** Default: Publishing = every `.ico` whole + block 0 and the last block of each application target;
   * Primary = each application target whole. `null` leaves a feature block out. */
  streamMap?: {
    publishing?: StreamMapFile[] | null;
    primary?: StreamMapFile[] | null;
    primaryLoadAll?: boolean;
  };
  history?: PackageHistoryItem[];
  registry?: Buffer;
  /** Method of the generated parts (App-V parts, manifest, BlockMap, content types). Default deflate-blocks. */
  footprintMethod?: AppvFileMethod;
  /** Content type per lower-case extension, overriding the defaults. */
  contentTypes?: Record<string, string>;
  /** Replace (string/Buffer) or leave out (null) a generated App-V part. */
  parts?: Partial<AppvParts>;
  craft?: CraftOptions;
  tamper?: AppvTamper;
}

export interface BuiltAppv {
  bytes: Buffer;
  layout: CraftLayout;
  entries: CraftEntry[];
  blockMap: BlockMapFile[];
  blockMapXml: string;
  contentTypesXml: string;
  parts: AppvParts;
}

export const DEFAULT_PACKAGE_ID = '1a2ad958-3c6b-4f0e-9b1d-7d2c4e5f6a01';
export const DEFAULT_VERSION_ID = '466ada43-8e2f-4b7a-a1c9-0f3e5d6b7c02';

export type HashAlgorithmName = 'sha256' | 'sha384' | 'sha512';

export const Namespaces = {
  blockMap: 'http://schemas.microsoft.com/appx/2010/blockmap',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha384: 'http://www.w3.org/2001/04/xmldsig-more#sha384',
  sha512: 'http://www.w3.org/2001/04/xmlenc#sha512',
  contentTypes: 'http://schemas.openxmlformats.org/package/2006/content-types',
  appxManifest: 'http://schemas.microsoft.com/appx/2010/manifest',
  appvManifest: 'http://schemas.microsoft.com/appv/2010/manifest',
  streamMap: 'http://schemas.microsoft.com/appv/2010/streammap',
  filesystemMetadata: 'http://schemas.microsoft.com/appv/2010/FilesystemMetadata',
  packageHistory: 'http://schemas.microsoft.com/appv/2010/PackageHistory',
} as const;

// ---------------------------------------------------------------------------------------------------
// Part generators (exported so tests can build variants)

export function manifestXml(opts: {
  packageId: string;
  versionId: string;
  displayName: string;
  description: string;
  applications: AppvApplication[];
  shortcuts: AppvShortcut[];
}): string {
  const e = xmlEscape;
  const shortcuts = opts.shortcuts
    .map(
      (s) =>
        // [tools] the shape App-V sequencers write for AppV.Shortcut.
        `<appv:Extension Category="AppV.Shortcut"><appv:Shortcut><appv:File>${e(s.file)}</appv:File>` +
        `<appv:Target>${e(s.target)}</appv:Target>` +
        (s.icon === undefined ? '' : `<appv:Icon>${e(s.icon)}</appv:Icon>`) +
        `<appv:Arguments/><appv:WorkingDirectory/><appv:Description>${e(s.description ?? '')}</appv:Description>` +
        `<appv:Hotkey>0</appv:Hotkey><appv:ShowCommand>1</appv:ShowCommand>` +
        `<appv:ApplicationId>${e(s.target)}</appv:ApplicationId></appv:Shortcut></appv:Extension>`,
    )
    .join('\n    ');
  const apps = opts.applications
    .map(
      (a) =>
        `<Application Id="${e(a.target)}" Origin="Application" TargetInPackage="true">` +
        `<Target>${e(a.target)}</Target><VisualElements><Name>${e(a.name)}</Name>` +
        `<Version>${e(a.version ?? '1.0.0.0')}</Version></VisualElements></Application>`,
    )
    .join('\n    ');
  return `<?xml version="1.0" encoding="utf-8"?>
<Package IgnorableNamespaces="appv" xmlns="${Namespaces.appxManifest}" xmlns:appv="${Namespaces.appvManifest}">
  <Identity Name="Reserved" Publisher="CN=Reserved" Version="0.0.0.1" appv:PackageId="${e(opts.packageId)}" appv:VersionId="${e(opts.versionId)}"/>
  <Properties>
    <DisplayName>${e(opts.displayName)}</DisplayName>
    <PublisherDisplayName>Reserved</PublisherDisplayName>
    <Description>Reserved</Description>
    <Logo>Reserved.jpeg</Logo>
    <appv:AppVPackageDescription>${e(opts.description)}</appv:AppVPackageDescription>
  </Properties>
  <Resources>
    <Resource Language="en-us"/>
  </Resources>
  <Prerequisites>
    <OSMinVersion>6.1</OSMinVersion>
    <OSMaxVersionTested>6.1</OSMaxVersionTested>
    <appv:TargetOSes SequencingStationProcessorArchitecture="x64"/>
  </Prerequisites>
  <appv:Extensions>
    ${shortcuts}
  </appv:Extensions>
  <Applications xmlns="${Namespaces.appvManifest}">
    ${apps}
  </Applications>
</Package>
`;
}

export function streamMapXml(opts: {
  publishing: StreamMapFile[] | null;
  primary: StreamMapFile[] | null;
  primaryLoadAll?: boolean;
}): string {
  const files = (list: StreamMapFile[]) =>
    list
      .map((f) =>
        f.blocks === undefined || f.blocks.length === 0
          ? `    <File Name="${xmlEscape(f.name)}"/>`
          : `    <File Name="${xmlEscape(f.name)}">\n${f.blocks
              .map(([i, c]) => `      <Blocks Index="${i}" Count="${c}"/>`)
              .join('\n')}\n    </File>`,
      )
      .join('\n');
  let body = '';
  if (opts.publishing)
    body += `  <FeatureBlock Id="PublishingFeatureBlock">\n${files(opts.publishing)}\n  </FeatureBlock>\n`;
  if (opts.primary) {
    const loadAll = opts.primaryLoadAll ? ' LoadAll="true"' : '';
    body += `  <FeatureBlock Id="PrimaryFeatureBlock"${loadAll}>\n${files(opts.primary)}\n  </FeatureBlock>\n`;
  }
  return `<?xml version="1.0" encoding="utf-8"?>\n<StreamMap xmlns="${Namespaces.streamMap}">\n${body}</StreamMap>\n`;
}

interface FsNode {
  long: string;
  short: string;
  children: Map<string, FsNode>;
}

/** FORMAT.md §5. `files` and `directories` are BlockMap-form paths starting with `Root\`. */
export function filesystemMetadataXml(opts: {
  files: string[];
  emptyDirectories: string[];
  opaqueDirectories: string[];
  packageRoot: { long: string; short: string };
}): string {
  const root: FsNode = { long: 'Root', short: '', children: new Map() };
  const insert = (path: string): string => {
    const segments = path.split('\\');
    if (segments[0]?.toLowerCase() !== 'root') throw new Error(`not under Root: ${path}`);
    let node = root;
    const shorts = ['Root'];
    for (const segment of segments.slice(1)) {
      const key = segment.toUpperCase();
      let child = node.children.get(key);
      if (!child) {
        const taken = new Set([...node.children.values()].map((c) => c.short));
        child = { long: segment, short: shortName83(segment, taken), children: new Map() };
        node.children.set(key, child);
      }
      shorts.push(child.short);
      node = child;
    }
    return shorts.join('\\');
  };
  for (const f of opts.files) insert(f);
  const empty = opts.emptyDirectories.map((d) => ({ long: d, short: insert(d) }));
  const opaque = opts.opaqueDirectories.map((d) => ({ long: d, short: insert(d) }));
  const render = (node: FsNode, depth: number): string => {
    const pad = '  '.repeat(depth + 2);
    const attrs =
      node === root ? 'Long="Root"' : `Long="${xmlEscape(node.long)}" Short="${xmlEscape(node.short)}"`;
    if (node.children.size === 0) return `${pad}<Entry ${attrs}/>`;
    const inner = [...node.children.values()].map((c) => render(c, depth + 1)).join('\n');
    return `${pad}<Entry ${attrs}>\n${inner}\n${pad}</Entry>`;
  };
  const list = (tag: string, items: Array<{ long: string; short: string }>) =>
    items.length === 0
      ? `  <${tag}/>\n`
      : `  <${tag}>\n${items
          .map((i) => `    <Entry Long="${xmlEscape(i.long)}" Short="${xmlEscape(i.short)}"/>`)
          .join('\n')}\n  </${tag}>\n`;
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n<Metadata xmlns="${Namespaces.filesystemMetadata}">\n` +
    `  <Filesystem Root="${xmlEscape(opts.packageRoot.long)}" Short="${xmlEscape(opts.packageRoot.short)}">\n` +
    `${render(root, 0)}\n  </Filesystem>\n` +
    list('EmptyDirectories', empty) +
    list('OpaqueDirectories', opaque) +
    '</Metadata>\n'
  );
}

/**
 * [inferred] No published schema: one `PackageHistoryItem` per sequencing/save, with attributes for
 * the time and the sequencing environment. Readers of the product must be lenient with it.
 */
export function packageHistoryXml(items: PackageHistoryItem[]): string {
  const rows = items
    .map(
      (i) =>
        `  <PackageHistoryItem Time="${xmlEscape(i.time)}" PackageVersion="${i.packageVersion}" ` +
        `SequencerVersion="${xmlEscape(i.sequencerVersion ?? '5.1.85.0')}" ` +
        `SequencerUser="${xmlEscape(i.sequencerUser ?? 'SEQ01\\Sequencer')}" ` +
        `SequencingStation="${xmlEscape(i.sequencingStation ?? 'SEQ01')}" WindowsVersion="6.1.7601" ` +
        `WindowsSPLevel="1" WindowsProcessorArchitecture="x64" UserLanguage="1033" SystemLanguage="1033"/>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>\n<PackageHistory xmlns="${Namespaces.packageHistory}">\n${rows}\n</PackageHistory>\n`;
}

/** A tiny stand-in for a registry hive: the `regf` base block signature, then zeros (not a usable hive). */
export function registryDat(size = 512): Buffer {
  const b = Buffer.alloc(size);
  b.write('regf', 0, 'latin1');
  return b;
}

/** FORMAT.md §2, Windows serialization: declaration with standalone="no", CRLF, the map on one line. */
export function blockMapXml(files: BlockMapFile[], hashMethod: string = Namespaces.sha256): string {
  const body = files
    .map((f) => {
      const head = `<File Name="${xmlEscape(f.name)}" Size="${f.size}" LfhSize="${f.lfhSize}"`;
      if (f.blocks.length === 0) return `${head}/>`;
      const blocks = f.blocks
        .map((b) => `<Block Hash="${b.hash}"${b.size === undefined ? '' : ` Size="${b.size}"`}/>`)
        .join('');
      return `${head}>${blocks}</File>`;
    })
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\r\n' +
    `<BlockMap xmlns="${Namespaces.blockMap}" HashMethod="${hashMethod}">${body}</BlockMap>`
  );
}

/**
 * [inferred] App-V payload parts are typed `appv/vfs-file`; XML parts `application/xml`; the manifest
 * and BlockMap have their AppX types by Override.
 */
export const DEFAULT_CONTENT_TYPES: Readonly<Record<string, string>> = {
  xml: 'application/xml',
  '*': 'appv/vfs-file',
};

/** `[Content_Types].xml` for the given ZIP item names (the content types part itself excluded). */
export function contentTypesXml(zipNames: string[], types: Record<string, string> = {}): string {
  const all = { ...DEFAULT_CONTENT_TYPES, ...types };
  const typeOf = (ext: string) => all[ext] ?? all['*'] ?? 'application/octet-stream';
  const defaults = new Map<string, string>();
  const overrides: Array<[string, string]> = [];
  for (const name of zipNames) {
    if (name === 'AppxManifest.xml') {
      overrides.push([`/${name}`, 'application/vnd.ms-appx.manifest+xml']);
      continue;
    }
    if (name === 'AppxBlockMap.xml') {
      overrides.push([`/${name}`, 'application/vnd.ms-appx.blockmap+xml']);
      continue;
    }
    const last = name.slice(name.lastIndexOf('/') + 1);
    const dot = last.lastIndexOf('.');
    if (dot <= 0 || dot === last.length - 1) {
      overrides.push([`/${name}`, typeOf('')]);
      continue;
    }
    const ext = last.slice(dot + 1).toLowerCase();
    if (!defaults.has(ext)) defaults.set(ext, typeOf(ext));
  }
  const d = [...defaults].map(
    ([x, t]) => `<Default Extension="${xmlEscape(x)}" ContentType="${xmlEscape(t)}"/>`,
  );
  const o = overrides.map(([p, t]) => `<Override PartName="${xmlEscape(p)}" ContentType="${xmlEscape(t)}"/>`);
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n' +
    `<Types xmlns="${Namespaces.contentTypes}">${d.join('')}${o.join('')}</Types>`
  );
}

export function sha256Base64(data: Buffer, algorithm: HashAlgorithmName = 'sha256'): string {
  return createHash(algorithm).update(data).digest('base64');
}

/** BlockMap entry of one item as a Windows writer would produce it. */
export function blockMapFileFor(
  name: string,
  data: Buffer,
  method: CraftMethod,
  lfhSize: number,
  options: { level?: number; compressed?: Buffer; hashAlgorithm?: HashAlgorithmName } = {},
): BlockMapFile {
  const blocks: BlockMapBlock[] = [];
  for (let start = 0; start < data.length; start += BLOCK_SIZE) {
    blocks.push({ hash: sha256Base64(data.subarray(start, start + BLOCK_SIZE), options.hashAlgorithm) });
  }
  if (method === 'deflate-blocks') {
    const d = deflateBlocks(data, { level: options.level ?? 6 });
    d.blockSizes.forEach((size, i) => {
      const block = blocks[i];
      if (block) block.size = size;
    });
  } else if (method === 'deflate-oneshot' || method === 'raw') {
    // A one-shot stream has no block boundaries (FORMAT.md §3: not a valid package when multi-block):
    // the compressed length is spread over the blocks so that the sum still matches.
    const total = (options.compressed ?? zlib.deflateRawSync(data, { level: options.level ?? 6 })).length;
    const each = Math.floor(total / Math.max(blocks.length, 1));
    blocks.forEach((b, i) => {
      b.size = i === blocks.length - 1 ? total - each * (blocks.length - 1) : each;
    });
  }
  return { name, size: data.length, lfhSize, blocks };
}

// ---------------------------------------------------------------------------------------------------

interface Item {
  blockMapName: string;
  zipName: Buffer;
  data: Buffer;
  method: AppvFileMethod;
  omitFinalBlock: boolean;
  level: number | undefined;
  entry: Partial<CraftEntry>;
  inBlockMap: boolean;
}

function defaultMethod(data: Buffer): AppvFileMethod {
  return data.length === 0 ? 'stored' : 'deflate-blocks';
}

/** The App-V parts in the order written after the payload. [inferred] */
export const APPV_PART_ORDER: readonly AppvPartName[] = [
  'FilesystemMetadata.xml',
  'PackageHistory.xml',
  'Registry.dat',
  'StreamMap.xml',
  'AppxManifest.xml',
];

export function buildAppvPackage(spec: AppvPackageSpec): BuiltAppv {
  const blockCount = (name: string) => {
    const f = spec.files.find((x) => x.name === name);
    return f ? Math.ceil(f.data.length / BLOCK_SIZE) : 0;
  };

  // Applications, shortcuts and feature blocks default from the payload.
  const firstExe = spec.files.find((f) => /^Root\\VFS\\[^\\]+\\.+\.exe$/i.test(f.name));
  const firstIco = spec.files.find((f) => /\.ico$/i.test(f.name));
  const toToken = (name: string) => {
    const m = /^Root\\VFS\\([^\\]+)(\\.*)$/.exec(name);
    return m ? `[{${m[1]}}]${m[2]}` : name.replace(/^Root/, '[{AppVPackageRoot}]');
  };
  const displayName = spec.displayName ?? 'Vendor App';
  const applications =
    spec.applications ??
    (firstExe ? [{ target: toToken(firstExe.name), name: displayName, version: '1.2.3.4' }] : []);
  const shortcuts =
    spec.shortcuts ??
    applications.map((a) => ({
      file: `[{Common Programs}]\\${displayName}\\${a.name}.lnk`,
      target: a.target,
      ...(firstIco ? { icon: toToken(firstIco.name) } : {}),
      description: a.name,
    }));
  const targets = applications.map((a) => tokenPathToPackagePath(a.target)).filter((t) => blockCount(t) > 0);
  const publishing =
    spec.streamMap?.publishing !== undefined
      ? spec.streamMap.publishing
      : [
          ...spec.files.filter((f) => /\.ico$/i.test(f.name)).map((f) => ({ name: f.name })),
          ...targets.map((t): StreamMapFile => {
            const n = blockCount(t);
            return {
              name: t,
              blocks:
                n > 1
                  ? [
                      [0, 1],
                      [n - 1, 1],
                    ]
                  : [[0, 1]],
            };
          }),
        ];
  const primary =
    spec.streamMap?.primary !== undefined ? spec.streamMap.primary : targets.map((name) => ({ name }));

  const generated: AppvParts = {
    'AppxManifest.xml': manifestXml({
      packageId: spec.packageId ?? DEFAULT_PACKAGE_ID,
      versionId: spec.versionId ?? DEFAULT_VERSION_ID,
      displayName,
      description: spec.description ?? 'No description entered',
      applications,
      shortcuts,
    }),
    'StreamMap.xml': streamMapXml({
      publishing,
      primary,
      primaryLoadAll: spec.streamMap?.primaryLoadAll ?? false,
    }),
    'FilesystemMetadata.xml': filesystemMetadataXml({
      files: spec.files
        .filter((f) => (f.inFilesystemMetadata ?? true) && /^Root\\/i.test(f.name))
        .map((f) => f.name),
      emptyDirectories: spec.emptyDirectories ?? [],
      opaqueDirectories: spec.opaqueDirectories ?? [],
      packageRoot: spec.packageRoot ?? {
        long: 'C:\\Program Files\\Vendor App',
        short: 'C:\\PROGRA~1\\VENDOR~1',
      },
    }),
    'PackageHistory.xml': packageHistoryXml(
      spec.history ?? [{ time: '2024-01-01T12:00:00Z', packageVersion: 1 }],
    ),
    'Registry.dat': spec.registry ?? registryDat(),
  };
  let parts: AppvParts = { ...generated, ...spec.parts };
  parts = spec.tamper?.parts?.(parts) ?? parts;

  const footprintMethod = spec.footprintMethod ?? 'deflate-blocks';
  const items: Item[] = spec.files.map((f) => ({
    blockMapName: f.name,
    zipName: toBytes(f.zipName ?? encodeZipName(f.name)),
    data: f.data,
    method: f.method ?? defaultMethod(f.data),
    omitFinalBlock: f.omitFinalBlock ?? false,
    level: f.level,
    entry: f.entry ?? {},
    inBlockMap: f.inBlockMap ?? true,
  }));
  for (const name of APPV_PART_ORDER) {
    const content = parts[name];
    if (content === null) continue;
    const data = toBytes(content);
    items.push({
      blockMapName: name,
      zipName: Buffer.from(name),
      data,
      method: data.length === 0 ? 'stored' : footprintMethod,
      omitFinalBlock: false,
      level: undefined,
      entry: {},
      inBlockMap: true,
    });
  }

  let blockMap = items
    .filter((i) => i.inBlockMap)
    .map((i) => {
      const lfhSize = 30 + i.zipName.length + (i.entry.lfhExtra?.length ?? 0);
      return blockMapFileFor(i.blockMapName, i.data, i.method, lfhSize, {
        hashAlgorithm: spec.hashAlgorithm ?? 'sha256',
        ...(i.level === undefined ? {} : { level: i.level }),
      });
    });
  blockMap = spec.tamper?.blockMap?.(blockMap) ?? blockMap;
  let bmXml = blockMapXml(blockMap, Namespaces[spec.hashAlgorithm ?? 'sha256']);
  if (spec.tamper?.blockMapXml) bmXml = spec.tamper.blockMapXml(bmXml);

  const zipNames = [...items.map((i) => i.zipName.toString('latin1')), 'AppxBlockMap.xml'];
  let ctXml = contentTypesXml(zipNames, spec.contentTypes);
  if (spec.tamper?.contentTypesXml) ctXml = spec.tamper.contentTypesXml(ctXml);

  let entries: CraftEntry[] = [
    ...items.map(
      (i): CraftEntry => ({
        name: i.zipName,
        data: i.data,
        method: i.method,
        omitFinalBlock: i.omitFinalBlock,
        ...(i.level === undefined ? {} : { level: i.level }),
        ...i.entry,
      }),
    ),
    { name: 'AppxBlockMap.xml', data: Buffer.from(bmXml, 'utf8'), method: footprintMethod },
    { name: '[Content_Types].xml', data: Buffer.from(ctXml, 'utf8'), method: footprintMethod },
  ];
  entries = spec.tamper?.entries?.(entries) ?? entries;
  const { bytes, layout } = craftZip(entries, spec.craft);
  return { bytes, layout, entries, blockMap, blockMapXml: bmXml, contentTypesXml: ctXml, parts };
}
