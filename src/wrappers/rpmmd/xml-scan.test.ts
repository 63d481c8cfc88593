// The XML scanner: every construct it reads and every error it raises, table-driven; the same events whatever the
// chunk boundaries (split everywhere, and one character at a time); and rpm-md documents as the test repos write them.
import { describe, expect, it } from 'vitest';
import { filelistsXml, primaryXml } from './test-repo.ts';
import { scanXml, XmlScanner } from './xml-scan.ts';

type Event = ['open', string, Record<string, string>] | ['close', string, string];

/** The events of a document fed as `chunks`; elements get their text unless `wants` says otherwise. */
function scan(chunks: readonly string[], wants: (name: string) => boolean = () => true): Event[] {
  const events: Event[] = [];
  const s = new XmlScanner({
    open(tag) {
      events.push(['open', tag.name, { ...tag.attributes }]);
      return wants(tag.name);
    },
    close(name, text) {
      events.push(['close', name, text]);
    },
  });
  for (const c of chunks) s.write(c);
  s.close();
  return events;
}

/** The error message of scanning `chunks`, or undefined. */
function failure(chunks: readonly string[]): string | undefined {
  try {
    scan(chunks);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

const everySplit = (xml: string) =>
  Array.from({ length: xml.length + 1 }, (_, i) => [xml.slice(0, i), xml.slice(i)]);
const oneByOne = (xml: string) => [...xml].flatMap((ch) => (ch.length > 1 ? [ch[0]!, ch[1]!] : [ch]));

const leaf = (name: string, attrs: Record<string, string>, text: string): Event[] => [
  ['open', name, attrs],
  ['close', name, text],
];

const VALID: [string, string, Event[]][] = [
  ['a self-closing element: open then close', '<a/>', leaf('a', {}, '')],
  [
    'nested elements with text',
    '<a><b>x</b></a>',
    [['open', 'a', {}], ...leaf('b', {}, 'x'), ['close', 'a', '']],
  ],
  [
    'the XML declaration, processing instructions, comments and whitespace around the root',
    '<?xml version = \'1.0\' encoding="UTF-8" standalone="yes" ?>\n<!-- c -->\n<?xml-stylesheet href="x"?>\n<a/>\n<!-- after -->\n<?pi?>\n',
    leaf('a', {}, ''),
  ],
  [
    "attribute values in either quote, holding '>' or the other quote, with spaces around '='",
    `<a x="1>2" y='say "hi"' z \n=\t'3' w=""/>`,
    leaf('a', { x: '1>2', y: 'say "hi"', z: '3', w: '' }, ''),
  ],
  ['the five named entities', '<a>&lt;&gt;&amp;&quot;&apos;</a>', leaf('a', {}, `<>&"'`)],
  [
    'decimal and hex character references, astral ones included',
    '<a>&#65;&#x42;&#x1F600;&#128512;&#xe9;</a>',
    leaf('a', {}, 'AB😀😀é'),
  ],
  [
    'references in attribute values',
    '<a v="a&amp;b &#x3C; &quot;q&quot;"/>',
    leaf('a', { v: 'a&b < "q"' }, ''),
  ],
  [
    'whitespace characters in attribute values read as spaces, character references to them do not',
    '<a v="x\ny\tz" w="&#10;&#9;"/>',
    leaf('a', { v: 'x y z', w: '\n\t' }, ''),
  ],
  ['CDATA as raw text', '<a>x<![CDATA[<raw> & ]]y]]>z</a>', leaf('a', {}, 'x<raw> & ]]yz')],
  [
    'a DOCTYPE without internal subset',
    '<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">\n<comps/>',
    leaf('comps', {}, ''),
  ],
  [
    "an element's own text, not its children's, comments skipped",
    '<a>x<b>y</b>z<!-- c -->w</a>',
    [['open', 'a', {}], ...leaf('b', {}, 'y'), ['close', 'a', 'xzw']],
  ],
  ['\\r\\n and \\r read as \\n', '<a v="1\r\n2">x\r\ny\rz</a>', leaf('a', { v: '1 2' }, 'x\ny\nz')],
  ['a byte order mark', '\uFEFF<a/>', leaf('a', {}, '')],
  [
    'prefixed, dotted, dashed, digited and non-ASCII names',
    '<rpm:entry é.x-1="v"/>',
    leaf('rpm:entry', { 'é.x-1': 'v' }, ''),
  ],
  [
    'any attribute name as an own key',
    '<a constructor="1" __proto__="2" toString="3"/>',
    leaf('a', { constructor: '1', ['__proto__']: '2', toString: '3' }, ''),
  ],
  ['whitespace before the end of tags', '<a  x="1"\n></a >', leaf('a', { x: '1' }, '')],
  [
    'runs of the same element, with and without attributes',
    '<a><e n="1"/><e/><e n="2"></e><f n="3"/></a>',
    [
      ['open', 'a', {}],
      ...leaf('e', { n: '1' }, ''),
      ...leaf('e', {}, ''),
      ...leaf('e', { n: '2' }, ''),
      ...leaf('f', { n: '3' }, ''),
      ['close', 'a', ''],
    ],
  ],
];

const INVALID: [string, string, RegExp][] = [
  ['a mismatched close tag', '<a><b></a>', /mismatched close tag <\/a>, expected <\/b> \(character 6\)/],
  ['a close tag longer than the open one', '<a><b></bc></a>', /mismatched close tag <\/bc>, expected <\/b>/],
  ['a close tag with an attribute', '<a></a x>', /malformed close tag <\/a>/],
  ['a close tag with no open element', '</a>', /close tag <\/a> without an open element/],
  ['an unknown entity', '<a>&nbsp;</a>', /unknown entity &nbsp;/],
  ['an unknown entity in an attribute', '<a v="&foo;"/>', /unknown entity &foo;/],
  ["a bare '&'", '<a>fish & chips</a>', /unescaped '&'/],
  ["a '&' ending the document", '<a>x&amp', /unescaped '&'/],
  ['a reference to a character XML does not allow', '<a>&#0;</a>', /&#0; is not a valid XML character/],
  ['a reference to a surrogate', '<a>&#xD800;</a>', /not a valid XML character/],
  ['an upper-case X in a hex reference', '<a>&#X41;</a>', /unknown entity &#X41;/],
  ['an unterminated tag', '<a><b x="1"', /unterminated tag/],
  ['an unterminated close tag', '<a></a', /unterminated close tag/],
  ['an unterminated comment', '<a/><!-- x -', /unterminated comment/],
  ['an unterminated CDATA section', '<a><![CDATA[x]]', /unterminated CDATA section/],
  ['an unterminated processing instruction', '<?xml version="1.0"', /unterminated processing instruction/],
  ['an unterminated DOCTYPE', '<!DOCTYPE a "x>', /unterminated DOCTYPE/],
  ['unclosed elements', '<a><b></b>', /unclosed element <a>/],
  ['text before the root element', 'x<a/>', /text before the root element \(character 0\)/],
  ['text after the root element', '<a/>\n x', /text after the root element/],
  ['a second root element', '<a/><b/>', /second root element <b>/],
  ['no root element', '<?xml version="1.0"?>\n<!-- x -->\n', /no root element/],
  ['an empty document', '', /no root element/],
  ["an attribute without '='", '<a b/>', /attribute b of <a> has no value/],
  ['an unquoted attribute value', '<a b=1/>', /value of attribute b of <a> is not quoted/],
  ['a duplicate attribute', '<a b="1" c="2" b="3"/>', /duplicate attribute b in <a>/],
  ['attributes without space between them', '<a b="1"c="2"/>', /no space before attribute in <a>/],
  ["a '<' in an attribute value", '<a b="x<y"/>', /'<' in the value of attribute b of <a>/],
  ["a '/' not closing the tag", '<a / >', /expected '>' after '\/' in <a>/],
  ['a name starting with a digit', '<1a/>', /unexpected "1" after '<'/],
  ["a space after '<'", '< a/>', /unexpected " " after '<'/],
  ['a non-ASCII character XML names do not allow', '<a×/>', /"a×" is not a valid XML name/],
  ['such a character in an attribute name', '<a b·="1" ·c="2"/>', /"·c" is not a valid XML name/],
  ['such a character in a processing instruction target', '<?p× x?><a/>', /"p×" is not a valid XML name/],
  ['a stray character in a tag', '<a "x"/>', /unexpected "\\"" in <a>/],
  [
    'a DOCTYPE with an internal subset',
    '<!DOCTYPE a [<!ENTITY x "y">]><a/>',
    /internal subset is not supported/,
  ],
  ['a DOCTYPE after the root element', '<a><!DOCTYPE a></a>', /DOCTYPE must come once, before the root/],
  ['two DOCTYPEs', '<!DOCTYPE a><!DOCTYPE a><a/>', /DOCTYPE must come once/],
  ['an XML declaration after something', '\n<?xml version="1.0"?><a/>', /XML declaration not at the start/],
  ['an XML declaration without version', '<?xml encoding="UTF-8"?><a/>', /malformed XML declaration/],
  ['an XML declaration with a stray pseudo-attribute', "<?xml version='1.0' x='y'?><a/>", /malformed XML/],
  ['a processing instruction without target', '<a><? x?></a>', /processing instruction without a target/],
  ["'--' inside a comment", '<a><!-- a -- b --></a>', /'--' inside a comment/],
  ['CDATA outside the root element', '<![CDATA[x]]><a/>', /CDATA section outside the root element/],
  ['unknown markup', '<a><!ELEMENT a ANY></a>', /unknown markup after '<!'/],
];

describe('XmlScanner', () => {
  it.each(VALID)('reads %s', (_, xml, events) => {
    expect(scan([xml])).toEqual(events);
  });

  it.each(INVALID)('rejects %s', (_, xml, msg) => {
    expect(() => scan([xml])).toThrow(msg);
  });

  it('gives the same events and errors wherever the chunks split the document', () => {
    for (const [, xml, events] of VALID) {
      for (const chunks of everySplit(xml)) expect(scan(chunks)).toEqual(events);
      expect(scan(oneByOne(xml))).toEqual(events);
    }
    for (const [, xml] of INVALID) {
      const msg = failure([xml]);
      for (const chunks of everySplit(xml)) expect(failure(chunks)).toBe(msg);
      expect(failure(oneByOne(xml))).toBe(msg);
    }
  });

  it('reads one document with every construct the same whole, split anywhere, or one char at a time', () => {
    const xml =
      '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\r\n<!DOCTYPE m PUBLIC "-//x//EN" "m.dtd">\n<!-- head -->\n' +
      '<m xmlns:rpm="http://linux.duke.edu/metadata/rpm" n=\'2\'>\r\n' +
      '  <rpm:entry name="a &amp; b" flags="GE" epoch="0" ver="1&#x2e;0"/><rpm:entry name="(x &gt;= 1)"/>\n' +
      '  <p v = "1>2"><name>n&#x1F600;&lt;</name><d>skipped &amp; <![CDATA[raw <x>]]> text</d></p>\r' +
      '  <t><![CDATA[a]]]]><![CDATA[>b]]></t><?pi x?><!-- c - ->\n --><e/>\n</m>\n<!-- tail -->\n';
    const skipD = (name: string) => name !== 'd';
    const whole = scan([xml], skipD);
    expect(whole).toEqual([
      ['open', 'm', { 'xmlns:rpm': 'http://linux.duke.edu/metadata/rpm', n: '2' }],
      ...leaf('rpm:entry', { name: 'a & b', flags: 'GE', epoch: '0', ver: '1.0' }, ''),
      ...leaf('rpm:entry', { name: '(x >= 1)' }, ''),
      ['open', 'p', { v: '1>2' }],
      ...leaf('name', {}, 'n😀<'),
      ...leaf('d', {}, ''),
      ['close', 'p', ''],
      ...leaf('t', {}, 'a]]>b'),
      ...leaf('e', {}, ''),
      ['close', 'm', '\n  \n  \n  \n'],
    ]);
    for (const chunks of everySplit(xml)) expect(scan(chunks, skipD)).toEqual(whole);
    expect(scan(oneByOne(xml), skipD)).toEqual(whole);
  });

  it('gives no text to elements that do not want it, and checks their references all the same', () => {
    const xml = '<a><b>x &amp; y</b><c>z</c></a>';
    expect(scan([xml], (n) => n === 'c')).toEqual([
      ['open', 'a', {}],
      ...leaf('b', {}, ''),
      ...leaf('c', {}, 'z'),
      ['close', 'a', ''],
    ]);
    expect(() => scan(['<a><b>&bad;</b></a>'], () => false)).toThrow(/unknown entity &bad;/);
  });

  it('reads constructs longer than a chunk, cut anywhere', () => {
    const long = 'x'.repeat(9000);
    const xml = `<a v="${long}"><!--${long}--><b>${long}&amp;</b><![CDATA[${long}]]><c w='${long}'/></a>`;
    const whole = scan([xml]);
    expect(whole).toEqual([
      ['open', 'a', { v: long }],
      ...leaf('b', {}, `${long}&`),
      ...leaf('c', { w: long }, ''),
      ['close', 'a', long],
    ]);
    for (const size of [1000, 4095, 4096, 4097, 5000, 8191, 12000]) {
      const chunks = Array.from({ length: Math.ceil(xml.length / size) }, (_, i) =>
        xml.slice(i * size, (i + 1) * size),
      );
      expect(scan(chunks)).toEqual(whole);
    }
  });

  it('reads test-repo primary.xml and filelists.xml the same whole and in chunks', () => {
    const pkgs = [
      {
        name: 'bash',
        version: '5.1.8',
        release: '9.el9',
        arch: 'x86_64',
        requires: ['pre:/usr/bin/sh', 'filesystem >= 3', '(glibc-langpack-en if glibc)'],
        provides: ['/bin/bash', 'config(bash) = 0:5.1.8-9.el9'],
        files: ['/usr/bin/bash', '/etc/skel/.bashrc', '/usr/share/doc/bash/a&b <c>.txt'],
        dirs: ['/etc/bash.d'],
      },
      { name: 'tzdata', epoch: '1', version: '2024a', release: '1' },
    ];
    const text = new Set(['name', 'arch', 'checksum', 'rpm:sourcerpm', 'file']);
    const primary = primaryXml(pkgs);
    const filelists = filelistsXml(pkgs);
    const files = (events: Event[]) =>
      events.filter((e) => e[0] === 'close' && e[1] === 'file').map((e) => e[2]);
    expect(files(scan([primary], (n) => text.has(n)))).toEqual([
      '/usr/bin/bash',
      '/etc/skel/.bashrc',
      '/etc/bash.d',
    ]);
    expect(files(scan([filelists], (n) => text.has(n)))).toContain('/usr/share/doc/bash/a&b <c>.txt');
    for (const xml of [primary, filelists]) {
      const whole = scan([xml], (n) => text.has(n));
      for (const size of [1, 7, 64, 1000]) {
        const chunks = Array.from({ length: Math.ceil(xml.length / size) }, (_, i) =>
          xml.slice(i * size, (i + 1) * size),
        );
        expect(scan(chunks, (n) => text.has(n))).toEqual(whole);
      }
    }
  });

  it('refuses writes after close, and scanXml reads a whole string', () => {
    const s = new XmlScanner({ open: () => false, close: () => undefined });
    s.write('<a/>');
    s.close();
    expect(() => s.write('<b/>')).toThrow(/write after close/);
    const names: string[] = [];
    scanXml('<r><x/></r>', { open: (t) => (names.push(t.name), false), close: () => undefined });
    expect(names).toEqual(['r', 'x']);
  });
});
