import { splitQName, type XmlDocument, type XmlElement, type XmlNode } from '@appv/opc';

/** The sections FilesystemMetadata models (FORMAT.md §5); any other child of the root is someone else's. */
const MODELLED = new Set(['Filesystem', 'EmptyDirectories', 'OpaqueDirectories']);

/**
 * A regenerated FilesystemMetadata root put into the document the previous one was parsed from, so that what
 * appv does not model survives a changed payload (FORMAT.md §6): the root's attributes (foreign ones and
 * namespace declarations), and its other children (foreign sections, comments) where they were. The
 * modelled sections are the regenerated ones, in the places the old ones held; inside them nothing foreign
 * is kept (the tree is rebuilt from the payload). `appv edit --add` dropped all of it (found by review).
 * A prefixed old root (`<fm:Metadata xmlns:fm="…">`) gets the regenerated sections under its prefix: written
 * unprefixed there, they would be in no namespace (or another default one), so such a document was written
 * afresh and lost its comments and foreign sections, unsaid (found by review). Null when the old root is in
 * another namespace: the document is then written afresh.
 */
export function mergeFilesystemMetadata(regenerated: XmlElement, document: XmlDocument): XmlDocument | null {
  const old = document.root;
  if (old.namespace !== regenerated.namespace) return null;
  const prefix = splitQName(old.name).prefix;
  if (prefix !== null) for (const child of regenerated.children) qualify(child, prefix, old.namespace);
  const fresh = new Map<string, XmlElement>();
  for (const child of regenerated.children) if (child.kind === 'element') fresh.set(child.localName, child);
  const children: XmlNode[] = [];
  for (const node of old.children) {
    if (node.kind === 'element' && node.namespace === old.namespace && MODELLED.has(node.localName)) {
      const replacement = fresh.get(node.localName);
      fresh.delete(node.localName);
      if (replacement) children.push(replacement);
    } else {
      children.push(node);
    }
  }
  children.push(...fresh.values()); // sections the old document did not have
  // In place, as the StreamMap merge does: a new document object lost what the parser remembered of the
  // old one, its byte order mark and encoding among it (found by review).
  (old.children as XmlNode[]).splice(0, old.children.length, ...children);
  return document;
}

/** Names `node` and the elements under it of namespace `namespace` with `prefix`, as the old root names its own. */
function qualify(node: XmlNode, prefix: string, namespace: string | null): void {
  if (node.kind !== 'element') return;
  if (node.namespace === namespace) node.name = `${prefix}:${node.localName}`;
  for (const child of node.children) qualify(child, prefix, namespace);
}
