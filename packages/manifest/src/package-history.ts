import {
  AppvError,
  checkModelArgument,
  childElements,
  ErrorCode,
  MAX_XML_NODES_FIXED_PART,
  parseXml,
  serializeXmlToBytes,
  textContent,
  type XmlDocument,
  type XmlElement,
} from '@appv/opc';
import { PACKAGE_HISTORY_NS, sameNamespaceIgnoringCase } from './namespaces.js';

/**
 * PackageHistory.xml (FORMAT.md §1: one item per sequencing/save). No schema is published and FORMAT.md
 * describes no fields, so nothing is invented: each item is exposed as its attributes and the texts of
 * its child elements, and kept as its element. [inferred] The only real sample we have (NotepadPlusPlus
 * fixture) has root `PackageHistory` in PACKAGE_HISTORY_NS and `PackageHistoryItem` children whose
 * data is all in attributes (Time, PackageVersion, SequencerVersion, …).
 */

export const PACKAGE_HISTORY_PART = 'PackageHistory.xml';

export interface PackageHistoryItem {
  /** Local name of the item element (`PackageHistoryItem` in the sample). */
  readonly localName: string;
  /** Attributes by qualified name as written. */
  readonly attributes: Readonly<Record<string, string>>;
  /** Text of each child element by qualified name as written (the last one wins if repeated). */
  readonly fields: Readonly<Record<string, string>>;
  readonly element: XmlElement;
}

export interface PackageHistory {
  readonly document: XmlDocument;
  /** Root namespace; a different namespace is tolerated (read leniently, FORMAT.md preamble). */
  readonly namespace: string | null;
  readonly knownNamespace: boolean;
  /** Every child element of the root, in document order. */
  readonly items: readonly PackageHistoryItem[];
}

export function parsePackageHistory(
  bytes: Uint8Array | string,
  options: { readonly part?: string } = {},
): PackageHistory {
  const part = options.part ?? PACKAGE_HISTORY_PART;
  const document = parseXml(bytes, { part, maxNodes: MAX_XML_NODES_FIXED_PART });
  const root = document.root;
  if (root.localName !== 'PackageHistory') {
    throw new AppvError(ErrorCode.APPV_HISTORY_INVALID, `${part}: root is ${root.name}, not PackageHistory`, {
      part,
    });
  }
  const items = childElements(root).map((element): PackageHistoryItem => {
    const item: PackageHistoryItem = {
      localName: element.localName,
      // Object.fromEntries defines own properties, so a hostile name such as __proto__ is just a key.
      attributes: Object.fromEntries(element.attributes.map((a) => [a.name, a.value])),
      fields: Object.fromEntries(childElements(element).map((c) => [c.name, textContent(c)])),
      element,
    };
    // Not enumerable: JSON output and deep equality compare the typed fields, not the tree.
    Object.defineProperty(item, 'element', { enumerable: false });
    return item;
  });
  return {
    document,
    namespace: root.namespace,
    knownNamespace: sameNamespaceIgnoringCase(root.namespace, PACKAGE_HISTORY_NS),
    items,
  };
}

/** The bytes of PackageHistory.xml: the tree as it is (edit items through their elements). */
export function serializePackageHistory(history: PackageHistory): Buffer {
  checkModelArgument(history, 'a PackageHistory', 'serializePackageHistory');
  return serializeXmlToBytes(history.document);
}
