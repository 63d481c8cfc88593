// A streaming XML scanner for rpm-md metadata (primary, filelists, repomd, comps), written for speed: it walks the
// text with indexOf/charCodeAt, keeps only the unconsumed tail between writes, and builds an element's text only
// when the consumer asked for it, so descriptions and the like are skipped without a copy. It checks what makes a
// document well-formed in practice (nesting, one root, quoting, entities, stray text) and throws a plain Error
// naming the character offset; it does not validate every character class, and a DOCTYPE may not declare anything.
// Memory and time stay linear in the input whatever it holds: a construct cut by a chunk boundary is held until its
// end arrives, without being rescanned, and none (tag, wanted text, nesting) may grow past a fixed bound.

import { detach } from './intern.ts';
import { XML_MAX_DEPTH, XML_MAX_TOKEN } from './limits.ts';

export interface XmlTag {
  /** The qualified name, prefix included ("rpm:entry"). */
  name: string;
  /** Attribute values with entities decoded, keyed by qualified name. */
  attributes: Record<string, string>;
}

export interface XmlScanLimits {
  /** Longest tag, processing instruction, DOCTYPE or wanted text, in characters (default XML_MAX_TOKEN). */
  maxToken?: number;
  /** Deepest nesting of elements (default XML_MAX_DEPTH). */
  maxDepth?: number;
}

export interface XmlScanHandlers {
  /** An element starts. Return true to receive its text in close(). */
  open(tag: XmlTag): boolean;
  /**
   * An element ends (right after open() for `<a/>`). `text` is its own character data, entities decoded and CDATA
   * included (not its children's), when open() returned true; '' otherwise.
   */
  close(name: string, text: string): void;
}

const TEXT = 0;
const COMMENT = 1;
const CDATA = 2;

// what the construct held in the tail waits for (see write()): nothing, '>' outside quotes, '>', or '?>'
const NO_WAIT = 0;
const WAIT_TAG = 1;
const WAIT_GT = 2;
const WAIT_PI = 3;

const GT = 62;
const SLASH = 47;
const EQ = 61;
const DQUOTE = 34;
const SQUOTE = 39;

const NAME_CACHE_SIZE = 512;
/** What the find* searches give when there is no such character ahead: more than any buffer length. */
const NONE = 2 ** 30;
/** Tags starting this close to the end of the buffer are checked for their '>' before they are read. */
const NEAR_END = 1024;
/** How much of a chunk write() joins to the previous tail (see there). */
const STITCH = 4096;
// version, then optionally encoding and standalone, as XML 1.0 has them (encoding names as saxes took them)
const XML_DECL =
  /^<\?xml\s+version\s*=\s*(["'])1\.[0-9]+\1(?:\s+encoding\s*=\s*(["'])[A-Za-z0-9][A-Za-z0-9._-]*\2)?(?:\s+standalone\s*=\s*(["'])(?:yes|no)\3)?\s*\?>$/;
/** Entity references longer than this that end a chunk unterminated are an error, not something to wait for. */
const MAX_REF = 64;

// 1: may start a name, 2: may continue one (ASCII; everything from U+0080 on is let through, and XML_NAME checks
// each new name)
const NAME = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_:]/.test(ch)) NAME[c] = 3;
  else if (/[0-9.-]/.test(ch)) NAME[c] = 2;
}
const isNameStart = (c: number) => c >= 128 || (NAME[c]! & 1) !== 0;
const isNameChar = (c: number) => c >= 128 || (NAME[c]! & 2) !== 0;
// XML 1.0's NameStartChar and NameChar
const NAME_START = String.raw`:A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\u{10000}-\u{EFFFF}`;
const XML_NAME = new RegExp(
  // eslint-disable-next-line no-misleading-character-class -- code point ranges from the spec, nothing to combine
  String.raw`^[${NAME_START}][${NAME_START}\-.0-9\u00B7\u0300-\u036F\u203F\u2040]*$`,
  'u',
);
// attribute objects inherit from an empty object rather than Object.prototype, so any name (even "constructor" or
// "__proto__") is an own key, while staying fast-property objects (Object.create(null) gives slow dictionaries)
const NO_PROTO: object = Object.create(null);
const NO_ATTRIBUTES: Record<string, string> = Object.freeze(Object.create(NO_PROTO));
// carriage returns never get here: write() turns them into newlines first
const isSpace = (c: number) => c === 32 || c === 10 || c === 9;

