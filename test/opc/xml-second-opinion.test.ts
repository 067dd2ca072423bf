import { AppvError, ErrorCode, parseXml } from '@appv/opc';
import { describe, expect, it } from 'vitest';

// A name with a character beyond U+FFFF is a legal XML 1.0 (5th edition) name, which our tree builder
// accepts, but fast-xml-parser's validator refuses: a document only the second opinion refuses.
const ASTRAL_NAME = Buffer.from('<?xml version="1.0"?>\r\n<r>\r\n  <a\u{10000} x="1"/>\r\n</r>');

/** The error `run` throws, as the fields a finding carries. */
function thrown(run: () => unknown): { code: string; message: string; offset: number | undefined } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppvError);
    const { code, message, offset } = error as AppvError;
    return { code, message, offset };
  }
  throw new Error('expected an error');
}

describe('parseXml second opinion (fast-xml-parser validator)', () => {
  it('refuses what only the validator refuses, with line, column and offset', () => {
    const inline = thrown(() => parseXml(ASTRAL_NAME, { part: 'X.xml' }));
    expect(inline.code).toBe(ErrorCode.XML_MALFORMED);
    // "not well-formed" is the validator's verdict; the tree builder's own refusals say what they found.
    expect(inline.message).toMatch(/^XML is not well-formed: .*\(line 3, column \d+\) in X\.xml$/);
    // Where the validator says (in the bad tag), as a byte offset into the part.
    expect(inline.offset).toBeGreaterThan(ASTRAL_NAME.indexOf('<a'));
    expect(inline.offset).toBeLessThan(ASTRAL_NAME.indexOf('</r>'));
  });

  it('counts the offset in bytes of the encoding, past a byte order mark (UTF-16)', () => {
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(ASTRAL_NAME.toString('utf8'), 'utf16le'),
    ]);
    const inline = thrown(() => parseXml(utf16, { part: 'X.xml' }));
    const utf8 = thrown(() => parseXml(ASTRAL_NAME, { part: 'X.xml' }));
    expect(inline.message).toBe(utf8.message);
    // The same place as in UTF-8, counted in two-byte units after the two-byte mark.
    const index = Buffer.from(ASTRAL_NAME.subarray(0, utf8.offset)).toString('utf8').length;
    expect(inline.offset).toBe(2 + 2 * index);
  });
});
