import { AppvError, ErrorCode } from './errors.js';
import type { FindingSink } from './finding.js';
import { CONTENT_TYPES_ITEM, decodeItemName, nameKey } from './part-name.js';
import type { XmlDocument, XmlElement } from './xml/xml-node.js';
import { parseXml } from './xml/xml-parser.js';

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
      defaults: new Map(types.defaults.map((d) => [nameKey(d.extension), d.contentType])),
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
      const key = nameKey(extension);
      if (seenDefaults.has(key)) duplicate(sink, `Default for extension "${extension}"`);
      else defaults.push({ extension, contentType: required(child, 'ContentType') });
      seenDefaults.add(key);
    } else if (child.localName === 'Override') {
      const partName = required(child, 'PartName');
      const key = overrideKey(partName);
      if (seenOverrides.has(key)) duplicate(sink, `Override for part "${partName}"`);
      else overrides.push({ partName, contentType: required(child, 'ContentType') });
      seenOverrides.add(key);
    } else {
      throw malformed(`unexpected element <${child.name}>`);
    }
  }
  return { defaults, overrides, document };
}

/** Override by part name first, then Default by extension, both case-insensitive (OPC). */
export function resolveContentType(types: ContentTypes, zipName: string): string | undefined {
  const index = indexOf(types);
  const override = index.overrides.get(nameKey(safeDecode(zipName)));
  if (override !== undefined) return override;
  const lastSegment = zipName.slice(zipName.lastIndexOf('/') + 1);
  const dot = lastSegment.lastIndexOf('.');
  if (dot < 0) return undefined;
  return index.defaults.get(nameKey(safeDecode(lastSegment.slice(dot + 1))));
}

function overrideKey(partName: string): string {
  return nameKey(safeDecode(partName.startsWith('/') ? partName.slice(1) : partName));
}

function safeDecode(name: string): string {
  try {
    return decodeItemName(name);
  } catch {
    return name;
  }
}

function required(element: XmlElement, attribute: string): string {
  const value = element.attributes.find((a) => a.namespace === null && a.localName === attribute)?.value;
  if (value === undefined || value === '')
    throw malformed(`<${element.name}> lacks its ${attribute} attribute`);
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
