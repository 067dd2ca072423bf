import { type ShortNameHints, shortName } from '@appv/manifest';
import { ErrorCode } from '@appv/opc';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../helpers/error-code.js';

/** What an 8.3 short name is, written here independently of the implementation (upper case, ASCII). */
const VALID_SHORT = /^[A-Z0-9!#$%&'()\-@^_`{}~]{1,8}(?:\.[A-Z0-9!#$%&'()\-@^_`{}~]{1,3})?$/;

const none = new Set<string>();

describe('shortName (FORMAT.md §5)', () => {
  it.each([
    ['app.exe', 'APP.EXE'],
    ['README', 'README'],
    ['Setup.ini', 'SETUP.INI'],
    ['VFS', 'VFS'],
    ['a.b', 'A.B'],
    ['12345678.123', '12345678.123'],
    ["{x}_$~'!.@^`", "{X}_$~'!.@^`"],
  ])('keeps the valid 8.3 name %s as %s', (long, short) => {
    expect(shortName(long, none)).toBe(short);
  });

  it.each([
    ['Program Files', 'PROGRA~1'],
    ['ProgramFilesX86', 'PROGRA~1'],
    ['Common AppData', 'COMMON~1'],
    ['Vendor App', 'VENDOR~1'],
    ['index.html', 'INDEX~1.HTM'],
    ['archive.tar.gz', 'ARCHIV~1.GZ'],
    ['my.long.file.name.txt', 'MYLONG~1.TXT'],
    ['a+b.txt', 'A_B~1.TXT'],
    ['x,y;z=[1].dat', 'X_Y_Z_~1.DAT'],
    ['a b.c', 'AB~1.C'],
    ['123456789', '123456~1'],
    ['file.tx t', 'FILE~1.TXT'],
    ['two..dots', 'TWO~1.DOT'],
  ])('shortens %s to %s', (long, short) => {
    expect(shortName(long, none)).toBe(short);
  });

  it('names with a leading dot: the dot does not start an extension', () => {
    expect(shortName('.gitignore', none)).toBe('GITIGN~1');
    expect(shortName('.foo.txt', none)).toBe('FOO~1.TXT');
    expect(shortName('...txt', none)).toBe('TXT~1');
    expect(shortName('.a', none)).toBe('A~1');
  });

  it('non-ASCII characters become "_", one per character', () => {
    expect(shortName('Résumé.txt', none)).toBe('R_SUM_~1.TXT');
    expect(shortName('日本語.doc', none)).toBe('___~1.DOC');
    expect(shortName('\u{1F600}.txt', none)).toBe('_~1.TXT');
    expect(shortName('naïve.änd', none)).toBe('NA_VE~1._ND');
  });

  it('a name made only of spaces still gets a valid short name', () => {
    expect(shortName(' ', none)).toBe('_~1');
  });

  it('takes the next free ~N on collisions', () => {
    expect(shortName('Program Files (x86)', new Set(['PROGRA~1']))).toBe('PROGRA~2');
    expect(shortName('Vendor App', new Set(['VENDOR~1', 'VENDOR~2', 'VENDOR~4']))).toBe('VENDOR~3');
    // A valid name whose upper case is taken falls back to the ~N scheme.
    expect(shortName('app.exe', new Set(['APP.EXE']))).toBe('APP~1.EXE');
    expect(shortName('App.Exe', new Set(['APP.EXE', 'APP~1.EXE']))).toBe('APP~2.EXE');
    // A real name that looks like a generated one takes its own slot, and pushes the generated one on.
    expect(shortName('PROGRA~1', none)).toBe('PROGRA~1');
    expect(shortName('Program Files', new Set(['PROGRA~1']))).toBe('PROGRA~2');
  });

  it('shrinks the base so that ~10, ~100 still fit 8 characters', () => {
    const taken = new Set<string>();
    for (let n = 1; n <= 9; n++) taken.add(`PROGRA~${n}`);
    expect(shortName('Program Files', taken)).toBe('PROGR~10');
    for (let n = 10; n <= 99; n++) taken.add(`PROGR~${n}`);
    expect(shortName('Program Files', taken)).toBe('PROG~100');
    const ext = new Set<string>();
    for (let n = 1; n <= 9; n++) ext.add(`INDEX~${n}.HTM`);
    expect(shortName('index.html', ext)).toBe('INDEX~10.HTM');
  });

  it('is deterministic', () => {
    const taken = new Set(['VENDOR~1']);
    expect(shortName('Vendor Application', taken)).toBe(shortName('Vendor Application', taken));
  });

  it('refuses names that are not names', () => {
    for (const bad of ['', '.', '..'])
      expect(codeOf(() => shortName(bad, none))).toBe(ErrorCode.PACK_NAME_INVALID);
  });

  it('refuses when every ~N is used up rather than return a duplicate', () => {
    const taken = new Set<string>();
    for (let n = 1; n <= 999_999; n++) {
      const suffix = `~${n}`;
      taken.add(`${'AAAAAA'.slice(0, Math.min(6, 8 - suffix.length))}${suffix}`);
    }
    expect(codeOf(() => shortName('AAAAAAAAA', taken))).toBe(ErrorCode.PACK_NAME_COLLISION);
  });

  // Names that collide a lot: shared long prefixes, case variants, invalid characters, odd dots.
  const stem = fc.constantFrom(
    'Program Files',
    'program files',
    'Vendor App',
    'a+b',
    'x',
    '.git',
    'é',
    'AAAAAAAAAA',
  );
  const name = fc.oneof(
    fc
      .tuple(
        stem,
        fc.string({ unit: fc.constantFrom('1', 'a', ' ', '.', '~', '+', 'ü'), maxLength: 4 }),
        fc.constantFrom('', '.txt', '.TXT', '.html', '.d', '.x.y'),
      )
      .map(([a, b, c]) => a + b + c),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 14 }),
    fc.stringMatching(/^[A-Za-z0-9]{1,8}(\.[A-Za-z0-9]{1,3})?$/),
  );

  it('property: 2000 names in one directory all get valid, distinct short names', () => {
    fc.assert(
      fc.property(fc.array(name, { minLength: 2000, maxLength: 2000 }), (names) => {
        const taken = new Set<string>();
        for (const long of names) {
          if (long === '.' || long === '..') continue;
          const short = shortName(long, taken);
          expect(short).toMatch(VALID_SHORT);
          expect(taken.has(short)).toBe(false);
          taken.add(short);
        }
      }),
      { numRuns: 10 },
    );
  });
});

