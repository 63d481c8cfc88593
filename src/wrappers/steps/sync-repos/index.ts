// sync-repos: mirror every configured upstream tree (os, debug, source per repo and arch) into the compose. One
// unit per tree; a unit's id covers the upstream repomd.xml digest and the options, so an unchanged upstream is
// skipped at the cost of one small request per tree.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pLimit, { type LimitFunction } from 'p-limit';
import { download, setDownloadSockets } from '../../net/download.ts';
import {
  compareEvrStrings,
  createKeyring,
  type Keyring,
  type Package,
  parseRepomd,
  type RepoMd,
  resolveLocation,
  streamPrimary,
} from '../../rpmmd/index.ts';
import { UsageError, WorkError } from '../../errors.ts';
import { sha256Hex } from '../canonical.ts';
import type { Step, StepContext } from '../step.ts';
import type { Unit } from '../units.ts';
import { type MirrorResult, mirrorTree } from './mirror.ts';
import {
  checkUnpacked,
  repomdOutput,
  unpackGroupAndModules,
  writeRepodata,
  writeTreeFiles,
} from './metadata.ts';
import { planTrees, type SyncOptions, type TreeTarget } from './plan.ts';
import { ContentIndex } from './tree-state.ts';

interface Shared {
  downloads: LimitFunction;
  index: ContentIndex;
  keyring?: Promise<Keyring>;
  onBytes?: (n: number) => void;
}

export interface SyncUnit extends Unit {
  tree: TreeTarget;
  repomd?: RepoMd;
  repomdError?: string;
  shared: Shared;
}

export type { SyncOptions };

export const syncRepos: Step<SyncOptions & { onBytes?: (n: number) => void }, SyncUnit> = {
  name: 'sync-repos',
  version: 1,
  concurrency: (ctx) => Math.max(2, ctx.site.limits.cpu),
  async units(ctx, opts) {
    const trees = planTrees(ctx.release, ctx.paths, opts);
    const enforce = opts.enforceSignatures ?? ctx.release.upstream.enforce_signatures;
    const keys = ctx.release.upstream.gpg_keys;
    if (enforce && keys.length === 0) {
      throw new UsageError(
        'signatures are enforced (upstream.enforce_signatures) but upstream.gpg_keys names no key',
        'add the release keys to upstream.gpg_keys, or pass --no-enforce-signatures',
      );
    }
    setDownloadSockets(ctx.site.limits.downloads);
    const shared: Shared = {
      downloads: pLimit(ctx.site.limits.downloads),
      index: new ContentIndex(),
      keyring: enforce ? prepareKeyring(ctx, keys) : undefined,
      onBytes: opts.onBytes,
    };
    const limit = pLimit(ctx.site.limits.downloads);
    return Promise.all(
      trees.map((tree) =>
        limit(async (): Promise<SyncUnit> => {
          const base = {
            key: tree.key,
            tree,
            shared,
            failable: ctx.release.failable_arches.includes(tree.arch as never),
          };
          try {
            // upstream metadata is fetched with the same retries and checks as packages, into work/
            const local = join(ctx.paths.workDir('sync', tree.key), 'upstream');
            const repomdFile = join(local, 'repodata', 'repomd.xml');
            await download(resolveLocation(tree.url, 'repodata/repomd.xml'), repomdFile);
            const bytes = await readFile(repomdFile);
            const repomd = parseRepomd(bytes.toString('utf8'), `${tree.url}repodata/repomd.xml`);
            const inputs = {
              url: tree.url,
              repomd: sha256Hex(bytes),
              packageArches: tree.packageArches,
              newestOnly: !!opts.newestOnly,
              delete: !!opts.delete,
              enforce,
              keys,
              checksum: ctx.release.checksum,
              comps: tree.comps,
              modules: tree.modules,
              identity: [ctx.release.name, ctx.release.short, ctx.release.version],
              sourceDateEpoch: process.env.SOURCE_DATE_EPOCH,
            };
            return { ...base, repomd, inputs };
          } catch (err) {
            // an unreachable tree is that unit's failure, not the whole step's; never matches a record
            return { ...base, repomdError: (err as Error).message, inputs: { failedAt: Date.now() } };
          }
        }),
      ),
    );
  },
  async run(unit, ctx, opts, { logFile }) {
    const { tree, shared } = unit;
    if (!unit.repomd) throw new WorkError(`${tree.key}: cannot read upstream metadata: ${unit.repomdError}`);
    const work = ctx.paths.workDir('sync', tree.key);
    const upstreamCopy = join(work, 'upstream');
    await fetchMetadata(tree, unit.repomd, upstreamCopy, metadataTypes(tree, unit.repomd));
    const { metadata_max_bytes: maxBytes, comps_modules_max_bytes: maxSmall } = ctx.site.limits;
    const pkgs = await upstreamPackages(upstreamCopy, tree, unit.repomd, !!opts.newestOnly, maxBytes);
    const groupAndModules = await unpackGroupAndModules(tree, upstreamCopy, unit.repomd, work, maxSmall);
    // createrepo_c reuses an upstream entry only when its checksum type matches ours; fetch the rest of
    // upstream's metadata (while packages download) only when that can happen.
    const reuse = canReuse(pkgs, ctx.release.checksum)
      ? fetchMetadata(tree, unit.repomd, upstreamCopy, ['filelists', 'other'])
          // createrepo_c unpacks them whole: ones past their bounds are not handed over
          .then(() => checkUnpacked(upstreamCopy, unit.repomd!, ['filelists', 'other'], maxBytes))
          .then(
            () => upstreamCopy,
            () => undefined, // no reuse: createrepo_c reads every package instead
          )
      : Promise.resolve(undefined);
    await mkdir(work, { recursive: true });
    await mkdir(tree.dir, { recursive: true });
    const res = await mirrorTree(
      tree,
      pkgs,
      { delete: opts.delete, incoming: join(work, 'incoming'), stateFile: join(work, 'state.json'), logFile },
      {
        downloads: shared.downloads,
        index: shared.index,
        keyring: await shared.keyring,
        onBytes: shared.onBytes,
      },
    );
    await writeRepodata(
      tree,
      res.files,
      ctx.release,
      unit.repomd,
      work,
      logFile,
      2,
      await reuse,
      groupAndModules,
    );
    await writeTreeFiles(tree, ctx.release);
    if (res.problems.length) throw problemsError(tree, res);
    return {
      outputs: [await repomdOutput(tree)],
      summary: {
        packages: res.files.length,
        downloaded: res.downloaded,
        linked: res.linked,
        resumed: res.resumed,
        kept: res.kept,
        deleted: res.deleted,
        bytes: res.bytes,
      },
    };
  },
};