export class XmlScanner {
  private tail = '';
  /** Document offset of tail[0], for error messages. */
  private base = 0;
  private mode = TEXT;
  private started = false;
  private pendingCr = false;
  private closed = false;
  private sawRoot = false;
  private sawDoctype = false;
  /**
   * The open elements by depth: name, whether it wants its text, and the text so far. Never shrunk: names[depth]
   * is the last element read at that depth, the first guess for the next one.
   */
  private depth = 0;
  private readonly names: string[] = [];
  private readonly wants: boolean[] = [];
  private readonly texts: string[] = [];
  /** Whether the innermost open element wants its text. */
  private cap = false;
  /** The attribute names of the tag being read, for the duplicate check. */
  private readonly seen: string[] = [];
  /** Recent names by a hash of their characters, so a repeated name is neither copied nor hashed again as a key. */
  private readonly nameCache: string[] = new Array<string>(NAME_CACHE_SIZE).fill('');
  // the text being scanned, and the next '<', '&', '\n', '\t' at or after the last search (NONE: none)
  private buf = '';
  private len = 0;
  private lt = -1;
  private amp = -1;
  private nl = -1;
  private tab = -1;
  /**
   * While the tail is a construct cut by a chunk boundary, what ends it, the chunks since (not yet joined to it)
   * and the search state carried across them (the open quote; whether the last character was '?').
   */
  private wait = NO_WAIT;
  private pending: string[] = [];
  private pendingLen = 0;
  private quote = 0;
  private question = false;
  private readonly maxToken: number;
  private readonly maxDepth: number;

  constructor(
    private readonly h: XmlScanHandlers,
    limits: XmlScanLimits = {},
  ) {
    this.maxToken = limits.maxToken ?? XML_MAX_TOKEN;
    this.maxDepth = limits.maxDepth ?? XML_MAX_DEPTH;
  }

  /** Feeds the next piece of the document; pieces may split it anywhere. */
  write(chunk: string): void {
    if (this.closed) throw new Error('write after close');
    if (!chunk) return;
    if (!this.started) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    if (this.pendingCr) {
      chunk = `\r${chunk}`;
      this.pendingCr = false;
    }
    if (chunk.indexOf('\r') >= 0) {
      // XML reads \r\n and a lone \r as \n; a \r ending the chunk waits to see whether \n follows
      if (chunk.charCodeAt(chunk.length - 1) === 13) {
        this.pendingCr = true;
        chunk = chunk.slice(0, -1);
      }
      chunk = chunk.replace(/\r\n?/g, '\n');
    }
    let stitch = STITCH;
    if (this.wait !== NO_WAIT) {
      // Parsing the cut construct again with every chunk would be quadratic (and a hostile one never ends): the
      // chunks are only searched for its end, each once, and set aside until it comes.
      const end = this.endIn(chunk);
      if (end < 0 || this.tail.length + this.pendingLen + end > this.maxToken) {
        this.pending.push(chunk);
        this.pendingLen += chunk.length;
        if (this.tail.length + this.pendingLen > this.maxToken) this.tooLong();
        return;
      }
      if (this.pending.length) this.tail += this.pending.join('');
      this.pending = [];
      this.pendingLen = 0;
      this.wait = NO_WAIT;
      stitch = Math.max(STITCH, end);
    }
    const tail = this.tail;
    if (!tail) this.scan(chunk, 0, false);
    else {
      // Joining the tail to the whole chunk would copy it, or leave a ConsString that slows every charCodeAt; so
      // the construct cut by the boundary is finished in a small string, and the chunk scanned from where it ends.
      const head = tail + chunk.slice(0, stitch);
      this.scan(head, 0, false);
      if (chunk.length > stitch) {
        const done = head.length - this.tail.length - tail.length;
        if (done >= 0) this.scan(chunk, done, false);
        else this.scan(this.tail + chunk.slice(stitch), 0, false);
      }
    }
    if (this.tail.length > 1) this.armWait();
  }

