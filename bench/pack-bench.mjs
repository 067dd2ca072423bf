// The pack and verify part of `pnpm bench` (bench.mjs): the set's folder packed by `appv pack`, yazl and
// `zip -r`, next to the pack limit; the packed .appv verified by `appv verify`, `unzip -t` and `7z t`, next
// to the inflate + SHA-256 limit on the same package; then one big single-file package packed and verified.
// See README.md.
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { ensureBigFile } from './big-file.mjs';
import { setPaths } from './dataset.mjs';
import { measureAll, nativeOnce, runNodeContender, warm } from './measure.mjs';
import { summarizeBig, summarizePack, summarizeVerify } from './pack-report.mjs';
import { ensureSetDir, listDir } from './set-dir.mjs';
import { mb } from './units.mjs';

export const PACK_IDS = ['pack', 'yazl-pack', 'zip', 'pack-limit'];
export const VERIFY_IDS = ['verify', 'unzip-appv', '7z', 'verify-limit'];
const threads = `${os.availableParallelism()} threads`;

/** A native packer's run: its output removed first (`zip` would update an existing one), its size read after. */
function nativePack(names, args, output, cwd) {
  const once = nativeOnce(names, args, { cwd });
  return async () => {
    rmSync(output, { force: true });
    const result = await once();
    if (result.status === 'ok') result.detail = { size: statSync(output).size };
    return result;
  };
}

function packContenders(dir, out) {
  return [
    { id: 'pack', label: 'appv pack --level 6', once: () => runNodeContender('pack', dir, out.appv) },
    { id: 'yazl-pack', label: 'yazl, level 6', once: () => runNodeContender('yazl-pack', dir, out.yazl) },
    {
      id: 'zip',
      label: 'zip -r -6',
      once: nativePack(['zip'], ['-r', '-6', '-q', out.zip, '.'], out.zip, dir),
    },
    {
      id: 'pack-limit',
      label: `pack limit (${threads})`,
      limit: true,
      once: () => runNodeContender('pack-limit', dir),
    },
  ];
}

function verifyContenders(appv) {
  return [
    { id: 'verify', label: 'appv verify', once: () => runNodeContender('verify', appv) },
    { id: 'unzip-appv', label: 'unzip -t -qq', once: nativeOnce(['unzip'], ['-t', '-qq', appv]) },
    { id: '7z', label: '7z t', once: nativeOnce(['7z', '7za'], ['t', '-bso0', '-bsp0', appv]) },
    {
      id: 'verify-limit',
      label: `verify limit (${threads})`,
      limit: true,
      once: () => runNodeContender('limit', appv),
    },
  ];
}

/**
 * The package the verify rows read: the last `appv pack` run's, or one packed now when the pack row was not
 * selected. Null (with the reason logged) when there is none.
 */
async function packedSet(dir, appv, log) {
  if (existsSync(appv)) return appv;
  log('verify: packing the set once for the verify rows (untimed)');
  const result = await runNodeContender('pack', dir, appv);
  if (result.status === 'ok') return appv;
  log(`appv pack failed: ${result.reason}`);
  return null;
}

/** The big single-file package: packed once and verified once (each takes tens of seconds). */
async function bigBench(set, setMB, out, { bigMB, log }) {
  const big = await ensureBigFile(set, setMB, bigMB, log);
  warm([big.file]);
  log(`big: ${relative(process.cwd(), big.file)}, ${big.reused ? 'reused' : 'written'}, ${mb(big.bytes)} MB`);
  const rows = await measureAll(
    [
      {
        id: 'big-pack',
        label: `appv pack --level 6, ${(big.bytes / 2 ** 30).toFixed(1)} GiB file`,
        once: () => runNodeContender('pack', big.dir, out.big),
      },
      {
        id: 'big-verify',
        label: 'appv verify, that package',
        once: () => runNodeContender('verify', out.big),
      },
    ],
    1,
    log,
  );
  return summarizeBig(rows, big.bytes);
}

/**
 * Runs the selected pack, verify and big rows; returns `{ pack, verify, big }` summaries (pack-report.mjs),
 * null for a part not selected. Everything written goes to the set's scratch folder, removed at the end.
 */
export async function packBench(set, setMB, { runs, wants, bigMB, log }) {
  const packing = PACK_IDS.some(wants);
  const verifying = VERIFY_IDS.some(wants);
  const bigOn = bigMB > 0 && wants('big');
  const { outDir } = setPaths(setMB);
  const out = {
    appv: join(outDir, 'set.appv'),
    yazl: join(outDir, 'set-yazl.zip'),
    zip: join(outDir, 'set-zip.zip'),
    big: join(outDir, 'big.appv'),
  };
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  try {
    let pack = null;
    let verify = null;
    if (packing || verifying) {
      const setDir = await ensureSetDir(set, setMB, log);
      warm(listDir(setDir.dir).map((f) => f.path));
      log(
        `pack: ${relative(process.cwd(), setDir.dir)}, ${setDir.reused ? 'reused' : 'copied'}, page cache ` +
          `warmed; ${runs} run(s) per contender, best kept (peak RSS: highest seen)`,
      );
      if (packing) {
        const contenders = packContenders(setDir.dir, out).filter((c) => wants(c.id));
        pack = summarizePack(await measureAll(contenders, runs, log), set.inputBytes);
      }
      if (verifying) {
        const appv = await packedSet(setDir.dir, out.appv, log);
        const contenders = verifyContenders(appv).filter((c) => wants(c.id));
        if (appv) warm([appv]);
        const rows = appv
          ? await measureAll(contenders, runs, log)
          : contenders.map((c) => ({
              id: c.id,
              label: c.label,
              status: 'failed',
              reason: 'no package: appv pack failed',
            }));
        verify = summarizeVerify(rows, set.inputBytes);
      }
    }
    const big = bigOn ? await bigBench(set, setMB, out, { bigMB, log }) : null;
    return { pack, verify, big };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
