// sync-repos: mirror every configured upstream tree (os, debug, source per repo and arch) into the compose. One
// unit per tree; a unit's id covers the upstream repomd.xml digest and the options, so an unchanged upstream is
// skipped at the cost of one small request per tree. Upstream is not trusted: every metadata record and package
// must lie inside its tree's URL and carry a checksum (checked before anything is copied), metadata is never
// fetched from another host, and packages only from the hosts upstream.allowed_redirect_hosts lists.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LimitFunction } from 'p-limit';
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
import type { ReleaseConfig } from '../../config/release-schema.ts';
import { fileSystemError, UsageError, WorkError } from '../../errors.ts';
import { redactCredentials, redactDeep } from '../../log/redact.ts';
import { sha256Hex } from '../../metadata/digest.ts';
import type { Step, StepContext, StepProblem, UnitData } from '../step.ts';
import { type MirrorResult, mirrorTree } from './mirror.ts';
import { checkPackages, refuseLinkedPath } from './tree-guard.ts';
import {
  checkUnpacked,
  repomdOutput,
  unpackGroupAndModules,
  writeRepodata,
  writeTreeFiles,
} from './metadata.ts';
import { planProblems, planTrees, type SyncOptions, type TreeTarget } from './plan.ts';
import { ContentIndex } from './tree-state.ts';

/** What every tree of a run shares: made once in prepare(). */
interface Shared {
  /** The run's 'downloads' pool: repomd.xml reads, metadata and packages of every tree draw on it. */
  downloads: LimitFunction;
  index: ContentIndex;
  keyring?: Keyring;
  /** Download options for metadata (never redirected to another host) and for packages. */
  metadataFetch: DownloadOptions;
  packageFetch: DownloadOptions;
}

/** repomd.xml is a few KB; more than this from an upstream is not one. */
const REPOMD_MAX = 16 << 20;

export interface SyncUnit extends UnitData {
  arch: string;
  tree: TreeTarget;
  /** Upstream's repomd.xml as units() read it (plain data); absent when the unit cannot run. */
  repomd?: RepoMd;
}

export type { SyncOptions };

export const syncRepos: Step<SyncOptions, SyncUnit, Shared> = {
  name: 'sync-repos',
  version: 1,
  scope: 'compose',
  title: 'mirror the upstream repos into the compose',
  validate(ctx, opts) {
    const problems = planProblems(ctx.release, opts, ctx.arches);
    const sig = signatureProblem(ctx.release, opts);
    return sig ? [...problems, sig] : problems;
  },
  async prepare(ctx, opts) {
    const sig = signatureProblem(ctx.release, opts);
    if (sig) throw new UsageError(sig.message, sig.hint);
    setDownloadSockets(ctx.site.limits.downloads);
    const rate = {
      minRate: ctx.site.limits.download_min_rate,
      deadlineFloorMs: ctx.site.limits.download_deadline_min_s * 1000,
    };
    return {
      metadataFetch: { ...rate, redirects: { hosts: [] } },
      packageFetch: { ...rate, redirects: { hosts: ctx.release.upstream.allowed_redirect_hosts } },
      downloads: ctx.limits.get('downloads'),
      index: new ContentIndex(),
      // before any tree: without the keys no tree can land, and a key that cannot be had is one error, not N
      keyring: enforced(ctx.release, opts)
        ? await prepareKeyring(ctx, ctx.release.upstream.gpg_keys)
        : undefined,
    };
  },
  async units(ctx, opts, arches, shared) {
    const trees = planTrees(ctx.release, ctx.paths, opts, arches);
    // allSettled: a full disk is thrown only once no other tree's read still writes
    const settled = await Promise.allSettled(
      trees.map((tree) => shared.downloads(() => readUpstream(ctx, opts, tree, shared))),
    );
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.map((s) => (s as PromiseFulfilledResult<SyncUnit>).value);
  },
  pool: (ctx) => ({ name: 'sync-repos', size: Math.max(2, ctx.site.limits.cpu) }),
  async run(unit, ctx, opts, uc, shared) {
    const { tree, repomd } = unit;
    if (!repomd) throw new WorkError(`${tree.key}: upstream metadata was not read`); // cannotRun units are not run
    const work = ctx.paths.workDir('sync', tree.key);
    const upstreamCopy = join(work, 'upstream');
    const metadataFetch = { ...shared.metadataFetch, signal: uc.signal };
    // `local` reads the copy in work/: each record's location is its checked path inside the tree
    const md = confineRepomd(repomd, tree.url, `${tree.url}repodata/repomd.xml`);
    const local = md.local;
    const { metadata_max_bytes: maxBytes, comps_modules_max_bytes: maxSmall } = ctx.site.limits;
    await fetchMetadata(md, upstreamCopy, metadataTypes(tree, local), metadataFetch, maxBytes);
    const pkgs = await upstreamPackages(upstreamCopy, tree, local, !!opts.newestOnly, maxBytes);
    checkPackages(tree.url, pkgs); // before a byte of any package is fetched
    const groupAndModules = await unpackGroupAndModules(tree, upstreamCopy, local, work, maxSmall);
    // createrepo_c reuses an upstream entry only when its checksum type matches ours; fetch the rest of
    // upstream's metadata (while packages download) only when that can happen. It reads the copy's repomd.xml as
    // upstream wrote it, so not when an xml:base moved a record away from its href.
    const reuse =
      canReuse(pkgs, ctx.release.checksum) && repomd.records.every((r) => r.location.base === undefined)
        ? fetchMetadata(md, upstreamCopy, ['filelists', 'other'], metadataFetch, maxBytes)
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
      {
        delete: opts.delete,
        incoming: join(work, 'incoming'),
        stateFile: join(work, 'state.json'),
        logFile: uc.logFile,
      },
      {
        downloads: shared.downloads,
        index: shared.index,
        keyring: shared.keyring,
        onBytes: opts.onBytes,
        signal: uc.signal,
        fetch: shared.packageFetch,
      },
    ).catch(async (err: unknown) => {
      await reuse; // the metadata downloads it started must not write on after this unit failed
      throw err;
    });
    const sourceDateEpoch = ctx.clock.sourceDateEpoch;
    await writeRepodata(tree, ctx.release, {
      files: res.files,
      upstream: local,
      work,
      workers: 2,
      updateMdPath: await reuse,
      ...groupAndModules,
      sourceDateEpoch,
      exec: (argv) => ctx.exec({ argv, logFile: uc.logFile, env: ctx.clock.env(), signal: uc.signal }),
    });
    await writeTreeFiles(tree, ctx.release, sourceDateEpoch);
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
  describe(s) {
    const mib = ((Number(s?.bytes) || 0) / 1048576).toFixed(1);
    return `${String(s?.packages ?? '?').padStart(6)} pkgs  ${mib.padStart(8)} MiB new`;
  },
};

