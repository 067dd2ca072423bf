/**
 * A namespace-aware XML tree that keeps everything: unknown elements and attributes, comments,
 * processing instructions, namespace declarations (as attributes, in order) and the XML declaration.
 * Nobody has the full App-V schemas (FORMAT.md §6), so documents are modelled on top of this tree and
 * what a model does not understand survives a parse → edit → serialize round trip.
 */

export interface XmlAttribute {
  /** Qualified name as written, e.g. `appv:PackageId` or `xmlns:appv`. */
  name: string;
  /** Resolved namespace URI; null for unprefixed attributes (which are in no namespace). */
  namespace: string | null;
  localName: string;
  /** Decoded value (predefined entities and character references resolved). */
  value: string;
}

export interface XmlElement {
  readonly kind: 'element';
  /** Qualified name as written, e.g. `appv:Extension`. */
  name: string;
  /** Resolved namespace URI (default namespace applies); null when in no namespace. */
  namespace: string | null;
  localName: string;
  attributes: XmlAttribute[];
  children: XmlNode[];
}

export interface XmlText {
  readonly kind: 'text';
  /** Decoded text. */
  value: string;
  /** True when written as a CDATA section. */
  cdata?: boolean;
}

export interface XmlComment {
  readonly kind: 'comment';
  value: string;
}

export interface XmlProcessingInstruction {
  readonly kind: 'pi';
  target: string;
  value: string;
}

export type XmlNode = XmlElement | XmlText | XmlComment | XmlProcessingInstruction;

export interface XmlDeclaration {
  version: string;
  encoding?: string;
  standalone?: string;
}

export interface XmlDocument {
  declaration?: XmlDeclaration;
  /** Comments and processing instructions before the root element. */
  prolog: XmlNode[];
  root: XmlElement;
  /** Comments and processing instructions after the root element. */
  epilog: XmlNode[];
}
