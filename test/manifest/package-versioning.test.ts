import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  branchPackage,
  bumpVersion,
  createAppxManifest,
  newVersion,
  parseAppxManifest,
  serializeAppxManifest,
  setDisplayName,
  setPackageVersion,
} from '@appv/manifest';
import { ErrorCode } from '@appv/opc';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../helpers/error-code.js';
import { LOCAL_FIXTURES, unzipItem, VALID_DIR } from './fixtures/msix.js';

const sample = readFileSync(path.join(LOCAL_FIXTURES, 'AppxManifest.xml'));
const SAMPLE_PACKAGE_ID = '1a2ad958-9e6b-4f0b-8b2e-6f8e2f3c9a11';
const SAMPLE_VERSION_ID = '466ada43-2d8c-4b7e-9f3a-0c5d7e8f9b22';
const OTHER_GUID = '0f0e0d0c-0b0a-4908-8706-050403020100';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const plainAppx = () =>
  parseAppxManifest(unzipItem(path.join(VALID_DIR, 'NotepadPlusPlus.appx'), 'AppxManifest.xml'));

describe('bumpVersion', () => {
  it.each([
    ['0.0.0.1', '0.0.0.2'],
    ['1.2.3.4', '1.2.3.5'],
    ['1.2.3.65535', '1.2.4.0'],
    ['1.2.65535.65535', '1.3.0.0'],
    ['1.65535.65535.65535', '2.0.0.0'],
    ['65534.65535.65535.65535', '65535.0.0.0'],
  ])('%s → %s', (from, to) => {
    expect(bumpVersion(from)).toBe(to);
  });

  it.each(['65535.65535.65535.65535', '1.2.3', '1.2.3.4.5', '1.2.3.x', '1.2.3.65536', '', '1..2.3'])(
    'refuses %j with APPV_MANIFEST_INVALID',
    (version) => {
      expect(codeOf(() => bumpVersion(version))).toBe(ErrorCode.APPV_MANIFEST_INVALID);
    },
  );

  it('is the next version in numeric order (property)', () => {
    const part = fc.integer({ min: 0, max: 65535 });
    const asNumber = (v: string) => v.split('.').reduce((n, p) => n * 65536n + BigInt(p), 0n);
    fc.assert(
      fc.property(fc.tuple(part, part, part, part), (parts) => {
        const version = parts.join('.');
        if (parts.every((p) => p === 65535)) return;
        expect(asNumber(bumpVersion(version))).toBe(asNumber(version) + 1n);
      }),
    );
  });
});

describe('newVersion (FORMAT.md §6: same PackageId, new VersionId)', () => {
  it('keeps PackageId, sets a new random VersionId and bumps the version, touching nothing else', () => {
    const m = parseAppxManifest(sample);
    newVersion(m);
    expect(m.identity.packageId).toBe(SAMPLE_PACKAGE_ID);
    expect(m.identity.versionId).toMatch(GUID);
    expect(m.identity.versionId).not.toBe(SAMPLE_VERSION_ID);
    expect(m.identity.version).toBe('0.0.0.2');
    const expected = sample
      .toString('utf8')
      .replace(SAMPLE_VERSION_ID, m.identity.versionId ?? '')
      .replace('Version="0.0.0.1"', 'Version="0.0.0.2"');
    expect(serializeAppxManifest(m).toString('utf8')).toBe(expected);
  });

  it('takes a given VersionId (normalised) and version', () => {
    const m = parseAppxManifest(sample);
    newVersion(m, { versionId: `{${OTHER_GUID.toUpperCase()}}`, version: '2.0.0.0' });
    expect([m.identity.packageId, m.identity.versionId, m.identity.version]).toEqual([
      SAMPLE_PACKAGE_ID,
      OTHER_GUID,
      '2.0.0.0',
    ]);
    const again = parseAppxManifest(serializeAppxManifest(m));
    expect([again.identity.versionId, again.identity.version]).toEqual([OTHER_GUID, '2.0.0.0']);
  });

  it('carries a maxed-out last component', () => {
    const m = createAppxManifest({ name: 'Vendor.App', version: '1.0.65535.65535' });
    newVersion(m);
    expect(m.identity.version).toBe('1.1.0.0');
  });

  it.each<[string, { versionId?: string; version?: string }]>([
    ['the current VersionId', { versionId: SAMPLE_VERSION_ID.toUpperCase() }],
    ['a VersionId that is not a GUID', { versionId: 'abc' }],
    ['an invalid version', { version: '1.0' }],
  ])('refuses %s with APPV_MANIFEST_INVALID and leaves the manifest unchanged', (_what, options) => {
    const m = parseAppxManifest(sample);
    expect(codeOf(() => newVersion(m, options))).toBe(ErrorCode.APPV_MANIFEST_INVALID);
    expect(serializeAppxManifest(m).equals(sample)).toBe(true);
  });

  it('refuses to bump past 65535.65535.65535.65535', () => {
    const m = createAppxManifest({ name: 'Vendor.App', version: '65535.65535.65535.65535' });
    expect(codeOf(() => newVersion(m))).toBe(ErrorCode.APPV_MANIFEST_INVALID);
  });

  it('refuses a plain AppX manifest (no appv:PackageId) with APPV_PACKAGE_ID_MISSING', () => {
    const m = plainAppx();
    expect(codeOf(() => newVersion(m))).toBe(ErrorCode.APPV_PACKAGE_ID_MISSING);
    expect(m.identity.versionId).toBeUndefined();
  });
});

