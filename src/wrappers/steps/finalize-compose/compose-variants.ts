// composeinfo.json's variants: one per compose repo, with the paths of the trees that exist (os, debug and
// source, the last keyed by every binary arch as productmd wants) and the ISO folder of the arches where an
// image of the variant was published.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ComposePaths, TreeKind } from '../../compose/paths.ts';
import type { ReleaseConfig } from '../../config/release-schema.ts';
import { type ComposeVariant, variantId, type VariantPathKey } from '../../metadata/composeinfo.ts';
import type { ImageEntry } from '../../metadata/images.ts';

const isDir = (p: string) =>
  stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );

const KEYS: Record<TreeKind, [tree: VariantPathKey, repository: VariantPathKey, packages: VariantPathKey]> = {
  os: ['os_tree', 'repository', 'packages'],
  debug: ['debug_tree', 'debug_repository', 'debug_packages'],
  source: ['source_tree', 'source_repository', 'source_packages'],
};

export async function composeVariants(
  paths: ComposePaths,
  release: ReleaseConfig,
  images: Record<string, Record<string, ImageEntry[]>>,
): Promise<ComposeVariant[]> {
  const out: ComposeVariant[] = [];
  for (const repo of release.repos) {
    const id = variantId(repo.name);
    const p: ComposeVariant['paths'] = {};
    const set = (key: VariantPathKey, arch: string, value: string) => ((p[key] ??= {})[arch] = value);
    for (const arch of repo.arches) {
      for (const kind of ['os', 'debug', 'source'] as const) {
        const tree = paths.tree(repo.name, arch, kind);
        if (!(await isDir(tree))) continue;
        const [treeKey, repoKey, pkgKey] = KEYS[kind];
        const rel = paths.relativeToCompose(tree);
        set(treeKey, arch, rel);
        if (await isDir(join(tree, 'repodata'))) set(repoKey, arch, rel);
        if (await isDir(join(tree, 'Packages'))) set(pkgKey, arch, `${rel}/Packages`);
      }
      const isos = (images[id]?.[arch] ?? []).filter((i) => i.format === 'iso').map((i) => i.path);
      const folder = ['isos', 'live']
        .map((k) => `${k}/${arch}`)
        .find((d) => isos.some((i) => i.startsWith(`${d}/`)));
      if (folder) set('isos', arch, folder);
    }
    out.push({ id, uid: id, name: repo.name, type: 'variant', arches: [...repo.arches], paths: p });
  }
  return out;
}
