import {
  AppvError,
  checkModelArgument,
  childElements,
  declaredNamespaces,
  declaredPrefix,
  descendantElements,
  ErrorCode,
  firstChildElement,
  getAttribute,
  MAX_XML_NODES_FIXED_PART,
  parseXml,
  prefixBindingAt,
  removeAttribute,
  serializeXmlToBytes,
  setAttribute,
  setTextContent,
  splitQName,
  textContent,
  XMLNS_NAMESPACE,
  type XmlDocument,
  type XmlElement,
} from '@appv/opc';
import {
  APPV_MANIFEST_NAMESPACES,
  APPV_MANIFEST_NS_2010,
  APPV_MANIFEST_NS_2013,
  APPV_MANIFEST_NS_2014,
} from './namespaces.js';

/**
 * AppxManifest.xml, App-V flavour (FORMAT.md §6), also read for plain AppX/MSIX manifests.
 *
 * Nobody has the full App-V schema, so the model is a set of live views over the parsed tree: reading a
 * field reads the tree, assigning one writes the tree, and serializing writes the tree. Everything the
 * views do not know (prerequisites, capabilities, extension bodies, comments, formatting) therefore
 * survives parse → edit → serialize, and an unedited manifest is reproduced byte for byte.
 * Views are looked up by namespace URI and local name, never by prefix (FORMAT.md §6: `Applications`
 * switches the default namespace to App-V's).
 */

export const APPX_MANIFEST_PART = 'AppxManifest.xml';

/** App-V schema generation, from the App-V namespaces the manifest declares (FORMAT.md §6). */
export type AppVSchemaVersion = '2010' | '2013' | '2014';

export interface PackageIdentity {
  name: string;
  publisher: string;
  version: string;
  processorArchitecture: string | undefined;
  /** `appv:PackageId`: un-braced GUID, kept across versions of a package (FORMAT.md §6). */
  packageId: string | undefined;
  /** `appv:VersionId`: un-braced GUID, new for every version. */
  versionId: string | undefined;
  readonly element: XmlElement;
}

export interface PackageProperties {
  displayName: string | undefined;
  publisherDisplayName: string | undefined;
  description: string | undefined;
  logo: string | undefined;
  /** `appv:AppVPackageDescription`. */
  appVPackageDescription: string | undefined;
  /** The `Properties` element, created when a field is first set on a manifest without one. */
  readonly element: XmlElement | undefined;
}

export interface ManifestApplication {
  /** `appv`: an App-V application (in an App-V namespace); `appx`: a plain AppX `Application`. */
  readonly kind: 'appv' | 'appx';
  id: string | undefined;
  /** App-V: `Origin` (e.g. `Application`, `User`). */
  origin: string | undefined;
  /** App-V: `TargetInPackage="true"`: the target is a file inside the package. */
  targetInPackage: boolean | undefined;
  /** App-V: `Target` text, a tokenized path like `[{ProgramFilesX86}]\Vendor\app.exe`. */
  target: string | undefined;
  /** App-V: `VisualElements/Name` and `VisualElements/Version`. */
  readonly visualElements: { name: string | undefined; version: string | undefined };
  /** AppX: `Executable`. */
  executable: string | undefined;
  /** AppX: `EntryPoint`. */
  entryPoint: string | undefined;
  readonly element: XmlElement;
}

export interface AppxManifest {
  readonly document: XmlDocument;
  /** Namespace of the root `Package` (AppX 2010 for App-V; newer for MSIX). */
  readonly namespace: string | null;
  /** Newest App-V namespace declared, or null for a manifest that is not App-V (as parsed). */
  readonly schemaVersion: AppVSchemaVersion | null;
  readonly isAppV: boolean;
  readonly identity: PackageIdentity;
  readonly properties: PackageProperties;
  /** Applications in document order (live: re-read from the tree on every access). */
  readonly applications: readonly ManifestApplication[];
  /**
   * Extension points grouped by their `Category` (`AppV.Shortcut`, `AppV.FileTypeAssociation`, …, or
   * AppX's `windows.fileTypeAssociation`), each kept as its element so unknown content is preserved.
   */
  readonly extensions: ReadonlyMap<string, readonly XmlElement[]>;
}

