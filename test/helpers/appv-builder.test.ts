import { describe, expect, it } from 'vitest';
import {
  buildAppvPackage,
  contentTypesXml,
  decodeZipName,
  encodeZipName,
  shortName83,
  tokenPathToPackagePath,
} from './appv-builder.js';
import { pythonReadAll, pythonVerifyBlockMap, pythonZipTest, unzipTest } from './external.js';
import { sampleSpec } from './make-sample.js';

describe('part names (FORMAT.md §8)', () => {
  it('percent-encodes non-ASCII and the listed ASCII characters with upper-case hex', () => {
    expect(encodeZipName('Root\\VFS\\Common AppData\\Vendor\\a b.dll')).toBe(
      'Root/VFS/Common%20AppData/Vendor/a%20b.dll',
    );
    expect(encodeZipName('Root\\{x}[1]é.txt')).toBe('Root/%7Bx%7D%5B1%5D%C3%A9.txt');
    expect(encodeZipName("!#$%&'()+,;=@[]^`{}")).toBe(
      '%21%23%24%25%26%27%28%29%2B%2C%3B%3D%40%5B%5D%5E%60%7B%7D',
    );
    expect(encodeZipName('loader%5B1%5D.js')).toBe('loader%255B1%255D.js');
    expect(encodeZipName('a-b_c.d~e')).toBe('a-b_c.d~e');
  });

  it('decodes exactly once, + is not a space', () => {
    expect(decodeZipName('loader%255B1%255D.js')).toBe('loader%5B1%5D.js');
    expect(decodeZipName('Root/a+b%20c%C3%A9')).toBe('Root\\a+b cé');
    for (const n of ['Root\\x y\\{z}\\ü€.bin', 'a%b', 'Root\\VFS\\ProgramFilesX86\\Vendor App\\app.exe']) {
      expect(decodeZipName(encodeZipName(n))).toBe(n);
    }
  });

  it('makes 8.3 short names unique per directory', () => {
    expect(shortName83('app.exe', new Set())).toBe('APP.EXE');
    expect(shortName83('VFS', new Set())).toBe('VFS');
    expect(shortName83('Vendor App', new Set())).toBe('VENDOR~1');
    expect(shortName83('Vendor Apps', new Set(['VENDOR~1']))).toBe('VENDOR~2');
    expect(shortName83('ProgramFilesX86', new Set())).toBe('PROGRA~1');
    expect(shortName83('Notes {draft} café.txt', new Set())).toBe('NOTES{~1.TXT');
    expect(shortName83('archive.tar.gz', new Set())).toBe('ARCHIV~1.GZ');
  });

  it('maps tokens to package folders', () => {
    expect(tokenPathToPackagePath('[{ProgramFilesX86}]\\Vendor App\\app.exe')).toBe(
      'Root\\VFS\\ProgramFilesX86\\Vendor App\\app.exe',
    );
    expect(tokenPathToPackagePath('[{AppVPackageRoot}]\\app.exe')).toBe('Root\\app.exe');
  });

  it('types parts by Default extension and Override', () => {
    const xml = contentTypesXml([
      'Root/a.EXE',
      'Root/b.exe',
      'Root/noext',
      'AppxManifest.xml',
      'AppxBlockMap.xml',
      'x.xml',
    ]);
    expect(xml).toContain('<Default Extension="exe" ContentType="appv/vfs-file"/>');
    expect(xml.match(/Extension="exe"/g)).toHaveLength(1);
    expect(xml).toContain('<Override PartName="/Root/noext"');
    expect(xml).toContain(
      '<Override PartName="/AppxManifest.xml" ContentType="application/vnd.ms-appx.manifest+xml"/>',
    );
    expect(xml).toContain(
      '<Override PartName="/AppxBlockMap.xml" ContentType="application/vnd.ms-appx.blockmap+xml"/>',
    );
  });
});

