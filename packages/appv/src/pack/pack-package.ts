import { realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type AppxManifest,
  appendHistoryItem,
  buildStreamMap,
  createAppxManifest,
  createPackageHistory,
  discoverApplications,
  emptyRegistryHive,
  type FilesystemMetadata,
  flattenPaths,
  type PackageHistory,
  PUBLISHING_FEATURE_BLOCK,
  parseAppxManifest,
  parseFilesystemMetadata,
  parsePackageHistory,
  parseStreamMap,
  registryHiveProblem,
  type StreamMap,
  serializeAppxManifest,
  serializeFilesystemMetadata,
  serializePackageHistory,
  serializeStreamMap,
  tokenPathToPackagePath,
} from '@appv/manifest';
import {
  AppvError,
  checkHashAlgorithm,
  checkOptionKeys,
  checkOutputTarget,
  checkPathArgument,
  describeError,
  ErrorCode,
  type Finding,
  type HashAlgorithm,
  MAX_XML_PART_SIZE,
  nameKey,
  type OptionKeys,
  type PartMethod,
  throwIfAborted,
  WorkerPool,
  type WrittenPart,
} from '@appv/opc';
import { applicationTargetWarnings } from '../application-targets.js';
import { filesystemMismatches } from '../filesystem-agreement.js';
import { PartNames } from '../footprint.js';
import { derivedPackageId, derivedVersionId } from './derived-ids.js';
import {
  dynamicConfigPaths,
  type PreparedConfigs,
  prepareDynamicConfigs,
  refuseExistingConfigs,
} from './dynamic-config-files.js';
import {
  applyFeatureBlocks,
  defaultPublishingFiles,
  FEATURE_BLOCK_OPTION_KEYS,
  type FeatureBlockOptions,
  fitStreamMap,
  payloadIndex,
} from './feature-blocks.js';
import { updatedFilesystemMetadata } from './filesystem-metadata-update.js';
import { writeFootprint } from './footprint-parts.js';
import {
  applyIdentityOptions,
  checkIdentityOptions,
  IDENTITY_OPTION_KEYS,
  type IdentityOptions,
} from './identity-options.js';
import { keptIdsWarning } from './kept-ids-warning.js';
import { refuseSourceFileAsOutput } from './output-in-source.js';
import { type SourceTree, scanSource } from './source-tree.js';
import { checkStoredExtensions, isStoredExtension } from './stored-extensions.js';
import { realPathOf, typedPackageName } from './typed-path.js';
import {
  historyTime,
  openWriter,
  WRITE_OPTION_KEYS,
  type WriteOptions,
  type WrittenIdentity,
  writtenIdentity,
} from './write-options.js';

export interface PackOptions extends IdentityOptions, FeatureBlockOptions, WriteOptions {
  /** Where a plain folder goes in the package, e.g. `ProgramFilesX86/Vendor App` (default `ProgramFilesX86/<folder name>`). */
  readonly vfs?: string | undefined;
  /** BlockMap-form directories to mark opaque in FilesystemMetadata (FORMAT.md §5). */
  readonly opaqueDirectories?: readonly string[] | undefined;
  readonly algorithm?: HashAlgorithm | undefined;
}

const PACK_OPTION_KEYS: OptionKeys<PackOptions> = {
  ...WRITE_OPTION_KEYS,
  ...FEATURE_BLOCK_OPTION_KEYS,
  ...IDENTITY_OPTION_KEYS,
  vfs: 'string',
  opaqueDirectories: 'strings',
  algorithm: true,
};

export interface PackResult extends WrittenIdentity {
  readonly output: string;
  readonly layout: SourceTree['layout'];
  readonly files: number;
  readonly emptyDirectories: number;
  /** Uncompressed payload bytes. */
  readonly bytes: number;
  /** Size of the package file. */
  readonly size: number;
  readonly parts: readonly WrittenPart[];
  /** Dynamic configuration files written beside the package. */
  readonly configs: readonly string[];
  /**
   * What pack changed in a kept StreamMap.xml to make it true to the files on disk: a file it lists that is
   * not there (APPV_STREAMMAP_FILE_UNKNOWN), a run past a file's end (APPV_STREAMMAP_BLOCK_RANGE).
   */
  readonly warnings: readonly Finding[];
}

/**
 * `appv pack`: a folder (package layout or plain folder) → a complete App-V package that verifies clean.
 * Everything that can be wrong with the input is found before the first byte is written: names, collisions,
 * readability, options, feature-block files.
 */
