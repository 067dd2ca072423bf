/**
 * Reproducible, compressible bytes for tests: a seeded linear congruential generator over 12 lower-case
 * letters (deflates to roughly half, so both deflated and multi-block cases arise).
 */
export function pseudoText(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0, s = seed; i < size; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    out[i] = 97 + ((s >> 16) % 12);
  }
  return out;
}