const enforced = (release: ReleaseConfig, opts: SyncOptions): boolean =>
  opts.enforceSignatures ?? release.upstream.enforce_signatures;

function signatureProblem(release: ReleaseConfig, opts: SyncOptions): StepProblem | undefined {
  if (!enforced(release, opts) || release.upstream.gpg_keys.length > 0) return undefined;
  return {
    message: 'signatures are enforced (upstream.enforce_signatures) but upstream.gpg_keys names no key',
    hint: 'add the release keys to upstream.gpg_keys, or pass --no-enforce-signatures',
  };
}

/**
 * Reads a tree's upstream repomd.xml into work/ (with the same retries and checks as packages) and makes its unit,
 * whose id covers that file's digest. An upstream that cannot be read makes a unit that cannot run (that tree's
 * failure, not the step's); a full disk is thrown (the step's).
 */
async function readUpstream(
  ctx: StepContext,
  opts: SyncOptions,
  tree: TreeTarget,
  shared: Shared,
): Promise<SyncUnit> {
  const base = { key: tree.key, arch: tree.arch, tree };
  try {
    const local = join(ctx.paths.workDir('sync', tree.key), 'upstream');
    const repomdFile = join(local, 'repodata', 'repomd.xml');
    const repomdUrl = resolveLocation(tree.url, 'repodata/repomd.xml');
    await download(repomdUrl, repomdFile, {
      ...shared.metadataFetch,
      maxBytes: REPOMD_MAX,
      signal: ctx.signal,
    });
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
      enforce: enforced(ctx.release, opts),
      keys: ctx.release.upstream.gpg_keys,
      checksum: ctx.release.checksum,
      comps: tree.comps,
      modules: tree.modules,
      identity: [ctx.release.name, ctx.release.short, ctx.release.version],
      sourceDateEpoch: ctx.clock.sourceDateEpoch,
    });
    return { ...base, repomd, inputs };
  } catch (err) {
    const fs = fileSystemError(err);
    if (fs) throw fs;
    if (ctx.signal.aborted) throw err; // interrupted: the run's end, not this upstream's fault
    const why = redactCredentials(err instanceof Error ? err.message : String(err));
    const hint = (err as { hint?: unknown } | undefined)?.hint;
    return {
      ...base,
      cannotRun: {
        message: `${tree.key}: cannot read upstream metadata: ${why}`,
        ...(typeof hint === 'string' ? { hint } : {}),
      },
    };
  }
}

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
