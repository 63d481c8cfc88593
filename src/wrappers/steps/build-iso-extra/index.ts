// build-iso-extra: the DVD and minimal ISOs per arch (empanadas' run_build_extra_iso), each boot.iso replayed with
// the image's repos grafted: whole compose repos for a DVD, a solved and closed package subset for a package_list
// disc. One unit per (image, arch), bounded by the CPU limit; a unit's id covers the boot tree, every repo's
// repomd.xml, the package list, the extra files and SOURCE_DATE_EPOCH, so a rerun with nothing changed is a no-op.
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { treeDigest } from '../../compose/tree-digest.ts';
import { WorkError } from '../../errors.ts';
import { findArgv, parseFindOutput } from '../../iso/xorriso.ts';
import { run } from '../../run/runner.ts';
import { readLoraxState } from '../../iso/lorax-state.ts';
import type { Step, StepContext } from '../step.ts';
import type { Unit } from '../units.ts';
import type { DiscRepo } from './disc.ts';
import { prepareDisc } from './disc.ts';
import { gatherExtraFiles, type GatheredFile } from './extra-files.ts';
import { masteringRunner, type MasteringRunner } from './executor.ts';
import { masterDisc } from './master.ts';
import { buildSubsetRepos } from './minimal.ts';
import { type DiscPlan, type ExtraIsoOptions, planDiscs } from './plan.ts';

export type { ExtraIsoOptions } from './plan.ts';

export interface ExtraUnit extends Unit {
  plan: DiscPlan;
  extraFiles: GatheredFile[];
  runner: MasteringRunner;
}

export const buildIsoExtra: Step<ExtraIsoOptions, ExtraUnit> = {
  name: 'build-iso-extra',
  version: 1,
  concurrency: (ctx) => Math.max(1, ctx.site.limits.cpu),
  async units(ctx, opts) {
    const plans = await planDiscs(ctx, opts);
    // a kube executor is refused here, before anything runs
    const runners = new Map(plans.map((p) => [p.arch, masteringRunner(ctx, p.arch)]));
    // inputs of every disc, fetched once and only after every check passed
    const extraFiles = await gatherExtraFiles(ctx.release.extra_files, ctx.paths.extraFiles);
    const sde = process.env.SOURCE_DATE_EPOCH;
    return Promise.all(
      plans.map(async (plan): Promise<ExtraUnit> => {
        const state = await readLoraxState(ctx.paths.loraxState(plan.arch));
        const repomd = await Promise.all(
          plan.config.repos.map((r) => treeDigest(ctx.paths.repoTree(r, plan.arch))),
        );
        return {
          key: `${plan.image}-${plan.arch}`,
          plan,
          extraFiles,
          runner: runners.get(plan.arch)!,
          failable: ctx.release.failable_arches.includes(plan.arch as never),
          inputs: {
            image: plan.image,
            arch: plan.arch,
            config: plan.config,
            volid: plan.volid,
            names: plan.names,
            tree: state?.tarball.sha256 ?? `missing-${Date.now()}`,
            repomd,
            list: plan.list?.sha256,
            extraFiles: extraFiles.map((f) => [f.name, f.sha256]),
            release: [ctx.release.name, ctx.release.short, ctx.release.version, ctx.release.checksum],
            executor: runners.get(plan.arch)!.executor.kind,
            sourceDateEpoch: sde,
          },
        };
      }),
    );
  },

  async run(unit, ctx, _opts, { logFile }) {
    const { plan } = unit;
    const { arch, image, config } = plan;
    const paths = ctx.paths;
    const tree = paths.loraxTree(arch);
    const bootIso = paths.loraxBootIso(arch);
    if (
      !(await stat(bootIso).catch(() => undefined)) ||
      !(await stat(join(tree, '.treeinfo')).catch(() => undefined))
    )
      throw new WorkError(`no unpacked lorax tree for ${arch} in ${tree}`, 'run pull-unpack-tree first');
    const dir = paths.loraxImage(arch, image);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });

    let repos: DiscRepo[];
    let packages: number | undefined;
    if (plan.list) {
      const subsets = await buildSubsetRepos({
        arch,
        sources: config.repos.map((repo) => ({ repo, dir: paths.tree(repo, arch, 'os') })),
        list: plan.list,
        outDir: join(dir, 'repos'),
        meta: join(dir, 'meta'),
        release: ctx.release,
        logFile,
      });
      repos = subsets.map((s) => ({ repo: s.repo, dir: s.dir }));
      packages = subsets.reduce((n, s) => n + s.packages, 0);
    } else {
      repos = config.repos.map((repo) => ({ repo, dir: paths.tree(repo, arch, 'os') }));
    }

    const onBootIso = new Set(
      parseFindOutput((await run(findArgv(bootIso), { captureStdout: true, logFile })).stdout),
    );
    const grafts = await prepareDisc({
      release: ctx.release,
      arch,
      lorax: tree,
      repos,
      mainVariant: mainVariant(ctx, plan),
      dir: join(dir, 'files'),
      extraFiles: unit.extraFiles,
      onBootIso,
    });
    const sde = process.env.SOURCE_DATE_EPOCH;
    const mastered = await masterDisc({
      bootIso,
      stagingDir: paths.mediaStaging('isos', arch),
      names: plan.names,
      volid: plan.volid,
      systemId: arch === 'ppc64le' ? 'PPC' : 'LINUX',
      grafts,
      epoch: sde && /^\d+$/.test(sde) ? Number(sde) : undefined,
      dialogFile: paths.xorrisoDialog(arch, image),
      logFile,
      runner: unit.runner,
      arch,
    });
    const { size } = await stat(mastered.iso);
    return {
      outputs: [
        { path: mastered.iso, size },
        { path: mastered.manifest, size: (await stat(mastered.manifest)).size },
      ],
      summary: {
        iso: plan.names.iso,
        volid: plan.volid,
        bytes: size,
        files: mastered.files,
        boot: mastered.bootPlatforms,
        repos: repos.map((r) => r.repo),
        ...(packages !== undefined ? { packages } : {}),
      },
    };
  },
};

/** The image's variant when it is one of its repos, else the boot tree's (a "minimal" variant has no repo of its own). */
function mainVariant(ctx: StepContext, plan: DiscPlan): string {
  const repos = plan.config.repos;
  if (repos.includes(plan.config.variant)) return plan.config.variant;
  const lorax = ctx.release.iso!.lorax.variant;
  return repos.includes(lorax) ? lorax : repos[0]!;
}
