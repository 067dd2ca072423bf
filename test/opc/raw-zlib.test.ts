import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
// The block codec is internal to the workers; it is tested directly because its portable fallback is
// otherwise never reached on this Node.
import {
  RawDeflater,
  RawInflater,
  StreamInflater,
  ZlibDataError,
} from '../../packages/opc/dist/blocks/raw-zlib.js';
import { pseudoText } from '../helpers/content.js';

const BLOCK = 65_536;
const { Z_FULL_FLUSH } = zlib.constants;

class GrowingOutput {
  buffer = new Uint8Array(16);
  ensure(length: number): Uint8Array {
    if (length > this.buffer.length) {
      const larger = new Uint8Array(length);
      larger.set(this.buffer);
      this.buffer = larger;
    }
    return this.buffer;
  }
}

function deflateWith(deflater: RawDeflater, input: Uint8Array): Buffer {
  const output = new GrowingOutput();
  const length = deflater.deflate(input, output, 3); // not at 0: the offset must be honoured
  return Buffer.from(output.buffer.subarray(3, 3 + length));
}

function inflateAll(inflater: RawInflater, input: Uint8Array, cap: number) {
  const chunks: Buffer[] = [];
  const outcome = inflater.inflate(input, cap, (chunk) => chunks.push(Buffer.from(chunk)));
  return { ...outcome, output: Buffer.concat(chunks), chunkLengths: chunks.map((c) => c.length) };
}

const realBinary = readFileSync(process.execPath).subarray(4 << 20, (4 << 20) + 8 * BLOCK);
const samples: [string, Buffer][] = [
  ['empty', Buffer.alloc(0)],
  ['one byte', Buffer.from([7])],
  ['text', Buffer.from(pseudoText(BLOCK - 1, 11))],
  ['a full block of a real binary', realBinary.subarray(0, BLOCK)],
  ['incompressible', createHash('sha512').update('x').digest().subarray(0, 64)],
];

describe('RawDeflater', () => {
  for (const portable of [false, true]) {
    it(`${portable ? 'portable' : 'direct'}: each block is a fresh full-flush stream, as deflateRawSync makes it`, () => {
      const deflater = new RawDeflater(6, portable);
      for (const [, input] of samples) {
        const block = deflateWith(deflater, input);
        const reference = zlib.deflateRawSync(input, { level: 6, finishFlush: Z_FULL_FLUSH });
        expect(zlib.inflateRawSync(block, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).equals(input)).toBe(
          true,
        );
        // The full flush ends every block on a byte boundary with the empty stored block 00 00 FF FF.
        expect(block.subarray(-4).equals(Buffer.from([0x00, 0x00, 0xff, 0xff]))).toBe(true);
        if (!portable) expect(block.length).toBeLessThanOrEqual(reference.length);
      }
    });
  }

  it('gives the same bytes for a block whatever was deflated before it (pack --deterministic)', () => {
    const deflater = new RawDeflater(6);
    const target = Buffer.from(pseudoText(126, 5));
    const alone = deflateWith(new RawDeflater(6), target);
    for (let i = 0; i < 8; i++) {
      deflateWith(deflater, realBinary.subarray(i * BLOCK, (i + 1) * BLOCK));
      expect(deflateWith(deflater, target).equals(alone)).toBe(true);
    }
  });
});