/** The packages to mirror: upstream's, of the tree's arches, the newest per name.arch when asked. */
async function upstreamPackages(
  local: string,
  tree: TreeTarget,
  repomd: RepoMd,
  newestOnly: boolean,
  maxBytes: number,
): Promise<Package[]> {
  const keep = new Set(tree.packageArches);
  const pkgs: Package[] = [];
  for await (const p of streamPrimary(local, repomd, { deps: false, maxBytes }))
    if (keep.has(p.arch)) pkgs.push(p);
  if (!newestOnly) return pkgs;
  const newest = new Map<string, Package>();
  for (const p of pkgs) {
    const k = `${p.name}.${p.arch}`;
    const cur = newest.get(k);
    if (!cur || compareEvrStrings(evr(p), evr(cur)) > 0) newest.set(k, p);
  }
  return [...newest.values()];
}

/** Primary, plus comps and modules where the tree has them; modules also whenever upstream lists them, since
 * createrepo_c gives up on an --update-md-path whose repomd.xml names a modules file it cannot open. */
function metadataTypes(tree: TreeTarget, repomd: RepoMd): string[] {
  const listsModules = repomd.records.some((r) => r.type === 'modules');
  return ['primary', ...(tree.comps ? ['group'] : []), ...(tree.modules || listsModules ? ['modules'] : [])];
}

/** Every package's checksum is of the type the release writes, so createrepo_c may reuse upstream's entries. */
function canReuse(pkgs: Package[], checksum: string): boolean {
  return pkgs.length > 0 && pkgs.every((p) => p.checksum.type.toLowerCase() === checksum.toLowerCase());
}

/** Downloads upstream metadata files of these types beside the repomd.xml copy in work/. */
async function fetchMetadata(
  tree: TreeTarget,
  repomd: RepoMd,
  local: string,
  types: string[],
): Promise<void> {
  await Promise.all(
    repomd.records
      .filter((r) => types.includes(r.type))
      .map((rec) => {
        const href = rec.location.href;
        if (href.startsWith('/') || href.split('/').includes('..')) {
          throw new WorkError(`refusing metadata location "${href}" in ${tree.url}repodata/repomd.xml`);
        }
        return download(resolveLocation(tree.url, href, rec.location.base), join(local, href), {
          checksum: rec.checksum,
          size: rec.size,
        });
      }),
  );
}

const evr = (p: Package) => `${p.epoch}:${p.version}-${p.release}`;

async function prepareKeyring(ctx: StepContext, keys: string[]): Promise<Keyring> {
  const dir = ctx.paths.workDir('sync', 'keys');
  const files: string[] = [];
  for (const [i, key] of keys.entries()) {
    const dest = join(dir, `key-${i}.asc`);
    await download(key, dest);
    files.push(dest);
  }
  return createKeyring(join(dir, 'rpmdb'), join(dir, 'home'), files);
}

function problemsError(tree: TreeTarget, res: MirrorResult): WorkError {
  const shown = res.problems.slice(0, 10).map((p) => `  ${p.file}: ${p.problem}`);
  const more = res.problems.length > 10 ? [`  ... and ${res.problems.length - 10} more`] : [];
  return new WorkError(
    `${res.problems.length} package(s) did not land:\n${[...shown, ...more].join('\n')}`,
    'packages that landed are in the tree with fresh repodata; rerun sync-repos to retry the rest',
  );
}
