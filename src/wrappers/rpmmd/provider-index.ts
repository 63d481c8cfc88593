// Answers "which available packages provide X?" fast: provides indexed by name in a Map, plus an index of file
// paths fed from primary's short file lists and, lazily, from filelists. Entries point at the (interned) provide
// itself; flags and EVR strings are worked out only for the few names something actually requires.
import { depEvr, flagBits, rangesIntersect } from './dep-match.ts';
import type { SimpleNode } from './rich-dep.ts';
import type { Dep, Package } from './types.ts';

interface ProvideEntry {
  pkg: number;
  /** The provide as listed; undefined for the package's own "name = evr". */
  dep: Dep | undefined;
}

const NONE: ReadonlySet<number> = new Set();

export class ProviderIndex {
  private readonly byName = new Map<string, ProvideEntry[]>();
  private readonly files = new Map<string, number[]>();
  /** Paths whose providers are known completely (filelists were read for them). */
  private readonly completePaths = new Set<string>();

  constructor(readonly packages: readonly Package[]) {
    packages.forEach((p, i) => {
      // libsolv adds "name = evr" to every binary package, whether or not the metadata lists it
      this.addProvide(p.name, i, undefined);
      for (const d of p.provides) this.addProvide(d.name, i, d);
      for (const f of p.files) this.addFile(f.path, i);
    });
  }

  private addProvide(name: string, pkg: number, dep: Dep | undefined): void {
    const list = this.byName.get(name);
    const e = { pkg, dep };
    if (list) list.push(e);
    else this.byName.set(name, [e]);
  }

  /** LT=4|EQ=2|GT=1 and the EVR of a provide; 0 for an unversioned one (which provides every version). */
  private range(e: ProvideEntry): [number, string] {
    if (!e.dep) {
      const p = this.packages[e.pkg]!;
      return [2, depEvr({ epoch: p.epoch, ver: p.version, rel: p.release })];
    }
    return e.dep.flags ? [flagBits(e.dep.flags), depEvr(e.dep)] : [0, ''];
  }

  addFile(path: string, pkg: number): void {
    const list = this.files.get(path);
    if (!list) this.files.set(path, [pkg]);
    else if (!list.includes(pkg)) list.push(pkg);
  }

  markComplete(path: string): void {
    this.completePaths.add(path);
  }

  isComplete(path: string): boolean {
    return this.completePaths.has(path);
  }

  /** Providers of a simple dependency: matching provides, and for paths the packages owning that file. */
  providers(d: SimpleNode): ReadonlySet<number> {
    let out: Set<number> | undefined;
    const list = this.byName.get(d.name);
    if (list) {
      for (const e of list) {
        if (d.flags) {
          const [bits, evr] = this.range(e);
          if (bits && !rangesIntersect(bits, evr, d.flags, d.evr)) continue;
        }
        (out ??= new Set()).add(e.pkg);
      }
    }
    if (d.name.charCodeAt(0) === 47 /* / */) {
      const owners = this.files.get(d.name);
      if (owners) for (const p of owners) (out ??= new Set()).add(p);
    }
    return out ?? NONE;
  }
}
