// rpms.json's content, read from the compose's own repodata (never from upstream): per repo and arch the os tree
// (binary) and debug tree (debug), each package filed under its source package; the source tree's packages go
// under the arches whose packages they built, and under every arch of the repo when none did.
import { access } from 'node:fs/promises';
import { basename, join } from 'node:path';
import pLimit from 'p-limit';
import type { ComposePaths, TreeKind } from '../../compose/paths.ts';
import type { ReleaseConfig } from '../../config/release-schema.ts';
import { variantId } from '../../metadata/composeinfo.ts';
import { readRpmSigkey } from '../../metadata/rpm-sigkey.ts';
import { nevra, parseRpmFileName, type RpmEntry } from '../../metadata/rpms.ts';
import { fetchRepomd, streamPrimary } from '../../rpmmd/index.ts';
import type { Package } from '../../rpmmd/index.ts';

export async function hasRepodata(tree: string): Promise<boolean> {
  return access(join(tree, 'repodata', 'repomd.xml')).then(
    () => true,
    () => false,
  );
}

/** Every package of a tree with its path relative to compose/ and its sigkey (read with bounded parallelism). */
async function treeEntries(
  paths: ComposePaths,
  tree: string,
  category: RpmEntry['category'],
  srpmOf: (p: Package) => string,
  concurrency: number,
): Promise<{ sourcerpm: string; entry: RpmEntry }[]> {
  if (!(await hasRepodata(tree))) return [];
  const repomd = await fetchRepomd(tree);
  const limit = pLimit(concurrency);
  const jobs: Promise<{ sourcerpm: string; entry: RpmEntry }>[] = [];
  for await (const pkg of streamPrimary(tree, repomd)) {
    // only strings are kept: whole packages (with their dependency lists) of a big repo would cost hundreds of MB
    const abs = join(tree, pkg.location.href);
    const entry = { nevra: nevra(pkg), srpmNevra: srpmOf(pkg), path: paths.relativeToCompose(abs), category };
    jobs.push(
      limit(async () => ({
        sourcerpm: pkg.sourcerpm,
        entry: { ...entry, sigkey: await readRpmSigkey(abs) },
      })),
    );
  }
  return Promise.all(jobs);
}

/** variant uid -> arch -> entries, for every repo of the release. */
export async function collectRpms(
  paths: ComposePaths,
  release: ReleaseConfig,
  concurrency: number,
): Promise<Record<string, Record<string, RpmEntry[]>>> {
  const out: Record<string, Record<string, RpmEntry[]>> = {};
  for (const repo of release.repos) {
    const uid = variantId(repo.name);
    const tree = (arch: string, kind: TreeKind) => paths.tree(repo.name, arch, kind);
    const sources = new Map<string, RpmEntry>();
    for (const { entry } of await treeEntries(paths, tree('', 'source'), 'source', nevra, concurrency)) {
      sources.set(basename(entry.path), entry);
    }
    const used = new Set<string>();
    const byArch: Record<string, RpmEntry[]> = {};
    for (const arch of repo.arches) {
      const list: RpmEntry[] = [];
      const srcHere = new Set<string>();
      // the sourcerpm tag carries no epoch: take it from the source package when the compose has it, else from
      // the binary (rpm gives every subpackage the spec's epoch)
      const srpmOf = (p: Package) => {
        const known = sources.get(p.sourcerpm);
        if (known) return known.nevra;
        const f = parseRpmFileName(p.sourcerpm);
        if (!f)
          throw new Error(`${p.nevra}: cannot read its source package name ${JSON.stringify(p.sourcerpm)}`);
        return nevra({ ...f, epoch: p.epoch });
      };
      for (const [kind, category] of [
        ['os', 'binary'],
        ['debug', 'debug'],
      ] as const) {
        for (const { sourcerpm, entry } of await treeEntries(
          paths,
          tree(arch, kind),
          category,
          srpmOf,
          concurrency,
        )) {
          list.push(entry);
          if (sources.has(sourcerpm)) srcHere.add(sourcerpm);
        }
      }
      for (const s of srcHere) {
        list.push(sources.get(s)!);
        used.add(s);
      }
      byArch[arch] = list;
    }
    for (const [file, entry] of sources) {
      if (!used.has(file)) for (const arch of repo.arches) byArch[arch]!.push(entry);
    }
    for (const [arch, list] of Object.entries(byArch)) if (list.length) (out[uid] ??= {})[arch] = list;
  }
  return out;
}