/** The prefix to use for a new element or attribute in `namespace`, declaring one on `host` if needed. */
function prefixFor(root: XmlElement, host: XmlElement, namespace: string, preferred: string): string {
  if (host.namespace === namespace) {
    const { prefix } = splitQName(host.name);
    if (prefix !== null) return prefix;
  }
  const declared = declaredPrefix(host, namespace) ?? declaredPrefix(root, namespace);
  // Usable only if it still means `namespace` at the host: `<Identity xmlns:appv="urn:other">` under a root
  // binding appv to App-V put the value in urn:other, lost on the next read (found by review).
  if (declared !== undefined && declared !== '' && prefixBindingAt(root, host, declared) === namespace)
    return declared;
  // Not declared on the root or the host: declare it on the host itself, which keeps the edit local, under a
  // prefix no element of the document declares, so no other name changes namespace (an `xmlns:appv` of
  // another URI on the host was overwritten, moving its attributes into the App-V namespace; found by review).
  const taken = declaredPrefixes(root);
  let prefix = preferred;
  for (let n = 2; taken.has(prefix); n++) prefix = `${preferred}${n}`;
  setAttribute(host, XMLNS_NAMESPACE, prefix, namespace, `xmlns:${prefix}`);
  return prefix;
}

/** Every prefix some element of the tree declares (`xmlns:p`), whatever it binds. */
function declaredPrefixes(root: XmlElement): Set<string> {
  const prefixes = new Set<string>();
  for (const element of [root, ...descendantElements(root)]) {
    for (const a of element.attributes)
      if (a.namespace === XMLNS_NAMESPACE && a.name !== 'xmlns') prefixes.add(a.localName);
  }
  return prefixes;
}

/** Qualified name for a new child of `parent` in `namespace`. */
function childName(
  root: XmlElement,
  parent: XmlElement,
  namespace: string,
  localName: string,
  preferred: string,
): string {
  // '' is no namespace (a Package in none): the child is unprefixed like its parent (an `xmlns:p=""` is not
  // XML 1.0; found by review).
  if ((parent.namespace ?? '') === namespace) {
    const { prefix } = splitQName(parent.name);
    return prefix === null ? localName : `${prefix}:${localName}`;
  }
  return `${prefixFor(root, parent, namespace, preferred)}:${localName}`;
}

/** Text of a child element; assigning undefined removes the element, assigning a string creates it. */
function childText(
  root: XmlElement,
  parent: () => XmlElement | undefined,
  create: () => XmlElement,
  namespace: () => string | null,
  localName: string,
  preferredPrefix: string,
): { get(): string | undefined; set(value: string | undefined): void } {
  return {
    get() {
      const p = parent();
      const child = p === undefined ? undefined : firstChildElement(p, namespace(), localName);
      return child === undefined ? undefined : textContent(child);
    },
    set(value) {
      const existing = parent();
      const ns = namespace();
      const child = existing === undefined ? undefined : firstChildElement(existing, ns, localName);
      if (value === undefined) {
        if (existing !== undefined && child !== undefined)
          existing.children.splice(existing.children.indexOf(child), 1);
        return;
      }
      if (child !== undefined) {
        setTextContent(child, value);
        return;
      }
      const p = existing ?? create();
      const name = ns === null ? localName : childName(root, p, ns, localName, preferredPrefix);
      p.children.push({
        kind: 'element',
        name,
        namespace: ns,
        localName,
        attributes: [],
        children: value === '' ? [] : [{ kind: 'text', value }],
      });
    },
  };
}

function attributeAccessor(
  element: () => XmlElement,
  root: XmlElement,
  namespace: string | null,
  localName: string,
  preferredPrefix = 'appv',
): { get(): string | undefined; set(value: string | undefined): void } {
  return {
    get: () => getAttribute(element(), namespace, localName),
    set(value) {
      const el = element();
      if (value === undefined) {
        removeAttribute(el, namespace, localName);
        return;
      }
      if (namespace === null || getAttribute(el, namespace, localName) !== undefined) {
        setAttribute(el, namespace, localName, value);
        return;
      }
      setAttribute(
        el,
        namespace,
        localName,
        value,
        `${prefixFor(root, el, namespace, preferredPrefix)}:${localName}`,
      );
    },
  };
}