export async function packPackage(
  dir: string,
  output: string,
  options: PackOptions = {},
): Promise<PackResult> {
  checkPathArgument(dir, 'the folder to pack', 'packPackage');
  checkPathArgument(output, 'the package to write', 'packPackage');
  checkOptionKeys(options, PACK_OPTION_KEYS, 'packPackage');
  checkIdentityOptions(options, 'packPackage');
  checkHashAlgorithm(options.algorithm, 'packPackage');
  checkStoredExtensions(options.store, 'packPackage');
  throwIfAborted(options.signal); // before the workers start: stopping them takes a while
  // The workers start now and load their modules while the source is scanned, not after.
  const pool = new WorkerPool(options.threads);
  try {
    return await packWith(pool, dir, output, options);
  } finally {
    await pool.destroy();
  }
}

async function packWith(
  pool: WorkerPool,
  dir: string,
  output: string,
  options: PackOptions,
): Promise<PackResult> {
  const configPaths = options.dynamicConfig === false ? [] : dynamicConfigPaths(output);
  for (const target of [output, ...configPaths]) await checkOutputTarget(target);
  // By real path (their folders exist: checked just above), as the scan walks real paths.
  const excluded = new Set(
    [output, ...configPaths].map((target) =>
      path.join(realpathSync(path.dirname(path.resolve(target))), path.basename(target)),
    ),
  );
  const tree = await scanSource(dir, options.vfs, options.signal, excluded);
  await refuseSourceFileAsOutput(dir, output);
  throwIfAborted(options.signal);
  const kept = await readKeptFootprint(tree);
  const deterministic = options.deterministic ?? false;

  // Deterministic: a VersionId the manifest does not have, nor the options give, is derived from what was
  // written (below), so it changes with the content and only with it.
  const deriveVersionId =
    deterministic && options.versionId === undefined && kept.manifest?.identity.versionId === undefined;
  const manifest = kept.manifest ?? newManifest(tree, dir, options, deterministic);
  const keptIdentity = { ...manifest.identity };
  if (kept.manifest) {
    const name = options.name ?? kept.manifest.identity.name;
    const publisher = options.publisher ?? kept.manifest.identity.publisher;
    applyIdentityOptions(
      manifest,
      options,
      deterministic ? { packageId: derivedPackageId(name, publisher) } : {},
    );
  }
  const { map: streamMap, warnings } = buildPackStreamMap(tree, kept.streamMap, manifest, options);
  const idsKept =
    kept.manifest && options.versionId === undefined && keptIdsWarning(keptIdentity, manifest.identity);
  if (idsKept) warnings.push(idsKept);
  // A kept manifest may name executables the layout no longer has (a generated one names only what it found).
  if (kept.manifest)
    warnings.push(
      ...applicationTargetWarnings(
        manifest,
        tree.files.map((f) => f.name),
      ),
    );
  const filesystemMetadata = packFilesystemMetadata(tree, kept.filesystemMetadata, options);
  const previous = kept.history ?? createPackageHistory();
  const history = appendHistoryItem(previous, { time: historyTime(options, previous) });
  const registry = kept.registry ?? emptyRegistryHive();

  const total = tree.files.reduce((sum, f) => sum + f.size, 0);
  const algorithm = options.algorithm ?? 'sha256';
  if (options.overwrite === false && options.dynamicConfig !== false) await refuseExistingConfigs(output);
  const writer = await openWriter(output, options, algorithm, total, pool);
  let written: Awaited<ReturnType<typeof writeFootprint>>;
  let configs: PreparedConfigs | undefined;
  try {
    for (const file of tree.files) {
      await writer.addPart(
        file.name,
        { path: file.path, size: file.size },
        { method: methodFor(file.name, options) },
      );
    }
    if (deriveVersionId) {
      const payload = await writer.written(); // every part's digests, once its bytes are out
      const versionId = derivedVersionId(manifest, payload, [serializeStreamMap(streamMap)]);
      applyIdentityOptions(manifest, { versionId }, {});
    }
    // The configuration files are written now and put in place right after the package (see
    // prepareDynamicConfigs): a failure before then leaves the previous ones untouched.
    if (options.dynamicConfig !== false) {
      configs = await prepareDynamicConfigs(output, manifest, { overwrite: options.overwrite ?? true });
    }
    written = await writeFootprint(
      writer,
      {
        registry: { bytes: registry },
        streamMap: { bytes: serializeStreamMap(streamMap) },
        filesystemMetadata: { bytes: serializeFilesystemMetadata(filesystemMetadata) },
        packageHistory: { bytes: serializePackageHistory(history) },
        manifest: serializeAppxManifest(manifest),
      },
      algorithm,
    );
  } catch (error) {
    await writer.abort(error).catch(() => {}); // the error that stopped the pack is the one to report
    await configs?.discard();
    throw error;
  }
  await configs?.commit();
  return {
    output,
    layout: tree.layout,
    ...writtenIdentity(manifest),
    files: tree.files.length,
    emptyDirectories: tree.emptyDirectories.length,
    bytes: total,
    size: written.size,
    parts: written.parts,
    configs: configs?.files ?? [],
    warnings,
  };
}