  /** The tail is a construct the buffer ended in: note what ends it, and search the tail for it once. */
  private armWait(): void {
    const t = this.tail;
    if (t.length > this.maxToken) this.tooLong();
    if (t.charCodeAt(0) !== 60 /* < */ || this.mode !== TEXT) return;
    const c = t.charCodeAt(1);
    // '<!-' and the like are a few characters; anything else after '<!' is an error already
    if (c === 33 /* ! */ && !t.startsWith('<!DOCTYPE')) return;
    this.wait = c === SLASH ? WAIT_GT : c === 63 /* ? */ ? WAIT_PI : WAIT_TAG;
    this.quote = 0;
    this.question = false;
    // the scan stopped because the buffer ended first, so its end is not in it; if the search disagrees, the
    // construct is malformed in a way the parser reports once it sees more: let it
    if (this.endIn(t, c === 63 ? 2 : 1) >= 0) this.wait = NO_WAIT;
  }

  /** Where the awaited construct ends in `s` (the index after its last character), or -1; carries state on. */
  private endIn(s: string, from = 0): number {
    const n = s.length;
    if (this.wait === WAIT_PI) {
      let q = this.question;
      for (let i = from; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c === GT && q) return i + 1;
        q = c === 63;
      }
      this.question = q;
      return -1;
    }
    if (this.wait === WAIT_GT) {
      const i = s.indexOf('>', from);
      return i < 0 ? -1 : i + 1;
    }
    // quotes only delimit attribute values (a DOCTYPE's literals too): a '>' inside one does not end the tag
    let q = this.quote;
    for (let i = from; i < n; i++) {
      const c = s.charCodeAt(i);
      if (q) {
        if (c === q) q = 0;
      } else if (c === GT) return i + 1;
      else if (c === DQUOTE || c === SQUOTE) q = c;
    }
    this.quote = q;
    return -1;
  }

  private tooLong(): never {
    const kind = markupKind(this.tail);
    // offsets are relative to the tail here
    return this.fail(`${kind} longer than ${this.maxToken} characters`, 0);
  }

  /** Ends the document: throws if anything is left open or unterminated. */
  close(): void {
    if (this.closed) return;
    const tail = this.pending.length ? this.tail + this.pending.join('') : this.tail;
    this.pending = [];
    this.scan(this.pendingCr ? `${tail}\n` : tail, 0, true);
    this.closed = true;
    // offsets are now relative to the tail
    const end = this.tail.length;
    if (this.mode === COMMENT) this.fail('unterminated comment', end);
    if (this.mode === CDATA) this.fail('unterminated CDATA section', end);
    if (this.tail) this.fail(`unterminated ${markupKind(this.tail)}`, 0);
    if (this.depth > 0) this.fail(`unclosed element <${this.names[this.depth - 1]}>`, end);
    if (!this.sawRoot) this.fail('no root element', end);
  }

  /** Scans buf from `pos`, which is at document offset `base`; keeps what it could not finish as the tail. */
  private scan(buf: string, pos: number, final: boolean): void {
    const len = buf.length;
    this.buf = buf;
    this.len = len;
    this.lt = this.amp = this.nl = this.tab = -1;
    this.base -= pos;
    while (pos < len) {
      if (this.mode === COMMENT) {
        pos = this.comment(pos);
        if (this.mode === COMMENT) break;
        continue;
      }
      if (this.mode === CDATA) {
        pos = this.cdata(pos);
        if (this.mode === CDATA) break;
        continue;
      }
      const lt = this.findLt(pos);
      if (lt >= len) {
        pos = this.trailingText(pos, final);
        break;
      }
      if (pos < lt) this.text(pos, lt);
      const next = this.markup(lt);
      if (next < 0) {
        pos = lt;
        break;
      }
      pos = next;
    }
    this.base += pos;
    this.tail = pos < len ? buf.slice(pos) : '';
  }

  // The next '<', '&', '\n' or '\t' at or after `from` (NONE when none). Each search result is kept until the scan
  // passes it, so every character is searched once per write: indexOf is several times faster than a charCodeAt
  // loop, but a call costs as much as a few characters, so it is not repeated for every value.
  private findLt(from: number): number {
    if (this.lt < from) this.lt = this.indexOf('<', from);
    return this.lt;
  }
  private findAmp(from: number): number {
    if (this.amp < from) this.amp = this.indexOf('&', from);
    return this.amp;
  }
  private findNl(from: number): number {
    if (this.nl < from) this.nl = this.indexOf('\n', from);
    return this.nl;
  }
  private findTab(from: number): number {
    if (this.tab < from) this.tab = this.indexOf('\t', from);
    return this.tab;
  }
  private indexOf(ch: string, from: number): number {
    const i = this.buf.indexOf(ch, from);
    return i < 0 ? NONE : i;
  }

  /** Character data in [s, e) with no markup in it. */
  private text(s: number, e: number): void {
    if (this.depth === 0) {
      const buf = this.buf;
      for (let i = s; i < e; i++) {
        if (!isSpace(buf.charCodeAt(i)))
          this.fail(`text ${this.sawRoot ? 'after' : 'before'} the root element`, i);
      }
    } else if (this.cap) {
      const t = this.findAmp(s) < e ? this.decode(s, e) : this.buf.slice(s, e);
      this.addText(t, s);
    } else if (this.findAmp(s) < e) {
      // nobody reads it, but a bad reference is still an error
      this.decode(s, e);
    }
  }

  /** Adds to the wanted text of the innermost element, which starts at `at` at the latest. */
  private addText(t: string, at: number): void {
    const d = this.depth - 1;
    const all = this.texts[d]! + t;
    if (all.length > this.maxToken)
      this.fail(`text of <${this.names[d]}> longer than ${this.maxToken} characters`, at);
    this.texts[d] = all;
  }

  /** Text running to the end of the buffer: a reference cut by the chunk boundary waits for the next write. */
  private trailingText(pos: number, final: boolean): number {
    let cut = this.len;
    if (!final && this.findAmp(pos) < cut) {
      const a = this.buf.lastIndexOf('&');
      if (this.buf.indexOf(';', a) < 0 && cut - a <= MAX_REF) cut = a;
    }
    if (cut > pos) this.text(pos, cut);
    return cut;
  }

  /** The construct starting with '<' at `lt`: returns where it ends, or -1 when the buffer ends first. */
  private markup(lt: number): number {
    const buf = this.buf;
    if (lt + 1 >= this.len) return -1;
    const c = buf.charCodeAt(lt + 1);
    if (c !== 33 /* ! */) {
      // a tag cut by the end of the buffer: tell without the tag readers, whose rarely taken exits would cost
      // their optimised code
      if (lt + NEAR_END > this.len && buf.indexOf('>', lt) < 0) return -1;
      if (c === SLASH) return this.closeTag(lt);
      if (c === 63 /* ? */) return this.pi(lt);
      return this.openTag(lt);
    }
    if (buf.startsWith('<!--', lt)) {
      this.mode = COMMENT;
      return lt + 4;
    }
    if (buf.startsWith('<![CDATA[', lt)) {
      if (this.depth === 0) this.fail('CDATA section outside the root element', lt);
      this.mode = CDATA;
      return lt + 9;
    }
    if (buf.startsWith('<!DOCTYPE', lt)) return this.doctype(lt);
    const seen = buf.slice(lt, lt + 9);
    if (['<!--', '<![CDATA[', '<!DOCTYPE'].some((m) => seen.length < m.length && m.startsWith(seen)))
      return -1;
    return this.fail("unknown markup after '<!' (only comments, CDATA sections and a DOCTYPE are read)", lt);
  }

  // Reads stay within the buffer (c is -1 past its end): an out-of-bounds charCodeAt is NaN, which makes V8 throw
  // away the optimised code every time a chunk boundary cuts a tag.
  private openTag(lt: number): number {
    const buf = this.buf;
    const len = this.len;
    const d = this.depth;
    // elements come in runs (<rpm:entry> after <rpm:entry>): try the last name opened at this depth first
    let name = this.names[d];
    let i = name === undefined ? len : lt + 1 + name.length;
    let c = i < len ? buf.charCodeAt(i) : -1;
    if (c < 0 || isNameChar(c) || buf.slice(lt + 1, i) !== name) {
      i = lt + 1;
      if (!isNameStart(buf.charCodeAt(i))) this.fail(`unexpected ${this.charAt(i)} after '<'`, i);
      while (++i < len && isNameChar(buf.charCodeAt(i)));
      if (i >= len) return -1;
      name = this.name(lt + 1, i);
    }
    // half the elements have none: they share one frozen empty object
    let attributes = NO_ATTRIBUTES;
    const seen = this.seen;
    let count = 0;
    for (;;) {
      const ws = i;
      c = i < len ? buf.charCodeAt(i) : -1;
      while (isSpace(c)) c = ++i < len ? buf.charCodeAt(i) : -1;
      if (c === GT) {
        i++;
        break;
      }
      if (c === SLASH) {
        if (i + 1 >= len) return -1;
        if (buf.charCodeAt(i + 1) !== GT) this.fail(`expected '>' after '/' in <${name}>`, i + 1);
        i++;
        break;
      }
      if (c < 0) return -1;
      if (!isNameStart(c)) this.fail(`unexpected ${this.charAt(i)} in <${name}>`, i);
      if (i === ws) this.fail(`no space before attribute in <${name}>`, i);
      const ns = i;
      // a name seen before is found whole up to the '=', else it is read char by char
      const eq = buf.indexOf('=', i);
      let attr = eq > i ? this.cachedName(i, eq) : undefined;
      if (attr !== undefined) i = eq;
      else {
        while (++i < len && isNameChar(buf.charCodeAt(i)));
        attr = this.name(ns, i);
        c = i < len ? buf.charCodeAt(i) : -1;
        while (isSpace(c)) c = ++i < len ? buf.charCodeAt(i) : -1;
        if (c < 0) return -1;
        if (c !== EQ) this.fail(`attribute ${attr} of <${name}> has no value`, i);
      }
      c = ++i < len ? buf.charCodeAt(i) : -1;
      while (isSpace(c)) c = ++i < len ? buf.charCodeAt(i) : -1;
      if (c < 0) return -1;
      if (c !== DQUOTE && c !== SQUOTE) this.fail(`value of attribute ${attr} of <${name}> is not quoted`, i);
      const vs = i + 1;
      const q = buf.indexOf(c === DQUOTE ? '"' : "'", vs);
      if (this.findLt(vs) < (q < 0 ? len : q))
        this.fail(`'<' in the value of attribute ${attr} of <${name}>`, this.lt);
      if (q < 0) return -1;
      // names come from the cache, so this mostly compares pointers; cheaper than a lookup in `attributes`
      for (let k = 0; k < count; k++)
        if (seen[k] === attr) this.fail(`duplicate attribute ${attr} in <${name}>`, ns);
      if (count === 0) attributes = Object.create(NO_PROTO) as Record<string, string>;
      seen[count++] = attr;
      attributes[attr] = this.attrValue(vs, q);
      i = q + 1;
    }
    if (d === 0) {
      if (this.sawRoot) this.fail(`second root element <${name}>`, lt);
      this.sawRoot = true;
    }
    const want = this.h.open({ name, attributes });
    // kept for a self-closing element too, as the guess for its next sibling
    this.names[d] = name;
    if (c === SLASH) {
      this.h.close(name, '');
      return i + 1;
    }
    if (d >= this.maxDepth) this.fail(`elements nested deeper than ${this.maxDepth}`, lt);
    this.depth = d + 1;
    this.wants[d] = want;
    if (want) this.texts[d] = '';
    this.cap = want;
    return i;
  }

  /** An attribute value in [s, e): whitespace characters read as spaces, then references are decoded. */
  private attrValue(s: number, e: number): string {
    if (this.findNl(s) < e || this.findTab(s) < e || this.findAmp(s) < e) return this.rareValue(s, e);
    return this.buf.slice(s, e);
  }

  // (apart, so that the optimised openTag stays small until a document needs this)
  private rareValue(s: number, e: number): string {
    const raw = this.buf.slice(s, e).replace(/[\n\t]/g, ' ');
    return raw.indexOf('&') < 0 ? raw : decodeRefs(raw, 0, raw.length, (msg, at) => this.fail(msg, s + at));
  }

  // Names repeat, so recent ones are kept by a hash of their length and a few characters: a name found there is
  // neither copied again nor hashed again when used as a property key.
  private slot(s: number, e: number): number {
    const buf = this.buf;
    const n = e - s;
    return (
      (n * 31 + buf.charCodeAt(s) * 7 + buf.charCodeAt(s + (n >> 1)) * 3 + buf.charCodeAt(e - 1)) &
      (NAME_CACHE_SIZE - 1)
    );
  }

  /** buf[s, e), which the caller has checked is a name. */
  private name(s: number, e: number): string {
    const slot = this.slot(s, e);
    // slicing and comparing beats a charCodeAt loop
    const v = this.buf.slice(s, e);
    const hit = this.nameCache[slot]!;
    if (hit === v) return hit;
    // the scan let any non-ASCII character through; new names are checked properly, once
    if (!XML_NAME.test(v)) this.fail(`${JSON.stringify(v)} is not a valid XML name`, s);
    // a flat copy: a slice would keep the whole chunk alive for as long as the name is cached
    return (this.nameCache[slot] = detach(v));
  }

  /** buf[s, e) if it is a name in the cache (so one known to be valid), else undefined. */
  private cachedName(s: number, e: number): string | undefined {
    const hit = this.nameCache[this.slot(s, e)]!;
    return hit.length === e - s && this.buf.slice(s, e) === hit ? hit : undefined;
  }

  private closeTag(lt: number): number {
    const buf = this.buf;
    const len = this.len;
    const s = lt + 2;
    if (this.depth === 0) this.fail(`close tag </${this.nameAt(s)}> without an open element`, lt);
    const d = this.depth - 1;
    const top = this.names[d]!;
    const n = top.length;
    let i = s + n;
    if (i <= len && buf.slice(s, i) === top) {
      while (i < len && isSpace(buf.charCodeAt(i))) i++;
      if (i >= len) return -1;
      if (buf.charCodeAt(i) === GT) {
        this.depth = d;
        let text = '';
        if (this.wants[d]) {
          text = this.texts[d]!;
          this.texts[d] = '';
        }
        this.cap = d > 0 && this.wants[d - 1]!;
        this.h.close(top, text);
        return i + 1;
      }
    } else if (len - s < n && top.startsWith(buf.slice(s))) return -1;
    const got = this.nameAt(s);
    return this.fail(
      got === top ? `malformed close tag </${got}>` : `mismatched close tag </${got}>, expected </${top}>`,
      lt,
    );
  }

  private comment(pos: number): number {
    const d = this.buf.indexOf('--', pos);
    if (d < 0) return this.buf.charCodeAt(this.len - 1) === 45 /* - */ ? this.len - 1 : this.len;
    if (d + 2 >= this.len) return d;
    if (this.buf.charCodeAt(d + 2) !== GT) this.fail("'--' inside a comment", d);
    this.mode = TEXT;
    return d + 3;
  }

  private cdata(pos: number): number {
    const buf = this.buf;
    const e = buf.indexOf(']]>', pos);
    let end = e;
    if (e < 0) {
      // keep a ']' or ']]' that may begin the terminator
      end = this.len;
      if (end > pos && buf.charCodeAt(end - 1) === 93) end--;
      if (end > pos && buf.charCodeAt(end - 1) === 93) end--;
    }
    if (this.cap && end > pos) this.addText(buf.slice(pos, end), pos);
    if (e < 0) return end;
    this.mode = TEXT;
    return e + 3;
  }

  /** `<?target ...?>`; the XML declaration only as the very first thing, and well-formed. */
  private pi(lt: number): number {
    const buf = this.buf;
    const end = buf.indexOf('?>', lt + 2);
    if (end < 0) return -1;
    let i = lt + 2;
    if (!isNameStart(buf.charCodeAt(i))) this.fail('processing instruction without a target', i);
    while (i < end && isNameChar(buf.charCodeAt(i))) i++;
    if (i < end && !isSpace(buf.charCodeAt(i))) this.fail(`unexpected ${this.charAt(i)} in <?...?>`, i);
    const target = buf.slice(lt + 2, i);
    if (!XML_NAME.test(target)) this.fail(`${JSON.stringify(target)} is not a valid XML name`, lt + 2);
    if (target.toLowerCase() === 'xml') {
      if (target !== 'xml' || this.base + lt !== 0)
        this.fail('XML declaration not at the start of the document', lt);
      if (!XML_DECL.test(buf.slice(lt, end + 2))) this.fail('malformed XML declaration', lt);
    }
    return end + 2;
  }

  /** `<!DOCTYPE name PUBLIC "..." "...">`: skipped, but an internal subset `[...]` is refused. */
  private doctype(lt: number): number {
    const buf = this.buf;
    if (this.sawRoot || this.sawDoctype) this.fail('DOCTYPE must come once, before the root element', lt);
    let i = lt + 9;
    if (i >= this.len) return -1;
    if (!isSpace(buf.charCodeAt(i))) this.fail('malformed DOCTYPE', i);
    let quote = 0;
    for (; i < this.len; i++) {
      const c = buf.charCodeAt(i);
      if (quote) {
        if (c === quote) quote = 0;
      } else if (c === DQUOTE || c === SQUOTE) quote = c;
      else if (c === 91 /* [ */) this.fail('DOCTYPE with an internal subset is not supported', i);
      else if (c === GT) {
        this.sawDoctype = true;
        return i + 1;
      }
    }
    return -1;
  }

  private decode(s: number, e: number): string {
    return decodeRefs(this.buf, s, e, (msg, at) => this.fail(msg, at));
  }

  private nameAt(s: number): string {
    let i = s;
    while (i < this.len && isNameChar(this.buf.charCodeAt(i))) i++;
    return this.buf.slice(s, i);
  }

  private charAt(i: number): string {
    return i < this.len ? JSON.stringify(this.buf[i]) : 'end of input';
  }

  private fail(msg: string, at: number): never {
    throw new Error(`${msg} (character ${this.base + at})`);
  }
}

