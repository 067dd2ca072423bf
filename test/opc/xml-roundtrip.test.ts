import {
  parseXml,
  serializeXml,
  serializeXmlToBytes,
  XML_NAMESPACE,
  XMLNS_NAMESPACE,
  type XmlAttribute,
  type XmlDocument,
  type XmlElement,
  type XmlNode,
} from '@appv/opc';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/**
 * Property tests: arbitrary trees → serialize → parse must give the tree back. The expected namespaces
 * are computed by a small resolver written here, independently of the parser's.
 */

const URIS = ['urn:a', 'urn:b', 'http://schemas.microsoft.com/appv/2010/manifest', 'urn:ü/ñ?x=1&y=2'];
const PREFIXES = ['p', 'q', 'appv', 'ns1'];

// Characters XML 1.0 permits, biased towards the ones that need escaping.
const xmlChar = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom('&', '<', '>', '"', "'", ']', '-', '?', ';', '#', '\t', '\n', '\r', ' '),
  },
  {
    weight: 4,
    arbitrary: fc.constantFrom('a', 'Z', '0', 'é', '中', '\u{1F600}', '\u{10FFFD}', '\uFFFD', '\u0085'),
  },
  { weight: 2, arbitrary: fc.integer({ min: 0x20, max: 0xd7ff }).map((c) => String.fromCodePoint(c)) },
  { weight: 1, arbitrary: fc.integer({ min: 0xe000, max: 0xfffd }).map((c) => String.fromCodePoint(c)) },
  { weight: 1, arbitrary: fc.integer({ min: 0x10000, max: 0x10ffff }).map((c) => String.fromCodePoint(c)) },
);
const xmlString = (maxLength = 12) => fc.string({ unit: xmlChar, maxLength });

const nameStart = fc.constantFrom('a', 'B', '_', 'é', 'Ω', '中', 'x');
const nameRest = fc.constantFrom('a', '1', '-', '.', '_', 'ü', '\u00B7', 'z');
const localName = fc
  .tuple(nameStart, fc.string({ unit: nameRest, maxLength: 5 }))
  .map(([a, b]) => a + b)
  .filter((n) => !n.toLowerCase().startsWith('xml'));

interface RawElement {
  prefix: string | null;
  local: string;
  /** Default namespace declaration: a URI index, '' to undeclare, or none. */
  defaultNs: number | '' | null;
  /** Prefixes (re)bound on this element. */
  bind: { prefix: string; uri: number }[];
  attrs: { prefix: string | null; local: string; value: string }[];
  children: RawNode[];
}
type RawNode =
  | { t: 'el'; e: RawElement }
  | { t: 'text'; value: string }
  | { t: 'cdata'; value: string }
  | { t: 'comment'; value: string }
  | { t: 'pi'; target: string; value: string };

const comment = xmlString().filter((v) => !v.includes('--') && !v.endsWith('-'));
const pi = fc.record({
  target: localName,
  value: xmlString().filter((v) => !v.includes('?>') && !/^[ \t\r\n]/.test(v)),
});

const rawElement: fc.Arbitrary<RawElement> = fc.letrec<{ element: RawElement; node: RawNode }>((tie) => ({
  element: fc.record({
    prefix: fc.option(fc.constantFrom(...PREFIXES), { nil: null }),
    local: localName,
    defaultNs: fc.option(fc.oneof(fc.nat({ max: URIS.length - 1 }), fc.constant('' as const)), { nil: null }),
    bind: fc.array(
      fc.record({ prefix: fc.constantFrom(...PREFIXES), uri: fc.nat({ max: URIS.length - 1 }) }),
      {
        maxLength: 2,
      },
    ),
    attrs: fc.array(
      fc.record({
        prefix: fc.option(fc.constantFrom(...PREFIXES, 'xml'), { nil: null }),
        local: localName,
        value: xmlString(),
      }),
      { maxLength: 4 },
    ),
    children: fc.array(tie('node'), { maxLength: 4, depthIdentifier: 'xml-tree' }),
  }),
  // maxDepth: past it only the first (non-recursive) choice is taken, so trees stay finite.
  node: fc.oneof(
    { maxDepth: 5, depthIdentifier: 'xml-tree' },
    { weight: 3, arbitrary: xmlString().map((value) => ({ t: 'text' as const, value })) },
    { weight: 3, arbitrary: tie('element').map((e) => ({ t: 'el' as const, e })) },
    {
      weight: 1,
      arbitrary: xmlString()
        .filter((v) => !v.includes(']]>'))
        .map((value) => ({ t: 'cdata' as const, value })),
    },
    { weight: 1, arbitrary: comment.map((value) => ({ t: 'comment' as const, value })) },
    { weight: 1, arbitrary: pi.map((p) => ({ t: 'pi' as const, ...p })) },
  ),
})).element;

