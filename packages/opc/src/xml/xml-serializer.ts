import { AppvError, ErrorCode } from '../errors.js';
import { checkModelArgument, type ModelShape } from '../option-keys.js';
import { byteForms, declarationForms, elementForms, piForms, textForms } from './xml-lexical.js';
import { isNCName, isQName, splitQName } from './xml-names.js';
import type { XmlDeclaration, XmlDocument, XmlElement, XmlNode } from './xml-node.js';
import {
  escapeAttribute,
  escapeText,
  invalidXmlCharLabel,
  isXmlWhitespace,
  ONLY_WHITESPACE,
} from './xml-text.js';

const DOCUMENT_SHAPE: ModelShape = { prolog: 'array', root: 'object', epilog: 'array' };

/**
 * The inverse of parseXml.
 *
 * - A node still holding the value it was parsed with is written exactly as it was read (xml-lexical.ts),
 *   so an unmodified document serializes to its original text, CR LF and all.
 * - Anything else is written in canonical style: double-quoted attributes, `<a/>` for an element without
 *   children, `&amp; &lt; &gt;` escaped in text, `&amp; &lt; &gt; &quot;` plus tab/LF/CR as character
 *   references in attribute values, `<?xml version="1.0" encoding="UTF-8" standalone="no"?>` as the
 *   Windows writers emit it. Whether a line break follows the declaration is not a serializer choice:
 *   whitespace between the declaration and the root is an ordinary text node of `prolog`, kept by the
 *   parser, so a document read without one is written without one (FORMAT.md §2).
 * - Qualified names and `xmlns` attributes are the source of truth; the `namespace` fields are derived
 *   information the serializer does not consult. It refuses (AppvError XML_MALFORMED / XML_NAMESPACE)
 *   to write anything the parser would not read back: invalid names or characters, a prefix not declared
 *   in scope, `--` in a comment, `]]>` in CDATA, `?>` in a processing instruction.
 */

export interface SerializeXmlOptions {
  /** Ignore remembered formatting and write every node in canonical style. */
  readonly canonical?: boolean;
}

function refuse(code: ErrorCode, message: string): never {
  throw new AppvError(code, `cannot serialize XML: ${message}`);
}

function checkChars(value: string, what: string): void {
  const bad = invalidXmlCharLabel(value);
  if (bad !== undefined) refuse(ErrorCode.XML_MALFORMED, `${what} contains ${bad}`);
}

function declarationText(declaration: XmlDeclaration, canonical: boolean): string {
  const form = canonical ? undefined : declarationForms.get(declaration);
  if (
    form !== undefined &&
    form.version === declaration.version &&
    form.encoding === declaration.encoding &&
    form.standalone === declaration.standalone
  ) {
    return form.raw;
  }
  if (!/^1\.[0-9]+$/.test(declaration.version))
    refuse(ErrorCode.XML_MALFORMED, `bad version "${declaration.version}"`);
  if (declaration.encoding !== undefined && !/^[A-Za-z][A-Za-z0-9._-]*$/.test(declaration.encoding)) {
    refuse(ErrorCode.XML_MALFORMED, `bad encoding "${declaration.encoding}"`);
  }
  if (
    declaration.standalone !== undefined &&
    declaration.standalone !== 'yes' &&
    declaration.standalone !== 'no'
  ) {
    refuse(ErrorCode.XML_MALFORMED, `bad standalone "${declaration.standalone}"`);
  }
  let out = `<?xml version="${declaration.version}"`;
  if (declaration.encoding !== undefined) out += ` encoding="${declaration.encoding}"`;
  if (declaration.standalone !== undefined) out += ` standalone="${declaration.standalone}"`;
  return `${out}?>`;
}

/** Comments, processing instructions and text, i.e. every node that is not an element. */
function leafText(node: Exclude<XmlNode, XmlElement>, canonical: boolean): string {
  switch (node.kind) {
    case 'text': {
      checkChars(node.value, 'text');
      if (node.cdata === true) {
        if (node.value.includes(']]>')) refuse(ErrorCode.XML_MALFORMED, "CDATA section contains ']]>'");
        return `<![CDATA[${node.value}]]>`;
      }
      const form = canonical ? undefined : textForms.get(node);
      return form !== undefined && form.value === node.value ? form.raw : escapeText(node.value);
    }
    case 'comment':
      checkChars(node.value, 'comment');
      if (node.value.includes('--') || node.value.endsWith('-'))
        refuse(ErrorCode.XML_MALFORMED, "comment contains '--'");
      return `<!--${node.value}-->`;
    case 'pi': {
      const form = canonical ? undefined : piForms.get(node);
      if (form !== undefined && form.target === node.target && form.value === node.value) return form.raw;
      if (!isNCName(node.target) || node.target.toLowerCase() === 'xml') {
        refuse(ErrorCode.XML_MALFORMED, `bad processing instruction target "${node.target}"`);
      }
      checkChars(node.value, 'processing instruction');
      if (node.value.includes('?>') || isXmlWhitespace(node.value.charCodeAt(0))) {
        refuse(
          ErrorCode.XML_MALFORMED,
          'processing instruction data contains "?>" or starts with whitespace',
        );
      }
      return node.value === '' ? `<?${node.target}?>` : `<?${node.target} ${node.value}?>`;
    }
  }
}

type Scope = ReadonlyMap<string, true>;
const BASE_SCOPE: Scope = new Map([['xml', true]]);

