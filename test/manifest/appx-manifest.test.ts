import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  APPV_MANIFEST_NS_2010,
  APPX_FOUNDATION_NS_WINDOWS10,
  parseAppxManifest,
  serializeAppxManifest,
} from '@appv/manifest';
import { ErrorCode, getAttribute, MAX_XML_NODES_FIXED_PART, parseXml } from '@appv/opc';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../helpers/error-code.js';
import { LOCAL_FIXTURES, unzipItem, VALID_DIR, validPackages } from './fixtures/msix.js';

const sample = readFileSync(path.join(LOCAL_FIXTURES, 'AppxManifest.xml'));

describe('parseAppxManifest: App-V flavour (FORMAT.md §6)', () => {
  it('reads identity, App-V ids, properties and the schema version', () => {
    const m = parseAppxManifest(sample);
    expect(m.isAppV).toBe(true);
    expect(m.schemaVersion).toBe('2014');
    expect({ ...m.identity }).toEqual({
      name: 'Reserved',
      publisher: 'CN=Reserved',
      version: '0.0.0.1',
      processorArchitecture: undefined,
      packageId: '1a2ad958-9e6b-4f0b-8b2e-6f8e2f3c9a11',
      versionId: '466ada43-2d8c-4b7e-9f3a-0c5d7e8f9b22',
    });
    expect({ ...m.properties }).toEqual({
      displayName: 'Vendor App 1.2',
      publisherDisplayName: 'Reserved',
      description: 'Reserved',
      logo: 'Reserved.jpeg',
      appVPackageDescription: 'Sequenced by ops & QA — "gold" image',
    });
  });

  it('reads applications under the default-namespace switch', () => {
    const apps = parseAppxManifest(sample).applications;
    expect(
      apps.map((a) => [
        a.kind,
        a.id,
        a.origin,
        a.targetInPackage,
        a.target,
        a.visualElements.name,
        a.visualElements.version,
      ]),
    ).toEqual([
      [
        'appv',
        '[{ProgramFilesX86}]\\Vendor App\\app.exe',
        'Application',
        true,
        '[{ProgramFilesX86}]\\Vendor App\\app.exe',
        'Vendor App',
        '1.2.3.4',
      ],
      [
        'appv',
        '[{ProgramFilesX86}]\\Vendor App\\helper.exe',
        'User',
        false,
        '[{Windows}]\\system32\\notepad.exe',
        'Vendor Helper',
        '1.0.0.0',
      ],
    ]);
    expect(apps[0]?.element.namespace).toBe(APPV_MANIFEST_NS_2010);
  });

  it('groups extension points by Category, keeping each element', () => {
    const m = parseAppxManifest(sample);
    expect([...m.extensions.keys()]).toEqual(['AppV.Shortcut', 'AppV.FileTypeAssociation', 'AppV.Fonts']);
    expect(m.extensions.get('AppV.Shortcut')).toHaveLength(2);
    expect(m.extensions.get('AppV.Fonts')?.[0]?.name).toBe('appv1.2:Extension');
  });

  it('serializes an unedited manifest byte for byte', () => {
    expect(serializeAppxManifest(parseAppxManifest(sample)).equals(sample)).toBe(true);
  });

  it('writes edits into the tree and keeps everything else', () => {
    const m = parseAppxManifest(sample);
    m.identity.versionId = 'b1c2d3e4-0000-4000-8000-000000000001';
    m.identity.version = '0.0.0.2';
    m.properties.description = 'New & improved';
    const app = m.applications[1];
    if (app === undefined) throw new Error('no app');
    app.target = '[{ProgramFilesX86}]\\Vendor App\\helper2.exe';
    app.targetInPackage = true;
    app.visualElements.version = '2.0.0.0';
    const out = serializeAppxManifest(m).toString('utf8');
    const expected = sample
      .toString('utf8')
      .replace(
        'appv:VersionId="466ada43-2d8c-4b7e-9f3a-0c5d7e8f9b22"',
        'appv:VersionId="b1c2d3e4-0000-4000-8000-000000000001"',
      )
      .replace('Version="0.0.0.1"', 'Version="0.0.0.2"')
      .replace('<Description>Reserved</Description>', '<Description>New &amp; improved</Description>')
      .replace(
        '<Target>[{Windows}]\\system32\\notepad.exe</Target>',
        '<Target>[{ProgramFilesX86}]\\Vendor App\\helper2.exe</Target>',
      )
      .replace('Origin="User" TargetInPackage="false"', 'Origin="User" TargetInPackage="true"')
      .replace('<Version>1.0.0.0</Version>', '<Version>2.0.0.0</Version>');
    expect(out).toBe(expected);
    const again = parseAppxManifest(out);
    expect(again.identity.versionId).toBe('b1c2d3e4-0000-4000-8000-000000000001');
    expect(again.applications[1]?.target).toBe('[{ProgramFilesX86}]\\Vendor App\\helper2.exe');
  });

  it('adds App-V attributes to a manifest that lacks them, declaring the namespace', () => {
    const m = parseAppxManifest(
      '<Package xmlns="http://schemas.microsoft.com/appx/2010/manifest"><Identity Name="a" Publisher="CN=a" Version="1.0.0.0"/></Package>',
    );
    expect(m.isAppV).toBe(false);
    m.identity.packageId = 'p';
    m.properties.displayName = 'Shown';
    m.properties.appVPackageDescription = 'd';
    const reparsed = parseAppxManifest(serializeAppxManifest(m));
    expect(reparsed.identity.packageId).toBe('p');
    expect(reparsed.properties.displayName).toBe('Shown');
    expect(reparsed.properties.appVPackageDescription).toBe('d');
    const identity = parseXml(serializeAppxManifest(m)).root.children[0];
    expect(identity?.kind === 'element' && getAttribute(identity, APPV_MANIFEST_NS_2010, 'PackageId')).toBe(
      'p',
    );
  });

  it('detects the schema version from the declared App-V namespaces', () => {
    const manifest = (decls: string) =>
      `<Package xmlns="http://schemas.microsoft.com/appx/2010/manifest" ${decls}><Identity Name="a" Publisher="b" Version="1.0.0.0"/></Package>`;
    expect(parseAppxManifest(manifest('')).schemaVersion).toBeNull();
    expect(
      parseAppxManifest(manifest('xmlns:appv="http://schemas.microsoft.com/appv/2010/manifest"'))
        .schemaVersion,
    ).toBe('2010');
    expect(
      parseAppxManifest(
        manifest(
          'xmlns:appv="http://schemas.microsoft.com/appv/2010/manifest" xmlns:appv1.1="http://schemas.microsoft.com/appv/2013/manifest"',
        ),
      ).schemaVersion,
    ).toBe('2013');
  });

  it.each([
    [
      'no Identity',
      '<Package xmlns="http://schemas.microsoft.com/appx/2010/manifest"><Properties/></Package>',
    ],
    ['not a Package', '<Bundle xmlns="http://schemas.microsoft.com/appx/2010/manifest"/>'],
    ['Identity without Name', '<Package xmlns="urn:x"><Identity Publisher="b" Version="1.0.0.0"/></Package>'],
  ])('%s → APPV_MANIFEST_INVALID', (_what, text) => {
    expect(codeOf(() => parseAppxManifest(text))).toBe(ErrorCode.APPV_MANIFEST_INVALID);
  });
});

