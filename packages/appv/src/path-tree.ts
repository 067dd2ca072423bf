/**
 * Paths as a tree of folded segments, each node numbered, for checks that compare many paths (extraction's
 * plan, FilesystemMetadata against the payload). Keying every path, or every prefix of it, by its whole
 * folded text costs the sum of its prefixes: a 1,024-level name (3 KB, within every limit) made 1.5 MB of
 * keys, and a small hostile package gigabytes (found by review). Here a path costs its own length.
 *
 * `fold` must act on each segment alone as it would on the whole path, which holds for the folds used
 * (ASCII or Unicode case, NFC): none reaches across a `\`.
 */
export class PathTree {
  static readonly ROOT = 0;
  private readonly nodes = new Map<string, number>();

  constructor(private readonly fold: (segment: string) => string) {}

  /** The node for `segment` below `parent`, made on first use. */
  add(parent: number, segment: string): number {
    const key = this.keyOf(parent, segment);
    let node = this.nodes.get(key);
    if (node === undefined) {
      node = this.nodes.size + 1;
      this.nodes.set(key, node);
    }
    return node;
  }

  /** The node of a whole path from the root, made as needed; `folder` is offered each node above the last. */
  addPath(segments: readonly string[], folder?: (node: number) => void): number {
    let node = PathTree.ROOT;
    segments.forEach((segment, i) => {
      node = this.add(node, segment);
      if (i < segments.length - 1) folder?.(node);
    });
    return node;
  }

  /** The node for `segment` below `parent`, or undefined when no path made it. */
  find(parent: number, segment: string): number | undefined {
    return this.nodes.get(this.keyOf(parent, segment));
  }

  /** The parent's number and a separator no segment holds make the key unique. */
  private keyOf(parent: number, segment: string): string {
    return `${parent}\\${this.fold(segment)}`;
  }
}
