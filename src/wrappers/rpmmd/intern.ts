// Keeps parsed metadata small. Strings from the XML parser are V8 slices that pin the whole text chunk they came
// from, so anything we keep is copied out flat; repeated strings (arches, dependency names, versions) and whole
// identical dependency entries are shared, which is most of a primary.xml. Flags are the module's constants, never
// the parser's per-attribute copies.
import type { Dep, DepFlags } from './types.ts';

/** A flat copy of `s` that does not keep its parent string alive. */
export function detach(s: string): string {
  // V8 copies substrings shorter than 13 chars anyway; longer ones are slices of their parent. `(' ' + s).slice(1)`
  // is still a slice (of a fresh flat string one char longer); a Buffer round trip gives a plain flat string.
  return s.length < 13 ? s : Buffer.from(s, 'utf8').toString('utf8');
}

/** The constant for a flags attribute ("EQ" -> 'EQ'), undefined for anything else. */
export function depFlags(s: string | undefined): DepFlags | undefined {
  switch (s) {
    case 'EQ':
      return 'EQ';
    case 'GE':
      return 'GE';
    case 'LE':
      return 'LE';
    case 'LT':
      return 'LT';
    case 'GT':
      return 'GT';
    default:
      return undefined;
  }
}

interface DepBucket {
  /** The interned name, so building a new entry needs no second lookup. */
  name: string;
  plain: Dep | undefined;
  plainPre: Dep | undefined;
  /** The first versioned variant: most names have exactly one, and an array costs ~150 bytes each. */
  first: Dep | undefined;
  /** Further versioned variants; few per name, so a scan beats building a key string per entry. */
  more: Dep[] | undefined;
}

function sameVersion(
  d: Dep,
  flags: DepFlags,
  epoch: string | undefined,
  ver: string | undefined,
  rel: string | undefined,
  pre: boolean,
): boolean {
  return d.flags === flags && d.ver === ver && d.rel === rel && d.epoch === epoch && (d.pre === true) === pre;
}

export class Interner {
  private readonly strings = new Map<string, string>();
  private readonly deps = new Map<string, DepBucket>();

  str(s: string): string {
    let v = this.strings.get(s);
    if (v === undefined) {
      v = detach(s);
      this.strings.set(v, v);
    }
    return v;
  }

  /** `flags` must be one of the DepFlags constants (see depFlags()). */
  dep(
    name: string,
    flags: DepFlags | undefined,
    epoch: string | undefined,
    ver: string | undefined,
    rel: string | undefined,
    pre: boolean,
  ): Dep {
    let b = this.deps.get(name);
    if (b === undefined) {
      const n = this.str(name);
      b = { name: n, plain: undefined, plainPre: undefined, first: undefined, more: undefined };
      this.deps.set(n, b);
    }
    if (!flags) {
      const hit = pre ? b.plainPre : b.plain;
      if (hit) return hit;
      const d: Dep = pre ? { name: b.name, pre: true } : { name: b.name };
      if (pre) b.plainPre = d;
      else b.plain = d;
      return d;
    }
    if (b.first && sameVersion(b.first, flags, epoch, ver, rel, pre)) return b.first;
    const more = b.more;
    if (more) {
      for (let i = 0; i < more.length; i++) {
        const d = more[i]!;
        if (sameVersion(d, flags, epoch, ver, rel, pre)) return d;
      }
    }
    const o: { -readonly [K in keyof Dep]: Dep[K] } = { name: b.name, flags };
    if (epoch !== undefined) o.epoch = this.str(epoch);
    if (ver !== undefined) o.ver = this.str(ver);
    if (rel !== undefined) o.rel = this.str(rel);
    if (pre) o.pre = true;
    if (!b.first) b.first = o;
    else if (more) more.push(o);
    else b.more = [o];
    return o;
  }

  get size(): { strings: number; depNames: number } {
    return { strings: this.strings.size, depNames: this.deps.size };
  }
}
