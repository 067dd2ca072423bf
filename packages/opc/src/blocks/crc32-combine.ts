import { AppvError, ErrorCode } from '../errors.js';

/**
 * CRC-32 of A‖B from crc(A), crc(B) and |B| (zlib's crc32_combine, GF(2) matrix method). It lets two
 * workers checksum different blocks of one item and the results be joined in order, so even a single
 * large part uses both cores. Node exposes crc32 but not the combine step.
 */
const POLY = 0xedb88320;

function gf2Times(matrix: Uint32Array, vector: number): number {
  let sum = 0;
  for (let i = 0; vector !== 0; i++, vector >>>= 1) {
    if (vector & 1) sum ^= matrix[i] ?? 0;
  }
  return sum >>> 0;
}

function gf2Square(square: Uint32Array, matrix: Uint32Array): void {
  for (let n = 0; n < 32; n++) square[n] = gf2Times(matrix, matrix[n] ?? 0);
}

export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  // A length that is no whole number (NaN, Infinity, undefined from JavaScript) halved for ever: the loop
  // below never ended (found by review).
  if (typeof crcA !== 'number' || typeof crcB !== 'number' || !Number.isSafeInteger(lengthB)) {
    throw new AppvError(
      ErrorCode.USAGE,
      'crc32Combine takes crc(A), crc(B) (numbers) and the length of B (a whole number of bytes)',
    );
  }
  if (lengthB <= 0) return crcA >>> 0;
  // The shift of crc(A) by |B| bytes is linear in crc(A), so a zero crc(A) (an empty A above all: the first
  // piece of every item) shifts to zero: skip the 32×32 matrix work, thousands of times per package.
  if (crcA === 0) return crcB >>> 0;
  const even = new Uint32Array(32);
  const odd = new Uint32Array(32);
  odd[0] = POLY;
  for (let n = 1, row = 1; n < 32; n++, row <<= 1) odd[n] = row;
  gf2Square(even, odd); // two zero bits
  gf2Square(odd, even); // four zero bits
  let crc = crcA >>> 0;
  let length = lengthB;
  do {
    gf2Square(even, odd);
    if (length % 2) crc = gf2Times(even, crc);
    length = Math.floor(length / 2);
    if (length === 0) break;
    gf2Square(odd, even);
    if (length % 2) crc = gf2Times(odd, crc);
    length = Math.floor(length / 2);
  } while (length !== 0);
  return (crc ^ crcB) >>> 0;
}
