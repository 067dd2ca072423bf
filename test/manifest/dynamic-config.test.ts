import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  DEPLOYMENT_CONFIG_NS,
  parseDynamicConfiguration,
  serializeDynamicConfiguration,
} from '@appv/manifest';
import { AppvError, ErrorCode } from '@appv/opc';
import { describe, expect, it } from 'vitest';
import { LOCAL_FIXTURES } from './fixtures/msix.js';

const deployment = readFileSync(path.join(LOCAL_FIXTURES, 'Vendor_App_DeploymentConfig.xml'));
const user = readFileSync(path.join(LOCAL_FIXTURES, 'Vendor_App_UserConfig.xml'));

describe('dynamic configuration (FORMAT.md §7)', () => {
  it('reads a DeploymentConfig: package id, subsystems, applications, machine section', () => {
    const c = parseDynamicConfiguration(deployment);
    expect(c.kind).toBe('deployment');
    expect(c.namespace).toBe(DEPLOYMENT_CONFIG_NS);
    expect(c.packageId).toBe('1a2ad958-9e6b-4f0b-8b2e-6f8e2f3c9a11');
    expect(c.displayName).toBe('Vendor App 1.2');
    expect(c.user?.subsystems.map((s) => [s.name, s.enabled])).toEqual([
      ['Shortcuts', true],
      ['FileTypeAssociations', true],
      ['URLProtocols', false],
      ['COM', undefined],
      ['Objects', true],
      ['Registry', true],
      ['FileSystem', true],
      ['Fonts', true],
      ['EnvironmentVariables', true],
      ['Services', true],
    ]);
    expect(c.user?.applications.map((a) => [a.id, a.enabled])).toEqual([
      ['[{ProgramFilesX86}]\\Vendor App\\app.exe', true],
    ]);
    expect(c.machine?.subsystems.map((s) => s.name)).toEqual(['Registry']);
    expect(serializeDynamicConfiguration(c).equals(deployment)).toBe(true);
  });

  it('reads a UserConfig and writes edits into the tree', () => {
    const c = parseDynamicConfiguration(user);
    expect(c.kind).toBe('user');
    expect(c.machine).toBeUndefined();
    expect(c.user?.subsystems.map((s) => [s.name, s.enabled])).toEqual([
      ['Shortcuts', true],
      ['Registry', false],
    ]);
    const registry = c.user?.subsystems[1];
    if (registry === undefined) throw new Error('no subsystem');
    registry.enabled = true;
    c.displayName = 'Renamed';
    const out = serializeDynamicConfiguration(c).toString('utf8');
    expect(out).toBe(
      user
        .toString('utf8')
        .replace('<Registry Enabled="false" />', '<Registry Enabled="true" />')
        .replace('DisplayName="Vendor App 1.2"', 'DisplayName="Renamed"'),
    );
  });

  it('refuses other documents', () => {
    expect(() => parseDynamicConfiguration('<DeploymentConfiguration/>')).toThrow(AppvError);
    try {
      parseDynamicConfiguration('<Package/>');
    } catch (e) {
      expect((e as AppvError).code).toBe(ErrorCode.APPV_MANIFEST_INVALID);
    }
  });
});
