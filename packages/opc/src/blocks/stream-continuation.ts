import { BLOCK_SIZE } from '../limits.js';
import { RawInflater } from './raw-zlib.js';

/**
 * An empty, non-final stored block. Appended to a block before inflating it: a block that ends on a full
 * flush consumes it too; one that ends the deflate stream leaves it unread. That is how we tell a block
 * that can be followed by the next from one that closes the stream (FORMAT.md §3): the verifier, to find a
 * stream closed early (the blocks would each inflate alone, yet the item as a whole would not), and the
 * writer, to know whether a raw copy still needs its final block.
 */
export const CONTINUATION_PROBE = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);

/** `input` followed by the probe, in `scratch` when given with room (a copy, not an allocation, per block). */
export function withProbe(input: Uint8Array, scratch?: Buffer): Buffer {
  const length = input.length + CONTINUATION_PROBE.length;
  const into = scratch !== undefined && scratch.length >= length ? scratch : Buffer.allocUnsafe(length);
  into.set(input, 0);
  into.set(CONTINUATION_PROBE, input.length);
  return into.subarray(0, length);
}

let inflater: RawInflater | undefined;

/**
 * True when `block`, inflated alone from a fresh stream, inflates to at most one block and leaves the stream
 * open (its last bits are a full flush, not a final block). A block that does not inflate is not one.
 * For the writer's rare raw copies on the main thread, so its inflater is made on first use.
 */
export function leavesStreamOpen(block: Uint8Array): boolean {
  inflater ??= new RawInflater();
  try {
    const probed = withProbe(block);
    return inflater.inflate(probed, BLOCK_SIZE, () => {}).consumed === probed.length;
  } catch {
    return false;
  }
}
