import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, verifyPackage, WorkerPool } from 'appv';
import { afterAll, describe, expect, it } from 'vitest';
import { buildAppvPackage } from '../helpers/appv-builder.js';
import { fixtureFiles, repoRoot } from '../helpers/fixtures.js';
import { warningOnlyPackage } from '../helpers/hostile.js';
import { sampleSpec } from '../helpers/make-sample.js';

/** The defect each invalid fixture's README names, as our stable code. */
const DEFECTS: Record<string, ErrorCode> = {
  'Empty.appx': ErrorCode.ZIP_NOT_A_ZIP,
  'No_blockmap.appx': ErrorCode.BLOCKMAP_MISSING,
  'Missing_Manifest_in_blockmap.appx': ErrorCode.BLOCKMAP_MANIFEST_UNLISTED,
  'ContentTypes_in_blockmap.appx': ErrorCode.CONTENT_TYPES_IN_BLOCKMAP,
  'Duplicate_file_in_blockmap.appx': ErrorCode.BLOCKMAP_DUPLICATE_FILE,
  'Bad_Namespace_Blockmap.appx': ErrorCode.XML_NAMESPACE,
  'Size_wrong_uncompressed.msix': ErrorCode.BLOCKMAP_SIZE_MISMATCH,
  'File_missing_from_blockmap.msix': ErrorCode.BLOCKMAP_FILE_UNLISTED,
};

const samplePath = join(repoRoot, 'examples/sample/VendorApp.appv');
const scratch = mkdtempSync(join(tmpdir(), 'appv-verify-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each(fixtureFiles('valid'))('valid fixture $name', ({ path }) => {
  it('verifies with no finding', async () => {
    const report = await verifyPackage(path);
    expect(report.findings).toEqual([]);
    expect(report.valid).toBe(true);
    expect(report.stats.blocks).toBeGreaterThan(0);
  });
});

describe.each(fixtureFiles('invalid'))('invalid fixture $name', ({ name, path }) => {
  it('is rejected with the defect its README names', async () => {
    const expected = DEFECTS[name];
    expect(expected, `no expectation recorded for ${name}`).toBeDefined();
    const report = await verifyPackage(path);
    expect(report.valid).toBe(false);
    const finding = report.findings.find((f) => f.code === expected);
    expect(finding, report.findings.map((f) => f.code).join(', ')).toBeDefined();
    expect(finding?.severity).toBe('error');
  });
});

describe('a package whose only findings are warnings', () => {
  it('is valid: warnings are reported but do not make it invalid', async () => {
    const path = join(scratch, 'warning-only.appv');
    writeFileSync(path, warningOnlyPackage());
    const report = await verifyPackage(path);
    expect(report.findings.map((f) => [f.code, f.severity, f.part])).toEqual([
      [ErrorCode.APPV_APPLICATION_TARGET_MISSING, 'warning', 'AppxManifest.xml'],
    ]);
    expect(report.valid).toBe(true);
  });
});

describe.each(['sha384', 'sha512'] as const)('a package whose BlockMap uses %s', (hashAlgorithm) => {
  it('verifies clean', async () => {
    const path = join(scratch, `${hashAlgorithm}.appv`);
    writeFileSync(path, buildAppvPackage({ ...sampleSpec(), hashAlgorithm }).bytes);
    const report = await verifyPackage(path);
    expect(report.findings).toEqual([]);
  });

  it('reports a wrong block hash as HASH_MISMATCH with its block', async () => {
    const spec = sampleSpec();
    const path = join(scratch, `${hashAlgorithm}-tampered.appv`);
    writeFileSync(
      path,
      buildAppvPackage({
        ...spec,
        hashAlgorithm,
        tamper: {
          blockMap: (files) => {
            const block = files.find((f) => f.blocks.length > 1)?.blocks[1];
            if (block) block.hash = Buffer.from(block.hash, 'base64').fill(7).toString('base64');
            return files;
          },
        },
      }).bytes,
    );
    const report = await verifyPackage(path);
    expect(report.findings.map((f) => [f.code, f.block])).toEqual([[ErrorCode.HASH_MISMATCH, 1]]);
  });
});