describe('RawInflater', () => {
  for (const portable of [false, true]) {
    describe(portable ? 'portable' : 'direct', () => {
      it('inflates each block alone, in 64 KiB chunks, reporting what it consumed', () => {
        const inflater = new RawInflater({ portable });
        for (const [, input] of samples) {
          const block = zlib.deflateRawSync(input, { finishFlush: Z_FULL_FLUSH });
          const result = inflateAll(inflater, block, BLOCK);
          expect(result.output.equals(input)).toBe(true);
          expect(result.produced).toBe(input.length);
          expect(result.consumed).toBe(block.length);
        }
        const whole = zlib.deflateRawSync(realBinary);
        const result = inflateAll(inflater, whole, realBinary.length);
        expect(result.output.equals(realBinary)).toBe(true);
        expect(result.chunkLengths.every((length) => length === BLOCK)).toBe(true);
      });

      it('stops consuming where the deflate stream ends', () => {
        const inflater = new RawInflater({ portable });
        const ended = zlib.deflateRawSync(Buffer.from('the end'));
        const result = inflateAll(inflater, Buffer.concat([ended, Buffer.from([1, 2, 3])]), BLOCK);
        expect(result.output.toString()).toBe('the end');
        expect(result.consumed).toBe(ended.length);
      });

      it('refuses output past the cap (a bomb costs one chunk), then inflates the next block cleanly', () => {
        const inflater = new RawInflater({ portable });
        const bomb = zlib.deflateRawSync(Buffer.alloc(10 * BLOCK));
        expect(() => inflateAll(inflater, bomb, BLOCK)).toThrow(RangeError);
        const next = zlib.deflateRawSync(Buffer.from('fine'), { finishFlush: Z_FULL_FLUSH });
        expect(inflateAll(inflater, next, BLOCK).output.toString()).toBe('fine');
      });

      it('corrupt data is a ZlibDataError with zlib’s reason, and the inflater recovers', () => {
        const inflater = new RawInflater({ portable });
        const corrupt = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]);
        expect(() => inflateAll(inflater, corrupt, BLOCK)).toThrow(ZlibDataError);
        expect(() => inflateAll(inflater, corrupt, BLOCK)).toThrow(/invalid/);
        const next = zlib.deflateRawSync(Buffer.from('after'), { finishFlush: Z_FULL_FLUSH });
        expect(inflateAll(inflater, next, BLOCK).output.toString()).toBe('after');
      });
    });
  }

  it('direct and portable agree on any input, valid or not (fast-check)', () => {
    const direct = new RawInflater();
    const portable = new RawInflater({ portable: true });
    const outcome = (inflater: RawInflater, input: Uint8Array) => {
      try {
        const { produced, consumed, output } = inflateAll(inflater, input, BLOCK);
        return { produced, consumed, output: output.toString('hex') };
      } catch (error) {
        return { error: (error as Error).constructor.name };
      }
    };
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc
            .uint8Array({ maxLength: 3000 })
            .map((data) => new Uint8Array(zlib.deflateRawSync(data, { finishFlush: Z_FULL_FLUSH }))),
        ),
        (input) => {
          expect(outcome(direct, input)).toEqual(outcome(portable, input));
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('StreamInflater', () => {
  const chunk = Buffer.alloc(BLOCK);
  const open = (cap: number) => {
    const inflater = StreamInflater.open(cap, chunk);
    if (!inflater) throw new Error('this Node has the direct handle; StreamInflater.open must not refuse it');
    return inflater;
  };
  /** Feeds `stream` in pieces cut at `cuts`; returns the output and what each piece consumed. */
  const feedInPieces = (inflater: StreamInflater, stream: Buffer, cuts: number[]) => {
    const chunks: Buffer[] = [];
    const consumed: number[] = [];
    const bounds = [0, ...cuts, stream.length];
    for (let i = 0; i + 1 < bounds.length; i++) {
      const piece = stream.subarray(bounds[i], bounds[i + 1]);
      consumed.push(inflater.feed(piece, (c) => chunks.push(Buffer.from(c))).consumed);
    }
    return { output: Buffer.concat(chunks), consumed };
  };

  it('inflates one stream fed in pieces cut anywhere, the same as inflating it whole (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4 * BLOCK }),
        fc.integer({ min: 1, max: 1000 }),
        fc.uniqueArray(fc.nat(), { maxLength: 6 }),
        (length, seed, rawCuts) => {
          const input = Buffer.from(pseudoText(length, seed));
          const stream = zlib.deflateRawSync(input);
          const cuts = rawCuts.map((cut) => cut % (stream.length + 1)).sort((a, b) => a - b);
          const inflater = open(input.length);
          const { output, consumed } = feedInPieces(inflater, stream, cuts);
          inflater.close();
          expect(output.equals(input)).toBe(true);
          expect(consumed.reduce((a, b) => a + b, 0)).toBe(stream.length);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('consumes nothing past the end of the stream, in the piece where it ends and after', () => {
    const inflater = open(BLOCK);
    const ended = zlib.deflateRawSync(Buffer.from('the end'));
    const { output, consumed } = feedInPieces(inflater, Buffer.concat([ended, Buffer.from([1, 2, 3, 4])]), [
      ended.length + 2,
    ]);
    expect(output.toString()).toBe('the end');
    expect(consumed).toEqual([ended.length, 0]);
  });

  it('refuses output past the cap counted over the whole stream, not per piece', () => {
    const input = Buffer.alloc(3 * BLOCK, 1);
    const stream = zlib.deflateRawSync(input);
    const inflater = open(2 * BLOCK);
    const half = Math.floor(stream.length / 2);
    expect(() => {
      inflater.feed(stream.subarray(0, half), () => {});
      inflater.feed(stream.subarray(half), () => {});
    }).toThrow(RangeError);
    inflater.close();
  });

  it('corrupt data is a ZlibDataError', () => {
    const inflater = open(BLOCK);
    expect(() => inflater.feed(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]), () => {})).toThrow(ZlibDataError);
    inflater.close();
  });

  it('declines on the portable path, so the worker falls back to Node’s zlib stream', () => {
    expect(StreamInflater.open(BLOCK, chunk, { portable: true })).toBeNull();
  });
});