describe('buildAppvPackage', () => {
  const built = buildAppvPackage(sampleSpec());

  it('writes payload, App-V parts, manifest, BlockMap, content types in that order (FORMAT.md §1)', () => {
    const names = built.entries.map((e) => e.name.toString());
    expect(names.slice(-7)).toEqual([
      'FilesystemMetadata.xml',
      'PackageHistory.xml',
      'Registry.dat',
      'StreamMap.xml',
      'AppxManifest.xml',
      'AppxBlockMap.xml',
      '[Content_Types].xml',
    ]);
    expect(names[0]).toBe('Root/VFS/ProgramFilesX86/Vendor%20App/app.exe');
  });

  it('describes every block as FORMAT.md §2 says', () => {
    expect(
      built.blockMapXml.startsWith('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\r\n<BlockMap '),
    ).toBe(true);
    const exe = built.blockMap.find((f) => f.name.endsWith('app.exe'));
    expect(exe?.blocks).toHaveLength(5);
    expect(exe?.blocks.every((b) => b.size !== undefined)).toBe(true);
    expect(
      built.blockMap.find((f) => f.name.endsWith('logo.png'))?.blocks.every((b) => b.size === undefined),
    ).toBe(true);
    expect(built.blockMap.find((f) => f.name.endsWith('empty.log'))?.blocks).toHaveLength(0);
    for (const f of built.blockMap) {
      const entry = built.layout.entries.find((e) => decodeZipName(e.name.toString()) === f.name);
      expect(entry?.lfhSize, f.name).toBe(f.lfhSize);
      const sizes = f.blocks.map((b) => b.size ?? 0);
      if (entry?.method === 'deflate-blocks') expect(sizes).toEqual(entry.blockSizes);
    }
    expect(built.blockMap.map((f) => f.name)).not.toContain('AppxBlockMap.xml');
    expect(built.blockMap.map((f) => f.name)).toContain('AppxManifest.xml');
  });

  it('writes the App-V parts', () => {
    const m = built.parts['AppxManifest.xml'] as string;
    expect(m).toContain('appv:PackageId="6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"');
    expect(m).toContain('<Applications xmlns="http://schemas.microsoft.com/appv/2010/manifest">');
    const s = built.parts['StreamMap.xml'] as string;
    expect(s).toContain('<Blocks Index="4" Count="1"/>');
    expect(s).toContain('<FeatureBlock Id="PrimaryFeatureBlock">');
    const fs = built.parts['FilesystemMetadata.xml'] as string;
    expect(fs).toContain('<Entry Long="Notes {draft} café.txt" Short="NOTES{~1.TXT"/>');
    expect(fs).toContain(
      '<Entry Long="Root\\VFS\\AppData\\Vendor App" Short="Root\\VFS\\APPDATA\\VENDOR~1"/>',
    );
    expect((built.parts['Registry.dat'] as Buffer).subarray(0, 4).toString()).toBe('regf');
  });

  it('passes unzip -t, Python zipfile and the independent BlockMap checker', () => {
    expect(unzipTest(built.bytes).ok).toBe(true);
    expect(pythonZipTest(built.bytes).ok).toBe(true);
    const r = pythonVerifyBlockMap(built.bytes);
    expect(r.ok, r.output).toBe(true);
    const read = pythonReadAll(built.bytes);
    expect(
      read.get('Root/VFS/ProgramFilesX86/Vendor%20App/Notes%20%7Bdraft%7D%20caf%C3%A9.txt'),
    ).toBeDefined();
  });

  it('exposes tamper hooks at every stage', () => {
    const t = buildAppvPackage({
      files: [{ name: 'Root\\a.txt', data: Buffer.from('a') }],
      parts: { 'Registry.dat': null },
      tamper: {
        parts: (p) => ({
          ...p,
          'StreamMap.xml': '<StreamMap xmlns="http://schemas.microsoft.com/appv/2010/streammap"/>',
        }),
        blockMap: (files) => files.filter((f) => f.name !== 'Root\\a.txt'),
        contentTypesXml: (xml) => xml.replace('appv/vfs-file', 'x/y'),
      },
    });
    expect(t.entries.map((e) => e.name.toString())).not.toContain('Registry.dat');
    expect(t.blockMapXml).not.toContain('a.txt');
    expect(t.contentTypesXml).toContain('x/y');
    expect(t.parts['StreamMap.xml']).toContain('/>');
    expect(pythonVerifyBlockMap(t.bytes).output).toContain('in ZIP, not in BlockMap: Root\\a.txt');
  });
});
