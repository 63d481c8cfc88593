// The XML scanner's bounds against hostile input: a tag, attribute, PI, close tag or wanted text past the token cap
// and nesting past the depth cap are errors, a construct cut by many chunk boundaries costs linear time, and what
// stays under the caps reads exactly as before whatever the chunking. Through parsePrimary the error names the file.
import { describe, expect, it } from 'vitest';
import { RepoMetadataError } from './errors.ts';
import { XML_MAX_TOKEN } from './limits.ts';
import { parsePrimary } from './primary.ts';
import { type XmlScanLimits, XmlScanner } from './xml-scan.ts';

/** Scans `chunks`; returns the error message or the number of elements closed. */
function outcome(chunks: Iterable<string>, limits?: XmlScanLimits, wants = () => true): string | number {
  let closed = 0;
  const s = new XmlScanner({ open: wants, close: () => void closed++ }, limits);
  try {
    for (const c of chunks) s.write(c);
    s.close();
    return closed;
  } catch (err) {
    return (err as Error).message;
  }
}

function* repeat(head: string, piece: string, times: number, end = ''): Generator<string> {
  yield head;
  for (let i = 0; i < times; i++) yield piece;
  if (end) yield end;
}

const CAP = { maxToken: 1000 };

describe('XmlScanner limits', () => {
  it.each([
    ['an unterminated attribute value', '<r><p a="', 'x>"'.slice(0, 2), 'tag longer than 1000 characters'],
    ['an unterminated start tag name', '<r><p', 'q', 'tag longer than 1000 characters'],
    ['spaces without end in a start tag', '<r><p ', ' ', 'tag longer than 1000 characters'],
    ['a terminated but long attribute value', '<r><p a="', 'x', 'tag longer than 1000 characters'],
    ['an unterminated close tag', '<r><p></p', ' ', 'close tag longer than 1000 characters'],
    [
      'an unterminated processing instruction',
      '<?pi ',
      '? >',
      'processing instruction longer than 1000 characters',
    ],
    ['an unterminated DOCTYPE literal', '<!DOCTYPE r SYSTEM "', '>', 'DOCTYPE longer than 1000 characters'],
    ['a wanted text node', '<r><p>', 'text ', 'text of <p> longer than 1000 characters'],
    ['a wanted CDATA section', '<r><p><![CDATA[', ']>', 'text of <p> longer than 1000 characters'],
  ])('refuses %s past the token cap, fed in small chunks', (_, head, piece, msg) => {
    // well past the cap, then what would end the construct: the error comes first, naming where it started
    const got = outcome(repeat(head, piece, 2000, '">x</p></r>'), CAP);
    expect(got).toMatch(new RegExp(`^${msg.replace(/[<>?]/g, '\\$&')} \\(character \\d+\\)$`));
  });

  it('names the offset where the long construct started', () => {
    expect(outcome(repeat('<r>  <p a="', 'x', 2000), CAP)).toBe(
      'tag longer than 1000 characters (character 5)',
    );
  });

  it('reads constructs just under the cap the same in one piece and cut anywhere, quotes holding ">" included', () => {
    const v = `${'>'.repeat(300)}'${'y'.repeat(300)}`;
    const xml = `<r><p a="${v}" b='${'"'.repeat(200)}'>${'t'.repeat(900)}</p><?pi ${'?'.repeat(500)}?><q${' '.repeat(900)}/></r>`;
    expect(outcome([xml], CAP)).toBe(3);
    for (const size of [1, 7, 64, 333, 999])
      expect(outcome(xml.match(new RegExp(`[^]{1,${size}}`, 'g'))!, CAP), `chunks of ${size}`).toBe(3);
  });

  it('lets unwanted text of any length through without holding it', () => {
    expect(outcome(repeat('<r><p>', 'text '.repeat(200), 1000, '</p></r>'), CAP, () => false)).toBe(2);
  });

  it('refuses nesting past the depth cap', () => {
    expect(outcome([`${'<a>'.repeat(10)}${'</a>'.repeat(10)}`], { maxDepth: 10 })).toBe(10);
    expect(outcome(repeat('', '<a>', 11), { maxDepth: 10 })).toBe(
      'elements nested deeper than 10 (character 30)',
    );
    // the default: a stream of opening tags is stopped early, not stacked up for ever
    expect(outcome(repeat('', '<a>'.repeat(1000), 1000))).toMatch(/^elements nested deeper than 256 /);
  });

  it('scans an unterminated construct in linear time: the held tail is not rescanned for every chunk', () => {
    // 16 MiB in 16 KiB chunks under a 64 Mi cap: rescanning the tail each time would touch ~8 G characters
    const chunk = 'x'.repeat(16 * 1024);
    const t = performance.now();
    const got = outcome(repeat('<r><p a="', chunk, 1024), { maxToken: 64 * 2 ** 20 });
    const ms = performance.now() - t;
    expect(got).toMatch(/^unterminated tag \(character 3\)$/);
    expect(ms).toBeLessThan(5000);
  });

  it('stops a default-capped primary.xml at the cap, naming the file', async () => {
    async function* bomb(): AsyncGenerator<string> {
      yield '<?xml version="1.0"?><metadata><package type="rpm"><name attr="';
      const chunk = 'A'.repeat(256 * 1024);
      // 64 MiB would follow; the cap ends it after 4 MiB
      for (let i = 0; i < 256; i++) yield chunk;
    }
    const read = async () => {
      for await (const _ of parsePrimary(bomb(), { what: 'repodata/abc-primary.xml.gz' })) void _;
    };
    const err = await read().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RepoMetadataError);
    expect((err as Error).message).toBe(
      `repodata/abc-primary.xml.gz: not valid XML: tag longer than ${XML_MAX_TOKEN} characters (character 51)`,
    );
  });
});
