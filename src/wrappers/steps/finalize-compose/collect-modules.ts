// modules.json's content: the modulemd streams in the `modules` records of the compose's own repodata, per repo
// and arch (os tree: binary, debug tree: debug), plus the source tree's under every arch of its repo.
import { join } from 'node:path';
import type { ComposePaths, TreeKind } from '../../compose/paths.ts';
import type { ReleaseConfig } from '../../config/release-schema.ts';
import { variantId } from '../../metadata/composeinfo.ts';
import { type ModuleEntry, parseModulemd } from '../../metadata/modules.ts';
import type { RpmCategory } from '../../metadata/rpms.ts';
import { fetchRepomd, findRecord, metadataText } from '../../rpmmd/index.ts';
import { hasRepodata } from './collect-rpms.ts';

async function treeModules(paths: ComposePaths, tree: string, category: RpmCategory): Promise<ModuleEntry[]> {
  if (!(await hasRepodata(tree))) return [];
  const repomd = await fetchRepomd(tree);
  const rec = findRecord(repomd, 'modules');
  if (!rec) return [];
  let text = '';
  for await (const chunk of metadataText(tree, rec)) text += chunk;
  const rel = paths.relativeToCompose(join(tree, rec.location.href));
  return parseModulemd(text, rel).map((stream) => ({ stream, modulemdPath: { [category]: rel } }));
}

/** variant uid -> arch -> modules; empty when no tree of the compose carries modules. */
export async function collectModules(
  paths: ComposePaths,
  release: ReleaseConfig,
): Promise<Record<string, Record<string, ModuleEntry[]>>> {
  const out: Record<string, Record<string, ModuleEntry[]>> = {};
  for (const repo of release.repos) {
    const uid = variantId(repo.name);
    const tree = (arch: string, kind: TreeKind) => paths.tree(repo.name, arch, kind);
    const source = await treeModules(paths, tree('', 'source'), 'source');
    for (const arch of repo.arches) {
      const list = [
        ...(await treeModules(paths, tree(arch, 'os'), 'binary')),
        ...(await treeModules(paths, tree(arch, 'debug'), 'debug')),
        ...source,
      ];
      if (list.length) (out[uid] ??= {})[arch] = list;
    }
  }
  return out;
}
