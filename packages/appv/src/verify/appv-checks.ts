import type { AppxManifest, BlockMap, FilesystemMetadata, StreamMap } from '@appv/manifest';
import { BLOCK_SIZE, ErrorCode, type FindingList, type FindingSink, nameKey, partKey } from '@appv/opc';
import { checkApplicationTargets } from '../application-targets.js';
import type { AppvPackage } from '../appv-package.js';
import { filesystemMismatches } from '../filesystem-agreement.js';
import { APPV_REQUIRED_PARTS, PartNames } from '../footprint.js';
import { loadDocument } from '../load-document.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * FORMAT.md §9.8, the App-V layer. Applies only when the manifest declares an App-V namespace: plain
 * AppX/MSIX packages have no StreamMap or FilesystemMetadata to check.
 */
export async function checkAppvLayer(
  pkg: AppvPackage,
  blockMap: BlockMap | null,
  sink: FindingList,
  signal?: AbortSignal,
): Promise<void> {
  if (!pkg.has(PartNames.manifest)) {
    // FORMAT.md §1: every package has one, AppX or App-V; without it there is no layer to check either.
    sink.add({
      code: ErrorCode.APPV_PART_MISSING,
      severity: 'error',
      part: PartNames.manifest,
      message: 'The package has no AppxManifest.xml; every package (AppX, MSIX or App-V) needs one',
    });
    return;
  }
  const read = { signal };
  const manifest = await loadDocument(() => pkg.manifest(read), sink);
  if (!manifest?.isAppV) return;
  checkIdentity(manifest.identity, sink);
  checkApplicationTargets(manifest, (name) => pkg.has(name), sink);
  for (const name of APPV_REQUIRED_PARTS) {
    if (!pkg.has(name)) {
      sink.add({
        code: ErrorCode.APPV_PART_MISSING,
        severity: 'error',
        part: name,
        message: `App-V packages carry ${name}; this one has none`,
      });
    }
  }
  const streamMap = await loadDocument(() => pkg.streamMap(read), sink);
  if (streamMap) checkStreamMap(streamMap, fileSizes(streamedFiles(streamMap), pkg, blockMap), sink);
  const metadata = await loadDocument(() => pkg.filesystemMetadata(read), sink);
  if (metadata) checkFilesystemMetadata(metadata, pkg, sink);
  await loadDocument(() => pkg.packageHistory(read), sink);
}

/** FORMAT.md §6: an App-V identity carries both ids, each an un-braced GUID. (Edit checks its output so.) */
export function checkIdentity(identity: AppxManifest['identity'], sink: FindingSink): void {
  const ids: [string, string | undefined, ErrorCode][] = [
    ['PackageId', identity.packageId, ErrorCode.APPV_PACKAGE_ID_MISSING],
    ['VersionId', identity.versionId, ErrorCode.APPV_VERSION_ID_MISSING],
  ];
  for (const [label, value, code] of ids) {
    if (!value) {
      sink.add({
        code,
        severity: 'error',
        part: PartNames.manifest,
        message: `The manifest's Identity has no appv:${label}`,
      });
    } else if (!GUID.test(value)) {
      sink.add({
        code: ErrorCode.APPV_MANIFEST_INVALID,
        severity: 'error',
        part: PartNames.manifest,
        message: `appv:${label} "${value}" is not an un-braced GUID (FORMAT.md §6)`,
      });
    }
  }
}

/** The name keys of the files a StreamMap names: usually a handful, however large the package. */
function streamedFiles(streamMap: StreamMap): Set<string> {
  const keys = new Set<string>();
  for (const block of streamMap.featureBlocks) for (const file of block.files) keys.add(partKey(file.name));
  return keys;
}

/**
 * Uncompressed size by name key of the `wanted` files: from the BlockMap when there is one (StreamMap
 * names are BlockMap names), else from the items.
 */
function fileSizes(wanted: Set<string>, pkg: AppvPackage, blockMap: BlockMap | null): Map<string, number> {
  const sizes = new Map<string, number>();
  // Keyed as the BlockMap checks key names (partKey), so both checks find the same files.
  const take = (name: string, size: number) => {
    const key = partKey(name);
    if (wanted.has(key)) sizes.set(key, size);
  };
  if (blockMap) for (const file of blockMap.files) take(file.name, file.size);
  else for (const item of pkg.items) if (item.kind === 'part') take(item.name, item.uncompressedSize);
  return sizes;
}

function checkStreamMap(streamMap: StreamMap, sizes: Map<string, number>, sink: FindingList): void {
  for (const block of streamMap.featureBlocks) {
    for (const file of block.files) {
      const size = sizes.get(partKey(file.name));
      if (size === undefined) {
        sink.add({
          code: ErrorCode.APPV_STREAMMAP_FILE_UNKNOWN,
          severity: 'error',
          part: file.name,
          message: `${block.id} names ${file.name}, which the BlockMap does not list`,
        });
        continue;
      }
      if (file.runs === 'whole') continue;
      const total = Math.ceil(size / BLOCK_SIZE);
      for (const run of file.runs) {
        if (run.index < 0 || run.count < 1 || run.index + run.count > total) {
          sink.add({
            code: ErrorCode.APPV_STREAMMAP_BLOCK_RANGE,
            severity: 'error',
            part: file.name,
            block: run.index,
            message:
              run.count < 1
                ? `${block.id}: a run of ${run.count} blocks at block ${run.index} of ${file.name} names no block`
                : `${block.id}: blocks ${run.index}..${run.index + run.count - 1} of ${file.name} lie outside its ${total} blocks`,
          });
        }
      }
    }
  }
}

/** FORMAT.md §5: the tree and the payload must describe the same files and directories. */
function checkFilesystemMetadata(metadata: FilesystemMetadata, pkg: AppvPackage, sink: FindingList): void {
  const payload = pkg.items.filter((i) => i.kind === 'part' && nameKey(i.name).startsWith('root\\'));
  for (const problem of filesystemMismatches(
    metadata,
    payload.map((i) => i.name),
  )) {
    mismatch(sink, problem.part, problem.message);
  }
}

function mismatch(sink: FindingList, part: string, message: string): void {
  sink.add({ code: ErrorCode.APPV_FSMETA_MISMATCH, severity: 'error', part, message });
}
