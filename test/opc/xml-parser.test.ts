import path from 'node:path';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  AppvError,
  ErrorCode,
  getAttribute,
  MAX_XML_DEPTH,
  MAX_XML_NODES,
  parseXml,
  serializeXml,
  serializeXmlToBytes,
  textContent,
  XML_NAMESPACE,
  XMLNS_NAMESPACE,
  type XmlElement,
  xmlByteForm,
} from '@appv/opc';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../helpers/error-code.js';
import { INVALID_DIR, unzipItem, VALID_DIR, validPackages } from '../manifest/fixtures/msix.js';

function errorOf(run: () => unknown): AppvError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppvError) return error;
    throw new Error(`not an AppvError: ${String(error)}`);
  }
  throw new Error('no error thrown');
}

describe('parseXml: refusals (hostile input, FORMAT.md §9)', () => {
  it.each([
    ['an element named with the xmlns prefix', '<xmlns:a xmlns:a="urn:a"/>', ErrorCode.XML_NAMESPACE],
    ['U+00A0 as white space in the declaration', '<?xml\u00a0version="1.0"?><a/>', ErrorCode.XML_MALFORMED],
    ['U+2028 as white space in the declaration', '<?xml version="1.0"\u2028?><a/>', ErrorCode.XML_MALFORMED],
    ['U+3000 before encoding', '<?xml version="1.0"\u3000encoding="UTF-8"?><a/>', ErrorCode.XML_MALFORMED],
  ])('refuses %s, as XML 1.0 and Namespaces do (found by review)', (_label, text, code) => {
    expect(codeOf(() => parseXml(text))).toBe(code);
  });

  it('refuses elements nested deeper than MAX_XML_DEPTH quickly, and accepts the limit itself (found by fuzzing)', () => {
    const nested = (depth: number) => `${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}`;
    expect(parseXml(nested(MAX_XML_DEPTH)).root.name).toBe('a');
    expect(codeOf(() => parseXml(nested(MAX_XML_DEPTH + 1)))).toBe(ErrorCode.XML_TOO_LARGE);
    const before = process.memoryUsage().heapUsed;
    expect(codeOf(() => parseXml(nested(1_000_000)))).toBe(ErrorCode.XML_TOO_LARGE);
    // Refused at the limit, not after building a million-deep tree (that took ~500 MB).
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses UTF-16LE bytes that declare UTF-16BE, rather than write them back big-endian (found by review)', () => {
    const text = '<?xml version="1.0" encoding="UTF-16BE"?><a/>';
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    expect(codeOf(() => parseXml(bytes))).toBe(ErrorCode.XML_ENCODING);
    const honest = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(text.replace('BE', 'LE'), 'utf16le'),
    ]);
    expect(parseXml(honest).root.name).toBe('a');
  });

  it('refuses any DOCTYPE, including billion laughs, before expanding anything', () => {
    const laughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<lolz>&lol3;</lolz>`;
    expect(codeOf(() => parseXml(laughs))).toBe(ErrorCode.XML_DOCTYPE);
    expect(codeOf(() => parseXml('<!DOCTYPE x [<!ENTITY a "...">]><x>&a;</x>'))).toBe(ErrorCode.XML_DOCTYPE);
    expect(codeOf(() => parseXml('<!doctype x><x/>'))).toBe(ErrorCode.XML_DOCTYPE);
  });

  it('refuses external entities (XXE) and any ENTITY declaration', () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><x>&xxe;</x>';
    expect(codeOf(() => parseXml(xxe))).toBe(ErrorCode.XML_DOCTYPE);
    expect(codeOf(() => parseXml('<x><!ENTITY a "b"></x>'))).toBe(ErrorCode.XML_ENTITY);
  });

  it('refuses references to undeclared entities in text and attributes', () => {
    expect(codeOf(() => parseXml('<x>&xxe;</x>'))).toBe(ErrorCode.XML_ENTITY);
    expect(codeOf(() => parseXml('<x a="&nbsp;"/>'))).toBe(ErrorCode.XML_ENTITY);
    expect(codeOf(() => parseXml('<x>&__proto__;</x>'))).toBe(ErrorCode.XML_ENTITY);
  });

  it('resolves only the five predefined entities and character references', () => {
    const doc = parseXml('<x a="&lt;&gt;&amp;&quot;&apos;&#10;&#x41;">&#65;&#x1F600;&amp;lt;</x>');
    expect(getAttribute(doc.root, null, 'a')).toBe('<>&"\'\nA');
    expect(textContent(doc.root)).toBe('A\u{1F600}&lt;');
  });

  it('reports unbound prefixes as XML_NAMESPACE', () => {
    expect(codeOf(() => parseXml('<p:x/>'))).toBe(ErrorCode.XML_NAMESPACE);
    expect(codeOf(() => parseXml('<x p:a="1"/>'))).toBe(ErrorCode.XML_NAMESPACE);
    expect(codeOf(() => parseXml('<x xmlns:p="u"/><!-- -->'))).toBe('no error');
    expect(codeOf(() => parseXml('<x><y xmlns:p="u"/><p:z/></x>'))).toBe(ErrorCode.XML_NAMESPACE);
    expect(codeOf(() => parseXml('<x xmlns:p=""/>'))).toBe(ErrorCode.XML_NAMESPACE);
    expect(codeOf(() => parseXml('<x xmlns:xml="urn:other"/>'))).toBe(ErrorCode.XML_NAMESPACE);
    expect(codeOf(() => parseXml('<x p:a="1" q:a="2" xmlns:p="u" xmlns:q="u"/>'))).toBe(
      ErrorCode.XML_NAMESPACE,
    );
  });

  it.each([
    ['unclosed element', '<x><y></x>'],
    ['two roots', '<x/><y/>'],
    ['no root', '<!-- only a comment -->'],
    ['text outside the root', 'hello<x/>'],
    ['"]]>" in text', '<x>]]></x>'],
    ['"<" in an attribute', '<x a="<"/>'],
    ['repeated attribute', '<x a="1" a="2"/>'],
    ['unquoted attribute', '<x a=1/>'],
    ['a bare ampersand', '<x>a & b</x>'],
    ['"--" in a comment', '<x><!-- a -- b --></x>'],
    ['a forbidden control character', '<x>\u0001</x>'],
    ['a reference to a forbidden character', '<x>&#0;</x>'],
    ['a lone surrogate', '<x>\uD800</x>'],
    ['a declaration not at the start', ' <?xml version="1.0"?><x/>'],
    ['truncated', '<x><y'],
    ['empty', ''],
  ])('refuses malformed XML: %s', (_what, text) => {
    expect(codeOf(() => parseXml(text))).toBe(ErrorCode.XML_MALFORMED);
  });

  it('gives line, column and a byte offset for malformed XML', () => {
    const error = errorOf(() => parseXml(Buffer.from('<x>\n  <é/>\n  <y a="<"/></x>'), { part: 'Doc.xml' }));
    expect(error.code).toBe(ErrorCode.XML_MALFORMED);
    expect(error.message).toContain('line 3');
    expect(error.message).toContain('Doc.xml');
    expect(error.part).toBe('Doc.xml');
    // The '<' follows '<x>\n  <é/>\n  <y a="', 20 bytes in UTF-8 (é is two bytes).
    expect(error.offset).toBe(20);
  });

  it('refuses oversize input before decoding it', () => {
    expect(codeOf(() => parseXml(Buffer.alloc(101, 0x20), { maxSize: 100 }))).toBe(ErrorCode.XML_TOO_LARGE);
    expect(codeOf(() => parseXml('<x/>', { maxSize: 3 }))).toBe(ErrorCode.XML_TOO_LARGE);
    expect(codeOf(() => parseXml('<x/>', { maxSize: 4 }))).toBe('no error');
  });

  it('refuses more nodes than the limit (a small part can still describe a huge tree)', () => {
    const text = `<r>${'<a b="1"/>'.repeat(50)}</r>`;
    expect(codeOf(() => parseXml(text, { maxNodes: 100 }))).toBe('no error');
    expect(codeOf(() => parseXml(text, { maxNodes: 99 }))).toBe(ErrorCode.XML_TOO_LARGE);
    expect(MAX_XML_NODES).toBeGreaterThanOrEqual(3_000_000);
  });

  it('refuses bytes that are not UTF-8 or BOM-marked UTF-16, and encodings it cannot honour', () => {
    expect(codeOf(() => parseXml(Buffer.from([0x3c, 0x78, 0xff, 0x2f, 0x3e])))).toBe(ErrorCode.XML_ENCODING);
    expect(codeOf(() => parseXml('<?xml version="1.0" encoding="ISO-8859-1"?><x/>'))).toBe(
      ErrorCode.XML_ENCODING,
    );
    expect(codeOf(() => parseXml('<?xml version="1.0" encoding="utf-16"?><x/>'))).toBe(
      ErrorCode.XML_ENCODING,
    );
  });

  it('never lets a non-AppvError escape, even for names fast-xml-parser rejects', () => {
    const doc = parseXml('<__proto__ constructor="1" toString="2"><hasOwnProperty/></__proto__>');
    expect(doc.root.localName).toBe('__proto__');
    expect(getAttribute(doc.root, null, 'constructor')).toBe('1');
  });

  it('does not overflow the stack on nesting as deep as it accepts', () => {
    const depth = MAX_XML_DEPTH;
    const text = `${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}`;
    const doc = parseXml(text);
    expect(serializeXml(doc)).toBe(text);
  });
});

describe('parseXml: namespaces', () => {
  it('resolves default namespaces, prefixes, the xml prefix and unprefixed attributes', () => {
    const doc = parseXml(
      '<Package xmlns="urn:appx" xmlns:appv="urn:appv" xml:lang="en"><Identity Name="n" appv:PackageId="p"/>' +
        '<Applications xmlns="urn:appv"><Application Id="a"/></Applications><appv:X xmlns=""><y/></appv:X></Package>',
    );
    const root = doc.root;
    expect(root.namespace).toBe('urn:appx');
    expect(root.attributes.map((a) => [a.name, a.namespace, a.localName])).toEqual([
      ['xmlns', XMLNS_NAMESPACE, 'xmlns'],
      ['xmlns:appv', XMLNS_NAMESPACE, 'appv'],
      ['xml:lang', XML_NAMESPACE, 'lang'],
    ]);
    const [identity, applications, x] = root.children as [XmlElement, XmlElement, XmlElement];
    expect(identity.namespace).toBe('urn:appx');
    expect(getAttribute(identity, null, 'Name')).toBe('n');
    expect(getAttribute(identity, 'urn:appv', 'PackageId')).toBe('p');
    expect(applications.namespace).toBe('urn:appv');
    expect((applications.children[0] as XmlElement).namespace).toBe('urn:appv');
    expect(x.namespace).toBe('urn:appv');
    expect((x.children[0] as XmlElement).namespace).toBeNull();
  });

  it('a binding ends with its element, for self-closing ones too; an outer one is back in scope after it', () => {
    const doc = parseXml(
      '<r xmlns:p="urn:outer"><a xmlns:p="urn:inner"><p:b/></a><p:c/><d xmlns:q="urn:q"/><e/></r>',
    );
    const [a, c, , e] = doc.root.children as XmlElement[];
    expect(((a as XmlElement).children[0] as XmlElement).namespace).toBe('urn:inner');
    expect((c as XmlElement).namespace).toBe('urn:outer');
    expect(codeOf(() => parseXml('<r><d xmlns:q="urn:q"/><q:e/></r>'))).toBe(ErrorCode.XML_NAMESPACE);
    expect((e as XmlElement).namespace).toBeNull();
  });

  it('a declaration at each of 1,000 levels (found by review: each level copied every binding, 2 GB for 229 KB at 10,000)', () => {
    const depth = MAX_XML_DEPTH - 2;
    let open = '';
    for (let i = 0; i < depth; i++) open += `<e xmlns:p${i}="urn:${i}">`;
    const text = `<r>${open}<p0:x p${depth - 1}:y="1"/>${'</e>'.repeat(depth)}<p0:z/></r>`;
    expect(codeOf(() => parseXml(text))).toBe(ErrorCode.XML_NAMESPACE); // p0 is out of scope at the end
    const doc = parseXml(text.replace('<p0:z/>', ''));
    let element = doc.root;
    for (let i = 0; i <= depth; i++) element = element.children[0] as XmlElement;
    expect(element.namespace).toBe('urn:0');
    expect(element.attributes[0]?.namespace).toBe(`urn:${depth - 1}`);
  });
});

describe('parseXml: many attributes on one element', () => {
  it('finds a repeated attribute among 40,000 (found by review: each was compared with every earlier one)', () => {
    const names = Array.from({ length: 40_000 }, (_, i) => `a${i}=""`);
    expect(parseXml(`<r ${names.join(' ')}/>`).root.attributes).toHaveLength(40_000);
    expect(codeOf(() => parseXml(`<r ${names.join(' ')} a123=""/>`))).toBe(ErrorCode.XML_MALFORMED);
    expect(codeOf(() => parseXml('<r a="" b="" a=""/>'))).toBe(ErrorCode.XML_MALFORMED);
  });
});

describe('parseXml: names', () => {
  it('reads names that start ASCII and go on past it, or start past it, whole', () => {
    const doc = parseXml('<Données été="1" a-é.b="2"><éx/><x·y/></Données>');
    expect(doc.root.name).toBe('Données');
    expect(doc.root.attributes.map((a) => [a.name, a.value])).toEqual([
      ['été', '1'],
      ['a-é.b', '2'],
    ]);
    expect(doc.root.children.map((c) => (c as XmlElement).name)).toEqual(['éx', 'x·y']);
  });

  it('refuses what no name can start with, and keeps the whitespace between attributes as written', () => {
    expect(codeOf(() => parseXml('<x 1a="v"/>'))).toBe(ErrorCode.XML_MALFORMED);
    expect(codeOf(() => parseXml('<·x/>'))).toBe(ErrorCode.XML_MALFORMED);
    const text = '<x\ta="1"\r\n  b="2" \n/>';
    expect(serializeXml(parseXml(text))).toBe(text);
  });
});

describe('parseXml: encodings', () => {
  it('reads UTF-16 LE and BE with a BOM and writes them back identically', () => {
    const text = '<?xml version="1.0" encoding="utf-16"?><x a="é">\u{1F600}</x>';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le).swap16();
    for (const [bytes, encoding] of [
      [le, 'utf-16le'],
      [be, 'utf-16be'],
    ] as const) {
      const doc = parseXml(bytes);
      expect(textContent(doc.root)).toBe('\u{1F600}');
      expect(xmlByteForm(doc)).toEqual({ encoding, bom: true });
      expect(serializeXmlToBytes(doc).equals(bytes)).toBe(true);
    }
  });

  it('strips a UTF-8 BOM and restores it on output', () => {
    const bytes = Buffer.from('\ufeff<?xml version="1.0" encoding="utf-8"?>\r\n<x/>', 'utf8');
    const doc = parseXml(bytes);
    expect(doc.prolog).toEqual([{ kind: 'text', value: '\r\n' }]);
    expect(serializeXml(doc)).toBe('<?xml version="1.0" encoding="utf-8"?>\r\n<x/>');
    expect(serializeXmlToBytes(doc).equals(bytes)).toBe(true);
  });

  it('reads the UTF-16 BlockMaps of the invalid MSIX fixtures', () => {
    const bytes = unzipItem(path.join(INVALID_DIR, 'Duplicate_file_in_blockmap.appx'), 'AppxBlockMap.xml');
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xfe]));
    const doc = parseXml(bytes);
    expect(doc.root.localName).toBe('BlockMap');
    expect(serializeXmlToBytes(doc).equals(bytes)).toBe(true);
  });
});

describe('parseXml: keeps everything', () => {
  it('keeps the declaration, comments, PIs, CDATA, whitespace and attribute order', () => {
    const text =
      '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<!-- c --><?pi some data?>\n' +
      '<r z="1" a="2" m="3"> <x/>t<![CDATA[<raw & stuff>]]><?p2?><!---->\n</r>\n<!-- after -->';
    const doc = parseXml(text);
    expect(doc.declaration).toEqual({ version: '1.0', encoding: 'UTF-8', standalone: 'no' });
    expect(doc.prolog).toEqual([
      { kind: 'text', value: '\n' },
      { kind: 'comment', value: ' c ' },
      { kind: 'pi', target: 'pi', value: 'some data' },
      { kind: 'text', value: '\n' },
    ]);
    expect(doc.root.attributes.map((a) => a.name)).toEqual(['z', 'a', 'm']);
    expect(doc.root.children).toEqual([
      { kind: 'text', value: ' ' },
      { kind: 'element', name: 'x', namespace: null, localName: 'x', attributes: [], children: [] },
      { kind: 'text', value: 't' },
      { kind: 'text', value: '<raw & stuff>', cdata: true },
      { kind: 'pi', target: 'p2', value: '' },
      { kind: 'comment', value: '' },
      { kind: 'text', value: '\n' },
    ]);
    expect(doc.epilog).toEqual([
      { kind: 'text', value: '\n' },
      { kind: 'comment', value: ' after ' },
    ]);
    expect(serializeXml(doc)).toBe(text);
  });

  it('reproduces non-canonical formatting while values are unchanged, canonical style once changed', () => {
    const text = '<r  b = \'x&#65;"\' c="1"\r\n>a&#x42;></r ><e></e><f />';
    const wrapped = `<w>${text}</w>`;
    const doc = parseXml(wrapped);
    expect(serializeXml(doc)).toBe(wrapped);
    const r = doc.root.children[0] as XmlElement;
    expect(getAttribute(r, null, 'b')).toBe('xA"');
    (r.attributes[0] as { value: string }).value = 'y';
    expect(serializeXml(doc)).toBe('<w><r b="y" c="1"\r\n>a&#x42;></r ><e></e><f /></w>');
    expect(serializeXml(doc, { canonical: true })).toBe('<w><r b="y" c="1">aB&gt;</r><e/><f/></w>');
  });

  it('normalises literal whitespace in attribute values and writes it back as references', () => {
    const doc = parseXml('<x a="1\r\n2\t3\n4" b="&#9;&#10;&#13;"/>');
    expect(getAttribute(doc.root, null, 'a')).toBe('1 2 3 4');
    expect(getAttribute(doc.root, null, 'b')).toBe('\t\n\r');
    expect(serializeXml(doc, { canonical: true })).toBe('<x a="1 2 3 4" b="&#9;&#10;&#13;"/>');
  });

  it('keeps CR LF in text (Windows documents round-trip byte for byte)', () => {
    const doc = parseXml('<x>\r\n  <y/>\r\n</x>');
    expect(doc.root.children[0]).toEqual({ kind: 'text', value: '\r\n  ' });
  });
});

describe('serializeXml: refuses to write what could not be read back', () => {
  const element = (over: Partial<XmlElement>): XmlElement => ({
    kind: 'element',
    name: 'x',
    namespace: null,
    localName: 'x',
    attributes: [],
    children: [],
    ...over,
  });
  const doc = (root: XmlElement) => ({ prolog: [], root, epilog: [] });
  it.each([
    [
      'a comment with --',
      element({ children: [{ kind: 'comment', value: 'a--b' }] }),
      ErrorCode.XML_MALFORMED,
    ],
    [
      'CDATA with ]]>',
      element({ children: [{ kind: 'text', value: ']]>', cdata: true }] }),
      ErrorCode.XML_MALFORMED,
    ],
    [
      'a PI with ?>',
      element({ children: [{ kind: 'pi', target: 't', value: '?>' }] }),
      ErrorCode.XML_MALFORMED,
    ],
    ['a NUL in text', element({ children: [{ kind: 'text', value: '\u0000' }] }), ErrorCode.XML_MALFORMED],
    ['a bad element name', element({ name: '1x' }), ErrorCode.XML_MALFORMED],
    ['an undeclared prefix', element({ name: 'p:x' }), ErrorCode.XML_NAMESPACE],
  ])('%s', (_what, root, code) => {
    expect(codeOf(() => serializeXml(doc(root)))).toBe(code);
  });
});

describe('real documents (MSIX SDK fixtures, extracted with the system unzip)', () => {
  const packages = validPackages();
  it('has the fixtures', () => {
    expect(packages.length).toBeGreaterThanOrEqual(6);
  });

  // fast-xml-parser's own tree is an independent reading to compare names, attributes and text with.
  const reference = new XMLParser({
    preserveOrder: true,
    processEntities: false,
    htmlEntities: false,
    ignoreAttributes: false,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    attributeNamePrefix: '',
    commentPropName: '#comment',
    cdataPropName: '#cdata',
  });
  type RefNode = Record<string, unknown>;
  const refElements = (nodes: RefNode[], out: { name: string; attrs: Record<string, string> }[] = []) => {
    for (const node of nodes) {
      const name = Object.keys(node).find((k) => k !== ':@');
      if (name === undefined || name.startsWith('#') || name.startsWith('?')) continue;
      out.push({ name, attrs: (node[':@'] as Record<string, string> | undefined) ?? {} });
      refElements(node[name] as RefNode[], out);
    }
    return out;
  };
  const ourElements = (root: XmlElement) => {
    const out: { name: string; attrs: Record<string, string> }[] = [];
    const walk = (e: XmlElement) => {
      out.push({ name: e.name, attrs: Object.fromEntries(e.attributes.map((a) => [a.name, a.value])) });
      for (const c of e.children) if (c.kind === 'element') walk(c);
    };
    walk(root);
    return out;
  };

  for (const name of validPackages()) {
    for (const item of ['AppxBlockMap.xml', 'AppxManifest.xml', '[Content_Types].xml']) {
      it(`${name} ${item}: byte-identical round trip, same elements as fast-xml-parser`, () => {
        const bytes = unzipItem(path.join(VALID_DIR, name), item);
        const doc = parseXml(bytes, { part: item });
        expect(serializeXmlToBytes(doc).equals(bytes)).toBe(true);
        const text = bytes.toString('utf8').replace(/^\ufeff/, '');
        const theirs = refElements(reference.parse(text) as RefNode[]);
        // Their attribute values are raw (entities unresolved); these documents use none.
        expect(ourElements(doc.root)).toEqual(theirs);
        // The canonical form re-parses to the same tree.
        expect(parseXml(serializeXml(doc, { canonical: true }))).toEqual(doc);
      });
    }
  }
});

describe('parseXml: onElement (streaming a long list)', () => {
  const text = '<r xmlns="urn:x"><a n="1"><b/></a><!-- c --><a n="2"/><z:q xmlns:z="urn:z"/></r>';

  it('offers each element as it ends, with its depth and the root, children complete', () => {
    const seen: string[] = [];
    parseXml(text, {
      onElement: (element, depth, root) => {
        seen.push(`${element.localName}@${depth}:${element.children.length}:${root.localName}`);
        return false;
      },
    });
    expect(seen).toEqual(['b@2:0:r', 'a@1:1:r', 'a@1:0:r', 'q@1:0:r', 'r@0:4:r']);
  });

  it('drops what it takes from the tree and keeps the rest, namespaces resolved', () => {
    const taken: XmlElement[] = [];
    const document = parseXml(text, {
      onElement: (element, depth) => {
        if (depth !== 1 || element.localName !== 'a') return false;
        taken.push(element);
        return true;
      },
    });
    expect(taken.map((a) => getAttribute(a, null, 'n'))).toEqual(['1', '2']);
    expect(taken.every((a) => a.namespace === 'urn:x')).toBe(true);
    expect(document.root.children.map((c) => (c.kind === 'element' ? c.localName : c.kind))).toEqual([
      'comment',
      'q',
    ]);
  });

  it('a document that goes wrong after elements were taken still fails with its XML code', () => {
    let taken = 0;
    const broken = `<r>${'<a/>'.repeat(5)}<b></r>`;
    expect(codeOf(() => parseXml(broken, { onElement: () => ++taken > 0 }))).toBe(ErrorCode.XML_MALFORMED);
    expect(taken).toBe(5);
  });
});

describe('a parsed document does not keep its text alive', () => {
  // V8 cuts a slice of 13 characters or more as a view into the whole string: a single attribute value kept
  // from the tree would pin the document's text (megabytes for a large BlockMap) if the parser kept slices.
  v8.setFlagsFromString('--expose-gc');
  const collect = runInNewContext('gc') as () => void;

  it.each([
    ['an attribute value', (root: XmlElement) => getAttribute(root.children[1] as XmlElement, null, 'Name')],
    [
      'a text node',
      (root: XmlElement) => ((root.children[3] as XmlElement).children[0] as { value: string }).value,
    ],
    ['an element name', (root: XmlElement) => (root.children[5] as XmlElement).name],
  ])('keeping %s costs its own length, not the document', (_, pick) => {
    const row = (i: number) =>
      `<LongElementName${i % 7} Name="Root\\VFS\\ProgramFilesX86\\Vendor App\\file-number-${i}.dll">text of element ${i} and some more</LongElementName${i % 7}>`;
    const bytes = Buffer.from(
      `<Doc>\n${Array.from({ length: 40_000 }, (_, i) => row(i)).join('\n')}\n</Doc>`,
    );
    expect(bytes.length).toBeGreaterThan(4_000_000);
    // Parsed in a function of its own: its frame (and the tree) is gone when it returns.
    const parseAndKeep = () => pick(parseXml(bytes).root);
    collect();
    const before = process.memoryUsage().heapUsed;
    let kept: string | undefined = parseAndKeep();
    collect();
    const retained = process.memoryUsage().heapUsed - before;
    expect(kept?.length).toBeGreaterThan(13);
    expect(retained).toBeLessThan(1_000_000);
    kept = undefined;
  });
});