function requiredAttribute(
  accessor: { get(): string | undefined; set(v: string | undefined): void },
  what: string,
) {
  return {
    get: (): string => accessor.get() ?? '',
    set(value: string) {
      if (typeof value !== 'string') throw new AppvError(ErrorCode.USAGE, `${what} must be a string`);
      accessor.set(value);
    },
  };
}

/** The App-V namespace an attribute of the identity uses, preferring the one actually written. */
function appvAttributeNamespace(identity: XmlElement, localName: string): string {
  for (const ns of APPV_MANIFEST_NAMESPACES)
    if (getAttribute(identity, ns, localName) !== undefined) return ns;
  return APPV_MANIFEST_NS_2010;
}

function defineView<T extends object>(
  target: T,
  accessors: Record<string, { get(): unknown; set?(v: never): void }>,
): T {
  for (const [key, accessor] of Object.entries(accessors)) {
    Object.defineProperty(target, key, { enumerable: true, configurable: false, ...accessor });
  }
  return target;
}

function hidden<T extends object>(target: T, key: string, value: unknown): T {
  Object.defineProperty(target, key, { value, enumerable: false, writable: false });
  return target;
}

function applicationView(root: XmlElement, element: XmlElement): ManifestApplication {
  const kind: 'appv' | 'appx' =
    element.namespace !== null && APPV_MANIFEST_NAMESPACES.includes(element.namespace) ? 'appv' : 'appx';
  const ns = element.namespace;
  const own = () => element;
  const visualElements = () => firstChildElement(element, ns, 'VisualElements');
  const createVisualElements = (): XmlElement => {
    const created: XmlElement = {
      kind: 'element',
      name: childName(root, element, ns ?? '', 'VisualElements', 'appv'),
      namespace: ns,
      localName: 'VisualElements',
      attributes: [],
      children: [],
    };
    element.children.push(created);
    return created;
  };
  const target = childText(root, own, own, () => ns, 'Target', 'appv');
  const targetInPackage = attributeAccessor(own, root, null, 'TargetInPackage');
  const view = defineView({} as ManifestApplication, {
    id: attributeAccessor(own, root, null, 'Id'),
    origin: attributeAccessor(own, root, null, 'Origin'),
    targetInPackage: {
      get: () => {
        const text = targetInPackage.get();
        return text === undefined ? undefined : text === 'true' || text === '1';
      },
      set: (value: boolean | undefined) =>
        targetInPackage.set(value === undefined ? undefined : String(value)),
    },
    target,
    executable: attributeAccessor(own, root, null, 'Executable'),
    entryPoint: attributeAccessor(own, root, null, 'EntryPoint'),
  });
  const visual = defineView({} as ManifestApplication['visualElements'], {
    name: childText(root, visualElements, createVisualElements, () => ns, 'Name', 'appv'),
    version: childText(root, visualElements, createVisualElements, () => ns, 'Version', 'appv'),
  });
  Object.defineProperty(view, 'kind', { value: kind, enumerable: true });
  Object.defineProperty(view, 'visualElements', { value: visual, enumerable: true });
  return hidden(view, 'element', element);
}

