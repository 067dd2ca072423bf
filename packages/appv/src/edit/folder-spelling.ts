import { nameKey } from '@appv/opc';

/**
 * The spelling a package already gives each folder, so that a part added as `Root\…\vendor app\new.txt`
 * lands in the existing `Vendor App` rather than beside it in another case: OPC and Windows take both
 * spellings for one folder, and the FilesystemMetadata regenerated from the mix respelled existing folders
 * (`VFS` became `vfs`; found by review). A replaced part already keeps its own spelling.
 */
export class FolderSpelling {
  /** Folder path key (nameKey, FORMAT.md §8) → the folder path as first spelled. */
  private readonly folders = new Map<string, string>();

  constructor(names: Iterable<string>) {
    for (const name of names) this.remember(name);
  }

  /** `name` (backslash form) with each folder it lies in spelled as known; its own folders are then known. */
  spell(name: string): string {
    const segments = name.split('\\');
    let spelled = name;
    for (let depth = segments.length - 1; depth >= 1; depth--) {
      const known = this.folders.get(nameKey(segments.slice(0, depth).join('\\')));
      if (known !== undefined) {
        spelled = [known, ...segments.slice(depth)].join('\\');
        break;
      }
    }
    this.remember(spelled);
    return spelled;
  }

  private remember(name: string): void {
    const segments = name.split('\\');
    for (let depth = 1; depth < segments.length; depth++) {
      const folder = segments.slice(0, depth).join('\\');
      const key = nameKey(folder);
      if (!this.folders.has(key)) this.folders.set(key, folder);
    }
  }
}
