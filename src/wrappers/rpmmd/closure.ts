// Native repoclosure: every requirement of every package in the "check" repos must be provided by some package of
// check+lookaside. Follows dnf's repoclosure plugin (dnf-plugins-core 4.3) over libsolv: rpmlib()/solvable: deps
// skipped, providers limited to arches compatible with `arch`, --newest per repo and name.arch, rich deps by
// libsolv's provider rules, file deps from primary's files first and filelists only for what is still missing.
import { compatibleArches, isSourceArch } from './arch.ts';
import { depEvr, depToString, flagBits } from './dep-match.ts';
import { compareEvr } from './evr.ts';
import { ProviderIndex } from './provider-index.ts';
import { type DepNode, formatDepNode, leaves, parseRichDep, richProviders } from './rich-dep.ts';
import type { Dep, FilelistEntry, Package } from './types.ts';

export interface ClosureRepo {
  /** Printed in reports ("package: X from <id>"). */
  id: string;
  packages: readonly Package[];
  /** Streams the repo's filelists.xml; called at most once, and only if primary's files leave a file dep open. */
  filelists?: (opts: { detachPaths: boolean }) => AsyncIterable<FilelistEntry>;
}

export interface RepoclosureOptions {
  check: readonly ClosureRepo[];
  /** Repos that may satisfy dependencies but are not checked themselves. */
  lookaside?: readonly ClosureRepo[];
  /** Base arch, like dnf --forcearch: only compatible arches (and noarch) provide. */
  arch: string;
  /** Let i686 packages provide on x86_64 (dnf does). Default true. */
  multilib?: boolean;
  /** Like dnf repoclosure --arch: check only packages of these arches (default: every package). */
  checkArches?: readonly string[];
  /** Like --newest: only the newest package of each name.arch per repo is checked and can provide. */
  newest?: boolean;
}

export interface ClosureProblem {
  /** name-[epoch:]version-release.arch */
  package: string;
  repo: string;
  /** Sorted, as dnf prints them (str(reldep)). */
  unresolved: string[];
}

interface Candidate {
  pkg: Package;
  repo: string;
}

interface Requirement {
  text: string;
  node: DepNode;
  /** Set once decided; one object per distinct text, shared by every package requiring it. */
  ok?: boolean;
}

export async function repoclosure(opts: RepoclosureOptions): Promise<ClosureProblem[]> {
  const repos = uniqueRepos([...opts.check, ...(opts.lookaside ?? [])]);
  const checkIds = new Set(opts.check.map((r) => r.id));
  const compat = compatibleArches(opts.arch, { multilib: opts.multilib });
  const checkArches = opts.checkArches ? new Set(opts.checkArches) : undefined;

  const available: Package[] = [];
  const availableRepo: ClosureRepo[] = [];
  const toCheck: Candidate[] = [];
  for (const repo of repos) {
    const pkgs = opts.newest ? newestPerNameArch(repo.packages) : repo.packages;
    for (const p of pkgs) {
      if (compat.has(p.arch) && !isSourceArch(p.arch)) {
        available.push(p);
        availableRepo.push(repo);
      }
      if (checkIds.has(repo.id) && (!checkArches || checkArches.has(p.arch)))
        toCheck.push({ pkg: p, repo: repo.id });
    }
  }
  const index = new ProviderIndex(available);

  // one Requirement per distinct text: its verdict is worked out once, whoever requires it
  const reqCache = new Map<Dep, Requirement | null>();
  const unique = new Map<string, Requirement>();
  const perPkg: { cand: Candidate; reqs: Requirement[] }[] = [];
  for (const cand of toCheck) {
    const reqs: Requirement[] = [];
    for (const d of cand.pkg.requires) {
      let r = reqCache.get(d);
      if (r === undefined) {
        r = toRequirement(d);
        if (r) {
          const seen = unique.get(r.text);
          if (seen) r = seen;
          else unique.set(r.text, r);
        }
        reqCache.set(d, r);
      }
      if (r) reqs.push(r);
    }
    perPkg.push({ cand, reqs });
  }

  // first pass on provides and primary's files; remember the paths that need the full file lists
  const pendingPaths = new Set<string>();
  const pendingReqs: Requirement[] = [];
  for (const r of unique.values()) {
    const ok = resolved(r.node, index);
    let needFiles = false;
    for (const { leaf, exact } of leaves(r.node)) {
      if (leaf.name.charCodeAt(0) !== 47 || index.isComplete(leaf.name)) continue;
      if (!ok || exact) {
        pendingPaths.add(leaf.name);
        needFiles = true;
      }
    }
    if (needFiles) pendingReqs.push(r);
    else r.ok = ok;
  }
  if (pendingPaths.size) {
    await loadFileProviders(repos, available, availableRepo, pendingPaths, index);
    for (const r of pendingReqs) r.ok = resolved(r.node, index);
  }

  const problems: (ClosureProblem & { sortKey: Package })[] = [];
  for (const { cand, reqs } of perPkg) {
    let bad: Set<string> | undefined;
    for (const r of reqs) if (!r.ok) (bad ??= new Set()).add(r.text);
    if (bad)
      problems.push({
        package: cand.pkg.nevra,
        repo: cand.repo,
        unresolved: [...bad].sort(),
        sortKey: cand.pkg,
      });
  }
  problems.sort((a, b) => comparePackages(a.sortKey, a.repo, b.sortKey, b.repo));
  return problems.map(({ sortKey: _, ...p }) => p);
}

