import { AppvError, checkXmlOnWorker, type WorkerPool } from '@appv/opc';

/**
 * Packages whose large documents (BlockMap, FilesystemMetadata) get parseXml's second opinion on a worker
 * pool rather than on the main thread, while the verifier holds that pool (verify.ts). Kept here rather than
 * in AppvPackage, so the public class grows no method only the verifier may call.
 */
const pools = new WeakMap<object, WorkerPool>();

/** Runs `run` with `pkg`'s documents checked on `pool`'s workers; afterwards they are checked inline again. */
export async function withSecondOpinionOn<T>(
  pkg: object,
  pool: WorkerPool,
  run: () => Promise<T>,
): Promise<T> {
  pools.set(pkg, pool);
  try {
    return await run();
  } finally {
    if (pools.get(pkg) === pool) pools.delete(pkg);
  }
}

/**
 * `parse(bytes)` with the same outcome as parsing with the second opinion inline: where a worker pool is set
 * for `pkg`, the validator runs there while the tree is built here. Which error wins follows parseXml's order:
 * the tree builder's own refusals (XML_*) come before the second opinion, a model's (BLOCKMAP_*, APPV_*)
 * after it.
 */
export async function parseWithSecondOpinion<T>(
  pkg: object,
  bytes: Buffer,
  part: string,
  parse: (bytes: Buffer, options: { part: string; secondOpinion?: boolean }) => T,
): Promise<T> {
  const pool = pools.get(pkg);
  if (!pool) return parse(bytes, { part });
  const check = checkXmlOnWorker(pool, bytes, part);
  check.catch(() => {}); // awaited below, unless the tree builder's refusal makes its verdict moot
  let parsed: T;
  try {
    parsed = parse(bytes, { part, secondOpinion: false });
  } catch (error) {
    if (error instanceof AppvError && error.code.startsWith('XML_')) throw error;
    await check;
    throw error;
  }
  await check;
  return parsed;
}