describe('branchPackage (FORMAT.md §6: new PackageId, VersionId and name)', () => {
  it('changes all three, and the display name when given', () => {
    const m = parseAppxManifest(sample);
    branchPackage(m, { name: 'Vendor.App.Branch', displayName: 'Vendor App (branch)' });
    expect(m.identity.packageId).toMatch(GUID);
    expect(m.identity.versionId).toMatch(GUID);
    expect(m.identity.packageId).not.toBe(SAMPLE_PACKAGE_ID);
    expect(m.identity.versionId).not.toBe(SAMPLE_VERSION_ID);
    expect(m.identity.packageId).not.toBe(m.identity.versionId);
    expect(m.identity.name).toBe('Vendor.App.Branch');
    expect(m.identity.version).toBe('0.0.0.1');
    const again = parseAppxManifest(serializeAppxManifest(m));
    expect({ ...again.identity }).toEqual({ ...m.identity });
    expect(again.properties.displayName).toBe('Vendor App (branch)');
  });

  it('takes given ids (normalised) and keeps the display name when none is given', () => {
    const m = parseAppxManifest(sample);
    branchPackage(m, {
      name: 'Other',
      packageId: OTHER_GUID.toUpperCase(),
      versionId: `{${SAMPLE_PACKAGE_ID}}`,
    });
    expect([m.identity.packageId, m.identity.versionId]).toEqual([OTHER_GUID, SAMPLE_PACKAGE_ID]);
    expect(m.properties.displayName).toBe('Vendor App 1.2');
  });

  it.each<[string, { name: string; packageId?: string; versionId?: string; displayName?: string }]>([
    ['an invalid name', { name: 'a b' }],
    ['the current name in another case', { name: 'RESERVED' }],
    ['the current PackageId', { name: 'Other', packageId: SAMPLE_PACKAGE_ID }],
    ['the current VersionId', { name: 'Other', versionId: SAMPLE_VERSION_ID }],
    ['an invalid PackageId', { name: 'Other', packageId: '{}' }],
    ['a blank display name', { name: 'Other', displayName: '' }],
  ])('refuses %s with APPV_MANIFEST_INVALID and leaves the manifest unchanged', (_what, options) => {
    const m = parseAppxManifest(sample);
    expect(codeOf(() => branchPackage(m, options))).toBe(ErrorCode.APPV_MANIFEST_INVALID);
    expect(serializeAppxManifest(m).equals(sample)).toBe(true);
  });

  it('refuses a plain AppX manifest with APPV_PACKAGE_ID_MISSING', () => {
    expect(codeOf(() => branchPackage(plainAppx(), { name: 'Other' }))).toBe(
      ErrorCode.APPV_PACKAGE_ID_MISSING,
    );
  });
});

describe('setPackageVersion, setDisplayName', () => {
  it('write the tree', () => {
    const m = parseAppxManifest(sample);
    setPackageVersion(m, '3.2.1.0');
    setDisplayName(m, 'Vendor App <3>');
    const again = parseAppxManifest(serializeAppxManifest(m));
    expect(again.identity.version).toBe('3.2.1.0');
    expect(again.properties.displayName).toBe('Vendor App <3>');
  });

  it('refuse invalid values with APPV_MANIFEST_INVALID', () => {
    const m = parseAppxManifest(sample);
    expect(codeOf(() => setPackageVersion(m, '3.2.1'))).toBe(ErrorCode.APPV_MANIFEST_INVALID);
    expect(codeOf(() => setDisplayName(m, ' '))).toBe(ErrorCode.APPV_MANIFEST_INVALID);
    expect(codeOf(() => setDisplayName(m, 'x'.repeat(257)))).toBe(ErrorCode.APPV_MANIFEST_INVALID);
    expect(serializeAppxManifest(m).equals(sample)).toBe(true);
  });
});

describe('identity values Windows refuses (found by review)', () => {
  it.each(['CON', 'nul', 'COM1', 'LPT9', 'Aux'])('the reserved name %s is refused', (name) => {
    expect(codeOf(() => createAppxManifest({ name }))).toBe(ErrorCode.APPV_MANIFEST_INVALID);
  });

  it('a publisher must be a distinguished name', () => {
    for (const publisher of ['CN=Reserved', 'CN=Vendor, O=Vendor Inc, C=US', 'CN="Vendor, Inc"'])
      expect(() => createAppxManifest({ name: 'Vendor.App', publisher })).not.toThrow();
    for (const publisher of ['Vendor Inc <sales@example.com>', 'CN=', 'cn=lower', 'CN=a,O=b', ''])
      expect(codeOf(() => createAppxManifest({ name: 'Vendor.App', publisher }))).toBe(
        ErrorCode.APPV_MANIFEST_INVALID,
      );
  });
});

describe('display names are counted in characters (found by review)', () => {
  it('256 emoji are accepted, 257 refused', () => {
    expect(() => createAppxManifest({ name: 'Vendor.App', displayName: '😀'.repeat(256) })).not.toThrow();
    expect(codeOf(() => createAppxManifest({ name: 'Vendor.App', displayName: '😀'.repeat(257) }))).toBe(
      ErrorCode.APPV_MANIFEST_INVALID,
    );
  });
});