describe('the App-V sample package', () => {
  it('verifies clean, App-V layer included', async () => {
    const report = await verifyPackage(samplePath);
    expect(report.findings).toEqual([]);
  });

  it('a package opened read-only parses its BlockMap without keeping a copy of the bytes', async () => {
    const { AppvPackage } = await import('appv');
    const writable = await AppvPackage.open(samplePath);
    const readOnly = await AppvPackage.open(samplePath, { readOnly: true });
    try {
      const [kept, light] = [await writable.blockMap(), await readOnly.blockMap()];
      expect(kept.source?.length).toBe(writable.part('AppxBlockMap.xml').uncompressedSize);
      expect(light.source).toBeUndefined();
      expect(light.files.map((f) => [f.name, f.size, f.blocks.length])).toEqual(
        kept.files.map((f) => [f.name, f.size, f.blocks.length]),
      );
    } finally {
      await Promise.all([writable.close(), readOnly.close()]);
    }
  });

  it('reports a flipped byte in a block as that block failing, and no other block of the file', async () => {
    const { AppvPackage } = await import('appv');
    const pkg = await AppvPackage.open(samplePath);
    const blockMap = await pkg.blockMap();
    const exe = blockMap.files.find((f) => f.blocks.length >= 3 && f.blocks[0]?.size !== undefined);
    if (!exe) throw new Error('sample has no multi-block deflated file');
    const item = pkg.part(exe.name);
    await pkg.close();
    const bytes = Buffer.from(readFileSync(samplePath));
    // Block 2 starts after blocks 0 and 1; flip a byte in its middle.
    const blockStart = item.dataOffset + (exe.blocks[0]?.size ?? 0) + (exe.blocks[1]?.size ?? 0);
    const target = blockStart + Math.floor((exe.blocks[2]?.size ?? 2) / 2);
    bytes[target] = (bytes[target] ?? 0) ^ 0x55;
    const tampered = join(scratch, 'tampered.appv');
    writeFileSync(tampered, bytes);

    const report = await verifyPackage(tampered);
    expect(report.valid).toBe(false);
    const blockFinding = report.findings.find((f) => f.part === exe.name && f.block === 2);
    expect(blockFinding?.code).toMatch(/^HASH_(MISMATCH|BLOCK_INFLATE|BLOCK_LENGTH)$/);
    // Other blocks of the same file still verify: each block is checked on its own.
    expect(
      report.findings.filter((f) => f.part === exe.name && f.block !== undefined && f.block !== 2),
    ).toEqual([]);
  });

  it('gives the same report on one thread as on two', async () => {
    const one = await verifyPackage(samplePath, { threads: 1 });
    const two = await verifyPackage(samplePath, { threads: 2 });
    expect(one.findings).toEqual(two.findings);
    expect(one.stats.blocks).toBe(two.stats.blocks);
  });

  it('reports progress up to the total compressed bytes', async () => {
    const seen: number[] = [];
    let total = 0;
    await verifyPackage(samplePath, {
      onProgress: (p) => {
        seen.push(p.done);
        total = p.total;
      },
    });
    expect(seen.length).toBeGreaterThan(0);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(seen.at(-1)).toBe(total);
  });

  it('stops with ABORTED when aborted mid-way, leaving no worker behind', async () => {
    const controller = new AbortController();
    const big = fixtureFiles('valid').find((f) => f.name === 'HelloWorld.appx')?.path ?? samplePath;
    const run = verifyPackage(big, {
      threads: 2,
      onProgress: ({ done }) => {
        if (done > 0) controller.abort();
      },
      signal: controller.signal,
    });
    await expect(run).rejects.toMatchObject({ code: ErrorCode.ABORTED });
    // The same package verifies afterwards: nothing was left half-done in shared state.
    expect((await verifyPackage(big)).valid).toBe(true);
  });

  it('stops with ABORTED when its signal fires', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(verifyPackage(samplePath, { signal: controller.signal })).rejects.toMatchObject({
      code: ErrorCode.ABORTED,
    });
  });
});

describe('verifyPackage options (found by review)', () => {
  it('refuses threads: 0 as the CLI does, rather than silently using the default', async () => {
    await expect(verifyPackage(samplePath, { threads: 0 })).rejects.toMatchObject({ code: ErrorCode.USAGE });
  });
});

describe('verifyPackage on a pool the caller keeps (found by review)', () => {
  it('runs many verifications on it, leaves it running, and finds the same as on its own threads', async () => {
    const pool = new WorkerPool(2);
    try {
      const own = await verifyPackage(samplePath);
      for (let round = 0; round < 3; round++) {
        const report = await verifyPackage(samplePath, { pool, threads: 7 });
        expect(report.findings).toEqual(own.findings);
        expect(report.stats.blocks).toBe(own.stats.blocks);
        // The caller's pool: not stopped, and `threads` does not start more on it.
        expect(pool.started).toBe(2);
      }
    } finally {
      await pool.destroy();
    }
    await expect(verifyPackage(samplePath, { pool })).rejects.toMatchObject({
      code: ErrorCode.WORKER_FAILED,
    });
  });
});
