import { AppvError, ErrorCode } from '../errors.js';
import { checkModelArgument, type ModelShape } from '../option-keys.js';
import { splitQName, XMLNS_NAMESPACE } from './xml-names.js';
import type { XmlAttribute, XmlElement, XmlNode, XmlText } from './xml-node.js';

/** What every query reads of an element: `{}` passed the object check and failed as a TypeError. */
const ELEMENT_SHAPE: ModelShape = { attributes: 'array', children: 'array' };

/**
 * Small read/write helpers over the tree for the document models (packages/manifest). Matching is by
 * namespace URI and local name, never by prefix: prefixes are the writer's choice (FORMAT.md §6 shows
 * the same App-V elements as `appv:X` in one place and unprefixed under a default-namespace switch).
 */

export function isElement(node: XmlNode | undefined): node is XmlElement {
  return node?.kind === 'element';
}

/**
 * Child elements, optionally filtered by namespace (a URI, or null for no namespace; undefined = any)
 * and local name.
 */
export function childElements(
  parent: XmlElement,
  namespace?: string | null,
  localName?: string,
): XmlElement[] {
  checkModelArgument(parent, 'an XML element', 'childElements', ELEMENT_SHAPE);
  const out: XmlElement[] = [];
  for (const child of parent.children) {
    if (child.kind !== 'element') continue;
    if (namespace !== undefined && child.namespace !== namespace) continue;
    if (localName !== undefined && child.localName !== localName) continue;
    out.push(child);
  }
  return out;
}

/** First child element with this namespace (undefined = any) and local name. */
export function firstChildElement(
  parent: XmlElement,
  namespace: string | null | undefined,
  localName: string,
): XmlElement | undefined {
  checkModelArgument(parent, 'an XML element', 'firstChildElement', ELEMENT_SHAPE);
  for (const child of parent.children) {
    if (
      child.kind === 'element' &&
      child.localName === localName &&
      (namespace === undefined || child.namespace === namespace)
    ) {
      return child;
    }
  }
  return undefined;
}

/** All descendant elements in document order (iterative: depth cannot overflow the stack). */
export function descendantElements(root: XmlElement): XmlElement[] {
  checkModelArgument(root, 'an XML element', 'descendantElements', ELEMENT_SHAPE);
  const out: XmlElement[] = [];
  const stack: XmlNode[] = [...root.children].reverse();
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (node.kind !== 'element') continue;
    out.push(node);
    for (let i = node.children.length - 1; i >= 0; i--) {
      const child = node.children[i];
      if (child !== undefined) stack.push(child);
    }
  }
  return out;
}

export function findAttribute(
  element: XmlElement,
  namespace: string | null,
  localName: string,
): XmlAttribute | undefined {
  checkModelArgument(element, 'an XML element', 'findAttribute', ELEMENT_SHAPE);
  return element.attributes.find((a) => a.namespace === namespace && a.localName === localName);
}

/** An attribute's value; `namespace` null for an unprefixed attribute (FORMAT.md §6: `Name`, `Id`…). */
export function getAttribute(
  element: XmlElement,
  namespace: string | null,
  localName: string,
): string | undefined {
  checkModelArgument(element, 'an XML element', 'getAttribute', ELEMENT_SHAPE);
  return findAttribute(element, namespace, localName)?.value;
}

/**
 * Sets an attribute, keeping its position (and its written form while the value is unchanged). A new
 * attribute is appended under `qualifiedName`, whose prefix must be declared in scope (or it is the
 * local name for a no-namespace attribute).
 */
export function setAttribute(
  element: XmlElement,
  namespace: string | null,
  localName: string,
  value: string,
  qualifiedName: string = localName,
): void {
  checkModelArgument(element, 'an XML element', 'setAttribute', ELEMENT_SHAPE);
  const existing = findAttribute(element, namespace, localName);
  if (existing !== undefined) {
    if (existing.value !== value) existing.value = value;
    return;
  }
  const { prefix, localName: qLocal } = splitQName(qualifiedName);
  if (qLocal !== localName || (prefix === null) !== (namespace === null)) {
    throw new AppvError(
      ErrorCode.USAGE,
      `qualified name ${qualifiedName} does not match {${namespace}}${localName}`,
    );
  }
  element.attributes.push({ name: qualifiedName, namespace, localName, value });
}

export function removeAttribute(element: XmlElement, namespace: string | null, localName: string): boolean {
  checkModelArgument(element, 'an XML element', 'removeAttribute', ELEMENT_SHAPE);
  const index = element.attributes.findIndex((a) => a.namespace === namespace && a.localName === localName);
  if (index < 0) return false;
  element.attributes.splice(index, 1);
  return true;
}

