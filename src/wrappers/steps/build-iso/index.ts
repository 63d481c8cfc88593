// build-iso: lorax once per arch, through the arch's executor, into a tarball in the artifact store
// (empanadas' build_iso + the Job's `aws s3 cp`, as one unit whose outcome is lorax's, not the upload's). A unit's
// id covers lorax's options and the repomd.xml digest of every source repo, so an unchanged compose is not rebuilt.
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import pLimit, { type LimitFunction } from 'p-limit';
import { CommandFailedError, WorkError } from '../../errors.ts';
import { redactDeep } from '../../log/redact.ts';
import { loraxArgv } from '../../iso/lorax.ts';
import { readLocation, resolveLocation } from '../../rpmmd/source.ts';
import type { Mount } from '../../run/executors/executor.ts';
import { openStore, type ArtifactStore } from '../../store/index.ts';
import { sha256Hex } from '../../metadata/digest.ts';
import type { Step } from '../step.ts';
import { sha256File, type Unit } from '../units.ts';
import { loraxRunner } from './executor.ts';
import { packLorax, TAR_TREE, tarballName } from './pack.ts';
import { type BuildIsoOptions, LORAX_TIMEOUT_MS, type LoraxPlan, loraxStoreKey, planLorax } from './plan.ts';
import { renderRemovesTemplate } from './templates.ts';

export type { BuildIsoOptions } from './plan.ts';
export { LORAX_STORE_KEY, LORAX_TIMEOUT_MS, loraxStoreKey, loraxStorePrefix } from './plan.ts';
export { TAR_MANIFEST, TAR_TREE, tarballName, tarLogName } from './pack.ts';

/** What lorax must have written for the tree to be worth packing. */
const REQUIRED_OUTPUTS = [
  '.treeinfo',
  '.discinfo',
  'images/boot.iso',
  'images/install.img',
  'images/pxeboot/vmlinuz',
  'images/pxeboot/initrd.img',
];

interface Shared {
  store: ArtifactStore;
  /** One limiter per executor host. */
  hosts: Map<string, LimitFunction>;
}

export interface BuildIsoUnit extends Unit {
  plan: LoraxPlan;
  /** Why a source repo could not be read (the unit fails with it; a failable arch does not stop the others). */
  sourceError?: string;
  shared: Shared;
}

