import {
  getAttribute,
  removeAttribute,
  setAttribute,
  splitQName,
  type XmlDocument,
  type XmlElement,
  type XmlNode,
} from '@appv/opc';
import type { BlockRun, FeatureBlock, StreamMap, StreamMapFile } from './stream-map.js';

/**
 * A changed StreamMap written into the document it was parsed from, so what appv does not model survives an
 * edit (FORMAT.md §6: anything not understood must survive a round trip): foreign attributes and elements,
 * comments, the written form of what did not change. `appv edit --load-all` rewrote the whole document and
 * dropped them (found by review). Feature blocks, files and runs are matched by Id, name and value; those
 * the model no longer has are removed, new ones are added in the document's own prefix and indentation.
 * Null when the document's namespace is not the model's (then the document is written afresh).
 */
export function mergeStreamMap(map: StreamMap, document: XmlDocument): XmlDocument | null {
  const root = document.root;
  if (root.namespace !== map.namespace) return null;
  const ns = map.namespace;
  // Each element is used once, in document order: two blocks of one Id were both merged into the first
  // element, and the second's files lost (found by review).
  const existing = byAttribute(ours(root, ns, 'FeatureBlock'), 'Id');
  const blocks = map.featureBlocks.map((block) => {
    const element = existing.get(block.id)?.shift() ?? newChild(root, 'FeatureBlock', ns, [['Id', block.id]]);
    mergeFeatureBlock(block, element, ns);
    return element;
  });
  placeChildren(root, ns, 'FeatureBlock', blocks);
  return document;
}

function mergeFeatureBlock(block: FeatureBlock, element: XmlElement, ns: string): void {
  const loadAll = getAttribute(element, null, 'LoadAll');
  const written = loadAll === 'true' || loadAll === '1';
  if (block.loadAll && !written) setAttribute(element, null, 'LoadAll', 'true');
  if (!block.loadAll && written) removeAttribute(element, null, 'LoadAll');
  const existing = byAttribute(ours(element, ns, 'File'), 'Name');
  const files = block.files.map((file) => {
    const fileElement =
      existing.get(file.name)?.shift() ?? newChild(element, 'File', ns, [['Name', file.name]]);
    mergeRuns(file, fileElement, ns);
    return fileElement;
  });
  placeChildren(element, ns, 'File', files);
}

/**
 * The file's runs as its `Blocks` children. A run the document already has (by value: `Index="007"` is run 7)
 * keeps its element, with whatever else it carries; only runs it lacks are new. Replacing them all lost the
 * foreign attributes of untouched runs (found by review).
 */
function mergeRuns(file: StreamMapFile, element: XmlElement, ns: string): void {
  const runs: readonly BlockRun[] = file.runs === 'whole' ? [] : file.runs;
  const written = ours(element, ns, 'Blocks');
  const byRun = new Map<string, XmlElement[]>();
  for (const e of written) {
    const key = runKey(Number(getAttribute(e, null, 'Index')), Number(getAttribute(e, null, 'Count')));
    const list = byRun.get(key);
    if (list) list.push(e);
    else byRun.set(key, [e]);
  }
  const wanted = runs.map(
    (run) =>
      byRun.get(runKey(run.index, run.count))?.shift() ??
      newChild(element, 'Blocks', ns, [
        ['Index', String(run.index)],
        ['Count', String(run.count)],
      ]),
  );
  if (wanted.length === written.length && wanted.every((e, i) => e === written[i])) return;
  placeChildren(element, ns, 'Blocks', wanted);
}

function runKey(index: number, count: number): string {
  return `${index}:${count}`;
}

/** Elements by the value of a no-namespace attribute, each value's in document order. */
function byAttribute(elements: readonly XmlElement[], attribute: string): Map<string, XmlElement[]> {
  const out = new Map<string, XmlElement[]>();
  for (const element of elements) {
    const value = getAttribute(element, null, attribute);
    if (value === undefined) continue;
    const list = out.get(value);
    if (list) list.push(element);
    else out.set(value, [element]);
  }
  return out;
}

/** The children of `parent` that are the model's `localName` elements (in its namespace). */
function ours(parent: XmlElement, ns: string, localName: string): XmlElement[] {
  return parent.children.filter(
    (node): node is XmlElement =>
      node.kind === 'element' && node.namespace === ns && node.localName === localName,
  );
}

/** A new element named with `parent`'s prefix (it is in the parent's namespace, already declared there). */
function newChild(
  parent: XmlElement,
  localName: string,
  ns: string,
  attributes: readonly (readonly [string, string])[],
): XmlElement {
  const { prefix } = splitQName(parent.name);
  const element: XmlElement = {
    kind: 'element',
    name: prefix === null ? localName : `${prefix}:${localName}`,
    namespace: ns,
    localName,
    attributes: [],
    children: [],
  };
  for (const [name, value] of attributes) setAttribute(element, null, name, value);
  return element;
}

/**
 * Puts `wanted` as `parent`'s `localName` children, in order, where the old ones were: everything else (text,
 * comments, foreign elements) stays where it is. Extra old ones go with the white space before them; extra
 * new ones follow the last, each after a copy of the white space that precedes it.
 */
function placeChildren(
  parent: XmlElement,
  ns: string,
  localName: string,
  wanted: readonly XmlElement[],
): void {
  const isOurs = (node: XmlNode) =>
    node.kind === 'element' && node.namespace === ns && node.localName === localName;
  const children: XmlNode[] = [];
  let next = 0;
  let indent: XmlNode | undefined;
  let lastOurs = -1;
  for (const node of parent.children) {
    if (!isOurs(node)) {
      children.push(node);
      continue;
    }
    const before = children.at(-1);
    if (next < wanted.length) {
      if (before?.kind === 'text' && before.value.trim() === '') indent = before;
      children.push(wanted[next++] as XmlElement);
      lastOurs = children.length - 1;
    } else if (before?.kind === 'text' && before.value.trim() === '') {
      children.pop(); // the removed element's indentation goes with it
    }
  }
  const extra = wanted
    .slice(next)
    .flatMap((element) =>
      indent?.kind === 'text' ? [{ kind: 'text' as const, value: indent.value }, element] : [element],
    );
  // After the last of ours, or, when there was none, before the parent's closing white space.
  const at =
    lastOurs >= 0
      ? lastOurs + 1
      : children.length > 0 &&
          children.at(-1)?.kind === 'text' &&
          (children.at(-1) as { value: string }).value.trim() === ''
        ? children.length - 1
        : children.length;
  children.splice(at, 0, ...extra);
  parent.children = children;
}