/** Concatenated text of all descendant text and CDATA nodes (the XPath string value). */
export function textContent(element: XmlElement): string {
  checkModelArgument(element, 'an XML element', 'textContent', ELEMENT_SHAPE);
  let out = '';
  const stack: XmlNode[] = [...element.children].reverse();
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (node.kind === 'text') out += node.value;
    else if (node.kind === 'element') {
      for (let i = node.children.length - 1; i >= 0; i--) {
        const child = node.children[i];
        if (child !== undefined) stack.push(child);
      }
    }
  }
  return out;
}

/**
 * Replaces an element's content with one text node. When the text is already what is asked for, the
 * element is left untouched so that its written form survives.
 */
export function setTextContent(element: XmlElement, value: string): void {
  checkModelArgument(element, 'an XML element', 'setTextContent', ELEMENT_SHAPE);
  if (textContent(element) === value && element.children.every((c) => c.kind === 'text')) return;
  const text: XmlText = { kind: 'text', value };
  element.children = value === '' ? [] : [text];
}

/** A new element; `qualifiedName`'s prefix must be declared in scope where it is inserted. */
export function createElement(
  qualifiedName: string,
  namespace: string | null,
  attributes: readonly XmlAttribute[] = [],
  children: readonly XmlNode[] = [],
): XmlElement {
  return {
    kind: 'element',
    name: qualifiedName,
    namespace,
    localName: splitQName(qualifiedName).localName,
    attributes: [...attributes],
    children: [...children],
  };
}

/** A no-namespace attribute, the common case. */
export function createAttribute(name: string, value: string): XmlAttribute {
  return { name, namespace: null, localName: name, value };
}

/**
 * The prefix bound to `namespace` by declarations on `element` itself ('' for the default namespace),
 * or undefined. Used to name new elements and attributes consistently with the document.
 */
export function declaredPrefix(element: XmlElement, namespace: string): string | undefined {
  checkModelArgument(element, 'an XML element', 'declaredPrefix', ELEMENT_SHAPE);
  for (const a of element.attributes) {
    if (a.namespace !== XMLNS_NAMESPACE || a.value !== namespace) continue;
    return a.name === 'xmlns' ? '' : a.localName;
  }
  return undefined;
}

/**
 * The namespace `prefix` is bound to at `target` (a descendant of `root`, or `root` itself): the innermost
 * `xmlns:prefix` on the path from `root` down to it; undefined when nothing on the path declares it. A
 * prefix the root binds may be rebound by the element where it would be used (found by review).
 */
export function prefixBindingAt(root: XmlElement, target: XmlElement, prefix: string): string | undefined {
  checkModelArgument(root, 'an XML element', 'prefixBindingAt', ELEMENT_SHAPE);
  const path = pathTo(root, target);
  let bound: string | undefined;
  for (const element of path ?? []) {
    const declaration = element.attributes.find(
      (a) => a.namespace === XMLNS_NAMESPACE && a.name !== 'xmlns' && a.localName === prefix,
    );
    if (declaration !== undefined) bound = declaration.value;
  }
  return bound;
}

/**
 * The elements from `root` down to `target`, both included; undefined when `target` is not in the tree. One
 * path is kept and walked depth-first (iteratively: a tree may be deep), not a copy per element visited.
 */
function pathTo(root: XmlElement, target: XmlElement): XmlElement[] | undefined {
  const path: XmlElement[] = [root];
  const nextChild: number[] = [0];
  while (path.length > 0) {
    const top = path.length - 1;
    const element = path[top] as XmlElement;
    if (element === target) return path;
    const children = element.children;
    let i = nextChild[top] as number;
    while (i < children.length && children[i]?.kind !== 'element') i++;
    if (i < children.length) {
      nextChild[top] = i + 1;
      path.push(children[i] as XmlElement);
      nextChild.push(0);
    } else {
      path.pop();
      nextChild.pop();
    }
  }
  return undefined;
}

/** The namespace URIs declared (as `xmlns` or `xmlns:p`) anywhere in the tree below and on `root`. */
export function declaredNamespaces(root: XmlElement): Set<string> {
  checkModelArgument(root, 'an XML element', 'declaredNamespaces', ELEMENT_SHAPE);
  const out = new Set<string>();
  for (const element of [root, ...descendantElements(root)]) {
    for (const a of element.attributes)
      if (a.namespace === XMLNS_NAMESPACE && a.value !== '') out.add(a.value);
  }
  return out;
}
