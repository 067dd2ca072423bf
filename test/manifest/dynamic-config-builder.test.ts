import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  type AppxManifest,
  branchPackage,
  createAppxManifest,
  createDeploymentConfig,
  createUserConfig,
  DEPLOYMENT_CONFIG_NS,
  type DynamicConfiguration,
  parseAppxManifest,
  parseDynamicConfiguration,
  serializeDynamicConfiguration,
  USER_CONFIG_NS,
} from '@appv/manifest';
import { childElements, descendantElements, ErrorCode, textContent, type XmlElement } from '@appv/opc';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../helpers/error-code.js';
import { LOCAL_FIXTURES, unzipItem, VALID_DIR } from './fixtures/msix.js';

const fixture = (name: string) => readFileSync(path.join(LOCAL_FIXTURES, name));
const sampleManifest = () => parseAppxManifest(fixture('AppxManifest.xml'));
const APP = '[{ProgramFilesX86}]\\Vendor App\\app.exe';

/** The Extension elements a subsystem carries (`<Shortcuts><Extensions><Extension …>`). */
function subsystemExtensions(config: DynamicConfiguration, subsystem: string): XmlElement[] {
  const element = config.user?.subsystems.find((s) => s.name === subsystem)?.element;
  if (element === undefined) return [];
  return childElements(element, config.namespace, 'Extensions').flatMap((e) =>
    childElements(e, config.namespace, 'Extension'),
  );
}

/** Texts of the body's children by local name, e.g. `{ File, Target, … }` of a Shortcut. */
function bodyFields(extension: XmlElement | undefined): Record<string, string> {
  const body = extension === undefined ? undefined : childElements(extension)[0];
  return Object.fromEntries(
    body === undefined ? [] : childElements(body).map((c) => [c.localName, textContent(c)]),
  );
}

function stable(config: DynamicConfiguration): boolean {
  const bytes = serializeDynamicConfiguration(config);
  return serializeDynamicConfiguration(parseDynamicConfiguration(bytes)).equals(bytes);
}

function checkCommon(config: DynamicConfiguration, manifest: AppxManifest, namespace: string): void {
  expect(config.namespace).toBe(namespace);
  expect(config.packageId).toBe(manifest.identity.packageId);
  expect(config.displayName).toBe(manifest.properties.displayName);
  // Everything copied from the manifest is re-written in the configuration's namespace.
  const root = config.document.root;
  expect([root, ...descendantElements(root)].filter((e) => e.namespace !== namespace)).toEqual([]);
  expect(stable(config)).toBe(true);
}