/** Builds the tree the parser must produce: declarations as attributes, namespaces resolved here. */
function build(raw: RawElement, scope: ReadonlyMap<string, string | null>): XmlElement {
  const own = new Map(scope);
  const attributes: XmlAttribute[] = [];
  if (raw.defaultNs !== null) {
    const uri = raw.defaultNs === '' ? '' : (URIS[raw.defaultNs] as string);
    own.set('', uri === '' ? null : uri);
    attributes.push({ name: 'xmlns', namespace: XMLNS_NAMESPACE, localName: 'xmlns', value: uri });
  }
  const bound = new Set<string>();
  for (const b of raw.bind) {
    if (bound.has(b.prefix)) continue;
    bound.add(b.prefix);
    const uri = URIS[b.uri] as string;
    own.set(b.prefix, uri);
    attributes.push({
      name: `xmlns:${b.prefix}`,
      namespace: XMLNS_NAMESPACE,
      localName: b.prefix,
      value: uri,
    });
  }
  // Element prefix must be bound: fall back to no prefix when it is not.
  const prefix = raw.prefix !== null && own.get(raw.prefix) ? raw.prefix : null;
  const seenLocal = new Set<string>();
  for (const a of raw.attrs) {
    // Unique local names avoid both duplicate qualified names and duplicate expanded names.
    if (seenLocal.has(a.local)) continue;
    seenLocal.add(a.local);
    const p = a.prefix === 'xml' || (a.prefix !== null && own.get(a.prefix)) ? a.prefix : null;
    const namespace = p === null ? null : p === 'xml' ? XML_NAMESPACE : (own.get(p) as string);
    attributes.push({
      name: p === null ? a.local : `${p}:${a.local}`,
      namespace,
      localName: a.local,
      value: a.value,
    });
  }
  const children: XmlNode[] = [];
  for (const c of raw.children) {
    let node: XmlNode | undefined;
    if (c.t === 'el') node = build(c.e, own);
    else if (c.t === 'text') {
      if (c.value === '') continue;
      const last = children[children.length - 1];
      // The parser returns maximal runs of character data: merge adjacent text.
      if (last?.kind === 'text' && last.cdata !== true) {
        last.value += c.value;
        continue;
      }
      node = { kind: 'text', value: c.value };
    } else if (c.t === 'cdata') node = { kind: 'text', value: c.value, cdata: true };
    else if (c.t === 'comment') node = { kind: 'comment', value: c.value };
    else node = { kind: 'pi', target: c.target, value: c.value };
    children.push(node);
  }
  return {
    kind: 'element',
    name: prefix === null ? raw.local : `${prefix}:${raw.local}`,
    namespace: prefix === null ? (own.get('') ?? null) : (own.get(prefix) as string),
    localName: raw.local,
    attributes,
    children,
  };
}

const misc = fc.oneof(
  fc.constantFrom('\n', '\r\n', ' ', '\t').map((value): XmlNode => ({ kind: 'text', value })),
  comment.map((value): XmlNode => ({ kind: 'comment', value })),
  pi.map((p): XmlNode => ({ kind: 'pi', ...p })),
);

function mergeWhitespace(nodes: XmlNode[]): XmlNode[] {
  const out: XmlNode[] = [];
  for (const node of nodes) {
    const last = out[out.length - 1];
    if (node.kind === 'text' && last?.kind === 'text') last.value += node.value;
    else out.push({ ...node });
  }
  return out;
}

const documents: fc.Arbitrary<XmlDocument> = fc
  .record({
    declaration: fc.option(
      fc.record(
        {
          version: fc.constant('1.0'),
          encoding: fc.constantFrom('UTF-8', 'utf-8'),
          standalone: fc.constantFrom('yes', 'no'),
        },
        { requiredKeys: ['version'] },
      ),
      { nil: undefined },
    ),
    prolog: fc.array(misc, { maxLength: 3 }),
    root: rawElement,
    epilog: fc.array(misc, { maxLength: 3 }),
  })
  .map(({ declaration, prolog, root, epilog }) => ({
    // fc.record builds null-prototype objects; the parser builds plain ones.
    ...(declaration === undefined ? {} : { declaration: { ...declaration } }),
    prolog: mergeWhitespace(prolog),
    root: build(root, new Map()),
    epilog: mergeWhitespace(epilog),
  }));

