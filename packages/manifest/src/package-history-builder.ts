import {
  AppvError,
  checkModelArgument,
  ErrorCode,
  ONLY_WHITESPACE,
  parseXml,
  splitQName,
  type XmlNode,
} from '@appv/opc';
import { PACKAGE_HISTORY_NS } from './namespaces.js';
import { type PackageHistory, parsePackageHistory, serializePackageHistory } from './package-history.js';
import { renderSequencerXml } from './sequencer-xml-text.js';

/**
 * Writing PackageHistory.xml (FORMAT.md §1: one item per sequencing/save). [inferred] The item shape is
 * that of the sequencer-written NotepadPlusPlus fixture and the test oracle's `packageHistoryXml`: a
 * `PackageHistoryItem` whose data is all in attributes, Time first. Only the attributes we know a value
 * for are written; nothing about the machine is invented.
 */

export interface HistoryEntry {
  time: Date;
  /** Default: the number of items already there, plus one. */
  packageVersion?: number;
  /** The tool that saved the package, e.g. `appv 0.1.0` (written as SequencerVersion). */
  tool?: string;
  /** SequencerUser, e.g. `SEQ01\Sequencer`. */
  user?: string;
  /** SequencingStation. */
  station?: string;
}

const ITEM = 'PackageHistoryItem';

function invalid(message: string): never {
  throw new AppvError(ErrorCode.APPV_HISTORY_INVALID, message);
}

/** An empty history: the root in PACKAGE_HISTORY_NS, ready for appendHistoryItem. */
export function createPackageHistory(): PackageHistory {
  // In the sequencer's byte form (see sequencer-xml-text.ts), written open/close rather than
  // `<PackageHistory />` so that the first item slots in between without rewriting the root's tags.
  return parsePackageHistory(
    Buffer.from(
      `\ufeff<?xml version="1.0" encoding="utf-8"?>\r\n<PackageHistory xmlns="${PACKAGE_HISTORY_NS}">\r\n</PackageHistory>`,
      'utf8',
    ),
  );
}

/** ISO 8601 in UTC without milliseconds: `2024-01-01T12:00:00Z`. */
function historyTime(time: Date): string {
  if (!(time instanceof Date) || Number.isNaN(time.getTime()))
    invalid('history item time is not a valid Date');
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The history with one more item, re-parsed. The item goes right after the last element, indented like
 * it, so everything already in the file is kept byte for byte (the serialized prefix up to the end of the
 * last item is unchanged). `history` itself is not modified.
 */
export function appendHistoryItem(history: PackageHistory, entry: HistoryEntry): PackageHistory {
  checkModelArgument(
    history,
    'a PackageHistory (parsePackageHistory or createPackageHistory)',
    'appendHistoryItem',
  );
  checkModelArgument(entry, 'a history entry ({ time, … })', 'appendHistoryItem');
  const packageVersion = entry.packageVersion ?? history.items.length + 1;
  if (!Number.isSafeInteger(packageVersion) || packageVersion < 0) {
    invalid(`history PackageVersion ${packageVersion} is not a whole number`);
  }
  const attributes: [string, string][] = [
    ['Time', historyTime(entry.time)],
    ['PackageVersion', String(packageVersion)],
  ];
  for (const [name, value] of [
    ['SequencerVersion', entry.tool],
    ['SequencerUser', entry.user],
    ['SequencingStation', entry.station],
  ] as const) {
    if (value !== undefined) attributes.push([name, value]);
  }

  // A private copy of the tree: the caller's model stays as it was.
  const copy = parsePackageHistory(serializePackageHistory(history));
  const root = copy.document.root;
  // The item is parsed from a snippet in the root's own namespace and prefix, so it is written the way
  // the sequencer writes elements (`<PackageHistoryItem … />`) and resolves like its siblings.
  const { prefix } = splitQName(root.name);
  const qualified = (local: string) => (prefix === null ? local : `${prefix}:${local}`);
  const snippet = renderSequencerXml(
    {
      name: qualified('PackageHistory'),
      attributes:
        root.namespace === null ? [] : [[prefix === null ? 'xmlns' : `xmlns:${prefix}`, root.namespace]],
      children: [{ name: qualified(ITEM), attributes }],
    },
    ErrorCode.APPV_HISTORY_INVALID,
  );
  const item = parseXml(snippet).root.children.find((n) => n.kind === 'element');
  if (item === undefined) return invalid('history item could not be built');

  const children = root.children;
  let lastElement = -1;
  children.forEach((node, i) => {
    if (node.kind === 'element') lastElement = i;
  });
  const whitespace = (node: XmlNode | undefined): node is XmlNode & { kind: 'text'; value: string } =>
    node?.kind === 'text' && node.cdata !== true && ONLY_WHITESPACE.test(node.value);
  if (lastElement >= 0) {
    const before = children[lastElement - 1];
    const indent: XmlNode[] = whitespace(before) ? [{ kind: 'text', value: before.value }] : [];
    children.splice(lastElement + 1, 0, ...indent, item);
  } else {
    // No item yet: indent by one level on the file's own line ending (the sequencer's CR LF by default).
    const trailing = children.at(-1);
    const newline = whitespace(trailing) && !trailing.value.includes('\r') ? '\n' : '\r\n';
    const at = whitespace(trailing) ? children.length - 1 : children.length;
    children.splice(at, 0, { kind: 'text', value: `${newline}  ` }, item);
    if (!whitespace(trailing)) children.push({ kind: 'text', value: newline });
  }
  return parsePackageHistory(serializePackageHistory(copy));
}
