import { asciiLower, asciiUpper, nameKey } from '@appv/opc';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

// The definition (FORMAT.md §8): only A–Z and a–z change case, one character at a time.
const referenceLower = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());
const referenceUpper = (text: string) => text.replace(/[a-z]/g, (c) => c.toUpperCase());

describe('asciiLower / asciiUpper (OPC case folding, FORMAT.md §8)', () => {
  it('fold ASCII letters only, whatever else the text holds (fast-check)', () => {
    const text = fc.oneof(
      fc.string({ unit: 'grapheme-ascii', maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({
        unit: fc.constantFrom('a', 'Z', 'ß', 'é', 'İ', 'ı', 'ﬀ', 'Σ', '😀', '\u0130', '-', '%'),
        maxLength: 20,
      }),
    );
    fc.assert(
      fc.property(text, (t) => {
        expect(asciiLower(t)).toBe(referenceLower(t));
        expect(asciiUpper(t)).toBe(referenceUpper(t));
        expect(nameKey(t)).toBe(referenceLower(t));
      }),
      { numRuns: 2000 },
    );
  });

  it('leave non-ASCII letters alone where toUpperCase/toLowerCase would not', () => {
    expect(asciiUpper('straße.txt')).toBe('STRAßE.TXT');
    expect(asciiLower('İSTANBUL Σ')).toBe('İstanbul Σ');
    expect(asciiUpper('ﬀ a')).toBe('ﬀ A');
  });
});
