// Keeps parsed metadata small. Strings from the XML parser are V8 slices that pin the whole 64 KiB text chunk they
// came from, so anything we keep is copied out; repeated strings (arches, dependency names, versions) and whole
// identical dependency entries are shared, which is most of a primary.xml.
import type { Dep, DepFlags } from './types.ts';

/** A copy of `s` that does not keep its parent string alive. */
export function detach(s: string): string {
  // short substrings are already copies in V8; longer ones are slices: concat + slice forces a flat copy
  return s.length < 13 ? s : ` ${s}`.slice(1);
}

/** One versioned variant of a name; every field always present so lookups stay monomorphic. */
interface Variant {
  flags: DepFlags;
  epoch: string | undefined;
  ver: string | undefined;
  rel: string | undefined;
  pre: boolean;
  dep: Dep;
}

interface DepBucket {
  plain: Dep | undefined;
  plainPre: Dep | undefined;
  /** Versioned variants of this name; few per name, so a scan beats building a key string per entry. */
  versioned: Variant[] | undefined;
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
      b = { plain: undefined, plainPre: undefined, versioned: undefined };
      this.deps.set(this.str(name), b);
    }
    if (!flags) {
      const hit = pre ? b.plainPre : b.plain;
      if (hit) return hit;
      const d: Dep = pre ? { name: this.str(name), pre: true } : { name: this.str(name) };
      if (pre) b.plainPre = d;
      else b.plain = d;
      return d;
    }
    const list = (b.versioned ??= []);
    for (let i = 0; i < list.length; i++) {
      const v = list[i]!;
      if (v.flags === flags && v.ver === ver && v.rel === rel && v.epoch === epoch && v.pre === pre)
        return v.dep;
    }
    const o: { -readonly [K in keyof Dep]: Dep[K] } = { name: this.str(name), flags };
    const e = epoch === undefined ? undefined : this.str(epoch);
    const vr = ver === undefined ? undefined : this.str(ver);
    const r = rel === undefined ? undefined : this.str(rel);
    if (e !== undefined) o.epoch = e;
    if (vr !== undefined) o.ver = vr;
    if (r !== undefined) o.rel = r;
    if (pre) o.pre = true;
    list.push({ flags, epoch: e, ver: vr, rel: r, pre, dep: o });
    return o;
  }

  get size(): { strings: number; depNames: number } {
    return { strings: this.strings.size, depNames: this.deps.size };
  }
}