describe('parseAppxManifest: AppX/MSIX fixtures (extracted with the system unzip)', () => {
  for (const name of validPackages()) {
    it(`${name}: identity, properties, applications; byte-identical round trip`, () => {
      const bytes = unzipItem(path.join(VALID_DIR, name), 'AppxManifest.xml');
      const m = parseAppxManifest(bytes);
      expect(m.isAppV).toBe(false);
      expect(m.identity.name).toMatch(/\S/);
      expect(m.identity.publisher).toMatch(/^CN=/);
      expect(m.identity.version).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      // Independent reading of the identity from the raw text.
      const raw = bytes.toString('utf8');
      expect(raw).toContain(`Name="${m.identity.name}"`);
      expect(raw).toContain(`Version="${m.identity.version}"`);
      for (const app of m.applications) {
        expect(app.kind).toBe('appx');
        expect(raw).toContain(`Id="${app.id}"`);
      }
      expect(serializeAppxManifest(m).equals(bytes)).toBe(true);
      // Read as text (`readFileSync(p, 'utf8')` keeps a byte order mark as U+FEFF): the same bytes again,
      // its mark included (found by review: three of these lost it).
      expect(serializeAppxManifest(parseAppxManifest(raw)).equals(bytes)).toBe(true);
    });
  }

  it('NotepadPlusPlus (windows10 foundation namespace): properties and a desktop application', () => {
    const m = parseAppxManifest(unzipItem(path.join(VALID_DIR, 'NotepadPlusPlus.appx'), 'AppxManifest.xml'));
    expect(m.namespace).toBe(APPX_FOUNDATION_NS_WINDOWS10);
    expect(m.identity.processorArchitecture).toBe('x64');
    expect(m.properties.displayName).toBe('notepadplus');
    expect(m.properties.description).toBe('No description entered');
    expect(m.applications.map((a) => [a.id, a.executable, a.entryPoint])).toEqual([
      ['App1', 'VFS\\ProgramFilesX86\\Notepad++\\notepad++.exe', 'Windows.FullTrustApplication'],
    ]);
  });
});

