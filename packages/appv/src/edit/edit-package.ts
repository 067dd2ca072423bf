import { stat } from 'node:fs/promises';
import {
  type AppxManifest,
  appendHistoryItem,
  type BlockMap,
  type BlockMapFile,
  branchPackage,
  buildStreamMap,
  createPackageHistory,
  newVersion,
  serializeAppxManifest,
  serializeFilesystemMetadata,
  serializePackageHistory,
  serializeStreamMap,
} from '@appv/manifest';
import {
  AppvError,
  checkOptionKeys,
  checkOutputTarget,
  checkPathArgument,
  describeError,
  ErrorCode,
  encodePartName,
  type Finding,
  FindingList,
  type HashAlgorithm,
  MAX_FINDINGS,
  nameKey,
  type OptionKeys,
  type PackageItem,
  partKey,
  partNameProblems,
  type RawPartContent,
  shareBlocks,
  throwIfAborted,
  WorkerPool,
  type WrittenPart,
} from '@appv/opc';
import { applicationTargetWarnings } from '../application-targets.js';
import { type AppvPackage, openPackage } from '../appv-package.js';
import { requireAppvPackage } from '../appv-package-check.js';
import { unsafeNameReason } from '../extract/safe-path.js';
import { fileNameKey } from '../file-name-key.js';
import { directoriesHolding } from '../filesystem-agreement.js';
import { isFootprintItem, PartNames } from '../footprint.js';
import { derivedPackageId, derivedVersionId } from '../pack/derived-ids.js';
import {
  dynamicConfigPaths,
  editConfigPlan,
  type PreparedConfigs,
  prepareDynamicConfigs,
} from '../pack/dynamic-config-files.js';
import {
  applyFeatureBlocks,
  FEATURE_BLOCK_OPTION_KEYS,
  type FeatureBlockOptions,
  fitStreamMap,
  payloadIndex,
} from '../pack/feature-blocks.js';
import { updatedFilesystemMetadata } from '../pack/filesystem-metadata-update.js';
import { type FootprintBytes, writeFootprint } from '../pack/footprint-parts.js';
import {
  applyIdentityOptions,
  checkIdentityOptions,
  type IdentityOptions,
} from '../pack/identity-options.js';
import { keptIdsWarning } from '../pack/kept-ids-warning.js';
import { checkStoredExtensions, isStoredExtension } from '../pack/stored-extensions.js';
import {
  historyTime,
  openWriter,
  WRITE_OPTION_KEYS,
  type WriteOptions,
  type WrittenIdentity,
  writtenIdentity,
} from '../pack/write-options.js';
import { PathTree } from '../path-tree.js';
import { checkIdentity } from '../verify/appv-checks.js';
import { checkCopiedParts, containerProblems, copiedPartsError } from './copied-parts-check.js';
import { FolderSpelling } from './folder-spelling.js';
import { containerRepairs, repairsWarnings } from './input-repairs.js';

/** The identity fields edit sets as pack does; `name` is the new package's with `branch`. */
type EditedIdentity = Pick<IdentityOptions, 'name' | 'displayName' | 'packageId' | 'versionId'>;

export interface EditOptions extends FeatureBlockOptions, WriteOptions, EditedIdentity {
  /** Same PackageId, new VersionId, version bumped (FORMAT.md §6). */
  readonly newVersion?: boolean | undefined;
  /** New PackageId, VersionId and name: needs `name`. */
  readonly branch?: boolean | undefined;
  readonly setVersion?: string | undefined;
  /** Parts to add or replace: package name (BlockMap form or `/`) → file on disk. */
  readonly add?: readonly { readonly name: string; readonly path: string }[] | undefined;
  /** Parts to remove, by package name. */
  readonly remove?: readonly string[] | undefined;
}

export interface EditResult extends WrittenIdentity {
  readonly output: string;
  /** Parts copied as raw compressed bytes. */
  readonly copied: number;
  readonly added: number;
  readonly removed: number;
  readonly size: number;
  readonly parts: readonly WrittenPart[];
  /** Dynamic configuration files written beside the package. */
  readonly configs: readonly string[];
  /**
   * What the edit left that the package still takes but a user would want to know: an application whose
   * executable was removed (APPV_APPLICATION_TARGET_MISSING, the warning verify gives it).
   */
  readonly warnings: readonly Finding[];
}