describe('XML round trip (fast-check)', () => {
  it('parse(serialize(tree)) deep-equals the tree', () => {
    fc.assert(
      fc.property(documents, (doc) => {
        expect(parseXml(serializeXml(doc))).toStrictEqual(doc);
      }),
      { numRuns: 400 },
    );
  });

  it('serialize∘parse is the identity on canonical text, and parse∘serialize∘parse is stable', () => {
    fc.assert(
      fc.property(documents, (doc) => {
        const text = serializeXml(doc);
        const parsed = parseXml(text);
        expect(serializeXml(parsed)).toBe(text);
        expect(serializeXml(parsed, { canonical: true })).toBe(text);
        expect(parseXml(serializeXml(parsed))).toStrictEqual(parsed);
        // Through bytes as well (UTF-8, astral characters included).
        expect(parseXml(Buffer.from(text, 'utf8'))).toStrictEqual(parsed);
      }),
      { numRuns: 300 },
    );
  });

  it('any formatting of the same tree parses to it and is reproduced byte for byte', () => {
    fc.assert(
      fc.property(documents, fc.infiniteStream(fc.nat({ max: 5 })), (doc, choices) => {
        const pick = (() => {
          const it = choices[Symbol.iterator]();
          return () => it.next().value as number;
        })();
        const messy = messySerialize(doc, pick);
        const parsed = parseXml(messy);
        expect(parsed).toStrictEqual(doc);
        expect(serializeXml(parsed)).toBe(messy);
      }),
      { numRuns: 300 },
    );
  });
});

/** A second writer, written independently, that formats the same tree in varied legal ways. */
function messySerialize(doc: XmlDocument, pick: () => number): string {
  const ws = () => [' ', '\n', '\t', '\r\n', '  '][pick() % 5] as string;
  const charRef = (c: string) => {
    const cp = c.codePointAt(0) as number;
    return pick() % 2 === 0 ? `&#${cp};` : `&#x${cp.toString(16)};`;
  };
  const text = (value: string) => {
    let out = '';
    for (const c of value) {
      const r = pick();
      if (c === '&') out += r < 3 ? '&amp;' : charRef(c);
      else if (c === '<') out += r < 3 ? '&lt;' : charRef(c);
      else if (c === '>') out += out.endsWith(']]') || r < 2 ? '&gt;' : '>';
      else if (r === 0) out += charRef(c);
      else out += c;
    }
    return out;
  };
  const attr = (value: string, quote: string) => {
    let out = '';
    for (const c of value) {
      const r = pick();
      if (c === '&') out += '&amp;';
      else if (c === '<') out += '&lt;';
      else if (c === quote) out += quote === '"' ? '&quot;' : '&apos;';
      else if (c === '\t' || c === '\n' || c === '\r') out += charRef(c);
      else if (r === 0) out += charRef(c);
      else out += c;
    }
    return out;
  };
  const leaf = (node: XmlNode): string => {
    if (node.kind === 'text') return node.cdata === true ? `<![CDATA[${node.value}]]>` : text(node.value);
    if (node.kind === 'comment') return `<!--${node.value}-->`;
    if (node.kind === 'pi')
      return node.value === ''
        ? `<?${node.target}${pick() < 2 ? ' ' : ''}?>`
        : `<?${node.target}${ws()}${node.value}?>`;
    return element(node);
  };
  const element = (e: XmlElement): string => {
    let out = `<${e.name}`;
    for (const a of e.attributes) {
      const quote = pick() < 3 ? '"' : "'";
      const eq = pick() === 0 ? `${ws()}=${ws()}` : '=';
      out += `${ws()}${a.name}${eq}${quote}${attr(a.value, quote)}${quote}`;
    }
    const tail = pick() < 3 ? '' : ws();
    if (e.children.length === 0 && pick() < 3) return `${out}${tail}/>`;
    return `${out}${tail}>${e.children.map(leaf).join('')}</${e.name}${pick() < 4 ? '' : ws()}>`;
  };
  let out = '';
  if (doc.declaration !== undefined) {
    const q = () => (pick() < 3 ? '"' : "'");
    const d = doc.declaration;
    const qv = q();
    out += `<?xml${ws()}version=${qv}${d.version}${qv}`;
    if (d.encoding !== undefined) {
      const qe = q();
      out += `${ws()}encoding${pick() === 0 ? ' = ' : '='}${qe}${d.encoding}${qe}`;
    }
    if (d.standalone !== undefined) {
      const qs = q();
      out += `${ws()}standalone=${qs}${d.standalone}${qs}`;
    }
    out += `${pick() < 3 ? '' : ws()}?>`;
  }
  // Prolog/epilog text nodes are whitespace only: written as is.
  const outside = (n: XmlNode) => (n.kind === 'text' ? n.value : leaf(n));
  return out + doc.prolog.map(outside).join('') + element(doc.root) + doc.epilog.map(outside).join('');
}

describe('XML byte forms kept without a declaration (found by review)', () => {
  it('a UTF-16 document with a byte order mark and no declaration is written back as it came', () => {
    const text = '<Package xmlns="urn:x"><Identity Name="abc"/></Package>';
    for (const bytes of [
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
      Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]),
    ]) {
      expect(serializeXmlToBytes(parseXml(bytes)).equals(bytes)).toBe(true);
    }
  });
});