/** rpmlib() and solvable: requirements are skipped, as dnf's plugin does (bz#1186721). */
function toRequirement(d: Dep): Requirement | null {
  if (d.name.startsWith('rpmlib(') || d.name.startsWith('solvable:')) return null;
  const rich = d.name.charCodeAt(0) === 40 /* ( */ && !d.flags ? parseRichDep(d.name) : null;
  if (rich) return { text: formatDepNode(rich), node: rich };
  return {
    text: depToString(d),
    node: {
      kind: 'dep',
      name: d.name,
      flags: flagBits(d.flags),
      evr: d.flags ? depEvr(d) : '',
    },
  };
}

function resolved(node: DepNode, index: ProviderIndex): boolean {
  return richProviders(node, (leaf) => index.providers(leaf)).size > 0;
}

async function loadFileProviders(
  repos: readonly ClosureRepo[],
  available: readonly Package[],
  availableRepo: readonly ClosureRepo[],
  paths: ReadonlySet<string>,
  index: ProviderIndex,
): Promise<void> {
  for (const repo of repos) {
    if (!repo.filelists) continue;
    const byPkgid = new Map<string, number[]>();
    available.forEach((p, i) => {
      if (availableRepo[i] !== repo) return;
      const l = byPkgid.get(p.pkgid);
      if (l) l.push(i);
      else byPkgid.set(p.pkgid, [i]);
    });
    if (!byPkgid.size) continue;
    for await (const e of repo.filelists({ detachPaths: false })) {
      const owners = byPkgid.get(e.pkgid);
      if (!owners) continue;
      for (const f of e.files) {
        if (paths.has(f.path)) for (const o of owners) index.addFile(f.path, o);
      }
    }
  }
  for (const p of paths) index.markComplete(p);
}

/** The newest EVR of each name.arch (all packages sharing it), as libdnf's latest() keeps them. */
function newestPerNameArch(pkgs: readonly Package[]): Package[] {
  const best = new Map<string, Package[]>();
  for (const p of pkgs) {
    const k = `${p.name}.${p.arch}`;
    const cur = best.get(k);
    const c = cur ? compareEvr(evrOf(p), evrOf(cur[0]!)) : 1;
    if (c > 0) best.set(k, [p]);
    else if (c === 0) cur!.push(p);
  }
  return pkgs.filter((p) => best.get(`${p.name}.${p.arch}`)!.includes(p));
}

const evrOf = (p: Package) => ({
  epoch: p.epoch,
  version: p.version,
  release: p.release,
});

function uniqueRepos(list: readonly ClosureRepo[]): ClosureRepo[] {
  const seen = new Map<string, ClosureRepo>();
  for (const r of list) if (!seen.has(r.id)) seen.set(r.id, r);
  return [...seen.values()];
}

/** hawkey's package order (name, EVR, arch, repo), which dnf sorts the report by. */
function comparePackages(a: Package, ra: string, b: Package, rb: string): number {
  return (
    byteCmp(a.name, b.name) || compareEvr(evrOf(a), evrOf(b)) || byteCmp(a.arch, b.arch) || byteCmp(ra, rb)
  );
}

function byteCmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