function openTag(
  element: XmlElement,
  parentScope: Scope,
  canonical: boolean,
): { text: string; scope: Scope } {
  if (!isQName(element.name)) refuse(ErrorCode.XML_MALFORMED, `bad element name "${element.name}"`);
  let scope = parentScope;
  for (const attribute of element.attributes) {
    if (attribute.name.startsWith('xmlns:')) {
      if (scope === parentScope) scope = new Map(parentScope);
      (scope as Map<string, true>).set(attribute.name.slice(6), true);
    }
  }
  const form = canonical ? undefined : elementForms.get(element);
  const { prefix } = splitQName(element.name);
  if (prefix !== null && !scope.has(prefix))
    refuse(ErrorCode.XML_NAMESPACE, `prefix "${prefix}" of <${element.name}> is not declared`);
  let out = `<${element.name}`;
  const seen = new Set<string>();
  element.attributes.forEach((attribute, i) => {
    if (!isQName(attribute.name)) refuse(ErrorCode.XML_MALFORMED, `bad attribute name "${attribute.name}"`);
    if (seen.has(attribute.name)) refuse(ErrorCode.XML_MALFORMED, `attribute ${attribute.name} is repeated`);
    seen.add(attribute.name);
    const attrPrefix = splitQName(attribute.name).prefix;
    if (attrPrefix !== null && attrPrefix !== 'xmlns' && !scope.has(attrPrefix)) {
      refuse(
        ErrorCode.XML_NAMESPACE,
        `prefix "${attrPrefix}" of attribute ${attribute.name} is not declared`,
      );
    }
    checkChars(attribute.value, `attribute ${attribute.name}`);
    const remembered = form?.attributes[i];
    out +=
      remembered !== undefined && remembered.name === attribute.name && remembered.value === attribute.value
        ? remembered.raw
        : ` ${attribute.name}="${escapeAttribute(attribute.value)}"`;
  });
  out += form?.openTail ?? '';
  if (element.children.length === 0) {
    out += form === undefined || form.selfClosing ? '/>' : `></${element.name}${form.endTail}>`;
  } else {
    out += '>';
  }
  return { text: out, scope };
}

type Work = { node: XmlNode; scope: Scope } | { close: XmlElement };

/** Serializes a document to text (no byte order mark; see serializeXmlToBytes for bytes). */
export function serializeXml(document: XmlDocument, options: SerializeXmlOptions = {}): string {
  checkModelArgument(document, 'an XML document (parseXml)', 'serializeXml', DOCUMENT_SHAPE);
  const canonical = options.canonical === true;
  const out: string[] = [];
  if (document.declaration !== undefined) out.push(declarationText(document.declaration, canonical));
  const outside = (node: XmlNode, where: string): void => {
    if (node.kind === 'element') refuse(ErrorCode.XML_MALFORMED, `element <${node.name}> in the ${where}`);
    if (node.kind === 'text' && (node.cdata === true || !ONLY_WHITESPACE.test(node.value))) {
      refuse(ErrorCode.XML_MALFORMED, `non-whitespace text in the ${where}`);
    }
    out.push(leafText(node, canonical));
  };
  for (const node of document.prolog) outside(node, 'prolog');

  // Iterative, so that a deeply nested (hostile) tree cannot overflow the stack.
  const work: Work[] = [{ node: document.root, scope: BASE_SCOPE }];
  for (let item = work.pop(); item !== undefined; item = work.pop()) {
    if ('close' in item) {
      out.push(`</${item.close.name}${canonical ? '' : (elementForms.get(item.close)?.endTail ?? '')}>`);
      continue;
    }
    const node = item.node;
    if (node.kind !== 'element') {
      out.push(leafText(node, canonical));
      continue;
    }
    const { text, scope } = openTag(node, item.scope, canonical);
    out.push(text);
    if (node.children.length > 0) {
      work.push({ close: node });
      for (let i = node.children.length - 1; i >= 0; i--) {
        const child = node.children[i];
        if (child !== undefined) work.push({ node: child, scope });
      }
    }
  }

  for (const node of document.epilog) outside(node, 'epilog');
  return out.join('');
}

/**
 * Serializes to bytes. The encoding follows the declaration (UTF-16 when it says so, with a BOM as
 * UTF-16 requires; UTF-8 otherwise), or, without one, the parsed bytes' (a UTF-16 document needs no
 * declaration when its BOM says what it is); a UTF-8 BOM and the UTF-16 byte order are kept from the
 * parsed bytes, so an unmodified part is reproduced byte for byte.
 */
export function serializeXmlToBytes(document: XmlDocument, options: SerializeXmlOptions = {}): Buffer {
  checkModelArgument(document, 'an XML document (parseXml)', 'serializeXmlToBytes', DOCUMENT_SHAPE);
  const text = serializeXml(document, options);
  const form = byteForms.get(document);
  const declared = document.declaration?.encoding?.toLowerCase();
  const utf16 =
    declared === undefined
      ? form !== undefined && form.encoding !== 'utf-8'
      : declared.startsWith('utf-16') || declared === 'unicode';
  if (utf16) {
    const body = Buffer.from(`\ufeff${text}`, 'utf16le');
    return form?.encoding === 'utf-16be' || declared === 'utf-16be' ? body.swap16() : body;
  }
  return Buffer.from(form?.bom === true && form.encoding === 'utf-8' ? `\ufeff${text}` : text, 'utf8');
}
