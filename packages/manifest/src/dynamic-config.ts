import {
  AppvError,
  checkModelArgument,
  childElements,
  ErrorCode,
  firstChildElement,
  getAttribute,
  MAX_XML_NODES_FIXED_PART,
  parseXml,
  removeAttribute,
  serializeXmlToBytes,
  setAttribute,
  type XmlDocument,
  type XmlElement,
} from '@appv/opc';
import { DEPLOYMENT_CONFIG_NS, sameNamespaceIgnoringCase, USER_CONFIG_NS } from './namespaces.js';

/**
 * Dynamic configuration files next to a package (FORMAT.md §7): `<Name>_DeploymentConfig.xml`
 * (`DeploymentConfiguration`, with `UserConfiguration` and `MachineConfiguration` sections) and
 * `<Name>_UserConfig.xml` (`UserConfiguration`). Like the manifest they are mostly unknown content, so
 * the typed fields are live views over the tree: assigning writes the tree, serializing writes the tree.
 * There is no dedicated error code for them: a wrong root is reported as APPV_MANIFEST_INVALID.
 */

export interface ConfigSubsystem {
  /** Local name: `Shortcuts`, `FileTypeAssociations`, `COM`, `Registry`, … */
  readonly name: string;
  /** `Enabled` as a boolean; undefined when absent (e.g. `COM` has a `Mode` instead). */
  enabled: boolean | undefined;
  readonly element: XmlElement;
}

export interface ConfigApplication {
  id: string | undefined;
  enabled: boolean | undefined;
  readonly element: XmlElement;
}

export interface ConfigSection {
  readonly subsystems: readonly ConfigSubsystem[];
  readonly applications: readonly ConfigApplication[];
  readonly element: XmlElement;
}

export interface DynamicConfiguration {
  readonly kind: 'deployment' | 'user';
  readonly document: XmlDocument;
  readonly namespace: string;
  /** Must equal the manifest's `appv:PackageId` (FORMAT.md §7). */
  packageId: string | undefined;
  displayName: string | undefined;
  /** The user section: `UserConfiguration` inside a deployment file, or the root of a user file. */
  readonly user: ConfigSection | undefined;
  /** `MachineConfiguration` (deployment files only). */
  readonly machine: ConfigSection | undefined;
}

function booleanAttribute(element: XmlElement, name: string) {
  return {
    get(): boolean | undefined {
      const text = getAttribute(element, null, name);
      return text === undefined ? undefined : text === 'true' || text === '1';
    },
    set(value: boolean | undefined): void {
      if (value === undefined) removeAttribute(element, null, name);
      else setAttribute(element, null, name, String(value));
    },
  };
}

function stringAttribute(element: XmlElement, name: string) {
  return {
    get: (): string | undefined => getAttribute(element, null, name),
    set(value: string | undefined): void {
      if (value === undefined) removeAttribute(element, null, name);
      else setAttribute(element, null, name, value);
    },
  };
}

function view<T extends object>(
  accessors: Record<string, { get(): unknown; set(v: never): void }>,
  element: XmlElement,
): T {
  const target = {};
  for (const [key, accessor] of Object.entries(accessors))
    Object.defineProperty(target, key, { enumerable: true, ...accessor });
  Object.defineProperty(target, 'element', { value: element, enumerable: false });
  return target as T;
}

function sectionOf(element: XmlElement): ConfigSection {
  const ns = element.namespace;
  const subsystemsElement = firstChildElement(element, ns, 'Subsystems');
  const subsystems = (subsystemsElement === undefined ? [] : childElements(subsystemsElement, ns)).map(
    (s) => {
      const subsystem = view<ConfigSubsystem>({ enabled: booleanAttribute(s, 'Enabled') }, s);
      Object.defineProperty(subsystem, 'name', { value: s.localName, enumerable: true });
      return subsystem;
    },
  );
  const applicationsElement = firstChildElement(element, ns, 'Applications');
  const applications = (
    applicationsElement === undefined ? [] : childElements(applicationsElement, ns, 'Application')
  ).map((a) =>
    view<ConfigApplication>({ id: stringAttribute(a, 'Id'), enabled: booleanAttribute(a, 'Enabled') }, a),
  );
  const section: ConfigSection = { subsystems, applications, element };
  // Not enumerable: JSON output and deep equality compare the typed fields, not the tree.
  Object.defineProperty(section, 'element', { enumerable: false });
  return section;
}

export function parseDynamicConfiguration(
  bytes: Uint8Array | string,
  options: { readonly part?: string } = {},
): DynamicConfiguration {
  const part = options.part ?? 'DynamicConfiguration.xml';
  const document = parseXml(bytes, { part, maxNodes: MAX_XML_NODES_FIXED_PART });
  const root = document.root;
  let kind: 'deployment' | 'user';
  if (
    root.localName === 'DeploymentConfiguration' &&
    sameNamespaceIgnoringCase(root.namespace, DEPLOYMENT_CONFIG_NS)
  ) {
    kind = 'deployment';
  } else if (
    root.localName === 'UserConfiguration' &&
    sameNamespaceIgnoringCase(root.namespace, USER_CONFIG_NS)
  ) {
    kind = 'user';
  } else {
    throw new AppvError(
      ErrorCode.APPV_MANIFEST_INVALID,
      `${part}: root is {${root.namespace ?? ''}}${root.localName}, not a DeploymentConfiguration or UserConfiguration`,
      { part },
    );
  }
  const userElement = kind === 'user' ? root : firstChildElement(root, root.namespace, 'UserConfiguration');
  const machineElement =
    kind === 'user' ? undefined : firstChildElement(root, root.namespace, 'MachineConfiguration');
  const config = {
    kind,
    document,
    namespace: root.namespace as string,
    user: userElement === undefined ? undefined : sectionOf(userElement),
    machine: machineElement === undefined ? undefined : sectionOf(machineElement),
  };
  Object.defineProperty(config, 'packageId', { enumerable: true, ...stringAttribute(root, 'PackageId') });
  Object.defineProperty(config, 'displayName', { enumerable: true, ...stringAttribute(root, 'DisplayName') });
  return config as DynamicConfiguration;
}

export function serializeDynamicConfiguration(config: DynamicConfiguration): Buffer {
  checkModelArgument(config, 'a DynamicConfiguration', 'serializeDynamicConfiguration');
  return serializeXmlToBytes(config.document);
}