describe('shortName with hints (found by review: 20,000 similar names in one folder took 18.6 s)', () => {
  /** Short names for `names` in one directory, in order, with or without hints. */
  const assign = (names: readonly string[], withHints: boolean): string[] => {
    const taken = new Set<string>();
    const hints: ShortNameHints = new Map();
    return names.map((name) => {
      const short = shortName(name, taken, withHints ? hints : undefined);
      taken.add(short);
      return short;
    });
  };

  it('gives exactly what it gives without them', () => {
    const name = fc.stringMatching(/^[A-Za-z0-9 ._~+]{1,14}$/).filter((n) => n !== '.' && n !== '..');
    fc.assert(
      fc.property(fc.array(name, { maxLength: 300 }), (names) => {
        expect(assign(names, true)).toEqual(assign(names, false));
      }),
    );
  });

  it('names 20,000 files that share their first characters, each once', () => {
    const names = Array.from({ length: 20_000 }, (_, i) => `photo_2023_${String(i).padStart(6, '0')}.jpg`);
    const shorts = assign(names, true);
    expect(new Set(shorts).size).toBe(names.length);
    expect(shorts.slice(0, 2)).toEqual(['PHOTO_~1.JPG', 'PHOTO_~2.JPG']);
    expect(shorts[9]).toBe('PHOTO~10.JPG');
    expect(shorts[9_999]).toBe('PH~10000.JPG');
  });
});