describe('createDeploymentConfig (FORMAT.md §7)', () => {
  it('has the subsystems of the fixture, all enabled, in its order', () => {
    const shape = parseDynamicConfiguration(fixture('Vendor_App_DeploymentConfig.xml'));
    const config = createDeploymentConfig(sampleManifest());
    expect(config.kind).toBe('deployment');
    expect(config.user?.subsystems.map((s) => s.name)).toEqual(shape.user?.subsystems.map((s) => s.name));
    expect(config.user?.subsystems.map((s) => [s.name, s.enabled])).toEqual([
      ['Shortcuts', true],
      ['FileTypeAssociations', true],
      ['URLProtocols', true],
      ['COM', undefined],
      ['Objects', true],
      ['Registry', true],
      ['FileSystem', true],
      ['Fonts', true],
      ['EnvironmentVariables', true],
      ['Services', true],
    ]);
    expect(config.machine?.subsystems.map((s) => s.name)).toEqual(
      shape.machine?.subsystems.map((s) => s.name),
    );
    checkCommon(config, sampleManifest(), DEPLOYMENT_CONFIG_NS);
  });

  it("copies the manifest's shortcuts and file type associations into their subsystems", () => {
    const manifest = sampleManifest();
    const config = createDeploymentConfig(manifest);
    const shortcuts = subsystemExtensions(config, 'Shortcuts');
    expect(shortcuts.map((e) => e.attributes.map((a) => [a.name, a.value]))).toEqual([
      [['Category', 'AppV.Shortcut']],
      [['Category', 'AppV.Shortcut']],
    ]);
    const fromManifest = manifest.extensions.get('AppV.Shortcut') ?? [];
    expect(shortcuts.map(bodyFields)).toEqual(fromManifest.map(bodyFields));
    expect(bodyFields(shortcuts[1])).toEqual({ File: '[{Desktop}]\\Vendor App.lnk', Target: APP });
    const associations = subsystemExtensions(config, 'FileTypeAssociations');
    expect(associations).toHaveLength(1);
    const extension = childElements(childElements(associations[0] as XmlElement)[0] as XmlElement)[0];
    expect(extension?.localName).toBe('FileExtension');
    expect(extension?.attributes.map((a) => [a.name, a.value])).toEqual([['MimeAssociation', 'true']]);
    expect(childElements(extension as XmlElement).map((c) => [c.localName, textContent(c)])).toEqual([
      ['Name', '.vda'],
      ['ProgId', 'VendorApp.Document'],
    ]);
    // Categories without a subsystem here (AppV.Fonts) are not copied.
    expect(subsystemExtensions(config, 'Fonts')).toEqual([]);
    expect(subsystemExtensions(config, 'URLProtocols')).toEqual([]);
  });

  it('enables every application of the manifest, with its name', () => {
    const manifest = sampleManifest();
    const config = createDeploymentConfig(manifest);
    expect(config.user?.applications.map((a) => [a.id, a.enabled])).toEqual(
      manifest.applications.map((a) => [a.id, true]),
    );
    const first = config.user?.applications[0]?.element;
    const visual = childElements(first as XmlElement, DEPLOYMENT_CONFIG_NS, 'VisualElements')[0];
    const name = childElements(visual as XmlElement, DEPLOYMENT_CONFIG_NS, 'Name')[0];
    expect(textContent(name as XmlElement)).toBe('Vendor App');
  });

  it('works from a created manifest, and follows a branch to its new PackageId', () => {
    const manifest = createAppxManifest({
      name: 'Vendor.App',
      applications: [{ target: APP, name: 'Vendor App' }],
      shortcuts: [{ file: '[{Common Desktop}]\\Vendor App.lnk', target: APP }],
      fileTypeAssociations: [{ extension: '.vnd', progId: 'Vendor.Doc', target: APP }],
    });
    checkCommon(createDeploymentConfig(manifest), manifest, DEPLOYMENT_CONFIG_NS);
    expect(subsystemExtensions(createDeploymentConfig(manifest), 'FileTypeAssociations')).toHaveLength(1);
    branchPackage(manifest, { name: 'Vendor.App.B' });
    checkCommon(createDeploymentConfig(manifest), manifest, DEPLOYMENT_CONFIG_NS);
  });

  it('refuses a plain AppX manifest with APPV_PACKAGE_ID_MISSING', () => {
    const appx = parseAppxManifest(
      unzipItem(path.join(VALID_DIR, 'NotepadPlusPlus.appx'), 'AppxManifest.xml'),
    );
    expect(codeOf(() => createDeploymentConfig(appx))).toBe(ErrorCode.APPV_PACKAGE_ID_MISSING);
    expect(codeOf(() => createUserConfig(appx))).toBe(ErrorCode.APPV_PACKAGE_ID_MISSING);
  });
});

describe('createUserConfig (FORMAT.md §7)', () => {
  it('is a UserConfiguration with the same subsystems and applications as the deployment user section', () => {
    const manifest = sampleManifest();
    const user = createUserConfig(manifest);
    const deployment = createDeploymentConfig(manifest);
    expect(user.kind).toBe('user');
    expect(user.machine).toBeUndefined();
    expect(user.user?.subsystems.map((s) => [s.name, s.enabled])).toEqual(
      deployment.user?.subsystems.map((s) => [s.name, s.enabled]),
    );
    expect(user.user?.applications.map((a) => [a.id, a.enabled])).toEqual(
      manifest.applications.map((a) => [a.id, true]),
    );
    expect(subsystemExtensions(user, 'Shortcuts').map(bodyFields)).toEqual(
      subsystemExtensions(deployment, 'Shortcuts').map(bodyFields),
    );
    checkCommon(user, manifest, USER_CONFIG_NS);
  });
});

describe('dynamic configuration from a hostile manifest (found by review)', () => {
  it('grows linearly with the nesting of what it copies, not with its square', () => {
    const sizes = [250, 1_000].map((depth) => {
      const deep = '<appv:a>'.repeat(depth) + '</appv:a>'.repeat(depth);
      const manifest = parseAppxManifest(
        `<Package xmlns="http://schemas.microsoft.com/appx/2010/manifest" xmlns:appv="http://schemas.microsoft.com/appv/2010/manifest"><Identity Name="abc" Publisher="CN=x" Version="1.0.0.0" appv:PackageId="6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"/><appv:Extensions><appv:Extension Category="AppV.Shortcut">${deep}</appv:Extension></appv:Extensions></Package>`,
      );
      return serializeDynamicConfiguration(createDeploymentConfig(manifest)).length;
    });
    // Four times the depth: about four times the bytes (before, sixteen times: 50 MB from an 85 KB manifest).
    expect(sizes[1] ?? 0).toBeLessThan(5 * (sizes[0] ?? 0));
  });
});
