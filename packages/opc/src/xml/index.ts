/** The safe XML layer: a lossless namespace-aware tree, its parser, serializer and query helpers. */

export { type XmlByteForm, type XmlEncoding, xmlByteForm } from './xml-lexical.js';
export { isNCName, isQName, splitQName, XML_NAMESPACE, XMLNS_NAMESPACE } from './xml-names.js';
export type {
  XmlAttribute,
  XmlComment,
  XmlDeclaration,
  XmlDocument,
  XmlElement,
  XmlNode,
  XmlProcessingInstruction,
  XmlText,
} from './xml-node.js';
export { type ParseXmlOptions, parseXml } from './xml-parser.js';
export {
  childElements,
  createAttribute,
  createElement,
  declaredNamespaces,
  declaredPrefix,
  descendantElements,
  findAttribute,
  firstChildElement,
  getAttribute,
  isElement,
  prefixBindingAt,
  removeAttribute,
  setAttribute,
  setTextContent,
  textContent,
} from './xml-query.js';
export { type SerializeXmlOptions, serializeXml, serializeXmlToBytes } from './xml-serializer.js';
export {
  decodeReferences,
  escapeAttribute,
  escapeText,
  findInvalidXmlChar,
  invalidXmlCharLabel,
  isXmlChar,
  ONLY_WHITESPACE,
} from './xml-text.js';
