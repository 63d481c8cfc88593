// Which trees sync-repos mirrors: one unit per (repo, arch, os|debug) plus one per repo for sources, after the
// --repo/--arch filters, each with its upstream URL, its compose folder and the package arches it keeps.
import { selectArches } from '../../config/arches.ts';
import type { ReleaseConfig } from '../../config/release-schema.ts';
import { joinUrl, renderTemplate } from '../../config/templates.ts';
import type { ComposePaths, TreeKind } from '../../compose/paths.ts';
import { UsageError } from '../../errors.ts';
import { didYouMean } from '../../config/did-you-mean.ts';

export interface SyncOptions {
  repos?: string[];
  arches?: string[];
  delete?: boolean;
  newestOnly?: boolean;
  /** Override the release's upstream.enforce_signatures. */
  enforceSignatures?: boolean;
  skipRepoclosure?: boolean;
  force?: boolean;
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

export function planTrees(release: ReleaseConfig, paths: ComposePaths, opts: SyncOptions): TreeTarget[] {
  const repoNames = release.repos.map((r) => r.name);
  for (const r of opts.repos ?? []) {
    if (!repoNames.includes(r))
      throw new UsageError(`--repo ${r}: no such repo in this release${didYouMean(r, repoNames)}`);
  }
  selectArches(release, opts.arches, { allowSource: true });
  const wantRepo = (r: string) => !opts.repos?.length || opts.repos.includes(r);
  const wantArch = (a: string) => !opts.arches?.length || opts.arches.includes(a);
  const base = release.upstream.baseurl;
  const out: TreeTarget[] = [];
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
        dir: paths.tree(repo.name, arch, 'os'),
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
          dir: paths.tree(repo.name, arch, 'debug'),
          packageArches,
          comps: false,
          modules: false,
        });
      }
    }
    if (repo.source_tree && wantArch('source')) {
      out.push({
        key: `${repo.name}-source`,
        repo: repo.name,
        arch: 'source',
        kind: 'source',
        url: joinUrl(base, renderTemplate(release.upstream.paths.source, { repo: repo.upstream })),
        dir: paths.tree(repo.name, 'source', 'source'),
        packageArches: ['src', 'nosrc'],
        comps: false,
        modules: false,
      });
    }
  }
  if (out.length === 0) throw new UsageError('nothing to sync: the --repo/--arch filters leave no tree');
  return out;
}