describe('editing a manifest keeps it well-formed and every name in its namespace (found by review)', () => {
  it('a Package in no namespace gains unprefixed children, not an illegal xmlns:appx=""', () => {
    const manifest = parseAppxManifest(
      '<Package><Identity Name="abc" Publisher="CN=x" Version="1.0.0.0"/></Package>',
    );
    manifest.properties.displayName = 'X';
    const reparsed = parseAppxManifest(serializeAppxManifest(manifest));
    expect(reparsed.properties.displayName).toBe('X');
  });

  it('a new App-V id takes a fresh prefix where the usual one is bound to another namespace', () => {
    const manifest = parseAppxManifest(
      '<Package xmlns="http://schemas.microsoft.com/appx/2010/manifest"><Identity xmlns:appv="urn:vendor" appv:Keep="k" Name="abc" Publisher="CN=x" Version="1.0.0.0"/></Package>',
    );
    manifest.identity.packageId = '6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b';
    const document = parseXml(serializeAppxManifest(manifest));
    const identity = document.root.children.find((c) => c.kind === 'element');
    expect(identity && getAttribute(identity as never, 'urn:vendor', 'Keep')).toBe('k');
    expect(parseAppxManifest(serializeAppxManifest(manifest)).identity.packageId).toBe(
      '6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b',
    );
  });

  it.each([
    [
      'Identity',
      (m: ReturnType<typeof parseAppxManifest>) => {
        m.identity.packageId = '6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b';
      },
      (m: ReturnType<typeof parseAppxManifest>) => m.identity.packageId,
      '6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b',
    ],
    [
      'Properties',
      (m: ReturnType<typeof parseAppxManifest>) => {
        m.properties.appVPackageDescription = 'described';
      },
      (m: ReturnType<typeof parseAppxManifest>) => m.properties.appVPackageDescription,
      'described',
    ],
  ])(
    'an App-V value set on %s, where the root binds appv but the host rebinds it, survives a re-read (found by review)',
    (host, edit, read, expected) => {
      const manifest = parseAppxManifest(
        '<Package xmlns="http://schemas.microsoft.com/appx/2010/manifest" xmlns:appv="http://schemas.microsoft.com/appv/2010/manifest">' +
          `<Identity ${host === 'Identity' ? 'xmlns:appv="urn:other" ' : ''}Name="abc" Publisher="CN=x" Version="1.0.0.0"/>` +
          `<Properties${host === 'Properties' ? ' xmlns:appv="urn:other"' : ''}><DisplayName>d</DisplayName></Properties></Package>`,
      );
      edit(manifest);
      expect(read(parseAppxManifest(serializeAppxManifest(manifest)))).toBe(expected);
    },
  );

  it('refuses a manifest of more than MAX_XML_NODES_FIXED_PART nodes with XML_TOO_LARGE (found by fuzzing)', () => {
    const head =
      '<Package xmlns="http://schemas.microsoft.com/appx/2010/manifest"><Identity Name="abc" Publisher="CN=x" Version="1.0.0.0"/>';
    const flood = `${head}${'<a/>'.repeat(MAX_XML_NODES_FIXED_PART)}</Package>`;
    expect(codeOf(() => parseAppxManifest(flood))).toBe(ErrorCode.XML_TOO_LARGE);
    expect(parseAppxManifest(`${head}${'<a/>'.repeat(1000)}</Package>`).identity.name).toBe('abc');
  });
});
