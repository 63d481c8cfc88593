// sync-repos: mirror every configured upstream tree (os, debug, source per repo and arch) into the compose. One
// unit per tree; a unit's id covers the upstream repomd.xml digest and the options, so an unchanged upstream is
// skipped at the cost of one small request per tree. Upstream is not trusted: every metadata record and package
// must lie inside its tree's URL and carry a checksum (checked before anything is copied), metadata is never
// fetched from another host, and packages only from the hosts upstream.allowed_redirect_hosts lists.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pLimit, { type LimitFunction } from 'p-limit';
import { download, type DownloadOptions, setDownloadSockets } from '../../net/download.ts';
import {
  compareEvrStrings,
  type ConfinedRepomd,
  confineRepomd,
  createKeyring,
  type Keyring,
  KeyringError,
  type Package,
  parseRepomd,
  type RepoMd,
  resolveLocation,
  streamPrimary,
} from '../../rpmmd/index.ts';
import { fileSystemError, UsageError, WorkError } from '../../errors.ts';
import { redactDeep } from '../../log/redact.ts';
import { sha256Hex } from '../../metadata/digest.ts';
import type { Step, StepContext } from '../step.ts';
import type { Unit } from '../units.ts';
import { type MirrorResult, mirrorTree } from './mirror.ts';
import { checkPackages, refuseLinkedPath } from './tree-guard.ts';
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
  keyring?: Keyring;
  onBytes?: (n: number) => void;
  /** Download options for metadata (never redirected to another host) and for packages. */
  metadataFetch: DownloadOptions;
  packageFetch: DownloadOptions;
}

/** repomd.xml is a few KB; more than this from an upstream is not one. */
const REPOMD_MAX = 16 << 20;

