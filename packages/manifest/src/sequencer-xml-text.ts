import {
  AppvError,
  type ErrorCode,
  escapeAttribute,
  escapeText,
  findInvalidXmlChar,
  MAX_XML_PART_SIZE,
} from '@appv/opc';

/**
 * New App-V documents (manifest, PackageHistory, dynamic configuration) written the way the sequencer writes
 * them (.NET XmlWriter, indented): UTF-8 with a byte order mark, `<?xml version="1.0" encoding="utf-8"?>`,
 * CR LF, two-space indentation, `<Empty />` with a space, no line break after the root. [tools] That is the
 * byte form of the sequencer-written PackageHistory.xml in the NotepadPlusPlus fixture (FORMAT.md §1).
 * The builders render text and parse it, so what they return is an ordinary parsed model whose
 * serialization is exactly this text.
 */

export interface SequencerXmlElement {
  /** Qualified name; its prefix must be declared by an `xmlns:` attribute here or on an ancestor. */
  readonly name: string;
  readonly attributes?: readonly (readonly [name: string, value: string])[];
  /** Text content; an element with text has no children. Empty text is written as `<name />`. */
  readonly text?: string;
  readonly children?: readonly SequencerXmlElement[];
}

const NEWLINE = '\r\n';
const INDENT = '  ';
/**
 * Indentation stops growing here. Real documents nest a few levels; a hostile manifest nested thousands
 * deep made its DeploymentConfig grow with the square of the depth (85 KB in, 50 MB out; 340 KB in, a
 * RangeError; found by review).
 */
const MAX_INDENT_LEVELS = 64;

/** The document bytes. A value XML cannot carry (a control character, …) is an AppvError with `code`. */
export function renderSequencerXml(root: SequencerXmlElement, code: ErrorCode): Buffer {
  const checked = (value: string, where: string): string => {
    // A JavaScript caller's number or undefined would otherwise be a TypeError below (found by review).
    if (typeof value !== 'string') throw new AppvError(code, `${where} must be text, not ${typeof value}`);
    const bad = findInvalidXmlChar(value);
    if (bad >= 0) {
      const cp = (value.codePointAt(bad) ?? 0).toString(16).toUpperCase().padStart(4, '0');
      throw new AppvError(code, `${where} contains U+${cp}, which XML cannot carry`);
    }
    return value;
  };
  const lines: string[] = ['\ufeff<?xml version="1.0" encoding="utf-8"?>'];
  let size = 0;
  const push = (line: string) => {
    size += line.length + NEWLINE.length;
    if (size > MAX_XML_PART_SIZE)
      throw new AppvError(
        code,
        `The document would be larger than ${MAX_XML_PART_SIZE} bytes, the footprint limit`,
      );
    lines.push(line);
  };
  // Iterative, like the rest of the XML layer: depth is the caller's, not the stack's.
  type Work = { element: SequencerXmlElement; depth: number } | { close: string };
  const work: Work[] = [{ element: root, depth: 0 }];
  for (let item = work.pop(); item !== undefined; item = work.pop()) {
    if ('close' in item) {
      push(item.close);
      continue;
    }
    const { element, depth } = item;
    const pad = INDENT.repeat(Math.min(depth, MAX_INDENT_LEVELS));
    const attributes = (element.attributes ?? [])
      .map(([name, value]) => ` ${name}="${escapeAttribute(checked(value, `attribute ${name}`))}"`)
      .join('');
    const open = `${pad}<${element.name}${attributes}`;
    const children = element.children ?? [];
    if (children.length > 0) {
      push(`${open}>`);
      work.push({ close: `${pad}</${element.name}>` });
      for (let i = children.length - 1; i >= 0; i--) {
        const child = children[i];
        if (child !== undefined) work.push({ element: child, depth: depth + 1 });
      }
    } else if (element.text !== undefined && element.text !== '') {
      // CR as a reference: a reader would otherwise fold CR LF into LF (XML 1.0 §2.11).
      const text = escapeText(checked(element.text, `<${element.name}>`)).replace(/\r/g, '&#13;');
      push(`${open}>${text}</${element.name}>`);
    } else {
      push(`${open} />`);
    }
  }
  return Buffer.from(lines.join(NEWLINE), 'utf8');
}
