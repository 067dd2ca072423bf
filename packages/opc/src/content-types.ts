import { AppvError, ErrorCode } from './errors.js';
import type { FindingSink } from './finding.js';
import { contentTypeProblem } from './media-type.js';
import { checkModelArgument, checkTextArgument } from './option-keys.js';
import { CONTENT_TYPES_ITEM, decodeItemNameLeniently, nameKey } from './part-name.js';
import { XMLNS_NAMESPACE } from './xml/xml-names.js';
import type { XmlDocument, XmlElement } from './xml/xml-node.js';
import { parseXml } from './xml/xml-parser.js';
import { createAttribute } from './xml/xml-query.js';
import { serializeXmlToBytes } from './xml/xml-serializer.js';

/** OPC (ECMA-376 Part 2) content types stream, FORMAT.md §1 and §9.4. */
export const CONTENT_TYPES_NAMESPACE = 'http://schemas.openxmlformats.org/package/2006/content-types';

export interface ContentTypeDefault {
  readonly extension: string;
  readonly contentType: string;
}

export interface ContentTypeOverride {
  /** As written: a part name URI such as `/AppxManifest.xml`. */
  readonly partName: string;
  readonly contentType: string;
}

export interface ContentTypes {
  readonly defaults: readonly ContentTypeDefault[];
  readonly overrides: readonly ContentTypeOverride[];
  readonly document: XmlDocument;
}

/**
 * The lists each parsed document held, as text: a ContentTypes written back with the same lists is its
 * parsed bytes (an unmodified document is written back byte-identical; regenerating it changed
 * `standalone`, line ends and dropped foreign content; found by review).
 */
const parsedLists = new WeakMap<XmlDocument, string>();

function listsKey(
  defaults: readonly ContentTypeDefault[],
  overrides: readonly ContentTypeOverride[],
): string {
  return JSON.stringify([
    defaults.map((d) => [d.extension, d.contentType]),
    overrides.map((o) => [o.partName, o.contentType]),
  ]);
}

/** Lookup tables by case-insensitive key, built once per ContentTypes (a package may have thousands of parts). */
const indexes = new WeakMap<
  ContentTypes,
  { overrides: Map<string, string>; defaults: Map<string, string> }
>();

function indexOf(types: ContentTypes): { overrides: Map<string, string>; defaults: Map<string, string> } {
  let index = indexes.get(types);
  if (!index) {
    index = {
      overrides: new Map(types.overrides.map((o) => [overrideKey(o.partName), o.contentType])),
      defaults: new Map(types.defaults.map((d) => [extensionKey(d.extension), d.contentType])),
    };
    indexes.set(types, index);
  }
  return index;
}

/**
 * Parses `[Content_Types].xml`. Structure errors throw CONTENT_TYPES_MALFORMED (or the XML_ code of the XML
 * problem); duplicate declarations are reported as findings, the first one winning as in the SDK.
 */
export function parseContentTypes(bytes: Buffer, sink: FindingSink): ContentTypes {
  const document = parseXml(bytes, { part: CONTENT_TYPES_ITEM });
  const root = document.root;
  if (root.localName !== 'Types' || root.namespace !== CONTENT_TYPES_NAMESPACE) {
    throw malformed(
      `the root element is <${root.name}> in ${root.namespace ?? 'no namespace'}, not <Types> in ${CONTENT_TYPES_NAMESPACE}`,
    );
  }
  const defaults: ContentTypeDefault[] = [];
  const overrides: ContentTypeOverride[] = [];
  const seenDefaults = new Set<string>();
  const seenOverrides = new Set<string>();
  for (const child of root.children) {
    if (child.kind !== 'element') continue;
    if (child.namespace !== CONTENT_TYPES_NAMESPACE) continue;
    if (child.localName === 'Default') {
      const extension = required(child, 'Extension');
      const key = extensionKey(extension);
      if (seenDefaults.has(key)) duplicate(sink, `Default for extension "${extension}"`);
      else defaults.push({ extension, contentType: contentType(child) });
      seenDefaults.add(key);
    } else if (child.localName === 'Override') {
      const partName = required(child, 'PartName');
      const key = overrideKey(partName);
      if (seenOverrides.has(key)) duplicate(sink, `Override for part "${partName}"`);
      else overrides.push({ partName, contentType: contentType(child) });
      seenOverrides.add(key);
    } else {
      throw malformed(`unexpected element <${child.name}>`);
    }
  }
  parsedLists.set(document, listsKey(defaults, overrides));
  return { defaults, overrides, document };
}

/** Override by part name first, then Default by extension, both case-insensitive (OPC). */
export function resolveContentType(types: ContentTypes, zipName: string): string | undefined {
  checkModelArgument(types, 'parsed content types (parseContentTypes)', 'resolveContentType', {
    defaults: 'array',
    overrides: 'array',
  });
  return contentTypeOf(types, decodeItemNameLeniently(zipName), zipName);
}

/** resolveContentType for an item whose decoded name is already known (a listed item's `name`). */
export function contentTypeOf(types: ContentTypes, decodedName: string, zipName: string): string | undefined {
  checkModelArgument(types, 'parsed content types (parseContentTypes)', 'contentTypeOf', {
    defaults: 'array',
    overrides: 'array',
  });
  checkTextArgument(decodedName, 'a part name', 'contentTypeOf');
  checkTextArgument(zipName, 'a ZIP item name', 'contentTypeOf');
  const index = indexOf(types);
  const override = index.overrides.get(nameKey(decodedName));
  if (override !== undefined) return override;
  const lastSegment = zipName.slice(zipName.lastIndexOf('/') + 1);
  const dot = lastSegment.lastIndexOf('.');
  if (dot < 0) return undefined;
  return index.defaults.get(nameKey(decodeItemNameLeniently(lastSegment.slice(dot + 1))));
}