export interface SyncUnit extends Unit {
  tree: TreeTarget;
  repomd?: RepoMd;
  repomdError?: unknown;
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
    const rate = {
      minRate: ctx.site.limits.download_min_rate,
      deadlineFloorMs: ctx.site.limits.download_deadline_min_s * 1000,
    };
    const shared: Shared = {
      metadataFetch: { ...rate, redirects: { hosts: [] } },
      packageFetch: { ...rate, redirects: { hosts: ctx.release.upstream.allowed_redirect_hosts } },
      downloads: pLimit(ctx.site.limits.downloads),
      index: new ContentIndex(),
      // before any tree: without the keys no tree can land, and a key that cannot be had is one error, not N
      keyring: enforce ? await prepareKeyring(ctx, keys) : undefined,
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
            const repomdUrl = resolveLocation(tree.url, 'repodata/repomd.xml');
            await download(repomdUrl, repomdFile, { ...shared.metadataFetch, maxBytes: REPOMD_MAX });
            const bytes = await readFile(repomdFile);
            const repomd = parseRepomd(bytes.toString('utf8'), repomdUrl);
            confineRepomd(repomd, tree.url, repomdUrl); // refused here: nothing of this tree is fetched
            // the record and the id see URLs without credentials: a rotated token neither leaks nor redoes work
            const inputs = redactDeep({
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
            });
            return { ...base, repomd, inputs };
          } catch (err) {
            // an unreachable tree is that unit's failure, not the whole step's; never matches a record
            return { ...base, repomdError: err, inputs: { failedAt: Date.now() } };
          }
        }),
      ),
    );
  },
  async run(unit, ctx, opts, { logFile }) {
    const { tree, shared } = unit;
    if (!unit.repomd) {
      // a full disk is the step's failure, said as such; anything else is this tree's upstream
      const fs = fileSystemError(unit.repomdError);
      if (fs) throw fs;
      const err = unit.repomdError;
      const why = err instanceof Error ? err.message : String(err);
      const hint = (err as { hint?: unknown } | undefined)?.hint;
      throw new WorkError(
        `${tree.key}: cannot read upstream metadata: ${why}`,
        typeof hint === 'string' ? hint : undefined,
      );
    }
    const work = ctx.paths.workDir('sync', tree.key);
    const upstreamCopy = join(work, 'upstream');
    // `local` reads the copy in work/: each record's location is its checked path inside the tree
    const md = confineRepomd(unit.repomd, tree.url, `${tree.url}repodata/repomd.xml`);
    const local = md.local;
    const { metadata_max_bytes: maxBytes, comps_modules_max_bytes: maxSmall } = ctx.site.limits;
    await fetchMetadata(md, upstreamCopy, metadataTypes(tree, local), shared.metadataFetch, maxBytes);
    const pkgs = await upstreamPackages(upstreamCopy, tree, local, !!opts.newestOnly, maxBytes);
    checkPackages(tree.url, pkgs); // before a byte of any package is fetched
    const groupAndModules = await unpackGroupAndModules(tree, upstreamCopy, local, work, maxSmall);
    // createrepo_c reuses an upstream entry only when its checksum type matches ours; fetch the rest of
    // upstream's metadata (while packages download) only when that can happen. It reads the copy's repomd.xml as
    // upstream wrote it, so not when an xml:base moved a record away from its href.
    const reuse =
      canReuse(pkgs, ctx.release.checksum) && unit.repomd.records.every((r) => r.location.base === undefined)
        ? fetchMetadata(md, upstreamCopy, ['filelists', 'other'], shared.metadataFetch, maxBytes)
            // createrepo_c unpacks them whole: ones past their bounds are not handed over
            .then(() => checkUnpacked(upstreamCopy, local, ['filelists', 'other'], maxBytes))
            .then(
              () => upstreamCopy,
              () => undefined, // no reuse: createrepo_c reads every package instead
            )
        : Promise.resolve(undefined);
    await mkdir(work, { recursive: true });
    await refuseLinkedPath(ctx.paths.compose, tree.dir);
    await mkdir(tree.dir, { recursive: true });
    const res = await mirrorTree(
      tree,
      pkgs,
      { delete: opts.delete, incoming: join(work, 'incoming'), stateFile: join(work, 'state.json'), logFile },
      {
        downloads: shared.downloads,
        index: shared.index,
        keyring: shared.keyring,
        onBytes: shared.onBytes,
        fetch: shared.packageFetch,
      },
    ).catch(async (err: unknown) => {
      await reuse; // the metadata downloads it started must not write on after this unit failed
      throw err;
    });
    await writeRepodata(tree, res.files, ctx.release, local, work, logFile, 2, await reuse, groupAndModules);
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

/** Downloads upstream metadata files of these types beside the repomd.xml copy in work/, at their tree paths. */
async function fetchMetadata(
  md: ConfinedRepomd,
  local: string,
  types: string[],
  fetch: DownloadOptions,
  /** A record without a size may send no more than this (what it may decompress to bounds what it may weigh). */
  maxBytes: number,
): Promise<void> {
  await Promise.all(
    md.local.records.map((rec, i) =>
      types.includes(rec.type)
        ? download(md.urls[i]!, join(local, rec.location.href), {
            ...fetch,
            checksum: rec.checksum,
            size: rec.size,
            maxBytes,
          })
        : undefined,
    ),
  );
}

const evr = (p: Package) => `${p.epoch}:${p.version}-${p.release}`;

async function prepareKeyring(ctx: StepContext, keys: string[]): Promise<Keyring> {
  const dir = ctx.paths.workDir('sync', 'keys');
  const files: string[] = [];
  for (const [i, key] of keys.entries()) {
    const dest = join(dir, `key-${i}.asc`);
    try {
      // a key URL is as much upstream data as metadata: no redirect to a third host, no endless body
      await download(key, dest, { attempts: 3, redirects: { hosts: [] }, maxBytes: 1 << 20 });
    } catch (err) {
      throw fileSystemError(err) ?? new KeyringError(key, err);
    }
    files.push(dest);
  }
  return createKeyring(join(dir, 'rpmdb'), join(dir, 'home'), files, keys);
}

function problemsError(tree: TreeTarget, res: MirrorResult): WorkError {
  const shown = res.problems.slice(0, 10).map((p) => `  ${p.file}: ${p.problem}`);
  const more = res.problems.length > 10 ? [`  ... and ${res.problems.length - 10} more`] : [];
  return new WorkError(
    `${res.problems.length} package(s) did not land:\n${[...shown, ...more].join('\n')}`,
    'packages that landed are in the tree with fresh repodata; rerun sync-repos to retry the rest',
  );
}
