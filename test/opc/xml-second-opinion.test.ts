import {
  AppvError,
  checkXmlOnWorker,
  checkXmlSecondOpinion,
  ErrorCode,
  parseXml,
  WorkerPool,
} from '@appv/opc';
import { afterAll, describe, expect, it } from 'vitest';

// A name with a character beyond U+FFFF is a legal XML 1.0 (5th edition) name, which our tree builder
// accepts, but fast-xml-parser's validator refuses: a document on which the two opinions differ.
const ASTRAL_NAME = Buffer.from('<?xml version="1.0"?>\r\n<r>\r\n  <a\u{10000} x="1"/>\r\n</r>');
const WELL_FORMED = Buffer.from('<?xml version="1.0"?>\r\n<r><a x="1"/></r>');

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

async function rejection(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppvError);
  const { code, message, offset, part } = error as AppvError;
  return { code, message, offset, part };
}

describe('parseXml second opinion (fast-xml-parser validator)', () => {
  it('refuses what only the validator refuses, with line, column and offset', () => {
    const inline = thrown(() => parseXml(ASTRAL_NAME, { part: 'X.xml' }));
    expect(inline.code).toBe(ErrorCode.XML_MALFORMED);
    expect(inline.message).toMatch(/not well-formed.*\(line 3, column \d+\) in X\.xml$/);
    // Where the validator says (in the bad tag), as a byte offset into the part.
    expect(inline.offset).toBeGreaterThan(ASTRAL_NAME.indexOf('<a'));
    expect(inline.offset).toBeLessThan(ASTRAL_NAME.indexOf('</r>'));
  });

  it('is skipped with secondOpinion: false, and checkXmlSecondOpinion then throws the same error', () => {
    expect(parseXml(ASTRAL_NAME, { part: 'X.xml', secondOpinion: false }).root.localName).toBe('r');
    const inline = thrown(() => parseXml(ASTRAL_NAME, { part: 'X.xml' }));
    expect(thrown(() => checkXmlSecondOpinion(ASTRAL_NAME, 'X.xml'))).toEqual(inline);
    expect(() => checkXmlSecondOpinion(WELL_FORMED, 'X.xml')).not.toThrow();
  });

  it('counts the offset in bytes of the encoding, past a byte order mark (UTF-16)', () => {
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(ASTRAL_NAME.toString('utf8'), 'utf16le'),
    ]);
    const inline = thrown(() => parseXml(utf16, { part: 'X.xml' }));
    expect(thrown(() => checkXmlSecondOpinion(utf16, 'X.xml'))).toEqual(inline);
    const utf8 = thrown(() => parseXml(ASTRAL_NAME, { part: 'X.xml' }));
    // The same place as in UTF-8, counted in two-byte units after the two-byte mark.
    const index = Buffer.from(ASTRAL_NAME.subarray(0, utf8.offset)).toString('utf8').length;
    expect(inline.offset).toBe(2 + 2 * index);
  });
});

describe('checkXmlOnWorker', () => {
  const pool = new WorkerPool(2);
  afterAll(() => pool.destroy());

  it('rejects on the worker with the error parseXml throws inline', async () => {
    const inline = thrown(() => parseXml(ASTRAL_NAME, { part: 'X.xml' }));
    expect(await rejection(checkXmlOnWorker(pool, ASTRAL_NAME, 'X.xml'))).toEqual({
      ...inline,
      part: 'X.xml',
    });
  });

  it('resolves for well-formed XML and leaves the caller its bytes (a copy goes to the worker)', async () => {
    const bytes = Buffer.from(WELL_FORMED);
    await expect(checkXmlOnWorker(pool, bytes, 'X.xml')).resolves.toBeUndefined();
    expect(bytes.equals(WELL_FORMED)).toBe(true);
  });

  it('still checks, inline, on a pool that was stopped', async () => {
    const stopped = new WorkerPool(1);
    await stopped.destroy();
    const inline = thrown(() => parseXml(ASTRAL_NAME, { part: 'X.xml' }));
    expect(await rejection(checkXmlOnWorker(stopped, ASTRAL_NAME, 'X.xml'))).toEqual({
      ...inline,
      part: 'X.xml',
    });
    await expect(checkXmlOnWorker(stopped, WELL_FORMED, 'X.xml')).resolves.toBeUndefined();
  });
});
