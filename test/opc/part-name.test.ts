import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { decodeItemName, ErrorCode, encodePartName, nameKey, partNameProblems } from '@appv/opc';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** A decoded segment: any Unicode except separators and control characters, never "." / ".." / trailing ".". */
const segment = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 12 })
  .map((s) =>
    [...s]
      .map((c) => (c === '\\' || c === '/' || (c.codePointAt(0) ?? 0) < 0x20 || c === '\u007f' ? '_' : c))
      .join(''),
  )
  .filter((s) => s.length > 0 && !s.endsWith('.'));
const decodedName = fc.array(segment, { minLength: 1, maxLength: 5 }).map((segments) => segments.join('\\'));

describe('part names (FORMAT.md §8)', () => {
  it('decode is the inverse of encode for any name', () => {
    fc.assert(
      fc.property(decodedName, (name) => {
        expect(decodeItemName(encodePartName(name))).toBe(name);
      }),
      { numRuns: 500 },
    );
  });

  it('encoded names are valid OPC part names: ASCII only, upper-case hex escapes', () => {
    fc.assert(
      fc.property(decodedName, (name) => {
        const encoded = encodePartName(name);
        expect(encoded).toMatch(/^[\x21-\x7e]+$/);
        expect(encoded).not.toMatch(/%[0-9A-F]?[a-f]/);
        expect(partNameProblems(encoded)).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('encodes exactly the characters App-V writers encode', () => {
    expect(encodePartName("Root\\VFS\\Common AppData\\a b!#$%&'()+,;=@[]^`{}.dll")).toBe(
      'Root/VFS/Common%20AppData/a%20b%21%23%24%25%26%27%28%29%2B%2C%3B%3D%40%5B%5D%5E%60%7B%7D.dll',
    );
    expect(encodePartName('Root\\é.txt')).toBe('Root/%C3%A9.txt');
  });

  it('keeps a leading U+FEFF: in a name it is a character, not a byte order mark', () => {
    expect(decodeItemName('Root/%EF%BB%BFa.txt')).toBe('Root\\\uFEFFa.txt');
    expect(decodeItemName(encodePartName('\uFEFF\\\uFEFFb\uFEFF'))).toBe('\uFEFF\\\uFEFFb\uFEFF');
  });

  it('decodes exactly once: %255B in the ZIP is %5B in the BlockMap', () => {
    expect(decodeItemName('Assets/%255BA%255D.png')).toBe('Assets\\%5BA%5D.png');
    expect(decodeItemName('a+b.txt')).toBe('a+b.txt'); // + is never a space
  });

  it('rejects malformed escapes and non-UTF-8 bytes with OPC_NAME_INVALID', () => {
    expect(() => decodeItemName('a%2.txt')).toThrow(
      expect.objectContaining({ code: ErrorCode.OPC_NAME_INVALID }),
    );
    expect(() => decodeItemName('a%FF.txt')).toThrow(
      expect.objectContaining({ code: ErrorCode.OPC_NAME_INVALID }),
    );
  });

  it.each([
    ['/Root/a.txt', 'starts with "/"'],
    ['Root\\a.txt', 'backslash'],
    ['Root//a.txt', 'empty segment'],
    ['Root/../a.txt', '".." segment'],
    ['Root/./a.txt', '"." segment'],
    ['Root/a./b.txt', 'ends with "."'],
    ['Root/a b.txt', 'must percent-encode'],
    ['Root/é.txt', 'non-ASCII'],
    ['Root/%2e%2e/a.txt', 'unreserved character'],
    ['Root%2Fa.txt', 'path separator'],
    ['Root/%zz.txt', 'two hex digits'],
  ])('%s is invalid (%s)', (name, reason) => {
    expect(partNameProblems(name).join('; ')).toContain(reason);
  });

  it('says what Windows makes of a colon after a letter: a drive, or a path on one (found by review)', () => {
    expect(partNameProblems('C:/a.txt').join('; ')).toContain('segment "C:" is the Windows drive C:');
    expect(partNameProblems('Root/a:b.txt').join('; ')).toContain(
      'segment "a:b.txt" begins with a:, which Windows reads as a path on drive A',
    );
  });

  it('compares case-insensitively over ASCII only', () => {
    expect(nameKey('Root\\VFS\\APP.EXE')).toBe(nameKey('root\\vfs\\app.exe'));
    expect(nameKey('É')).not.toBe(nameKey('é'));
  });
});

describe('names are kept flat (part-name.ts, swapSeparators)', () => {
  // A package's names live as long as it does. `replaceAll` would answer a rope of ~900 bytes for each
  // 90-character path; a flat string is ~100. Measured on the heap after full collections.
  v8.setFlagsFromString('--expose-gc');
  const collect = runInNewContext('gc') as () => void;
  const zipNames = Array.from(
    { length: 20_000 },
    (_, i) => `Root/VFS/ProgramFilesX86/Vendor/lib/node_modules/package-${i}/lib/sub/dir/file-${i}.js`,
  );
  const retainedPerName = (inputs: readonly string[], make: (name: string) => string): number => {
    collect();
    const before = process.memoryUsage().heapUsed;
    const names = inputs.map(make);
    collect();
    expect(names).toHaveLength(inputs.length);
    return (process.memoryUsage().heapUsed - before) / names.length;
  };

  it('decodeItemName keeps ~100 bytes per name, not a rope of ~900', () => {
    expect(retainedPerName(zipNames, decodeItemName)).toBeLessThan(300);
  });
});