/**
 * `appv edit`: a new package from an existing one. Untouched parts are copied as their raw compressed bytes
 * (no inflate, no deflate: their BlockMap entries stay true); the manifest is edited through its live model
 * so everything not understood survives; BlockMap, content types and history are regenerated.
 */
export async function editPackage(
  input: string,
  output: string,
  options: EditOptions = {},
): Promise<EditResult> {
  checkPathArgument(input, 'the package to edit', 'editPackage');
  checkPathArgument(output, 'the package to write', 'editPackage');
  checkOptionKeys(options, EDIT_OPTION_KEYS, 'editPackage');
  checkIdentityOptions(
    {
      name: options.name,
      displayName: options.displayName,
      version: options.setVersion,
      packageId: options.packageId,
      versionId: options.versionId,
    },
    'editPackage',
    { version: 'setVersion' },
  );
  checkStoredExtensions(options.store, 'editPackage');
  const pkg = await openPackage(input, options.signal ? { signal: options.signal } : {});
  try {
    return await edit(pkg, input, output, options);
  } finally {
    await pkg.close();
  }
}

async function edit(
  pkg: AppvPackage,
  input: string,
  output: string,
  options: EditOptions,
): Promise<EditResult> {
  const read = { signal: options.signal };
  const blockMap = await pkg.blockMap(read);
  const manifest = await pkg.manifest(read);
  const registryItem = requireAppvPackage(pkg, manifest);
  const before = { ...manifest.identity };
  const blocksByName = new Map(blockMap.files.map((f) => [nameKey(f.name), f]));
  const plan = await planPayload(pkg, options);
  const broken = containerProblems(pkg, [...plan.kept, registryItem]);
  if (broken.length > 0) throw copiedPartsError(input, broken);

  if (options.branch && options.newVersion) {
    throw new AppvError(
      ErrorCode.USAGE,
      '--branch and --new-version contradict each other: a branch is a new package',
    );
  }
  if (options.newVersion && options.packageId !== undefined) {
    throw new AppvError(
      ErrorCode.USAGE,
      '--new-version keeps the PackageId, so --package-id has no place with it (--branch makes a new one)',
    );
  }
  if (options.branch) {
    if (options.name === undefined) throw new AppvError(ErrorCode.USAGE, '--branch needs --name <new name>');
    // Deterministic: the new PackageId is derived as pack derives one (found by review: it was random).
    const packageId =
      options.packageId ??
      (options.deterministic ? derivedPackageId(options.name, manifest.identity.publisher) : undefined);
    branchPackage(manifest, {
      name: options.name,
      ...(packageId === undefined ? {} : { packageId }),
      ...(options.versionId === undefined ? {} : { versionId: options.versionId }),
    });
  } else if (options.newVersion) {
    // A version given replaces the bump (so the highest version, which cannot be bumped, can still be left).
    newVersion(manifest, {
      ...(options.versionId === undefined ? {} : { versionId: options.versionId }),
      ...(options.setVersion === undefined ? {} : { version: options.setVersion }),
    });
  }
  applyIdentityOptions(
    manifest,
    {
      ...(options.displayName === undefined ? {} : { displayName: options.displayName }),
      ...(options.setVersion === undefined ? {} : { version: options.setVersion }),
      ...(!options.branch && options.name !== undefined ? { name: options.name } : {}),
      ...(!options.branch && !options.newVersion && options.packageId !== undefined
        ? { packageId: options.packageId }
        : {}),
      ...(!options.branch && !options.newVersion && options.versionId !== undefined
        ? { versionId: options.versionId }
        : {}),
    },
    {},
  );

  // The ids the edited package carries must be GUIDs (FORMAT.md §6): a bad one kept as it was made a package
  // that failed verify, exit 0 (found by review). One the edit replaced is a repair, said with the others.
  const keptBad = identityFindings(manifest.identity)[0];
  if (keptBad !== undefined) {
    throw new AppvError(
      keptBad.code,
      `${keptBad.message}, and the edit would keep it: give --new-version or --version-id <guid> for a VersionId, --branch --name <N> or --package-id <guid> for a PackageId`,
      { part: PartNames.manifest, file: input },
    );
  }
  const identityRepairs = identityFindings(before);

  // The payload after the edit, for the StreamMap and FilesystemMetadata.
  const payload = [
    ...plan.kept.filter((i) => isRootName(i.name)).map((i) => ({ name: i.name, size: i.uncompressedSize })),
    ...plan.added.filter((a) => isRootName(a.name)).map((a) => ({ name: a.name, size: a.size })),
  ];
  const changedPayload = plan.added.length > 0 || plan.removed.length > 0;
  const index = payloadIndex(payload);

  const streamMapItem = pkg.opc.item(PartNames.streamMap);
  const featureChange =
    options.publishing !== undefined || options.primary !== undefined || options.loadAll !== undefined;
  let streamMap: FootprintBytes | null = streamMapItem ? rawOf(pkg, streamMapItem, blocksByName) : null;
  const planWarnings: Finding[] = identityWarnings(pkg, before, manifest, options);
  if (featureChange || changedPayload || !streamMapItem) {
    const map = (await pkg.streamMap(read)) ?? buildStreamMap();
    planWarnings.push(...fitStreamMap(map, index));
    applyFeatureBlocks(map, options, index);
    streamMap = { bytes: serializeStreamMap(map) };
  }

  const fsItem = pkg.opc.item(PartNames.filesystemMetadata);
  let filesystemMetadata: FootprintBytes | null = fsItem ? rawOf(pkg, fsItem, blocksByName) : null;
  if (changedPayload || !fsItem) {
    const kept = await pkg.filesystemMetadata(read);
    filesystemMetadata = {
      bytes: serializeFilesystemMetadata(
        updatedFilesystemMetadata(
          kept,
          payload.map((p) => p.name),
          emptiedFolders(plan.removed, payload, kept?.emptyDirectories ?? []),
        ),
      ),
    };
  }

  const previous = (await pkg.packageHistory(read)) ?? createPackageHistory();
  const history = appendHistoryItem(previous, { time: historyTime(options, previous) });
  throwIfAborted(options.signal);

  const copied = [
    ...plan.kept,
    registryItem,
    ...copiedRaw(streamMapItem, streamMap),
    ...copiedRaw(fsItem, filesystemMetadata),
  ];
  const pool = new WorkerPool(options.threads);
  try {
    return await writeEdited(pkg, input, output, options, pool, {
      blockMap,
      manifest,
      blocksByName,
      plan,
      copied,
      regenerated: [PartNames.manifest, PartNames.packageHistory].flatMap((name) => {
        const item = pkg.opc.item(name);
        return item ? [item] : [];
      }),
      inputRepairs: [...containerRepairs(pkg), ...identityRepairs],
      planWarnings,
      footprint: {
        registry: rawOf(pkg, registryItem, blocksByName),
        streamMap: streamMap as FootprintBytes,
        filesystemMetadata: filesystemMetadata as FootprintBytes,
        packageHistory: { bytes: serializePackageHistory(history) },
      },
    });
  } finally {
    await pool.destroy();
  }
}

