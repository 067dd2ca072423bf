import type { RandomAccessSource } from '../source/random-access-source.js';
import type { BufferPool } from './buffer-pool.js';

/**
 * A range of the package read into a pooled buffer the worker pool may transfer: a worker's job needs
 * memory we own (transferring a view of a caller's Buffer would detach the caller's memory), and reusing
 * the buffers keeps dead ArrayBuffers from piling up between garbage collections. A source that answers
 * with its own memory (a Buffer source) is copied in: a memcpy of at most one job.
 */
export async function readJobBytes(
  source: RandomAccessSource,
  start: number,
  length: number,
  pool: BufferPool,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const target = pool.take(length);
  let read: Buffer;
  try {
    read = await source.read(start, length, signal, target);
  } catch (error) {
    pool.give(target);
    throw error;
  }
  const view = target.subarray(0, length);
  if (read.buffer !== target.buffer || read.byteOffset !== target.byteOffset) view.set(read);
  return view;
}
