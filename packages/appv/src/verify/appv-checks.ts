import {
  type AppxManifest,
  type BlockMap,
  type FilesystemMetadata,
  flattenPaths,
  type StreamMap,
} from '@appv/manifest';
import { BLOCK_SIZE, ErrorCode, type FindingList, MAX_PATH_DEPTH, nameKey } from '@appv/opc';
import type { AppvPackage } from '../appv-package.js';
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
): Promise<void> {
  if (!pkg.has(PartNames.manifest)) return; // already reported by the BlockMap checks when it matters
  const manifest = await loadDocument(() => pkg.manifest(), sink);
  if (!manifest?.isAppV) return;
  checkIdentity(manifest, sink);
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
  const sizes = fileSizes(pkg, blockMap);
  const streamMap = await loadDocument(() => pkg.streamMap(), sink);
  if (streamMap) checkStreamMap(streamMap, sizes, sink);
  const metadata = await loadDocument(() => pkg.filesystemMetadata(), sink);
  if (metadata) checkFilesystemMetadata(metadata, pkg, sink);
  await loadDocument(() => pkg.packageHistory(), sink);
}

function checkIdentity(manifest: AppxManifest, sink: FindingList): void {
  const ids: [string, string | undefined, ErrorCode][] = [
    ['PackageId', manifest.identity.packageId, ErrorCode.APPV_PACKAGE_ID_MISSING],
    ['VersionId', manifest.identity.versionId, ErrorCode.APPV_VERSION_ID_MISSING],
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

/** Uncompressed size by name key: from the BlockMap when there is one (StreamMap names are BlockMap names). */
function fileSizes(pkg: AppvPackage, blockMap: BlockMap | null): Map<string, number> {
  const sizes = new Map<string, number>();
  if (blockMap) for (const file of blockMap.files) sizes.set(nameKey(file.name), file.size);
  else
    for (const item of pkg.items)
      if (item.kind === 'part') sizes.set(nameKey(item.name), item.uncompressedSize);
  return sizes;
}

function checkStreamMap(streamMap: StreamMap, sizes: Map<string, number>, sink: FindingList): void {
  for (const block of streamMap.featureBlocks) {
    for (const file of block.files) {
      const size = sizes.get(nameKey(file.name));
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
            message: `${block.id}: blocks ${run.index}..${run.index + run.count - 1} of ${file.name} lie outside its ${total} blocks`,
          });
        }
      }
    }
  }
}

/**
 * FORMAT.md §5: the tree names every captured file and directory; the ZIP holds the files (no directory
 * entries), EmptyDirectories the directories without files. They must describe the same payload.
 */
function checkFilesystemMetadata(metadata: FilesystemMetadata, pkg: AppvPackage, sink: FindingList): void {
  const payload = pkg.items.filter((i) => i.kind === 'part' && nameKey(i.name).startsWith('root\\'));
  const files = new Set(payload.map((i) => nameKey(i.name)));
  const holding = new Set<string>(); // directories that contain at least one payload file
  for (const file of files) for (const ancestor of ancestors(file)) holding.add(ancestor);
  const directories = new Set<string>(['root', ...holding]);
  for (const empty of metadata.emptyDirectories) {
    const key = nameKey(empty.long);
    if (holding.has(key))
      mismatch(sink, empty.long, `${empty.long} is listed as an empty directory but holds files`);
    directories.add(key);
    for (const ancestor of ancestors(key)) directories.add(ancestor);
  }
  const paths = flattenPaths(metadata);
  const tree = new Set(paths.map(nameKey));
  for (const item of payload) {
    if (!tree.has(nameKey(item.name)))
      mismatch(sink, item.name, `${item.name} is in the package but not in FilesystemMetadata.xml`);
  }
  for (const path of paths) {
    const key = nameKey(path);
    if (!files.has(key) && !directories.has(key)) {
      mismatch(
        sink,
        path,
        `FilesystemMetadata.xml lists ${path}, which is neither a file nor a directory of the package`,
      );
    }
  }
}

/**
 * The directories above a path (`a\b\c` → `a\b`, `a`). None for a path nested past MAX_PATH_DEPTH (already
 * an invalid part name): its ancestors would cost depth² characters.
 */
function ancestors(path: string): string[] {
  const out: string[] = [];
  if (path.split('\\', MAX_PATH_DEPTH + 2).length > MAX_PATH_DEPTH + 1) return out;
  for (let cut = path.lastIndexOf('\\'); cut > 0; cut = path.lastIndexOf('\\', cut - 1))
    out.push(path.slice(0, cut));
  return out;
}

function mismatch(sink: FindingList, part: string, message: string): void {
  sink.add({ code: ErrorCode.APPV_FSMETA_MISMATCH, severity: 'error', part, message });
}