/** `item`, when the footprint part written for it is its raw copy rather than a regenerated document. */
function copiedRaw(item: PackageItem | undefined, written: FootprintBytes | null): PackageItem[] {
  return item && written && 'raw' in written ? [item] : [];
}

/** What edit has decided before it writes: the parts it keeps, adds and regenerates. */
interface EditPlan {
  readonly blockMap: BlockMap;
  readonly manifest: AppxManifest;
  readonly blocksByName: ReadonlyMap<string, BlockMapFile>;
  readonly plan: PayloadPlan;
  /** Every part copied as raw compressed bytes, payload and footprint. */
  readonly copied: readonly PackageItem[];
  /** Parts of the input the BlockMap lists that edit writes anew (manifest, history): checked for the repairs. */
  readonly regenerated: readonly PackageItem[];
  /** What the input has wrong that the edited package will not have, found before the copied parts' check. */
  readonly inputRepairs: readonly Finding[];
  /**
   * Found while the edit is planned, before anything is written: ids kept through a new name or version, a
   * signature left out, and what fitting the StreamMap to the edited payload changed (fitStreamMap).
   */
  readonly planWarnings: readonly Finding[];
  readonly footprint: Omit<Parameters<typeof writeFootprint>[1], 'manifest'>;
}

/**
 * Checks the parts to be copied raw (copied-parts-check.ts), then writes. Progress covers both: the check's
 * compressed bytes are counted as the uncompressed bytes they stand for, so one bar runs once from 0 to the
 * end.
 */
