import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBlockMap, parseFilesystemMetadata } from '@appv/manifest';
import { AppvError, OpcPackage } from '@appv/opc';
import { ErrorCode, verifyPackage } from 'appv';
import { afterAll, describe, expect, it } from 'vitest';
import { buildAppvPackage } from '../helpers/appv-builder.js';
import { sampleSpec } from '../helpers/make-sample.js';

// What only parseXml's second opinion (fast-xml-parser's validator) refuses in the BlockMap or
// FilesystemMetadata is a finding of verify, with the code, message and offset parsing the part gives, and
// the order of parseXml: the tree builder's refusals first, then the validator's, then the model's. A name
// with a character beyond U+FFFF is legal XML that only the validator refuses.
const ASTRAL = '<x:a\u{10000} xmlns:x="urn:example"/>';

const scratch = mkdtempSync(join(tmpdir(), 'appv-second-opinion-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

type Parse = (bytes: Buffer, options: { part: string }) => unknown;

/** What parsing `part` of the package with the second opinion inline throws. */
async function inlineError(bytes: Buffer, part: string, parse: Parse) {
  const pkg = await OpcPackage.open(bytes);
  try {
    parse(await pkg.readPart(pkg.requireItem(part)), { part });
  } catch (error) {
    expect(error).toBeInstanceOf(AppvError);
    const { code, message, offset } = error as AppvError;
    return { code, message, offset };
  } finally {
    await pkg.close();
  }
  throw new Error(`${part} parses inline`);
}

async function findingsFor(bytes: Buffer, name: string, part: string) {
  const path = join(scratch, `${name}.appv`);
  writeFileSync(path, bytes);
  const report = await verifyPackage(path, { threads: 2 });
  return report.findings
    .filter((f) => f.part === part)
    .map(({ code, message, offset }) => ({ code, message, offset }));
}

const cases: {
  name: string;
  part: string;
  parse: Parse;
  expected: ErrorCode;
  build: () => Buffer;
}[] = [
  {
    name: 'blockmap-astral-name',
    part: 'AppxBlockMap.xml',
    parse: parseBlockMap,
    expected: ErrorCode.XML_MALFORMED,
    build: () =>
      buildAppvPackage({
        ...sampleSpec(),
        tamper: { blockMapXml: (xml) => xml.replace('</BlockMap>', `${ASTRAL}</BlockMap>`) },
      }).bytes,
  },
  {
    // The model would refuse the namespace, but inline the validator speaks first.
    name: 'blockmap-astral-name-and-namespace',
    part: 'AppxBlockMap.xml',
    parse: parseBlockMap,
    expected: ErrorCode.XML_MALFORMED,
    build: () =>
      buildAppvPackage({
        ...sampleSpec(),
        tamper: {
          blockMapXml: (xml) =>
            xml
              .replace('appx/2010/blockmap', 'appx/2099/blockmap')
              .replace('</BlockMap>', `${ASTRAL}</BlockMap>`),
        },
      }).bytes,
  },
  {
    // The tree builder refuses first (an unclosed element), before the validator could.
    name: 'blockmap-astral-name-and-unclosed',
    part: 'AppxBlockMap.xml',
    parse: parseBlockMap,
    expected: ErrorCode.XML_MALFORMED,
    build: () =>
      buildAppvPackage({
        ...sampleSpec(),
        tamper: { blockMapXml: (xml) => xml.replace('</BlockMap>', `${ASTRAL}<y>`) },
      }).bytes,
  },
  {
    name: 'blockmap-namespace-only',
    part: 'AppxBlockMap.xml',
    parse: parseBlockMap,
    expected: ErrorCode.BLOCKMAP_NAMESPACE,
    build: () =>
      buildAppvPackage({
        ...sampleSpec(),
        tamper: { blockMapXml: (xml) => xml.replace('appx/2010/blockmap', 'appx/2099/blockmap') },
      }).bytes,
  },
  {
    name: 'fsmeta-astral-name',
    part: 'FilesystemMetadata.xml',
    parse: parseFilesystemMetadata,
    expected: ErrorCode.XML_MALFORMED,
    build: () =>
      buildAppvPackage({
        ...sampleSpec(),
        tamper: {
          parts: (parts) => ({
            ...parts,
            'FilesystemMetadata.xml': String(parts['FilesystemMetadata.xml']).replace(
              '</Metadata>',
              `${ASTRAL}</Metadata>`,
            ),
          }),
        },
      }).bytes,
  },
];

describe('verify reports what only the XML second opinion refuses, as parsing the part does', () => {
  it.each(cases)('$name: $expected', async ({ name, part, parse, expected, build }) => {
    const bytes = build();
    const inline = await inlineError(bytes, part, parse);
    expect(inline.code).toBe(expected);
    expect(await findingsFor(bytes, name, part)).toContainEqual(inline);
  });
});
