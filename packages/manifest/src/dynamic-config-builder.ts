import {
  AppvError,
  checkModelArgument,
  childElements,
  ErrorCode,
  textContent,
  type XmlElement,
} from '@appv/opc';
import type { AppxManifest } from './appx-manifest.js';
import { type DynamicConfiguration, parseDynamicConfiguration } from './dynamic-config.js';
import { APPV_MANIFEST_NAMESPACES, DEPLOYMENT_CONFIG_NS, USER_CONFIG_NS } from './namespaces.js';
import { renderSequencerXml, type SequencerXmlElement } from './sequencer-xml-text.js';

/**
 * The dynamic configuration the sequencer writes next to a package (FORMAT.md §7):
 * `<Name>_DeploymentConfig.xml` and `<Name>_UserConfig.xml`, in the shapes of the fixtures
 * Vendor_App_DeploymentConfig.xml and Vendor_App_UserConfig.xml. [tools] The sequencer copies the
 * manifest's extension points into the subsystem they belong to (`Shortcuts/Extensions/Extension…`, the
 * same elements in the configuration's namespace), so that an administrator can edit them there, and
 * writes every subsystem enabled.
 */

/** Subsystems that carry the manifest's extensions, by the extension Category they take (FORMAT.md §6). */
const EXTENSION_SUBSYSTEMS: readonly (readonly [subsystem: string, category: string])[] = [
  ['Shortcuts', 'AppV.Shortcut'],
  ['FileTypeAssociations', 'AppV.FileTypeAssociation'],
  ['URLProtocols', 'AppV.URLProtocol'],
];

/** [tools] The other user subsystems, enabled, in the order the sequencer writes them (fixture). */
const PLAIN_SUBSYSTEMS = ['Objects', 'Registry', 'FileSystem', 'Fonts', 'EnvironmentVariables', 'Services'];

interface ConfigElement {
  name: string;
  attributes: [string, string][];
  text?: string;
  children: ConfigElement[];
}

/**
 * A manifest Extension re-written in the configuration's (default) namespace: App-V elements by local
 * name, unprefixed attributes kept. Content in other namespaces has no known meaning in a configuration
 * and is left out. Iterative: a deep (hostile) manifest cannot overflow the stack.
 */
function configCopy(extension: XmlElement): ConfigElement {
  const convert = (source: XmlElement): ConfigElement => ({
    name: source.localName,
    attributes: source.attributes.filter((a) => a.namespace === null).map((a) => [a.name, a.value]),
    children: [],
  });
  const top = convert(extension);
  const stack: [XmlElement, ConfigElement][] = [[extension, top]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [source, target] = item;
    const elements = childElements(source);
    if (elements.length === 0) {
      target.text = textContent(source);
      continue;
    }
    for (const child of elements) {
      if (child.namespace === null || !APPV_MANIFEST_NAMESPACES.includes(child.namespace)) continue;
      const copy = convert(child);
      target.children.push(copy);
      stack.push([child, copy]);
    }
  }
  return top;
}

function appvExtensions(manifest: AppxManifest, category: string): XmlElement[] {
  return (manifest.extensions.get(category) ?? []).filter(
    (e) => e.namespace !== null && APPV_MANIFEST_NAMESPACES.includes(e.namespace),
  );
}

function userSubsystems(manifest: AppxManifest): SequencerXmlElement {
  const withExtensions = EXTENSION_SUBSYSTEMS.map(([subsystem, category]): SequencerXmlElement => {
    const extensions = appvExtensions(manifest, category).map(configCopy);
    return {
      name: subsystem,
      attributes: [['Enabled', 'true']],
      children: extensions.length === 0 ? [] : [{ name: 'Extensions', children: extensions }],
    };
  });
  const com: SequencerXmlElement = {
    name: 'COM',
    attributes: [['Mode', 'Isolated']],
    children: [
      {
        name: 'IntegratedCOMAttributes',
        attributes: [
          ['OutOfProcessEnabled', 'true'],
          ['InProcessEnabled', 'false'],
        ],
      },
    ],
  };
  return {
    name: 'Subsystems',
    children: [
      ...withExtensions,
      com,
      ...PLAIN_SUBSYSTEMS.map((name): SequencerXmlElement => ({ name, attributes: [['Enabled', 'true']] })),
    ],
  };
}

/** Every application of the manifest, enabled. */
function applications(manifest: AppxManifest): SequencerXmlElement {
  return {
    name: 'Applications',
    children: manifest.applications.flatMap((app): SequencerXmlElement[] => {
      if (app.id === undefined) return [];
      const name = app.visualElements.name;
      return [
        {
          name: 'Application',
          attributes: [
            ['Id', app.id],
            ['Enabled', 'true'],
          ],
          children:
            name === undefined ? [] : [{ name: 'VisualElements', children: [{ name: 'Name', text: name }] }],
        },
      ];
    }),
  };
}

/** Root attributes: FORMAT.md §7, the configuration's PackageId must equal the manifest's. */
function rootAttributes(manifest: AppxManifest, namespace: string): [string, string][] {
  const packageId = manifest.identity.packageId;
  if (packageId === undefined) {
    throw new AppvError(
      ErrorCode.APPV_PACKAGE_ID_MISSING,
      'cannot write a dynamic configuration: the manifest has no appv:PackageId (it is not an App-V manifest)',
    );
  }
  return [
    ['PackageId', packageId],
    ['DisplayName', manifest.properties.displayName ?? manifest.identity.name],
    ['IgnorableNamespaces', ''],
    ['xmlns', namespace],
  ];
}

/** `<Name>_DeploymentConfig.xml`: the user section as in the user file, and the machine section. */
export function createDeploymentConfig(manifest: AppxManifest): DynamicConfiguration {
  checkModelArgument(manifest, 'an AppxManifest', 'createDeploymentConfig', { identity: 'object' });
  const attributes = rootAttributes(manifest, DEPLOYMENT_CONFIG_NS);
  const root: SequencerXmlElement = {
    name: 'DeploymentConfiguration',
    attributes,
    children: [
      { name: 'UserConfiguration', children: [userSubsystems(manifest), applications(manifest)] },
      {
        name: 'MachineConfiguration',
        children: [{ name: 'Subsystems', children: [{ name: 'Registry' }] }],
      },
    ],
  };
  const part = `${manifest.identity.name}_DeploymentConfig.xml`;
  return parseDynamicConfiguration(renderSequencerXml(root, ErrorCode.APPV_MANIFEST_INVALID), { part });
}

/** `<Name>_UserConfig.xml`. */
export function createUserConfig(manifest: AppxManifest): DynamicConfiguration {
  checkModelArgument(manifest, 'an AppxManifest', 'createUserConfig', { identity: 'object' });
  const attributes = rootAttributes(manifest, USER_CONFIG_NS);
  const root: SequencerXmlElement = {
    name: 'UserConfiguration',
    attributes,
    children: [userSubsystems(manifest), applications(manifest)],
  };
  const part = `${manifest.identity.name}_UserConfig.xml`;
  return parseDynamicConfiguration(renderSequencerXml(root, ErrorCode.APPV_MANIFEST_INVALID), { part });
}