async function writeEdited(
  pkg: AppvPackage,
  input: string,
  output: string,
  options: EditOptions,
  pool: WorkerPool,
  edited: EditPlan,
): Promise<EditResult> {
  const { blockMap, manifest, blocksByName, plan, copied, regenerated, footprint, planWarnings } = edited;
  const algorithm: HashAlgorithm = blockMap.hashMethod;
  const written =
    plan.kept.reduce((s, i) => s + i.uncompressedSize, 0) + plan.added.reduce((s, a) => s + a.size, 0);
  const checked = copied.reduce((s, i) => s + i.uncompressedSize, 0);
  const total = checked + written;
  const { onProgress } = options;
  // The configuration files' places are checked with the package's, before anything is written; those
  // already there are kept (editConfigPlan).
  const makeConfigs = options.dynamicConfig !== false;
  if (makeConfigs) for (const target of dynamicConfigPaths(output)) await checkOutputTarget(target);
  const { problems, repaired } = await checkCopiedParts(pkg, blockMap, copied, regenerated, {
    pool,
    signal: options.signal,
    onProgress: onProgress
      ? (done, compressed) =>
          onProgress(Math.round(checked * (compressed > 0 ? done / compressed : 1)), total)
      : undefined,
  });
  if (problems.length > 0) throw copiedPartsError(input, problems);
  throwIfAborted(options.signal);
  const writeProgress = onProgress
    ? { onProgress: (done: number) => onProgress(checked + Math.min(done, written), total) }
    : {};
  const writer = await openWriter(output, { ...options, ...writeProgress }, algorithm, written, pool);
  let configs: PreparedConfigs | undefined;
  const configWarnings: Finding[] = [];
  let result: Awaited<ReturnType<typeof writeFootprint>>;
  try {
    for (const item of plan.kept) {
      await writer.addRawPart(item.name, rawPart(pkg, item, blocksByName));
    }
    for (const added of plan.added) {
      await writer.addPart(
        added.name,
        { path: added.path, size: added.size },
        { method: isStoredExtension(added.name, options.store ?? []) ? 'stored' : 'auto' },
      );
    }
    if (options.deterministic && (options.newVersion || options.branch) && options.versionId === undefined) {
      // The new VersionId from what was written, as pack derives one (found by review: it was random, so
      // the same edit did not give the same bytes).
      // A StreamMap copied raw is the source's, which the source's identity already stands for.
      const documents = 'bytes' in footprint.streamMap ? [footprint.streamMap.bytes] : [];
      const versionId = derivedVersionId(manifest, await writer.written(), documents);
      applyIdentityOptions(manifest, { versionId }, {});
    }
    // Put in place right after the package, as pack does (prepareDynamicConfigs): a failure before then
    // leaves the previous ones. `edit` wrote none, so a branch kept only its parent's, with the parent's
    // PackageId (found by review).
    if (makeConfigs) {
      const planned = await editConfigPlan(output, manifest.identity.packageId ?? '');
      configWarnings.push(...planned.warnings);
      configs = await prepareDynamicConfigs(output, manifest, { overwrite: false, only: planned.write });
    }
    result = await writeFootprint(
      writer,
      { ...footprint, manifest: serializeAppxManifest(manifest) },
      algorithm,
    );
  } catch (error) {
    await writer.abort(error).catch(() => {}); // the error that stopped the edit is the one to report
    await configs?.discard();
    throw error;
  }
  await configs?.commit();
  return {
    output,
    ...writtenIdentity(manifest),
    copied: plan.kept.length,
    added: plan.added.length,
    removed: plan.removed.length,
    size: result.size,
    parts: result.parts,
    configs: configs?.files ?? [],
    warnings: [
      ...repairsWarnings([...edited.inputRepairs, ...repaired]),
      ...planWarnings,
      ...editWarnings(manifest, plan),
      ...configWarnings,
    ],
  };
}

