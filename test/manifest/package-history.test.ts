import path from 'node:path';
import { PACKAGE_HISTORY_NS, parsePackageHistory, serializePackageHistory } from '@appv/manifest';
import { type AppvError, ErrorCode } from '@appv/opc';
import { describe, expect, it } from 'vitest';
import { unzipItem, VALID_DIR } from './fixtures/msix.js';

describe('PackageHistory.xml', () => {
  it('reads the sequencer-written history of the NotepadPlusPlus fixture and writes it back identically', () => {
    const bytes = unzipItem(path.join(VALID_DIR, 'NotepadPlusPlus.appx'), 'PackageHistory.xml');
    const history = parsePackageHistory(bytes);
    expect(history.namespace).toBe(PACKAGE_HISTORY_NS);
    expect(history.knownNamespace).toBe(true);
    expect(history.items).toHaveLength(1);
    const item = history.items[0];
    expect(item?.localName).toBe('PackageHistoryItem');
    expect(item?.attributes.SequencerVersion).toBe('5.1.83.0');
    expect(item?.attributes.PackageVersion).toBe('569dd581-753c-44c6-bd4d-7810511e77f8');
    expect(item?.attributes.SaveMode).toBe('eSave');
    expect(serializePackageHistory(history).equals(bytes)).toBe(true);
  });

  it('is tolerant of unknown namespaces and child elements, and hostile names', () => {
    const history = parsePackageHistory(
      '<PackageHistory xmlns="urn:other"><Item __proto__="x" A="1"><Note>hello</Note></Item><Item/></PackageHistory>',
    );
    expect(history.knownNamespace).toBe(false);
    expect(history.items).toHaveLength(2);
    expect(Object.getOwnPropertyNames(history.items[0]?.attributes)).toEqual(['__proto__', 'A']);
    expect(history.items[0]?.fields).toEqual({ Note: 'hello' });
  });

  it('refuses another root with APPV_HISTORY_INVALID', () => {
    try {
      parsePackageHistory('<History/>');
      expect.unreachable();
    } catch (e) {
      expect((e as AppvError).code).toBe(ErrorCode.APPV_HISTORY_INVALID);
    }
  });
});
