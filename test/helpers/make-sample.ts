/**
 * The generator of examples/sample/VendorApp.appv, the App-V sample package kept in the repository.
 *
 * Deterministic: fixed GUIDs, fixed timestamps, a seeded pseudo-random generator for the content.
 * test/helpers/sample.test.ts checks that the committed file equals `buildSamplePackage()` byte for
 * byte; to regenerate it after a deliberate change, run
 *
 *     APPV_WRITE_SAMPLE=1 node_modules/.bin/vitest run test/helpers/sample.test.ts
 */
import { emptyRegistryHive } from '@appv/manifest';
import { type AppvFile, type AppvPackageSpec, buildAppvPackage } from './appv-builder.js';

export const SAMPLE_PACKAGE_ID = '6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b';
export const SAMPLE_VERSION_ID = 'b0a1c2d3-e4f5-4a6b-9c7d-8e9f0a1b2c3d';
export const SAMPLE_ICON_GUID = '{8F2A5C1E-3B7D-4E9A-A6C4-0D1E2F3A4B5C}';
export const SAMPLE_PATH = 'examples/sample/VendorApp.appv';

const APP_DIR = 'Root\\VFS\\ProgramFilesX86\\Vendor App';

export const SampleNames = {
  exe: `${APP_DIR}\\app.exe`,
  dll: `${APP_DIR}\\vendor.dll`,
  png: `${APP_DIR}\\logo.png`,
  notes: `${APP_DIR}\\Notes {draft} café.txt`,
  empty: `${APP_DIR}\\empty.log`,
  exact64k: `${APP_DIR}\\data\\exact64k.bin`,
  settings: 'Root\\VFS\\Common AppData\\Vendor App\\settings.ini',
  icon: `Root\\VFS\\Windows\\Installer\\${SAMPLE_ICON_GUID}\\app.exe.0.ico`,
} as const;

/** mulberry32: small, seedable, good enough for test content. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

export function randomBytes(length: number, seed: number): Buffer {
  const next = prng(seed);
  const b = Buffer.alloc(length);
  let i = 0;
  for (; i + 4 <= length; i += 4) b.writeUInt32LE(next(), i);
  for (; i < length; i++) b[i] = next() & 0xff;
  return b;
}

const WORDS = [
  'Vendor',
  'App',
  'Initialize',
  'Settings',
  'Window',
  'Create',
  'Destroy',
  'Message',
  'Handler',
  'Resource',
  'String',
  'Load',
  'Save',
  'Registry',
  'Key',
  'Value',
  'File',
  'Open',
  'Close',
  'Error',
];

/**
 * Executable-like bytes: an MZ/PE header, a code section built from a small vocabulary of x86-ish
 * sequences with random operands, a string table, an incompressible resource blob and zero padding,
 * so that deflate behaves as on a real binary (some blocks compress well, one hardly at all).
 */