/** What verify would find wrong with `identity` (FORMAT.md §6). */
function identityFindings(identity: AppxManifest['identity']): Finding[] {
  const list = new FindingList(MAX_FINDINGS);
  checkIdentity(identity, list);
  return list.findings;
}

/** Said at once rather than by a later verify (found by review: the removal of an application's .exe was silent). */
function editWarnings(manifest: AppxManifest, plan: PayloadPlan): Finding[] {
  return applicationTargetWarnings(manifest, [
    ...plan.kept.map((i) => i.name),
    ...plan.added.map((a) => a.name),
  ]);
}

interface AddedPart {
  readonly name: string;
  readonly path: string;
  readonly size: number;
}

interface PayloadPlan {
  /** Payload parts copied raw, in package order. */
  readonly kept: readonly PackageItem[];
  readonly added: readonly AddedPart[];
  readonly removed: readonly string[];
}

/**
 * Footprint parts edit writes itself (regenerated, or Registry.dat copied in its place among the App-V
 * parts) or drops (signatures: an edited package is no longer signed), never as payload (FORMAT.md §1).
 */
const NOT_PAYLOAD = new Set(
  [
    PartNames.manifest,
    PartNames.blockMap,
    PartNames.streamMap,
    PartNames.filesystemMetadata,
    PartNames.packageHistory,
    PartNames.registry,
    PartNames.signature,
    PartNames.codeIntegrity,
  ].map(nameKey),
);

/** Why a footprint part cannot be removed or replaced (Registry.dat is copied, not regenerated; found by review). */
function notPayloadReason(name: string, what: 'removed' | 'replaced'): string {
  const key = partKey(name);
  if (key === nameKey(PartNames.registry))
    return `Registry.dat, the registry hive, is copied as it is and cannot be ${what}`;
  if (key === nameKey(PartNames.signature) || key === nameKey(PartNames.codeIntegrity))
    return `the signature parts are left out of every edited package and cannot be ${what}`;
  return `this part is regenerated by edit and cannot be ${what}`;
}

const EDIT_OPTION_KEYS: OptionKeys<EditOptions> = {
  ...WRITE_OPTION_KEYS,
  ...FEATURE_BLOCK_OPTION_KEYS,
  newVersion: 'boolean',
  branch: 'boolean',
  name: 'string',
  setVersion: 'string',
  displayName: 'string',
  packageId: 'string',
  versionId: 'string',
  add: 'additions',
  remove: 'strings',
};