export function parseAppxManifest(
  bytes: Uint8Array | string,
  options: { readonly part?: string } = {},
): AppxManifest {
  const part = options.part ?? APPX_MANIFEST_PART;
  const document = parseXml(bytes, { part, maxNodes: MAX_XML_NODES_FIXED_PART });
  const invalid = (message: string): never => {
    throw new AppvError(ErrorCode.APPV_MANIFEST_INVALID, `${part}: ${message}`, { part });
  };
  const root = document.root;
  if (root.localName !== 'Package') invalid(`root is ${root.name}, not Package`);
  const identityElement = firstChildElement(root, root.namespace, 'Identity');
  if (identityElement === undefined) return invalid('Package has no Identity');
  for (const required of ['Name', 'Publisher', 'Version']) {
    if (getAttribute(identityElement, null, required) === undefined) invalid(`Identity has no ${required}`);
  }

  const declared = declaredNamespaces(root);
  const schemaVersion: AppVSchemaVersion | null = declared.has(APPV_MANIFEST_NS_2014)
    ? '2014'
    : declared.has(APPV_MANIFEST_NS_2013)
      ? '2013'
      : declared.has(APPV_MANIFEST_NS_2010)
        ? '2010'
        : null;

  const identityOf = () => identityElement;
  const identity = defineView({} as PackageIdentity, {
    name: requiredAttribute(attributeAccessor(identityOf, root, null, 'Name'), 'Identity Name'),
    publisher: requiredAttribute(
      attributeAccessor(identityOf, root, null, 'Publisher'),
      'Identity Publisher',
    ),
    version: requiredAttribute(attributeAccessor(identityOf, root, null, 'Version'), 'Identity Version'),
    processorArchitecture: attributeAccessor(identityOf, root, null, 'ProcessorArchitecture'),
    packageId: attributeAccessor(
      identityOf,
      root,
      appvAttributeNamespace(identityElement, 'PackageId'),
      'PackageId',
    ),
    versionId: attributeAccessor(
      identityOf,
      root,
      appvAttributeNamespace(identityElement, 'VersionId'),
      'VersionId',
    ),
  });
  hidden(identity, 'element', identityElement);

  const propertiesElement = () => firstChildElement(root, root.namespace, 'Properties');
  const createProperties = (): XmlElement => {
    const created: XmlElement = {
      kind: 'element',
      name: childName(root, root, root.namespace ?? '', 'Properties', 'appx'),
      namespace: root.namespace,
      localName: 'Properties',
      attributes: [],
      children: [],
    };
    // Right after Identity, where every AppX schema puts it.
    root.children.splice(root.children.indexOf(identityElement) + 1, 0, created);
    return created;
  };
  const appvPropertyNamespace = (): string => {
    const p = propertiesElement();
    for (const ns of APPV_MANIFEST_NAMESPACES) {
      if (p !== undefined && firstChildElement(p, ns, 'AppVPackageDescription') !== undefined) return ns;
    }
    return APPV_MANIFEST_NS_2010;
  };
  const property = (localName: string) =>
    childText(root, propertiesElement, createProperties, () => root.namespace, localName, 'appx');
  const properties = defineView({} as PackageProperties, {
    displayName: property('DisplayName'),
    publisherDisplayName: property('PublisherDisplayName'),
    description: property('Description'),
    logo: property('Logo'),
    appVPackageDescription: childText(
      root,
      propertiesElement,
      createProperties,
      appvPropertyNamespace,
      'AppVPackageDescription',
      'appv',
    ),
  });
  Object.defineProperty(properties, 'element', { get: propertiesElement, enumerable: false });

  // Application views are cached per element so that repeated reads return the same objects.
  const applicationViews = new WeakMap<XmlElement, ManifestApplication>();
  const applications = (): ManifestApplication[] => {
    const out: ManifestApplication[] = [];
    for (const container of childElements(root, undefined, 'Applications')) {
      for (const element of childElements(container, undefined, 'Application')) {
        let view = applicationViews.get(element);
        if (view === undefined) {
          view = applicationView(root, element);
          applicationViews.set(element, view);
        }
        out.push(view);
      }
    }
    return out;
  };

  const extensions = (): Map<string, XmlElement[]> => {
    const out = new Map<string, XmlElement[]>();
    for (const element of descendantElements(root)) {
      if (element.localName !== 'Extension') continue;
      const category = getAttribute(element, null, 'Category');
      if (category === undefined) continue;
      const list = out.get(category);
      if (list === undefined) out.set(category, [element]);
      else list.push(element);
    }
    return out;
  };

  const manifest = {
    document,
    namespace: root.namespace,
    schemaVersion,
    isAppV: schemaVersion !== null,
    identity,
    properties,
  } as AppxManifest;
  Object.defineProperty(manifest, 'applications', { get: applications, enumerable: true });
  Object.defineProperty(manifest, 'extensions', { get: extensions, enumerable: true });
  return manifest;
}

/** The bytes of AppxManifest.xml: the (possibly edited) tree, in the encoding it was read in. */
export function serializeAppxManifest(manifest: AppxManifest): Buffer {
  checkModelArgument(manifest, 'an AppxManifest', 'serializeAppxManifest');
  return serializeXmlToBytes(manifest.document);
}