export function exeLike(length: number, seed: number): Buffer {
  const next = prng(seed);
  const out = Buffer.alloc(length);
  let pos = 0;
  const put = (bytes: ArrayLike<number>) => {
    for (let i = 0; i < bytes.length && pos < length; i++) out[pos++] = bytes[i] ?? 0;
  };
  put(Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00', 'latin1'));
  pos = 0x40;
  put(Buffer.from('This program cannot be run in DOS mode.\r\r\n$', 'latin1'));
  pos = 0x80;
  put(Buffer.from('PE\0\0\x64\x86\x04\0', 'latin1'));
  pos = 0x400;
  const codeEnd = Math.floor(length * 0.55);
  const ops: Array<() => number[]> = [
    () => [0x55, 0x48, 0x8b, 0xec],
    () => [0xe8, next() & 0xff, next() & 0xff, 0x00, 0x00],
    () => [0x48, 0x8b, 0x45, next() & 0xf8],
    () => [0x48, 0x89, 0x4c, 0x24, 0x08],
    () => [0x33, 0xc0],
    () => [0x85, 0xc0, 0x74, next() & 0x7f],
    () => [0x5d, 0xc3],
    () => [0xcc, 0xcc, 0xcc, 0xcc],
    () => [0xff, 0x15, next() & 0xff, next() & 0xff, 0x00, 0x00],
  ];
  while (pos < codeEnd) put((ops[next() % ops.length] as () => number[])());
  const stringsEnd = Math.floor(length * 0.75);
  while (pos < stringsEnd) {
    const word = `${WORDS[next() % WORDS.length]}${WORDS[next() % WORDS.length]}${next() % 100}`;
    put(Buffer.from(`${word}\0`, next() % 2 ? 'utf16le' : 'latin1'));
  }
  const blobEnd = Math.floor(length * 0.9);
  while (pos < blobEnd) put([next() & 0xff]);
  return out; // the rest stays zero (section padding)
}

function pngLike(length: number, seed: number): Buffer {
  const header = Buffer.from('89504e470d0a1a0a0000000d49484452000000400000004008060000', 'hex');
  return Buffer.concat([header, randomBytes(length - header.length, seed)]);
}

function icoLike(): Buffer {
  // ICONDIR + one ICONDIRENTRY (32x32, 32 bpp) + a BITMAPINFOHEADER + a simple gradient.
  const pixels = Buffer.alloc(32 * 32 * 4);
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 32; x++)
      pixels.writeUInt32LE(((0xff << 24) | ((y * 8) << 16) | ((x * 8) << 8) | 0x40) >>> 0, (y * 32 + x) * 4);
  }
  const bih = Buffer.alloc(40);
  bih.writeUInt32LE(40, 0);
  bih.writeInt32LE(32, 4);
  bih.writeInt32LE(64, 8);
  bih.writeUInt16LE(1, 12);
  bih.writeUInt16LE(32, 14);
  const mask = Buffer.alloc(32 * 4);
  const image = Buffer.concat([bih, pixels, mask]);
  const dir = Buffer.alloc(6 + 16);
  dir.writeUInt16LE(1, 2);
  dir.writeUInt16LE(1, 4);
  dir[6] = 32;
  dir[7] = 32;
  dir.writeUInt16LE(1, 10);
  dir.writeUInt16LE(32, 12);
  dir.writeUInt32LE(image.length, 14);
  dir.writeUInt32LE(22, 18);
  return Buffer.concat([dir, image]);
}

export function sampleFiles(): AppvFile[] {
  const notes =
    'Vendor App release notes (draft)\r\n\r\nThis file name has a space, {braces} and a non-ASCII character.\r\n' +
    'Café, naïve, Zürich: UTF-8 content as well.\r\n';
  return [
    { name: SampleNames.exe, data: exeLike(300 * 1024, 1) },
    { name: SampleNames.dll, data: exeLike(100 * 1024 + 123, 2) },
    { name: SampleNames.png, data: pngLike(20_000, 3), method: 'stored' },
    { name: SampleNames.notes, data: Buffer.from(notes, 'utf8') },
    { name: SampleNames.empty, data: Buffer.alloc(0) },
    { name: SampleNames.exact64k, data: exeLike(65_536, 4) },
    { name: SampleNames.settings, data: Buffer.from('[General]\r\nTheme=Dark\r\nAutoUpdate=0\r\n', 'utf8') },
    { name: SampleNames.icon, data: icoLike() },
  ];
}

export function sampleSpec(): AppvPackageSpec {
  return {
    files: sampleFiles(),
    emptyDirectories: ['Root\\VFS\\AppData\\Vendor App'],
    opaqueDirectories: ['Root\\VFS\\Common AppData\\Vendor App'],
    packageId: SAMPLE_PACKAGE_ID,
    versionId: SAMPLE_VERSION_ID,
    displayName: 'Vendor App',
    description: 'Sample App-V package generated by test/helpers/make-sample.ts',
    applications: [
      { target: '[{ProgramFilesX86}]\\Vendor App\\app.exe', name: 'Vendor App', version: '1.2.3.4' },
    ],
    shortcuts: [
      {
        file: '[{Common Programs}]\\Vendor App\\Vendor App.lnk',
        target: '[{ProgramFilesX86}]\\Vendor App\\app.exe',
        icon: `[{Windows}]\\Installer\\${SAMPLE_ICON_GUID}\\app.exe.0.ico`,
        description: 'Vendor App',
      },
    ],
    packageRoot: { long: 'C:\\Program Files (x86)\\Vendor App', short: 'C:\\PROGRA~2\\VENDOR~1' },
    history: [{ time: '2024-01-01T12:00:00Z', packageVersion: 1 }],
    // A real (empty) hive, as pack writes it: the builder's default stand-in is only a signature and zeros,
    // which a shipped sample should not be (found by review).
    registry: emptyRegistryHive(),
  };
}

export function buildSamplePackage(): Buffer {
  return buildAppvPackage(sampleSpec()).bytes;
}