/** Which parts are copied, added (or replaced) and removed; every name is checked before anything is written. */
async function planPayload(pkg: AppvPackage, options: EditOptions): Promise<PayloadPlan> {
  const items = pkg.items.filter(
    (i) => i.kind === 'part' && !isFootprintItem(i) && !NOT_PAYLOAD.has(nameKey(i.name)),
  );
  const byKey = new Map(items.map((i) => [nameKey(i.name), i]));
  const removed = (options.remove ?? []).map((name) => {
    const item = byKey.get(partKey(name));
    if (!item) {
      const regenerated = NOT_PAYLOAD.has(partKey(name)) || partKey(name) === nameKey(PartNames.contentTypes);
      // A new part added and removed in one call is the conflict, not a missing part (found by review).
      const added = (options.add ?? []).find((a) => fileNameKey(a.name) === fileNameKey(name));
      if (added !== undefined) {
        throw new AppvError(
          ErrorCode.USAGE,
          `--add ${added.name} and --remove name the same part: give one of them`,
          { part: name },
        );
      }
      const why = regenerated ? notPayloadReason(name, 'removed') : 'the package has no such part';
      throw new AppvError(ErrorCode.PACK_INPUT_INVALID, `--remove ${name}: ${why}`, { part: name });
    }
    return item.name;
  });
  const removedKeys = new Set(removed.map(nameKey));
  const names = new PartNesting();
  for (const item of pkg.items)
    if (item.kind === 'part' && !removedKeys.has(nameKey(item.name))) names.place(item.name);
  // An empty directory of the package is a name too: a part added under it as a file collides with it here,
  // rather than later as a FilesystemMetadata that seems broken (found by review).
  if ((options.add ?? []).length > 0) {
    for (const empty of (await pkg.filesystemMetadata({ signal: options.signal }))?.emptyDirectories ?? [])
      names.placeEmptyFolder(empty.long);
  }
  const added: AddedPart[] = [];
  const addedKeys = new Map<string, string>();
  const spelling = new FolderSpelling(items.map((i) => i.name));
  for (const { name: given, path } of options.add ?? []) {
    const name = spelling.spell(given.replaceAll('/', '\\'));
    const problems = partNameProblems(encodePartName(name));
    if (problems.length > 0 || NOT_PAYLOAD.has(nameKey(name)) || name === PartNames.contentTypes) {
      throw new AppvError(
        ErrorCode.PACK_NAME_INVALID,
        `--add ${given}: ${problems.length > 0 ? problems.join('; ') : notPayloadReason(name, 'replaced')}`,
        { part: name },
      );
    }
    // What pack refuses in a source folder, --add refuses too (found by review: a device name, a trailing
    // space or a control character made a package that verified but that Windows, and extract, refuse).
    const unsafe = unsafeNameReason(name, 'win32');
    if (unsafe !== null)
      throw new AppvError(ErrorCode.PACK_NAME_INVALID, `--add ${given}: ${unsafe}`, { part: name });
    const nesting = names.conflict(name);
    if (nesting !== null) {
      throw new AppvError(ErrorCode.PACK_NAME_COLLISION, `--add ${given}: ${nesting}`, { part: name });
    }
    // Only what lies under Root is installed (FORMAT.md §1): `--add readme.txt` made a part no client ever
    // showed, in a package that verified (found by review). Existing parts outside Root are still kept.
    if (!isRootName(name)) {
      throw new AppvError(
        ErrorCode.PACK_NAME_INVALID,
        `--add ${given}: only parts under Root\\ are installed (the package's files); did you mean Root\\${name}?`,
        { part: name },
      );
    }
    names.place(name);
    const key = fileNameKey(name);
    // "Replace it" and "remove it" at once says two things; which one was meant is not ours to guess.
    if (removed.some((r) => fileNameKey(r) === key)) {
      throw new AppvError(
        ErrorCode.USAGE,
        `--add ${given} and --remove name the same part: give one of them`,
        {
          part: name,
        },
      );
    }
    if (addedKeys.has(key)) {
      throw new AppvError(
        ErrorCode.PACK_NAME_COLLISION,
        `--add ${given} collides with --add ${addedKeys.get(key)}`,
        {
          part: name,
        },
      );
    }
    addedKeys.set(key, given);
    const info = await stat(path).catch((error: unknown) => {
      throw new AppvError(
        ErrorCode.PACK_SOURCE_UNREADABLE,
        `--add ${given}: cannot read ${path}: ${describeError(error)}`,
        {
          part: name,
          file: path,
          cause: error,
        },
      );
    });
    if (!info.isFile()) {
      throw new AppvError(ErrorCode.PACK_SOURCE_UNREADABLE, `--add ${given}: ${path} is not a regular file`, {
        part: name,
        file: path,
      });
    }
    // Replacing an existing part keeps its spelling; Windows would see both spellings as one file.
    const existing = items.find((i) => fileNameKey(i.name) === key);
    added.push({ name: existing?.name ?? name, path, size: info.size });
  }
  const replaced = new Set(added.map((a) => nameKey(a.name)));
  const kept = items.filter((i) => !removedKeys.has(nameKey(i.name)) && !replaced.has(nameKey(i.name)));
  return { kept, added, removed };
}

/** A part's raw bytes and its BlockMap entry, for a copy without inflating (FORMAT.md §3). */
function rawPart(
  pkg: AppvPackage,
  item: PackageItem,
  blocks: ReadonlyMap<string, BlockMapFile>,
): RawPartContent {
  const entry = blocks.get(nameKey(item.name));
  // An item the container cannot read is said with the container's reason (an overlap, a bad header).
  const unreadable = pkg.opc.unreadableError(item);
  if (unreadable) throw unreadable;
  if (!entry || !item.readable || (item.method !== 0 && item.method !== 8)) {
    throw new AppvError(
      ErrorCode.BLOCKMAP_FILE_UNLISTED,
      `${item.name} cannot be copied raw: ${entry ? 'it is not readable' : 'the BlockMap does not describe it'} (run appv verify on the input)`,
      { part: item.name },
    );
  }
  // The entry's blocks as they are (compact for a parsed map): copied into the new BlockMap, never made into objects.
  const content: Omit<RawPartContent, 'blocks'> = {
    source: pkg.opc.source,
    dataOffset: item.dataOffset,
    compressedSize: item.compressedSize,
    size: item.uncompressedSize,
    crc: item.crc32,
    method: item.method,
  };
  return shareBlocks(content, entry);
}

