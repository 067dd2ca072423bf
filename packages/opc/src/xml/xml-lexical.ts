import type {
  XmlDeclaration,
  XmlDocument,
  XmlElement,
  XmlProcessingInstruction,
  XmlText,
} from './xml-node.js';

/**
 * How each node was written, remembered beside the tree (not in it, so the shapes of xml-node.ts stay
 * plain data and two trees with the same content deep-equal whatever their formatting).
 *
 * Why: footprint parts must survive parse → serialize byte for byte when nobody changed them (FORMAT.md
 * §6: "anything not understood must survive a round trip"), and real Windows documents carry details
 * the tree does not model: `<a></a>` versus `<a/>`, ` />` with a space, CRLF inside tags, single quotes,
 * `&#65;` for `A`. The serializer uses a remembered form only while the node still holds the value that
 * was parsed; once a value changes, that node is written in canonical style. Copies of nodes (structured
 * clones, spreads) have no remembered form and are written canonically.
 */

export interface AttributeForm {
  readonly name: string;
  readonly value: string;
  /** Exactly as written, leading whitespace included: ` Name = 'x&amp;y'`. */
  readonly raw: string;
}

export interface ElementForm {
  /** Indexed like the element's attributes; undefined where the attribute was written canonically. */
  readonly attributes: readonly (AttributeForm | undefined)[];
  /** Whitespace between the last attribute (or the name) and `>` or `/>`. */
  readonly openTail: string;
  /** Written as `<a/>` (true) or `<a></a>` (false); only matters while the element has no children. */
  readonly selfClosing: boolean;
  /** Whitespace between the name and `>` of the end tag. */
  readonly endTail: string;
}

export interface ValueForm {
  readonly value: string;
  readonly raw: string;
}

export interface PiForm {
  readonly target: string;
  readonly value: string;
  readonly raw: string;
}

export interface DeclarationForm extends XmlDeclaration {
  readonly raw: string;
}

export type XmlEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/** The byte form of a parsed document: its encoding and whether it started with a byte order mark. */
export interface XmlByteForm {
  readonly encoding: XmlEncoding;
  readonly bom: boolean;
}

export const elementForms = new WeakMap<XmlElement, ElementForm>();
export const textForms = new WeakMap<XmlText, ValueForm>();
export const piForms = new WeakMap<XmlProcessingInstruction, PiForm>();
export const declarationForms = new WeakMap<XmlDeclaration, DeclarationForm>();
export const byteForms = new WeakMap<XmlDocument, XmlByteForm>();

/** The encoding and BOM a document was parsed from, if it was parsed from bytes. */
export function xmlByteForm(document: XmlDocument): XmlByteForm | undefined {
  return byteForms.get(document);
}
