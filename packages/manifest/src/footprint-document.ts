import { createHash } from 'node:crypto';
import {
  createAttribute,
  serializeXmlToBytes,
  XMLNS_NAMESPACE,
  type XmlAttribute,
  type XmlDocument,
  type XmlElement,
  type XmlNode,
} from '@appv/opc';

/**
 * How the fully typed footprint documents (BlockMap, StreamMap, FilesystemMetadata) are written.
 *
 * Their model holds every field the format defines, so a changed model is written afresh from its typed
 * fields in Windows style (FORMAT.md §2: UTF-8 declaration with `standalone="no"`, CR LF after it as
 * MakeAppx writes, the document on one line). An unchanged model is written from what it was parsed from
 * (its tree; the BlockMap, its bytes), so whatever the model does not understand (unknown attributes,
 * comments, formatting) survives byte for byte. "Unchanged" is decided by comparing a fingerprint of the typed fields taken at parse time.
 */

/** Options of the footprint parsers that keep a source to write back (BlockMap, FilesystemMetadata). */
export interface FootprintParseOptions {
  /** Part name for error locations; default the part's usual name. */
  readonly part?: string;
  /**
   * Keep what the document was parsed from (default true), so that an unchanged model is written back
   * byte for byte. False for a reader that never writes it (the verifier): the model then holds no copy
   * of the document (4 MB of BlockMap bytes, or a FilesystemMetadata tree of some 10 MB for 16,000
   * files) and no fingerprint is taken; serializing such a model writes it from its typed fields.
   */
  readonly keepSource?: boolean;
  /**
   * Most XML nodes accepted (XML_TOO_LARGE past it), for the parts that grow with the payload
   * (FilesystemMetadata, StreamMap): a reader that knows the package passes `payloadXmlNodeLimit(items,
   * blocks)` so that a small package cannot make it build a tree of millions of nodes. Default MAX_XML_NODES.
   */
  readonly maxNodes?: number;
}

/** What `windowsDocument` serializes to before its root: for writers that produce the text directly. */
export const WINDOWS_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\r\n';

export function windowsDocument(root: XmlElement): XmlDocument {
  return {
    declaration: { version: '1.0', encoding: 'UTF-8', standalone: 'no' },
    prolog: [{ kind: 'text', value: '\r\n' }],
    root,
    epilog: [],
  };
}

/** An element in `namespace` whose attributes are given in order; undefined values are left out. */
export function typedElement(
  name: string,
  namespace: string,
  attributes: readonly (readonly [string, string | undefined])[],
  children: readonly XmlNode[] = [],
): XmlElement {
  const attrs: XmlAttribute[] = [];
  for (const [attrName, value] of attributes)
    if (value !== undefined) attrs.push(createAttribute(attrName, value));
  return {
    kind: 'element',
    name,
    namespace,
    localName: name,
    attributes: attrs,
    children: [...children],
  };
}

/** The root of a fresh document: `<Name xmlns="namespace" …>`. */
export function typedRoot(
  name: string,
  namespace: string,
  attributes: readonly (readonly [string, string | undefined])[],
  children: readonly XmlNode[],
): XmlElement {
  const root = typedElement(name, namespace, attributes, children);
  root.attributes.unshift({
    name: 'xmlns',
    namespace: XMLNS_NAMESPACE,
    localName: 'xmlns',
    value: namespace,
  });
  return root;
}

/** Characters of text handled at a time where a document is written or hashed in pieces. */
export const TEXT_PIECE = 65_536;

/**
 * Remembers, per parsed model object, the fingerprint of its typed fields: as a SHA-256 of it, since the
 * fingerprint of a large BlockMap is megabytes of text that would otherwise live as long as the model.
 */
export class ParsedFingerprints<M extends object> {
  private readonly prints = new WeakMap<M, string>();

  /** `fingerprint` writes the model's typed fields as text (strings or UTF-8 bytes), piece by piece, to `put`. */
  constructor(private readonly fingerprint: (model: M, put: (text: string | Uint8Array) => void) => void) {}

  remember(model: M): void {
    this.prints.set(model, this.digest(model));
  }

  /** True when `model` was parsed and its typed fields still hold what was parsed. */
  unchanged(model: M): boolean {
    const print = this.prints.get(model);
    return print !== undefined && print === this.digest(model);
  }

  /**
   * Hashed as it is written, in pieces of about 64 KiB: joining a 20,000-file BlockMap's fingerprint first
   * made ~10 MB of strings at every parse.
   */
  private digest(model: M): string {
    const hash = createHash('sha256');
    let pending = '';
    this.fingerprint(model, (text) => {
      if (typeof text !== 'string') {
        hash.update(pending).update(text);
        pending = '';
        return;
      }
      pending += text;
      if (pending.length >= TEXT_PIECE) {
        hash.update(pending);
        pending = '';
      }
    });
    return hash.update(pending).digest('base64');
  }
}

/**
 * Writes the parsed tree when the model is unchanged; a changed model into that tree when `merge` can (it
 * returns null when it cannot), so what the model does not hold survives; else a fresh Windows-style
 * document.
 */
export function writeTypedDocument<M extends object & { document?: XmlDocument | undefined }>(
  model: M,
  prints: ParsedFingerprints<M>,
  regenerate: (model: M) => XmlElement,
  merge?: (model: M, document: XmlDocument) => XmlDocument | null,
): Buffer {
  if (model.document !== undefined && prints.unchanged(model)) return serializeXmlToBytes(model.document);
  const merged = model.document !== undefined ? merge?.(model, model.document) : null;
  if (merged) {
    // The merge may have written the model into its document: they agree again, so what is "unchanged"
    // from here on is measured from this state (found by review: a model changed back to what was parsed
    // was written from the already merged document).
    if (merged === model.document) prints.remember(model);
    return serializeXmlToBytes(merged);
  }
  return serializeXmlToBytes(windowsDocument(regenerate(model)));
}