function rawOf(
  pkg: AppvPackage,
  item: PackageItem,
  blocks: ReadonlyMap<string, BlockMapFile>,
): FootprintBytes {
  return { raw: rawPart(pkg, item, blocks) };
}

/**
 * The folders a removal leaves with nothing in them: they stay, as empty directories (FORMAT.md §5), as a
 * folder does when its last file is deleted (found by review: they vanished from the package). Only the
 * deepest are listed; the folders above them hold them.
 */
function emptiedFolders(
  removed: readonly string[],
  payload: readonly { readonly name: string }[],
  keptEmpty: readonly { readonly long: string }[],
): string[] {
  const folders = new Map<string, string>();
  for (const name of removed) {
    const folder = name.slice(0, Math.max(0, name.lastIndexOf('\\')));
    if (isRootName(folder)) folders.set(nameKey(folder), folder);
  }
  if (folders.size === 0) return [];
  const holding = directoriesHolding(
    [...payload.map((p) => p.name), ...keptEmpty.map((d) => d.long), ...folders.values()].map(nameKey),
  );
  return [...folders].filter(([key]) => !holding.has(key)).map(([, folder]) => folder);
}

function isRootName(name: string): boolean {
  return nameKey(name).startsWith('root\\');
}

/**
 * Part names as a tree (path-tree.ts), to refuse an added name that would make one part the folder of
 * another: OPC forbids it (FORMAT.md §8), and `--add Registry.dat\\x` made a package verify rejected.
 * Names fold as file systems do (fileNameKey), as pack's own collision check does.
 */
class PartNesting {
  private readonly tree = new PathTree(fileNameKey);
  private readonly files = new Set<number>();
  private readonly folders = new Set<number>();
  private readonly emptyFolders = new Set<number>();

  place(name: string): void {
    this.files.add(this.tree.addPath(name.split('\\'), (folder) => this.folders.add(folder)));
  }

  /** A folder of the package with nothing in it (FilesystemMetadata's EmptyDirectories, FORMAT.md §5). */
  placeEmptyFolder(name: string): void {
    this.emptyFolders.add(this.tree.addPath(name.split('\\'), (folder) => this.folders.add(folder)));
  }

  /** Why `name` cannot join the parts placed so far, or null (replacing a part of the same name is fine). */
  conflict(name: string): string | null {
    const segments = name.split('\\');
    let node: number | undefined = PathTree.ROOT;
    for (let i = 0; i < segments.length; i++) {
      node = this.tree.find(node, segments[i] as string);
      if (node === undefined) return null;
      const last = i === segments.length - 1;
      if (!last && this.files.has(node))
        return `the part ${segments.slice(0, i + 1).join('\\')} would have to be a folder`;
      if (last && this.folders.has(node)) return 'other parts lie inside it, as in a folder';
      if (last && this.emptyFolders.has(node)) return 'the package has an empty folder of that name';
    }
    return null;
  }
}

/**
 * What an edit changes that its options did not say: the ids kept through a new name or version (as pack
 * warns; found by review), and a signature that a changed package cannot keep.
 */
function identityWarnings(
  pkg: AppvPackage,
  before: AppxManifest['identity'],
  manifest: AppxManifest,
  options: EditOptions,
): Finding[] {
  const warnings: Finding[] = [];
  const idsGiven = options.newVersion || options.branch || options.versionId !== undefined;
  const kept = idsGiven ? null : keptIdsWarning(before, manifest.identity);
  if (kept) warnings.push(kept);
  for (const name of [PartNames.signature, PartNames.codeIntegrity]) {
    if (pkg.has(name)) {
      warnings.push({
        code: ErrorCode.APPV_SIGNATURE_DROPPED,
        severity: 'warning',
        part: name,
        message: `${name} is left out: a signature covers the package as it was, not as edited (sign it again)`,
      });
    }
  }
  return warnings;
}
