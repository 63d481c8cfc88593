// build-iso: lorax once per arch, through the arch's executor, into a tarball in the artifact store
// (empanadas' build_iso + the Job's `aws s3 cp`, as one unit whose outcome is lorax's, not the upload's). A unit's
// id covers lorax's options and the repomd.xml digest of every source repo, so an unchanged compose is not rebuilt.
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Arch } from '../../config/common-schema.ts';
import { CommandFailedError, WorkError } from '../../errors.ts';
import { redactDeep } from '../../log/redact.ts';
import { loraxArgv } from '../../iso/lorax.ts';
import {
  type LoraxTarballSummary,
  loraxStoreKey,
  TAR_TREE,
  tarballName,
  LORAX_BUILD_STEP,
} from '../../iso/lorax-tarball.ts';
import { readLocation, resolveLocation } from '../../rpmmd/source.ts';
import type { Mount } from '../../run/executors/executor.ts';
import { executorHost } from '../../run/executors/index.ts';
import { sha256File, sha256Hex } from '../../metadata/digest.ts';
import type { Step, StepProblem, UnitData } from '../step.ts';
import { kubeRefusal, loraxRunner } from './executor.ts';
import { packLorax } from './pack.ts';
import { type BuildIsoOptions, LORAX_TIMEOUT_MS, type LoraxPlan, planLorax, planProblems } from './plan.ts';
import { renderRemovesTemplate } from './templates.ts';

export type { BuildIsoOptions } from './plan.ts';

/** What lorax must have written for the tree to be worth packing. */
const REQUIRED_OUTPUTS = [
  '.treeinfo',
  '.discinfo',
  'images/boot.iso',
  'images/install.img',
  'images/pxeboot/vmlinuz',
  'images/pxeboot/initrd.img',
];

export interface BuildIsoUnit extends UnitData {
  arch: string;
  plan: LoraxPlan;
}

/** build-iso's unit summary: the tarball pull-unpack-tree takes, and what the row shows. */
export interface BuildIsoSummary extends LoraxTarballSummary {
  files: number;
  volid: string;
}

export const buildIso: Step<BuildIsoOptions, BuildIsoUnit> = {
  name: LORAX_BUILD_STEP,
  version: 1,
  scope: 'arch',
  title: "lorax's boot tree per arch, packed into a tarball in the artifact store",

  validate(ctx, opts) {
    const problems: StepProblem[] = ctx.arches.flatMap((a) => kubeRefusal(ctx.site, a) ?? []);
    for (const e of planProblems(ctx.release, ctx.arches, opts.rc))
      problems.push({ message: e.message, ...(e.hint ? { hint: e.hint } : {}) });
    return problems;
  },

  async units(ctx, opts, arches) {
    const plans = planLorax(ctx.release, ctx.paths, { ...opts, arches });
    return Promise.all(
      plans.map(async (plan): Promise<BuildIsoUnit> => {
        const runner = loraxRunner(ctx, plan); // a kube executor is a usage error: before anything runs
        const base = { key: plan.arch, arch: plan.arch, plan };
        let digests: string[];
        try {
          digests = await Promise.all(plan.sources.map((s) => repomdDigest(s.url)));
        } catch (err) {
          return {
            ...base,
            cannotRun: {
              message: `${plan.arch}: a lorax source repo cannot be read: ${(err as Error).message}`,
              hint: 'run sync-repos first, or pass --upstream-sources',
            },
          };
        }
        // without URL credentials (--upstream-sources may name a URL with a token): recorded, and hashed into the id
        const inputs = redactDeep({
          lorax: plan.lorax,
          sources: plan.sources.map((s, i) => ({ ...s, repomd: digests[i] })),
          removes: plan.removes,
          executor: { host: runner.host, image: runner.image },
          store: ctx.store.url,
          sourceDateEpoch: ctx.clock.sourceDateEpoch,
        });
        return { ...base, inputs };
      }),
    );
  },

  // the whole unit (lorax, pack, upload) holds a slot of its executor host's containers_per_host
  pool: (ctx, unit) => ({ name: `host:${executorHost(ctx.site, unit.arch as Arch)}` }),

  async run(unit, ctx, _opts, uc) {
    const { plan, arch } = unit;
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
    try {
      await runner.executor.run({
        argv,
        arch,
        image: runner.image,
        mounts,
        env: { LANG: 'C.UTF-8', ...ctx.clock.env() },
        logFile: uc.logFile,
        timeoutMs: LORAX_TIMEOUT_MS,
        signal: uc.signal,
        name: `lorax-${arch}`,
        network: plan.sources.some((s) => /^https?:/.test(s.url)) ? 'bridge' : 'none',
      });
    } catch (err) {
      if (err instanceof CommandFailedError)
        throw new WorkError(
          `lorax failed for ${arch}: ${err.message}`,
          `lorax's log: ${loraxLog}; its output: ${uc.logFile}`,
        );
      throw err;
    }
    for (const f of REQUIRED_OUTPUTS) {
      if (!(await stat(join(work, TAR_TREE, f)).catch(() => undefined)))
        throw new WorkError(`lorax exited 0 for ${arch} but wrote no ${f}`, `lorax's log: ${loraxLog}`);
    }

    const epoch = ctx.clock.epoch();
    const { version, major } = ctx.release;
    const tarball = join(work, tarballName(version, arch));
    const packed = await packLorax({ dir: work, arch, loraxLog, dest: tarball, mtime: epoch });
    await rm(join(work, TAR_TREE), { recursive: true, force: true }); // the tarball holds it now
    const sha256 = await sha256File(tarball);
    const { size } = await stat(tarball);
    const key = loraxStoreKey({ major, arch, compose: ctx.paths.id, epoch, version });
    const store = ctx.store;
    let sent = 0;
    const stored = await store.put(key, tarball, {
      sha256,
      contentType: 'application/gzip',
      onBytes: (n) => uc.progress((sent += n), size),
    });
    if (stored.sha256 && stored.sha256 !== sha256)
      throw new WorkError(
        `${store.url}/${key}: stored sha256 ${stored.sha256} is not the tarball's ${sha256}`,
      );
    ctx.log.info({ step: buildIso.name, arch, key, bytes: size }, 'lorax tarball uploaded');
    const summary: BuildIsoSummary = {
      key,
      store: store.url,
      sha256,
      bytes: size,
      files: packed.files,
      volid: plan.lorax.volid,
    };
    return { outputs: [{ path: tarball, size, sha256 }], summary: { ...summary } };
  },

  describe(s) {
    const mib = ((Number(s?.bytes) || 0) / 1048576).toFixed(1);
    return `${mib} MiB  ${String(s?.store ?? '')}/${String(s?.key ?? '?')}`;
  },
};

async function repomdDigest(url: string): Promise<string> {
  return sha256Hex(await readLocation(resolveLocation(url, 'repodata/repomd.xml')));
}