/**
 * A Default's extension compared as the part name's extension is: percent-decoded, then case-folded. Writers
 * differ on the form (the MSIX SDK writes it decoded, part names carry it encoded, FORMAT.md §8), so both
 * `%7Bx%7D` and `{x}` match the item `a.%7Bx%7D`. [sdk][inferred]
 */
function extensionKey(extension: string): string {
  return nameKey(decodeItemNameLeniently(extension));
}

function overrideKey(partName: string): string {
  return nameKey(decodeItemNameLeniently(partName.startsWith('/') ? partName.slice(1) : partName));
}

function required(element: XmlElement, attribute: string): string {
  const value = element.attributes.find((a) => a.namespace === null && a.localName === attribute)?.value;
  if (value === undefined || value === '')
    throw malformed(`<${element.name}> lacks its ${attribute} attribute`);
  return value;
}

/** An element's ContentType, which must be a media type (media-type.ts). */
function contentType(element: XmlElement): string {
  const value = required(element, 'ContentType');
  const problem = contentTypeProblem(value);
  if (problem !== null) throw malformed(`<${element.name}>: ${problem}`);
  return value;
}

function duplicate(sink: FindingSink, what: string): void {
  sink.add({
    code: ErrorCode.CONTENT_TYPES_DUPLICATE,
    severity: 'error',
    part: CONTENT_TYPES_ITEM,
    message: `[Content_Types].xml declares a ${what} twice`,
  });
}

function malformed(detail: string): AppvError {
  return new AppvError(ErrorCode.CONTENT_TYPES_MALFORMED, `[Content_Types].xml is malformed: ${detail}`, {
    part: CONTENT_TYPES_ITEM,
  });
}

/**
 * `[Content_Types].xml` in Windows style, as the other footprint documents are written (FORMAT.md §2): the
 * UTF-8 declaration with `standalone="no"`, CR LF, then `<Types>` on one line with every `Default` before
 * every `Override`, in the order given (a parsed document whose lists are unchanged is written as it was
 * parsed). Attribute values are escaped by the serializer. Refuses
 * (CONTENT_TYPES_MALFORMED, CONTENT_TYPES_DUPLICATE) what parseContentTypes would reject or report, so that
 * what is written reads back as the same lists.
 */
export function serializeContentTypes(types: {
  readonly defaults: readonly ContentTypeDefault[];
  readonly overrides: readonly ContentTypeOverride[];
  readonly document?: XmlDocument | undefined;
}): Buffer {
  checkModelArgument(types, 'content types ({ defaults, overrides })', 'serializeContentTypes', {
    defaults: 'array',
    overrides: 'array',
  });
  const { document } = types;
  if (document !== undefined && parsedLists.get(document) === listsKey(types.defaults, types.overrides)) {
    return serializeXmlToBytes(document);
  }
  const seenDefaults = new Set<string>();
  const seenOverrides = new Set<string>();
  const element = (name: string, attributes: readonly [string, string][]): XmlElement => {
    for (const [attribute, value] of attributes) {
      if (value === '') throw malformed(`cannot write a <${name}> with an empty ${attribute}`);
      const problem = attribute === 'ContentType' ? contentTypeProblem(value) : null;
      if (problem !== null) throw malformed(`cannot write a <${name}>: ${problem}`);
    }
    return {
      kind: 'element',
      name,
      namespace: CONTENT_TYPES_NAMESPACE,
      localName: name,
      attributes: attributes.map(([attribute, value]) => createAttribute(attribute, value)),
      children: [],
    };
  };
  const children: XmlElement[] = [];
  for (const d of types.defaults) {
    const key = extensionKey(d.extension);
    if (seenDefaults.has(key)) throw refusedDuplicate(`Default for extension "${d.extension}"`);
    seenDefaults.add(key);
    children.push(
      element('Default', [
        ['Extension', d.extension],
        ['ContentType', d.contentType],
      ]),
    );
  }
  for (const o of types.overrides) {
    const key = overrideKey(o.partName);
    if (seenOverrides.has(key)) throw refusedDuplicate(`Override for part "${o.partName}"`);
    seenOverrides.add(key);
    children.push(
      element('Override', [
        ['PartName', o.partName],
        ['ContentType', o.contentType],
      ]),
    );
  }
  const root: XmlElement = {
    kind: 'element',
    name: 'Types',
    namespace: CONTENT_TYPES_NAMESPACE,
    localName: 'Types',
    attributes: [
      { name: 'xmlns', namespace: XMLNS_NAMESPACE, localName: 'xmlns', value: CONTENT_TYPES_NAMESPACE },
    ],
    children,
  };
  return serializeXmlToBytes({
    declaration: { version: '1.0', encoding: 'UTF-8', standalone: 'no' },
    prolog: [{ kind: 'text', value: '\r\n' }],
    root,
    epilog: [],
  });
}

function refusedDuplicate(what: string): AppvError {
  return new AppvError(
    ErrorCode.CONTENT_TYPES_DUPLICATE,
    `cannot write [Content_Types].xml: a ${what} twice`,
    {
      part: CONTENT_TYPES_ITEM,
    },
  );
}
