import { hash } from 'node:crypto';
import type { HashAlgorithm } from './block-job.js';

/**
 * The digest of one whole block in one call. `crypto.hash` (Node >= 20.12; we need 20.15) skips the Hash
 * object that `createHash().update().digest()` makes and frees per block: about a microsecond less per
 * block, and one native object less for the worker's garbage collector, over the tens of thousands of
 * blocks of a package. Blocks that arrive in pieces still use a running Hash (block-hasher.ts).
 */
export function blockDigest(algorithm: HashAlgorithm, block: Uint8Array): Buffer {
  return hash(algorithm, block, 'buffer');
}