function methodFor(name: string, options: PackOptions): PartMethod {
  return isStoredExtension(name, options.store ?? []) ? 'stored' : 'auto';
}

interface KeptFootprint {
  readonly manifest?: AppxManifest;
  readonly streamMap?: StreamMap;
  readonly filesystemMetadata?: FilesystemMetadata;
  readonly history?: PackageHistory;
  readonly registry?: Buffer;
}

/** The footprint parts of a package layout, parsed (a broken one is an error now, not a broken package later). */
async function readKeptFootprint(tree: SourceTree): Promise<KeptFootprint> {
  const read = async (name: string, limit = MAX_XML_PART_SIZE): Promise<Buffer | undefined> => {
    const file = tree.footprint.get(name);
    if (file === undefined) return undefined;
    const bytes = await readFile(file).catch((error: unknown) => {
      throw new AppvError(ErrorCode.PACK_SOURCE_UNREADABLE, `Cannot read ${file}: ${describeError(error)}`, {
        part: name,
        file,
        cause: error,
      });
    });
    if (bytes.length > limit) {
      throw new AppvError(ErrorCode.XML_TOO_LARGE, `${file} is larger than ${limit} bytes`, {
        part: name,
        file,
      });
    }
    return bytes;
  };
  const manifest = await read(PartNames.manifest);
  const streamMap = await read(PartNames.streamMap);
  const filesystemMetadata = await read(PartNames.filesystemMetadata);
  const history = await read(PartNames.packageHistory);
  const registry = await read(PartNames.registry, Number.MAX_SAFE_INTEGER);
  const hiveProblem = registry ? registryHiveProblem(registry) : null;
  if (hiveProblem !== null) {
    throw new AppvError(
      ErrorCode.PACK_INPUT_INVALID,
      `${tree.footprint.get(PartNames.registry)} is no registry hive: ${hiveProblem}`,
      { part: PartNames.registry },
    );
  }
  return {
    ...(manifest ? { manifest: parseAppxManifest(manifest) } : {}),
    ...(streamMap ? { streamMap: parseStreamMap(streamMap) } : {}),
    ...(filesystemMetadata ? { filesystemMetadata: parseFilesystemMetadata(filesystemMetadata) } : {}),
    ...(history ? { history: parsePackageHistory(history) } : {}),
    ...(registry ? { registry } : {}),
  };
}

function newManifest(
  tree: SourceTree,
  dir: string,
  options: PackOptions,
  deterministic: boolean,
): AppxManifest {
  const folder = path.basename(path.resolve(dir));
  const name = options.name ?? identityNameFrom(folder);
  const manifest = createAppxManifest({
    name,
    displayName: options.displayName ?? folder,
    ...(options.version === undefined ? {} : { version: options.version }),
    ...(options.publisher === undefined ? {} : { publisher: options.publisher }),
    // An empty id is given, not absent: createAppxManifest refuses it (found by review: it was dropped).
    ...(options.packageId === undefined ? {} : { packageId: options.packageId }),
    ...(options.versionId === undefined ? {} : { versionId: options.versionId }),
    // Each application shows the package's version, as the sequencer records it, unless the package has none.
    // An empty .exe runs nothing (Windows refuses it as no valid application): not offered as one (found by review).
    applications: discoverApplications(tree.files.filter((f) => f.size > 0).map((f) => f.name)).map((app) =>
      options.version === undefined ? app : { ...app, version: options.version },
    ),
  });
  if (deterministic && options.packageId === undefined) {
    const { identity } = manifest;
    applyIdentityOptions(manifest, { packageId: derivedPackageId(identity.name, identity.publisher) }, {});
  }
  return manifest;
}

/**
 * AppX names allow `[A-Za-z0-9.-]`, 3–50 characters: a folder name is cut down to that, padded if too short.
 * Accents go first, keeping their letters (`Ünï` gave `nApp`; found by review).
 */
function identityNameFrom(folder: string): string {
  const cleaned = folder
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^A-Za-z0-9.-]+/g, '.')
    .replace(/^\.+|\.+$/g, '')
    .slice(0, 50);
  return cleaned.length >= 3 ? cleaned : `${cleaned}App`.padEnd(3, '0');
}

