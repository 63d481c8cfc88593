// Which trees sync-repos mirrors: one unit per (repo, arch, os|debug) plus one per repo for sources, after the
// --repo filter and the run's arches, each with its upstream URL, its compose folder and the package arches it
// keeps. The same selection answers validate (before any compose exists) and units().
import { SOURCE_ARCH } from '../../config/arches.ts';
import type { ReleaseConfig } from '../../config/release-schema.ts';
import { joinUrl, renderTemplate } from '../../config/templates.ts';
import type { ComposePaths, TreeKind } from '../../compose/paths.ts';
import { UsageError } from '../../errors.ts';
import { didYouMean } from '../../config/did-you-mean.ts';
import type { StepProblem } from '../step.ts';

export interface SyncOptions {
  repos?: string[];
  /** --arch as given: the run's arches come from the engine, but only this says whether 'source' was asked for
   * (no --arch: every tree, sources too). */
  arches?: string[];
  delete?: boolean;
  newestOnly?: boolean;
  /** Override the release's upstream.enforce_signatures. */
  enforceSignatures?: boolean;
  /** Every downloaded chunk's size, for the command's progress line. */
  onBytes?: (n: number) => void;
}

export interface TreeTarget {
  key: string;
  repo: string;
  /** The compose arch, or 'source'. */
  arch: string;
  kind: TreeKind;
  url: string;
  dir: string;
  /** Package arches kept from upstream (os/debug: the arch, multilib arches, noarch; source: src, nosrc). */
  packageArches: string[];
  comps: boolean;
  modules: boolean;
}

/** Every problem with the selection: --repo names that are not repos, filters that leave no tree. */
export function planProblems(
  release: ReleaseConfig,
  opts: Pick<SyncOptions, 'repos' | 'arches'>,
  arches: readonly string[],
): StepProblem[] {
  const repoNames = release.repos.map((r) => r.name);
  const unknown = (opts.repos ?? []).filter((r) => !repoNames.includes(r));
  if (unknown.length)
    return unknown.map((r) => ({
      message: `--repo ${r}: no such repo in this release${didYouMean(r, repoNames)}`,
      hint: `repos: ${repoNames.join(', ')}`,
    }));
  if (selectTrees(release, opts, arches).length === 0)
    return [{ message: 'nothing to sync: the --repo/--arch filters leave no tree' }];
  return [];
}

/** The trees to mirror, with their compose folders. Throws the first planProblems() problem as a UsageError. */
export function planTrees(
  release: ReleaseConfig,
  paths: ComposePaths,
  opts: Pick<SyncOptions, 'repos' | 'arches'>,
  arches: readonly string[],
): TreeTarget[] {
  const [problem] = planProblems(release, opts, arches);
  if (problem) throw new UsageError(problem.message, problem.hint);
  return selectTrees(release, opts, arches).map((t) => ({ ...t, dir: paths.tree(t.repo, t.arch, t.kind) }));
}

function selectTrees(
  release: ReleaseConfig,
  opts: Pick<SyncOptions, 'repos' | 'arches'>,
  arches: readonly string[],
): Omit<TreeTarget, 'dir'>[] {
  const wantRepo = (r: string) => !opts.repos?.length || opts.repos.includes(r);
  const asked = (a: string) => !opts.arches?.length || opts.arches.includes(a);
  const wantArch = (a: string) => arches.includes(a) && asked(a);
  const base = release.upstream.baseurl;
  const out: Omit<TreeTarget, 'dir'>[] = [];
  for (const repo of release.repos) {
    if (!wantRepo(repo.name)) continue;
    for (const arch of repo.arches) {
      if (!wantArch(arch)) continue;
      const ml = release.multilib[arch as keyof typeof release.multilib];
      const extra = ml && ml.repos.includes(repo.name) ? ml.arches : [];
      const packageArches = [arch, ...extra, 'noarch'];
      const vars = { repo: repo.upstream, arch };
      out.push({
        key: `${repo.name}-${arch}-os`,
        repo: repo.name,
        arch,
        kind: 'os',
        url: joinUrl(base, renderTemplate(release.upstream.paths.os, vars)),
        packageArches,
        comps: repo.comps,
        modules: repo.modules,
      });
      if (repo.debug_tree) {
        out.push({
          key: `${repo.name}-${arch}-debug`,
          repo: repo.name,
          arch,
          kind: 'debug',
          url: joinUrl(base, renderTemplate(release.upstream.paths.debug, vars)),
          packageArches,
          comps: false,
          modules: false,
        });
      }
    }
    if (repo.source_tree && asked(SOURCE_ARCH)) {
      out.push({
        key: `${repo.name}-source`,
        repo: repo.name,
        arch: SOURCE_ARCH,
        kind: 'source',
        url: joinUrl(base, renderTemplate(release.upstream.paths.source, { repo: repo.upstream })),
        packageArches: ['src', 'nosrc'],
        comps: false,
        modules: false,
      });
    }
  }
  return out;
}
