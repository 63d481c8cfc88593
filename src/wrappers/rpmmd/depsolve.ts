// A native install-set solver for media (no dnf at build time): from a package list, pick providers and follow
// requirements until closed, with the provider rules repoclosure uses (ProviderIndex, rich dependencies, file deps
// from primary first and filelists only for what is still open). Picks prefer the package named by the dependency,
// then the newest EVR, then the base arch over noarch over multilib, then the earlier repo. It does not weigh
// conflicts or obsoletes: the result is a closed set to put on a disc, not a transaction.
import { compatibleArches, isSourceArch } from './arch.ts';
import type { ClosureRepo } from './closure.ts';
import { depEvr, depToString, flagBits } from './dep-match.ts';
import { compareEvr } from './evr.ts';
import { ProviderIndex } from './provider-index.ts';
import {
  type DepNode,
  formatDepNode,
  leaves,
  parseRichDep,
  richProviders,
  type SimpleNode,
} from './rich-dep.ts';
import type { Dep, Package } from './types.ts';

export interface DepsolveRequest {
  /** Packages (or provides) that must be in the result; one nothing provides is a problem. */
  install: readonly string[];
  /** Joined when something provides them, skipped quietly otherwise (comps mandatory and default members). */
  installIfAvailable?: readonly string[];
  /** comps conditional members: `name` joins once a package named `requires` is in the result. */
  conditional?: readonly { name: string; requires: string }[];
}

export interface DepsolveOptions {
  /** Earlier repos win ties. */
  repos: readonly ClosureRepo[];
  /** Base arch, as dnf --forcearch: compatible arches and noarch provide. */
  arch: string;
  multilib?: boolean;
}

export interface DepsolveProblem {
  /** The package whose requirement is open, or "(package list)" for a list entry nothing provides. */
  package: string;
  requirement: string;
}

export interface DepsolveResult {
  /** Sorted by repo order, then NEVRA. */
  packages: { pkg: Package; repo: string }[];
  problems: DepsolveProblem[];
}

const LIST = '(package list)';

/** base arch 2, noarch 1, other compatible arches (multilib) 0. */
const archScore = (arch: string, base: string) => (arch === base ? 2 : arch === 'noarch' ? 1 : 0);
const evrOf = (p: Package) => ({ epoch: p.epoch, version: p.version, release: p.release });