function buildPackStreamMap(
  tree: SourceTree,
  kept: StreamMap | undefined,
  manifest: AppxManifest,
  options: PackOptions,
): { map: StreamMap; warnings: Finding[] } {
  const payload = payloadIndex(tree.files, tree.placement);
  const map = kept ?? buildStreamMap();
  // A kept map is fitted to the payload on disk, as edit fits it (found by review: a file deleted from the
  // layout, or a run past a file's end, was kept, and the package failed its own verify).
  const warnings = kept ? fitStreamMap(map, payload) : [];
  if (!kept && options.publishing === undefined) {
    const targets = manifest.applications.flatMap((app) =>
      app.target === undefined ? [] : [tokenPathToPackagePath(app.target)],
    );
    map.featureBlocks.push({
      id: PUBLISHING_FEATURE_BLOCK,
      loadAll: false,
      files: defaultPublishingFiles(tree.files, targets),
    });
  }
  applyFeatureBlocks(map, options, payload);
  return { map, warnings };
}

/**
 * A kept FilesystemMetadata is used as it is when it agrees with the payload; otherwise it is generated from
 * the payload, keeping the kept one's package root and opaque directories (FORMAT.md §5, §9.8).
 */
function packFilesystemMetadata(
  tree: SourceTree,
  kept: FilesystemMetadata | undefined,
  options: PackOptions,
): FilesystemMetadata {
  const opaque = options.opaqueDirectories && opaqueDirectories(options.opaqueDirectories, tree);
  if (kept && opaque === undefined && keptStillFits(kept, tree)) return kept;
  // The folder on disk is the truth for empty directories: the kept document's list is not carried over.
  return updatedFilesystemMetadata(
    kept && { ...kept, emptyDirectories: [] },
    tree.files.map((f) => f.name),
    tree.emptyDirectories,
    opaque,
  );
}

/**
 * The `--opaque` directories as the tree spells them: each a package path, or one relative to the packed
 * folder as `--publishing` takes them. One that is no directory of the payload is refused (found by review: it was
 * made up in FilesystemMetadata, spelled as typed, and relative paths failed with a message about an
 * internal file).
 */
function opaqueDirectories(given: readonly string[], tree: SourceTree): string[] {
  const directories = new Map<string, string>();
  const add = (directory: string) => {
    if (!directories.has(nameKey(directory))) directories.set(nameKey(directory), directory);
  };
  for (const directory of tree.emptyDirectories) add(directory);
  for (const file of tree.files) {
    for (let cut = file.name.lastIndexOf('\\'); cut > 0; cut = file.name.lastIndexOf('\\', cut - 1))
      add(file.name.slice(0, cut));
  }
  return given.map((spec) => {
    // `./dir` and an absolute path inside the folder, as --publishing takes them (found by review: refused).
    const typed = typedPackageName(spec);
    const onDisk = path.isAbsolute(spec) ? packageNameOfFolder(spec, tree) : undefined;
    const candidates = [
      ...(onDisk === undefined ? [] : [onDisk]),
      typed,
      ...(tree.placement === undefined ? [] : [`${tree.placement}\\${typed}`]),
    ];
    for (const candidate of candidates) {
      const found = directories.get(nameKey(candidate));
      if (found !== undefined) return found;
    }
    throw new AppvError(
      ErrorCode.PACK_INPUT_INVALID,
      `--opaque ${spec}: the package has no such directory (give a package path such as Root/VFS/... or one relative to the packed folder)`,
      { part: typed },
    );
  });
}

/** The package name of a folder given by its path on disk: found through a file packed from inside it. */
function packageNameOfFolder(folder: string, tree: SourceTree): string | undefined {
  const spellings = new Set([path.resolve(folder), realPathOf(folder)]);
  for (const file of tree.files) {
    for (const spelling of spellings) {
      if (!file.path.startsWith(`${spelling}${path.sep}`)) continue;
      const below = path.relative(spelling, file.path).split(path.sep).length;
      const segments = file.name.split('\\');
      return segments.slice(0, segments.length - below).join('\\');
    }
  }
  return undefined;
}

/**
 * The kept tree describes this payload, names every empty directory found on disk, and lists as empty only
 * directories that still are (found by review: one removed from the layout came back from the kept list).
 */
function keptStillFits(kept: FilesystemMetadata, tree: SourceTree): boolean {
  if (
    filesystemMismatches(
      kept,
      tree.files.map((f) => f.name),
    ).length > 0
  )
    return false;
  const listed = new Set(flattenPaths(kept).map(nameKey));
  const onDisk = new Set(tree.emptyDirectories.map(nameKey));
  return (
    tree.emptyDirectories.every((d) => listed.has(nameKey(d))) &&
    kept.emptyDirectories.every((d) => onDisk.has(nameKey(d.long)))
  );
}