/** What the unterminated construct `tail` starts with is, for close(). */
function markupKind(tail: string): string {
  if (tail.startsWith('</')) return 'close tag';
  if (tail.startsWith('<?')) return 'processing instruction';
  if (tail.startsWith('<!DOCTYPE')) return 'DOCTYPE';
  if (tail.startsWith('<!')) return 'markup declaration';
  return 'tag';
}

/** Scans a whole document held in one string. */
export function scanXml(xml: string, h: XmlScanHandlers, limits?: XmlScanLimits): void {
  const s = new XmlScanner(h, limits);
  s.write(xml);
  s.close();
}

/**
 * `str[s, e)` with its entity and character references decoded: the five XML entities, `&#N;` and `&#xH;`.
 * Anything else calls `fail` with a message and the offending offset.
 */
function decodeRefs(str: string, s: number, e: number, fail: (msg: string, at: number) => never): string {
  let out = '';
  let from = s;
  let amp = str.indexOf('&', s);
  while (amp >= 0 && amp < e) {
    const semi = str.indexOf(';', amp + 1);
    if (semi < 0 || semi >= e || semi - amp > MAX_REF) fail("unescaped '&'", amp);
    out += str.slice(from, amp) + refValue(str.slice(amp + 1, semi), (msg) => fail(msg, amp));
    from = semi + 1;
    amp = str.indexOf('&', from);
  }
  return out + str.slice(from, e);
}

function refValue(ref: string, fail: (msg: string) => never): string {
  switch (ref) {
    case 'lt':
      return '<';
    case 'gt':
      return '>';
    case 'amp':
      return '&';
    case 'quot':
      return '"';
    case 'apos':
      return "'";
  }
  const m = /^#(?:([0-9]+)|x([0-9a-fA-F]+))$/.exec(ref);
  if (!m) return fail(`unknown entity &${ref};`);
  const cp = m[1] !== undefined ? parseInt(m[1], 10) : parseInt(m[2]!, 16);
  const ok =
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff);
  return ok ? String.fromCodePoint(cp) : fail(`&${ref}; is not a valid XML character`);
}
