// build-iso-extra: the DVD and minimal ISOs per arch (empanadas' run_build_extra_iso), each boot.iso replayed with
// the image's repos grafted: whole compose repos for a DVD, a solved and closed package subset for a package_list
// disc. One unit per (image, arch) in the CPU pool; a unit's id covers the boot tree, every repo's repomd.xml, the
// package list, the extra files and SOURCE_DATE_EPOCH, so a rerun with nothing changed is a no-op.
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ComposePaths } from '../../compose/paths.ts';
import { treeDigest } from '../../compose/tree-digest.ts';
import type { Arch } from '../../config/common-schema.ts';
import { executorFor } from '../../config/site-schema.ts';
import { WorkError } from '../../errors.ts';
import { findArgv, parseFindOutput } from '../../iso/xorriso.ts';
import { readLoraxState } from '../../iso/lorax-state.ts';
import type { Step, StepContext, UnitData } from '../step.ts';
import type { DiscRepo } from './disc.ts';
import { prepareDisc } from './disc.ts';
import { gatherExtraFiles, type GatheredFile } from './extra-files.ts';
import { masteringRunner } from './executor.ts';
import { masterDisc } from './master.ts';
import { buildSubsetRepos } from './minimal.ts';
import { type DiscPlan, type ExtraIsoOptions, planDiscs } from './plan.ts';
import { validateDiscs } from './validate.ts';

export type { ExtraIsoOptions } from './plan.ts';

export interface ExtraUnit extends UnitData {
  arch: string;
  plan: DiscPlan;
}

export const buildIsoExtra: Step<ExtraIsoOptions, ExtraUnit, GatheredFile[]> = {
  name: 'build-iso-extra',
  version: 1,
  scope: 'arch',
  title: 'the DVD and minimal ISOs of each arch, mastered from its boot.iso',
  validate: validateDiscs,

  // inputs of every disc, fetched once: validate has passed, so they are wanted
  prepare: (ctx) => gatherExtraFiles(ctx.release.extra_files, ctx.paths.extraFiles),

  async units(ctx, opts, arches, extraFiles) {
    const plans = await planDiscs(ctx, opts, arches);
    return Promise.all(
      plans.map(async (plan): Promise<ExtraUnit> => {
        const key = `${plan.image}-${plan.arch}`;
        const state = await readLoraxState(ctx.paths.loraxState(plan.arch));
        if (!state || !(await treeComplete(ctx.paths, plan.arch)))
          return { key, arch: plan.arch, plan, cannotRun: loraxMissing(ctx.paths, plan.arch) };
        const repomd = await Promise.all(
          plan.config.repos.map((r) => treeDigest(ctx.paths.repoTree(r, plan.arch))),
        );
        const r = ctx.release;
        return {
          key,
          arch: plan.arch,
          plan,
          inputs: {
            image: plan.image,
            arch: plan.arch,
            config: plan.config,
            volid: plan.volid,
            names: plan.names,
            tree: state.tarball.sha256,
            repomd,
            list: plan.list?.sha256,
            extraFiles: extraFiles.map((f) => [f.name, f.sha256]),
            release: [r.name, r.short, r.version, r.checksum],
            executor: executorFor(ctx.site, plan.arch as Arch).type,
            sourceDateEpoch: ctx.clock.sourceDateEpoch ?? null,
          },
        };
      }),
    );
  },

  pool: () => ({ name: 'cpu' }),

  async run(unit, ctx, _opts, { logFile }, extraFiles) {
    const { plan } = unit;
    const { arch, image, config } = plan;
    const paths = ctx.paths;
    const epoch = ctx.clock.sourceDateEpoch;
    // the tree was there when the unit was planned; say so plainly if it went since
    if (!(await treeComplete(paths, arch))) {
      const { message, hint } = loraxMissing(paths, arch);
      throw new WorkError(message, hint);
    }
    const runner = masteringRunner(ctx, arch);
    const tree = paths.loraxTree(arch);
    const bootIso = paths.loraxBootIso(arch);
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
        epoch,
      });
      repos = subsets.map((s) => ({ repo: s.repo, dir: s.dir }));
      packages = subsets.reduce((n, s) => n + s.packages, 0);
    } else {
      repos = config.repos.map((repo) => ({ repo, dir: paths.tree(repo, arch, 'os') }));
    }

    const listing = await ctx.exec({ argv: findArgv(bootIso), captureStdout: true, logFile });
    const grafts = await prepareDisc({
      release: ctx.release,
      arch,
      lorax: tree,
      repos,
      mainVariant: mainVariant(ctx, plan),
      dir: join(dir, 'files'),
      extraFiles,
      onBootIso: new Set(parseFindOutput(listing.stdout ?? '')),
      epoch,
    });
    const mastered = await masterDisc({
      bootIso,
      stagingDir: paths.mediaStaging('isos', arch),
      names: plan.names,
      volid: plan.volid,
      systemId: arch === 'ppc64le' ? 'PPC' : 'LINUX',
      grafts,
      epoch,
      dialogFile: paths.xorrisoDialog(arch, image),
      logFile,
      runner,
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

  describe(s) {
    const mib = ((Number(s?.bytes) || 0) / 1048576).toFixed(1);
    return `${mib} MiB  ${String(s?.iso ?? '?')}  label ${String(s?.volid ?? '?')}`;
  },
};

function loraxMissing(paths: ComposePaths, arch: string): { message: string; hint: string } {
  return {
    message: `no unpacked lorax tree for ${arch} in ${paths.loraxTree(arch)}`,
    hint: 'run pull-unpack-tree first',
  };
}

/** Whether the arch's unpacked tree can be mastered from: boot.iso and lorax's .treeinfo are there. */
async function treeComplete(paths: ComposePaths, arch: string): Promise<boolean> {
  const there = (p: string) =>
    stat(p).then(
      () => true,
      () => false,
    );
  return (await there(paths.loraxBootIso(arch))) && there(join(paths.loraxTree(arch), '.treeinfo'));
}

/** The image's variant when it is one of its repos, else the boot tree's (a "minimal" variant has no repo of its own). */
function mainVariant(ctx: StepContext, plan: DiscPlan): string {
  const repos = plan.config.repos;
  if (repos.includes(plan.config.variant)) return plan.config.variant;
  const lorax = ctx.release.iso!.lorax.variant;
  return repos.includes(lorax) ? lorax : repos[0]!;
}
