import { AppvError, ErrorCode } from '../errors.js';
import { checkXmlSecondOpinion } from '../xml/xml-parser.js';
import type { XmlCheckResult } from './block-job.js';
import type { WorkerPool } from './worker-pool.js';

/**
 * parseXml's second opinion (fast-xml-parser's validator) on a worker thread, for a caller that parses the
 * same bytes with `secondOpinion: false` meanwhile. The validator costs more than the tree builder and makes
 * most of a large BlockMap's garbage; the verifier's workers are idle while it parses the BlockMap, and busy
 * only with hashing while it parses FilesystemMetadata, so on the main thread it would be the slowest step.
 * Resolves when the validator agrees; rejects with the XML_MALFORMED error parseXml would have thrown. A pool
 * that cannot take the job (stopped, or a worker failed) is no reason to skip the check: it runs here then.
 */
export async function checkXmlOnWorker(pool: WorkerPool, bytes: Uint8Array, part?: string): Promise<void> {
  let result: XmlCheckResult;
  try {
    // A copy: the caller parses `bytes` meanwhile, and the job's buffer is moved to the worker.
    result = (await pool.run(
      () => ({ kind: 'xml', data: new Uint8Array(bytes), part }),
      bytes.length,
    )) as XmlCheckResult;
  } catch (error) {
    if (!(error instanceof AppvError) || error.code !== ErrorCode.WORKER_FAILED) throw error;
    checkXmlSecondOpinion(bytes, part);
    return;
  }
  if (result.error === null) return;
  const { code, message, offset } = result.error;
  throw new AppvError(code, message, {
    ...(part === undefined ? {} : { part }),
    ...(offset === undefined ? {} : { offset }),
  });
}
