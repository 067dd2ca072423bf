import path from 'node:path';
import {
  appendHistoryItem,
  createPackageHistory,
  PACKAGE_HISTORY_NS,
  type PackageHistory,
  parsePackageHistory,
  serializePackageHistory,
} from '@appv/manifest';
import { ErrorCode } from '@appv/opc';
import { describe, expect, it } from 'vitest';
import { packageHistoryXml } from '../helpers/appv-builder.js';
import { codeOf } from '../helpers/error-code.js';
import { unzipItem, VALID_DIR } from './fixtures/msix.js';

const time = new Date('2024-03-04T05:06:07.890Z');
const bytesOf = (h: PackageHistory) => serializePackageHistory(h);
/** The bytes up to the end of the last item: what appending must leave alone. */
function throughLastItem(bytes: Buffer): Buffer {
  const text = bytes.toString('latin1'); // one character per byte, so indices are byte offsets
  const start = text.lastIndexOf('<PackageHistoryItem');
  return bytes.subarray(0, text.indexOf('>', start) + 1);
}

describe('createPackageHistory', () => {
  it('is an empty history in the PackageHistory namespace that round-trips', () => {
    const h = createPackageHistory();
    expect(h.namespace).toBe(PACKAGE_HISTORY_NS);
    expect(h.knownNamespace).toBe(true);
    expect(h.items).toEqual([]);
    expect(bytesOf(parsePackageHistory(bytesOf(h))).equals(bytesOf(h))).toBe(true);
  });
});

describe('appendHistoryItem', () => {
  it('appends an item in the shape of the existing ones, keeping every earlier byte', () => {
    const original = Buffer.from(
      packageHistoryXml([
        { time: '2024-01-01T12:00:00Z', packageVersion: 1 },
        { time: '2024-01-02T12:00:00Z', packageVersion: 2 },
      ]),
    );
    const h = appendHistoryItem(parsePackageHistory(original), {
      time,
      tool: 'appv 0.1.0',
      user: 'BUILD\\ci',
      station: 'BUILD',
    });
    const bytes = bytesOf(h);
    const prefix = throughLastItem(original);
    expect(bytes.subarray(0, prefix.length).equals(prefix)).toBe(true);
    expect(bytes.subarray(prefix.length).toString('utf8')).toBe(
      '\n  <PackageHistoryItem Time="2024-03-04T05:06:07Z" PackageVersion="3" SequencerVersion="appv 0.1.0" ' +
        'SequencerUser="BUILD\\ci" SequencingStation="BUILD" />\n</PackageHistory>\n',
    );
    expect(h.items).toHaveLength(3);
    expect(h.items[2]?.localName).toBe('PackageHistoryItem');
    expect(h.items[2]?.element.namespace).toBe(PACKAGE_HISTORY_NS);
    expect(h.items[2]?.attributes).toEqual({
      Time: '2024-03-04T05:06:07Z',
      PackageVersion: '3',
      SequencerVersion: 'appv 0.1.0',
      SequencerUser: 'BUILD\\ci',
      SequencingStation: 'BUILD',
    });
    // The same attribute names, in the same order, as the items already there (those it has values for).
    const existing = Object.keys(h.items[0]?.attributes ?? {});
    expect(Object.keys(h.items[2]?.attributes ?? {})).toEqual(existing.slice(0, 5));
  });

  it('keeps the sequencer-written NotepadPlusPlus history byte for byte (BOM, CR LF) and does not touch the input', () => {
    const original = unzipItem(path.join(VALID_DIR, 'NotepadPlusPlus.appx'), 'PackageHistory.xml');
    const input = parsePackageHistory(original);
    const h = appendHistoryItem(input, { time, packageVersion: 7 });
    const bytes = bytesOf(h);
    const prefix = throughLastItem(original);
    expect(bytes.subarray(0, prefix.length).equals(prefix)).toBe(true);
    expect(bytes.subarray(prefix.length).toString('utf8')).toBe(
      '\r\n  <PackageHistoryItem Time="2024-03-04T05:06:07Z" PackageVersion="7" />\r\n</PackageHistory>',
    );
    expect(bytesOf(input).equals(original)).toBe(true);
    expect(input.items).toHaveLength(1);
  });

  it('numbers items from an empty history and stays stable through parse → serialize', () => {
    let h = createPackageHistory();
    h = appendHistoryItem(h, { time });
    h = appendHistoryItem(h, { time: new Date(Date.UTC(2025, 0, 2, 3, 4, 5)) });
    expect(h.items.map((i) => i.attributes.PackageVersion)).toEqual(['1', '2']);
    expect(h.items.map((i) => i.attributes.Time)).toEqual(['2024-03-04T05:06:07Z', '2025-01-02T03:04:05Z']);
    const bytes = bytesOf(h);
    expect(bytes.toString('utf8')).toBe(
      `\ufeff<?xml version="1.0" encoding="utf-8"?>\r\n<PackageHistory xmlns="${PACKAGE_HISTORY_NS}">\r\n` +
        '  <PackageHistoryItem Time="2024-03-04T05:06:07Z" PackageVersion="1" />\r\n' +
        '  <PackageHistoryItem Time="2025-01-02T03:04:05Z" PackageVersion="2" />\r\n</PackageHistory>',
    );
    expect(bytesOf(parsePackageHistory(bytes)).equals(bytes)).toBe(true);
  });

  it("follows an empty file's LF line ending and a prefixed root", () => {
    const lf = appendHistoryItem(
      parsePackageHistory(`<PackageHistory xmlns="${PACKAGE_HISTORY_NS}">\n</PackageHistory>`),
      {
        time,
      },
    );
    expect(bytesOf(lf).toString('utf8')).toContain('>\n  <PackageHistoryItem Time=');
    const prefixed = appendHistoryItem(
      parsePackageHistory(`<h:PackageHistory xmlns:h="${PACKAGE_HISTORY_NS}"/>`),
      {
        time,
      },
    );
    expect(prefixed.items[0]?.element.name).toBe('h:PackageHistoryItem');
    expect(prefixed.items[0]?.element.namespace).toBe(PACKAGE_HISTORY_NS);
  });

  it.each<[string, { time: Date; packageVersion?: number; user?: string }]>([
    ['an invalid Date', { time: new Date('not a date') }],
    ['a fractional PackageVersion', { time, packageVersion: 1.5 }],
    ['a negative PackageVersion', { time, packageVersion: -1 }],
    ['a user XML cannot carry', { time, user: 'a\u0000b' }],
  ])('refuses %s with APPV_HISTORY_INVALID', (_what, entry) => {
    expect(codeOf(() => appendHistoryItem(createPackageHistory(), entry))).toBe(
      ErrorCode.APPV_HISTORY_INVALID,
    );
  });
});
