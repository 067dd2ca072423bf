import zlib from 'node:zlib';
import { crc32Combine } from '@appv/opc';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('crc32Combine', () => {
  it('crc(A‖B) = combine(crc(A), crc(B), |B|) for any split', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.uint8Array({ maxLength: 3000 }), (a, b) => {
        const whole = zlib.crc32(Buffer.concat([a, b]));
        expect(crc32Combine(zlib.crc32(a), zlib.crc32(b), b.length)).toBe(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('joins many 64 KiB pieces of a large buffer in order', () => {
    const data = Buffer.alloc(1_000_003);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7919) & 0xff;
    let crc = 0;
    for (let offset = 0; offset < data.length; offset += 65_536) {
      const piece = data.subarray(offset, offset + 65_536);
      crc = crc32Combine(crc, zlib.crc32(piece), piece.length);
    }
    expect(crc).toBe(zlib.crc32(data));
  });
});
