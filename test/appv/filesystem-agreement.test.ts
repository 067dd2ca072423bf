import {
  type FilesystemEntry,
  type FilesystemMetadata,
  flattenPaths,
  generateFilesystemMetadata,
} from '@appv/manifest';
import { MAX_PATH_DEPTH, nameKey } from '@appv/opc';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ancestors,
  directoriesHolding,
  filesystemMismatches,
} from '../../packages/appv/dist/filesystem-agreement.js';

// Few distinct segments, so random paths share directories (what the early exit of directoriesHolding is for).
const segment = fc.constantFrom('a', 'B', 'c d', 'é', 'x.dll');
const path = fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => ['Root', ...s].join('\\'));

describe('directoriesHolding (FORMAT.md §5)', () => {
  it('is every ancestor of every path, in any order (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(path, { maxLength: 40 }), (paths) => {
        expect([...directoriesHolding(paths)].sort()).toEqual([...new Set(paths.flatMap(ancestors))].sort());
      }),
      { numRuns: 500 },
    );
  });

  it('skips a path nested past MAX_PATH_DEPTH (below the root segment), as ancestors does', () => {
    const deep = Array.from({ length: MAX_PATH_DEPTH + 2 }, () => 'd').join('\\');
    const limit = Array.from({ length: MAX_PATH_DEPTH + 1 }, () => 'd').join('\\');
    expect(directoriesHolding([deep]).size).toBe(0);
    expect(ancestors(deep)).toEqual([]);
    expect(directoriesHolding([limit]).size).toBe(MAX_PATH_DEPTH);
    expect(ancestors(limit)).toHaveLength(MAX_PATH_DEPTH);
    // Empty segments count too: this many separators alone are past the limit.
    const separators = '\\'.repeat(MAX_PATH_DEPTH + 1);
    expect(ancestors(separators)).toEqual([]);
    expect(directoriesHolding([separators]).size).toBe(0);
  });
});

describe('filesystemMismatches (FORMAT.md §5, §9.8)', () => {
  it('a tree generated from a payload agrees with it; a file missing on either side is named (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(path, { minLength: 2, maxLength: 30, selector: (p) => p.toLowerCase() }),
        (files) => {
          // A path that is also a directory of another cannot be a file: keep the leaves only.
          const leaves = files.filter(
            (f) => !files.some((g) => g.toLowerCase().startsWith(`${f.toLowerCase()}\\`)),
          );
          fc.pre(leaves.length >= 2);
          const metadata = generateFilesystemMetadata({ files: leaves });
          expect(filesystemMismatches(metadata, leaves)).toEqual([]);
          const [gone, ...rest] = leaves as [string, ...string[]];
          expect(filesystemMismatches(metadata, rest).map((p) => p.part)).toContain(gone);
          const extra = `${gone}.new`;
          expect(filesystemMismatches(metadata, [...leaves, extra])).toEqual([
            { part: extra, message: `${extra} is in the package but not in FilesystemMetadata.xml` },
          ]);
        },
      ),
      { numRuns: 200 },
    );
  });

  /**
   * The oracle: the same rules stated naively, by searching lists (every ancestor of every file, every
   * path of the tree), sharing no code with the check beyond nameKey, ancestors and flattenPaths.
   */
  function reference(metadata: FilesystemMetadata, payload: readonly string[]) {
    const fileKeys = payload.map(nameKey);
    const holding = fileKeys.flatMap(ancestors);
    const emptyKeys = metadata.emptyDirectories.map((d) => nameKey(d.long));
    const directoryKeys = ['root', ...holding, ...emptyKeys, ...emptyKeys.flatMap(ancestors)];
    const paths = flattenPaths(metadata);
    const pathKeys = paths.map(nameKey);
    return [
      ...metadata.emptyDirectories.flatMap((d) => {
        const key = nameKey(d.long);
        if (holding.includes(key))
          return [{ part: d.long, message: `${d.long} is listed as an empty directory but holds files` }];
        if (fileKeys.includes(key))
          return [
            {
              part: d.long,
              message: `${d.long} is listed as an empty directory but is a file of the package`,
            },
          ];
        return [];
      }),
      ...payload
        .filter((_, i) => !pathKeys.includes(fileKeys[i] as string))
        .map((name) => ({
          part: name,
          message: `${name} is in the package but not in FilesystemMetadata.xml`,
        })),
      ...paths
        .filter(
          (_, i) =>
            !fileKeys.includes(pathKeys[i] as string) && !directoryKeys.includes(pathKeys[i] as string),
        )
        .map((p) => ({
          part: p,
          message: `FilesystemMetadata.xml lists ${p}, which is neither a file nor a directory of the package`,
        })),
    ];
  }

  it('an empty directory that is a payload file disagrees (found by review: extraction refused what verify passed)', () => {
    const metadata = generateFilesystemMetadata({
      files: ['Root\\a\\b.txt'],
      emptyDirectories: ['Root\\a\\c'],
    });
    expect(filesystemMismatches(metadata, ['Root\\a\\b.txt', 'Root\\a\\c'])).toContainEqual({
      part: 'Root\\a\\c',
      message: 'Root\\a\\c is listed as an empty directory but is a file of the package',
    });
  });

  it('walks a hostile tree at the cost of its own text, and quotes a bounded end of each path (found by review)', () => {
    // One 1 MB name over 3,000 entries: building every path whole took 11 s and 3 GB, and the findings held
    // a slice of the whole name each.
    const huge = 'a'.repeat(1_000_000);
    const metadata = generateFilesystemMetadata({ files: ['Root\\x.txt'] });
    const leaves = Array.from({ length: 3_000 }, (_, i) => ({ long: `f${i}`, short: `F${i}`, children: [] }));
    (metadata.entries[0] as FilesystemEntry).children.push({ long: huge, short: 'A', children: leaves });
    const problems = filesystemMismatches(metadata, ['Root\\x.txt']);
    expect(problems).toHaveLength(3_001); // the huge folder and each entry in it
    for (const problem of problems) {
      expect(problem.part.length).toBeLessThanOrEqual(1_001);
      expect(problem.message).toMatch(/^FilesystemMetadata\.xml lists …a+(\\f\d+)?, which is neither/);
    }
    expect(problems[1]?.part.endsWith('a\\f0')).toBe(true);
  });

  it('finds what the set-based check finds, in the same order: case twins, strays, empty directories (fast-check)', () => {
    const twin = (p: string) => p.replace(/[a-z]/, (c) => c.toUpperCase());
    fc.assert(
      fc.property(
        fc.array(path, { maxLength: 25 }),
        fc.array(path, { maxLength: 25 }),
        fc.array(path, { maxLength: 4 }),
        fc.array(fc.nat(24), { maxLength: 4 }),
        (treeFiles, payload, empty, twins) => {
          let metadata: FilesystemMetadata;
          try {
            metadata = generateFilesystemMetadata({ files: treeFiles, emptyDirectories: empty });
          } catch {
            return fc.pre(false); // a path both file and directory: no tree to check against
          }
          // Names twice, once in another case: OPC reports them; this check must not stumble on them.
          const withTwins = [...payload, ...twins.flatMap((i) => (payload[i] ? [twin(payload[i])] : []))];
          expect(filesystemMismatches(metadata, withTwins)).toEqual(reference(metadata, withTwins));
        },
      ),
      { numRuns: 300 },
    );
  });
});