export async function depsolve(req: DepsolveRequest, opts: DepsolveOptions): Promise<DepsolveResult> {
  const compat = compatibleArches(opts.arch, { multilib: opts.multilib });
  const pkgs: Package[] = [];
  const repoOf: number[] = [];
  opts.repos.forEach((r, ri) => {
    for (const p of r.packages) {
      if (!compat.has(p.arch) || isSourceArch(p.arch)) continue;
      pkgs.push(p);
      repoOf.push(ri);
    }
  });
  const index = new ProviderIndex(pkgs);
  const s = new Solver(pkgs, repoOf, index, opts.arch);

  for (const name of req.install) if (!s.want(name)) s.problems.push({ package: LIST, requirement: name });
  for (const name of req.installIfAvailable ?? []) s.want(name);
  // conditional members can make others true: loop until a pass adds nothing
  for (;;) {
    await s.drain(opts.repos);
    const before = s.selected.size;
    for (const c of req.conditional ?? []) if (s.hasName(c.requires)) s.want(c.name);
    if (s.selected.size === before && s.queue.length === 0) break;
  }
  const chosen = [...s.selected].sort(
    (a, b) =>
      repoOf[a]! - repoOf[b]! ||
      (pkgs[a]!.nevra < pkgs[b]!.nevra ? -1 : pkgs[a]!.nevra > pkgs[b]!.nevra ? 1 : 0),
  );
  const seen = new Set<string>();
  const problems = s.problems.filter((p) => {
    const k = `${p.package}\0${p.requirement}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
  return { packages: chosen.map((i) => ({ pkg: pkgs[i]!, repo: opts.repos[repoOf[i]!]!.id })), problems };
}

interface Requirement {
  text: string;
  node: DepNode;
  /** Holds an if/unless, whose answer can change as the set grows: checked again at the end. */
  conditional: boolean;
}

class Solver {
  readonly selected = new Set<number>();
  readonly queue: number[] = [];
  readonly problems: DepsolveProblem[] = [];
  /** Requirements left open for lack of file lists, by the path they wait on. */
  private readonly waiting: { pkg: number; req: Requirement }[] = [];
  private readonly conditionals: { pkg: number; req: Requirement }[] = [];
  private readonly names = new Set<string>();
  private readonly filesLoaded = new Set<string>();
  private readonly reqCache = new Map<Dep, Requirement | null>();

  constructor(
    private readonly pkgs: readonly Package[],
    private readonly repoOf: readonly number[],
    private readonly index: ProviderIndex,
    private readonly base: string,
  ) {}

  hasName(name: string): boolean {
    return this.names.has(name);
  }

  /** A list entry: the package of that name if there is one, else a provider of it. */
  want(name: string): boolean {
    const node: SimpleNode = { kind: 'dep', name, flags: 0, evr: '' };
    const cands = [...this.index.providers(node)];
    if (!cands.length) return false;
    if (!cands.some((c) => this.selected.has(c))) this.add(this.best(cands, name));
    return true;
  }

  private add(i: number): void {
    if (this.selected.has(i)) return;
    this.selected.add(i);
    this.names.add(this.pkgs[i]!.name);
    this.queue.push(i);
  }

  /** The preferred candidate: the dependency's own name, newest EVR, best arch, earliest repo, then NEVRA. */
  private best(cands: readonly number[], depName: string): number {
    const P = this.pkgs;
    return [...cands].sort((a, b) => {
      const pa = P[a]!;
      const pb = P[b]!;
      return (
        Number(pb.name === depName) - Number(pa.name === depName) ||
        (pa.name < pb.name ? -1 : pa.name > pb.name ? 1 : 0) ||
        compareEvr(evrOf(pb), evrOf(pa)) ||
        archScore(pb.arch, this.base) - archScore(pa.arch, this.base) ||
        this.repoOf[a]! - this.repoOf[b]! ||
        (pa.nevra < pb.nevra ? -1 : 1)
      );
    })[0]!;
  }

  /** Follows requirements until nothing is queued and no file list can close what is still open. */
  async drain(repos: readonly ClosureRepo[]): Promise<void> {
    for (;;) {
      while (this.queue.length) {
        const i = this.queue.shift()!;
        for (const d of this.pkgs[i]!.requires) {
          const r = this.requirement(d);
          if (r) this.require(i, r);
        }
      }
      for (const c of this.conditionals) if (!this.holds(c.req.node)) this.require(c.pkg, c.req, false);
      if (this.queue.length) continue;
      const paths = new Set<string>();
      for (const w of this.waiting)
        for (const { leaf } of leaves(w.req.node))
          if (leaf.name.startsWith('/') && !this.filesLoaded.has(leaf.name)) paths.add(leaf.name);
      if (!paths.size) break;
      await this.loadFiles(repos, paths);
      const retry = this.waiting.splice(0);
      for (const w of retry) this.require(w.pkg, w.req);
    }
    for (const w of this.waiting.splice(0))
      this.problems.push({ package: this.pkgs[w.pkg]!.nevra, requirement: w.req.text });
  }

  private requirement(d: Dep): Requirement | null {
    let r = this.reqCache.get(d);
    if (r !== undefined) return r;
    if (d.name.startsWith('rpmlib(') || d.name.startsWith('solvable:')) r = null;
    else {
      const rich = d.name.startsWith('(') && !d.flags ? parseRichDep(d.name) : null;
      r = rich
        ? { text: formatDepNode(rich), node: rich, conditional: hasConditional(rich) }
        : {
            text: depToString(d),
            node: { kind: 'dep', name: d.name, flags: flagBits(d.flags), evr: d.flags ? depEvr(d) : '' },
            conditional: false,
          };
    }
    this.reqCache.set(d, r);
    return r;
  }

  private require(pkg: number, r: Requirement, remember = true): void {
    if (remember && r.conditional) this.conditionals.push({ pkg, req: r });
    if (this.holds(r.node) || this.satisfy(r.node)) return;
    const open = [...leaves(r.node)].some(
      ({ leaf }) => leaf.name.startsWith('/') && !this.filesLoaded.has(leaf.name),
    );
    if (open) this.waiting.push({ pkg, req: r });
    else this.problems.push({ package: this.pkgs[pkg]!.nevra, requirement: r.text });
  }

  private providers(n: DepNode): ReadonlySet<number> {
    return richProviders(n, (leaf) => this.index.providers(leaf));
  }

  /** Already true for the packages selected so far. */
  private holds(n: DepNode): boolean {
    if (n.kind === 'dep') return [...this.index.providers(n)].some((p) => this.selected.has(p));
    switch (n.op) {
      case 'and':
        return this.holds(n.left) && this.holds(n.right);
      case 'or':
        return this.holds(n.left) || this.holds(n.right);
      case 'if':
      case 'unless': {
        const [cond, orElse] = condition(n.right);
        const met = this.holds(cond) === (n.op === 'if');
        return met ? this.holds(n.left) : orElse ? this.holds(orElse) : true;
      }
      case 'with':
      case 'without':
        return [...this.providers(n)].some((p) => this.selected.has(p));
      case 'else':
        return false;
    }
  }

  /** Adds what makes `n` true; false when nothing can. */
  private satisfy(n: DepNode): boolean {
    if (this.holds(n)) return true;
    if (n.kind === 'dep' || n.op === 'with' || n.op === 'without') {
      const cands = [...this.providers(n)];
      if (!cands.length) return false;
      this.add(this.best(cands, n.kind === 'dep' ? n.name : firstName(n)));
      return true;
    }
    switch (n.op) {
      case 'and':
        return this.satisfy(n.left) && this.satisfy(n.right);
      case 'or':
        // the first alternative that can be met, as libsolv tries them in order
        return (this.possible(n.left) && this.satisfy(n.left)) || this.satisfy(n.right);
      case 'if':
      case 'unless': {
        const [cond, orElse] = condition(n.right);
        const met = this.holds(cond) === (n.op === 'if');
        return met ? this.satisfy(n.left) : orElse ? this.satisfy(orElse) : true;
      }
      default:
        return false;
    }
  }

  /** Some provider exists for every branch that would be needed (no package added). */
  private possible(n: DepNode): boolean {
    if (n.kind === 'dep' || n.op === 'with' || n.op === 'without') return this.providers(n).size > 0;
    if (n.op === 'and') return this.possible(n.left) && this.possible(n.right);
    if (n.op === 'or') return this.possible(n.left) || this.possible(n.right);
    return true;
  }

  private async loadFiles(repos: readonly ClosureRepo[], paths: ReadonlySet<string>): Promise<void> {
    for (const [ri, repo] of repos.entries()) {
      if (!repo.filelists) continue;
      const byPkgid = new Map<string, number[]>();
      this.pkgs.forEach((p, i) => {
        if (this.repoOf[i] !== ri) return;
        const l = byPkgid.get(p.pkgid);
        if (l) l.push(i);
        else byPkgid.set(p.pkgid, [i]);
      });
      for await (const e of repo.filelists({ detachPaths: false })) {
        const owners = byPkgid.get(e.pkgid);
        if (!owners) continue;
        for (const f of e.files) if (paths.has(f.path)) for (const o of owners) this.index.addFile(f.path, o);
      }
    }
    for (const p of paths) {
      this.index.markComplete(p);
      this.filesLoaded.add(p);
    }
  }
}

/** The condition of an if/unless, and its else branch when there is one. */
function condition(right: DepNode): [DepNode, DepNode | undefined] {
  return right.kind === 'rich' && right.op === 'else' ? [right.left, right.right] : [right, undefined];
}

function hasConditional(n: DepNode): boolean {
  if (n.kind === 'dep') return false;
  return n.op === 'if' || n.op === 'unless' || hasConditional(n.left) || hasConditional(n.right);
}

function firstName(n: DepNode): string {
  return n.kind === 'dep' ? n.name : firstName(n.left);
}