export const buildIso: Step<BuildIsoOptions, BuildIsoUnit> = {
  name: 'build-iso',
  version: 1,
  // every arch may wait at once; the per-host limiters decide what runs
  concurrency: (ctx, opts) => Math.max(1, opts.arches?.length ?? ctx.release.arches.length),
  async units(ctx, opts) {
    const plans = planLorax(ctx.release, ctx.paths, opts);
    const store = openStore(ctx.site);
    const shared: Shared = { store, hosts: new Map() };
    const sde = process.env.SOURCE_DATE_EPOCH;
    return Promise.all(
      plans.map(async (plan): Promise<BuildIsoUnit> => {
        const runner = loraxRunner(ctx, plan); // a kube executor is a usage error: before anything runs
        const base = {
          key: plan.arch,
          plan,
          shared,
          failable: ctx.release.failable_arches.includes(plan.arch as never),
        };
        try {
          const digests = await Promise.all(plan.sources.map((s) => repomdDigest(s.url)));
          // without URL credentials (--upstream-sources may name a URL with a token): recorded, and hashed into the id
          const inputs = redactDeep({
            lorax: plan.lorax,
            sources: plan.sources.map((s, i) => ({ ...s, repomd: digests[i] })),
            removes: plan.removes,
            executor: { host: runner.host, image: runner.image },
            store: store.url,
            sourceDateEpoch: sde,
          });
          return { ...base, inputs };
        } catch (err) {
          // never matches a record, so the next run retries
          return { ...base, sourceError: (err as Error).message, inputs: { failedAt: Date.now() } };
        }
      }),
    );
  },

  async run(unit, ctx, _opts, { logFile }) {
    const { plan, shared } = unit;
    const { arch } = plan;
    if (unit.sourceError)
      throw new WorkError(
        `${arch}: a lorax source repo cannot be read: ${unit.sourceError}`,
        'run sync-repos first, or pass --upstream-sources',
      );
    const runner = loraxRunner(ctx, plan);
    const work = ctx.paths.loraxWork(arch);
    const logDir = ctx.paths.loraxLogDir(arch);
    await rm(work, { recursive: true, force: true });
    await rm(logDir, { recursive: true, force: true });
    await mkdir(work, { recursive: true });
    await mkdir(logDir, { recursive: true });
    const loraxLog = join(logDir, 'lorax.log');
    const removes = await renderRemovesTemplate(plan.removes, join(work, 'templates', 'removes.tmpl'));
    const argv = loraxArgv({
      ...plan.lorax,
      sources: plan.sources.map((s) => s.url),
      logfile: loraxLog,
      outputDir: join(work, TAR_TREE),
      addTemplates: removes ? [removes] : [],
    });
    // the same paths inside a container as on the host, so the argv reads the same everywhere
    const mounts: Mount[] = [
      { host: work, target: work },
      { host: logDir, target: logDir },
      ...(plan.fromCompose ? [{ host: ctx.paths.compose, target: ctx.paths.compose, readonly: true }] : []),
    ];
    const sde = process.env.SOURCE_DATE_EPOCH;
    const limit = hostLimit(shared, runner.host, ctx.site.limits.containers_per_host);
    try {
      await limit(() =>
        runner.executor.run({
          argv,
          arch,
          image: runner.image,
          mounts,
          env: { LANG: 'C.UTF-8', ...(sde ? { SOURCE_DATE_EPOCH: sde } : {}) },
          logFile,
          timeoutMs: LORAX_TIMEOUT_MS,
          name: `lorax-${arch}`,
          network: plan.sources.some((s) => /^https?:/.test(s.url)) ? 'bridge' : 'none',
        }),
      );
    } catch (err) {
      if (err instanceof CommandFailedError)
        throw new WorkError(
          `lorax failed for ${arch}: ${err.message}`,
          `lorax's log: ${loraxLog}; its output: ${logFile}`,
        );
      throw err;
    }
    for (const f of REQUIRED_OUTPUTS) {
      if (!(await stat(join(work, TAR_TREE, f)).catch(() => undefined)))
        throw new WorkError(`lorax exited 0 for ${arch} but wrote no ${f}`, `lorax's log: ${loraxLog}`);
    }

    const epoch = sde && /^\d+$/.test(sde) ? Number(sde) : Math.floor(Date.now() / 1000);
    const { version, major } = ctx.release;
    const tarball = join(work, tarballName(version, arch));
    const packed = await packLorax({ dir: work, arch, loraxLog, dest: tarball, mtime: epoch });
    await rm(join(work, TAR_TREE), { recursive: true, force: true }); // the tarball holds it now
    const sha256 = await sha256File(tarball);
    const { size } = await stat(tarball);
    const key = loraxStoreKey({ major, arch, compose: ctx.paths.id, epoch, version });
    const stored = await shared.store.put(key, tarball, { sha256, contentType: 'application/gzip' });
    if (stored.sha256 && stored.sha256 !== sha256)
      throw new WorkError(
        `${shared.store.url}/${key}: stored sha256 ${stored.sha256} is not the tarball's ${sha256}`,
      );
    ctx.log.info({ step: 'build-iso', arch, key, bytes: size }, 'lorax tarball uploaded');
    return {
      outputs: [{ path: tarball, size, sha256 }],
      summary: {
        key,
        store: shared.store.url,
        sha256,
        bytes: size,
        files: packed.files,
        volid: plan.lorax.volid,
      },
    };
  },
};

function hostLimit(shared: Shared, host: string, n: number): LimitFunction {
  let l = shared.hosts.get(host);
  if (!l) shared.hosts.set(host, (l = pLimit(n)));
  return l;
}

async function repomdDigest(url: string): Promise<string> {
  return sha256Hex(await readLocation(resolveLocation(url, 'repodata/repomd.xml')));
}
