// pull-unpack-tree: per arch, the lorax tarball this compose's build-iso uploaded (or with --newest the newest in
// the store, empanadas' run_pull_lorax_artifacts) is downloaded and verified, unpacked safely into
// work/lorax/<arch>/lorax, its boot files placed into the os/ tree of every non-disc image's variant (.treeinfo
// rewritten), and its boot.iso staged in work/isos/<arch> under the release's names. A unit's id covers the
// tarball's digest and the repos' repomd.xml, so a rerun is a no-op.
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { treeDigest } from '../../compose/tree-digest.ts';
import { UsageError, WorkError } from '../../errors.ts';
import { stageIso, type IsoNames } from '../../iso/publish.ts';
import { BOOT_IMAGE, isoNames } from '../../iso/iso-names.ts';
import { findArgv, parseFindOutput } from '../../iso/xorriso.ts';
import { loraxStorePrefix } from '../../iso/lorax-tarball.ts';
import type { ReleaseConfig } from '../../config/release-schema.ts';
import type { Step, StepContext, UnitData } from '../step.ts';
import type { UnitOutput } from '../units.ts';
import {
  fetchTarball,
  newestLoraxTarball,
  recordedLoraxTarball,
  recordedObject,
  type TarballObject,
} from './fetch.ts';
import { placeBootFiles, writeInstallTreeInfo } from './place.ts';
import { readLoraxState, writeLoraxState, type LoraxState } from '../../iso/lorax-state.ts';
import { unpackLoraxTarball } from './unpack.ts';

export interface PullUnpackOptions {
  arches?: string[];
  /** A release candidate: `{rc}` in the ISO names is `-<rc_level>`. */
  rc?: boolean;
  forceDownload?: boolean;
  forceUnpack?: boolean;
  /** Take the newest tarball in the store (one launch-builds made, say) instead of this compose's own. */
  newest?: boolean;
}

/** A non-disc image: its variant's os/ tree gets the boot files and a .treeinfo listing `repos`. */
export interface TreeTarget {
  image: string;
  variant: string;
  repos: string[];
  osDir: string;
}

export interface PullUnit extends UnitData {
  arch: string;
  /** The tarball to take; absent when the unit cannot run (its cannotRun says why). */
  object?: TarballObject;
  targets: TreeTarget[];
  names: IsoNames;
}

const noIsoSection = (release: ReleaseConfig) =>
  `release ${release.short} has no iso section: no boot tree to pull`;

export const pullUnpackTree: Step<PullUnpackOptions, PullUnit> = {
  name: 'pull-unpack-tree',
  version: 1,
  scope: 'arch',
  title: "each arch's lorax tree unpacked, its boot files placed into the install trees, boot.iso staged",

  validate(ctx) {
    return ctx.release.iso ? [] : [{ message: noIsoSection(ctx.release) }];
  },

  async units(ctx, opts, arches) {
    const iso = ctx.release.iso;
    if (!iso) throw new UsageError(noIsoSection(ctx.release));
    const nonDisc = Object.entries(iso.images).filter(([, img]) => !img.disc);
    return Promise.all(
      arches.map(async (arch): Promise<PullUnit> => {
        const chosen = await chooseTarball(ctx, arch, !!opts.newest);
        const targets = nonDisc.map(([image, img]) => ({
          image,
          variant: img.variant,
          repos: img.repos,
          osDir: ctx.paths.tree(img.variant, arch, 'os'),
        }));
        const names = isoNames(ctx.release, ctx.paths.id, arch, BOOT_IMAGE, !!opts.rc);
        const base = { key: arch, arch, targets, names };
        if ('cannotRun' in chosen) return { ...base, cannotRun: chosen.cannotRun };
        const { object } = chosen;
        const repos = [...new Set(targets.flatMap((t) => t.repos))].sort();
        const digests = await Promise.all(repos.map((r) => treeDigest(ctx.paths.repoTree(r, arch))));
        return {
          ...base,
          object,
          inputs: {
            arch,
            tarball: { key: object.key, sha256: object.sha256, size: object.size },
            targets: targets.map(({ image, variant, repos: r }) => ({ image, variant, repos: r })),
            repomd: Object.fromEntries(repos.map((r, i) => [r, digests[i]])),
            names,
            release: [ctx.release.name, ctx.release.short, ctx.release.version],
            checksum: ctx.release.checksum,
            sourceDateEpoch: ctx.clock.sourceDateEpoch,
          },
        };
      }),
    );
  },

  // each unit downloads and then unpacks and hashes: bounded by the tighter of the two
  pool: (ctx) => ({
    name: 'pull-unpack-tree',
    size: Math.max(1, Math.min(ctx.site.limits.cpu, ctx.site.limits.downloads)),
  }),

  async run(unit, ctx, opts, uc) {
    const { arch, object } = unit;
    if (!object)
      throw new WorkError(unit.cannotRun?.message ?? `no lorax tarball for ${arch}`, unit.cannotRun?.hint);
    const paths = ctx.paths;
    await mkdir(paths.loraxDir(arch), { recursive: true });
    const tarball = paths.loraxTarball(arch, object.key.split('/').at(-1)!);
    let got = 0;
    const downloaded = await fetchTarball(ctx.store, object, tarball, {
      force: opts.forceDownload,
      onBytes: (n) => uc.progress((got += n), object.size),
      signal: uc.signal,
    });

    const stateFile = paths.loraxState(arch);
    const state = await readLoraxState(stateFile);
    const tree = paths.loraxTree(arch);
    const fresh =
      !opts.forceUnpack &&
      state?.tarball.sha256 === object.sha256 &&
      !!(await stat(join(tree, '.treeinfo')).catch(() => undefined));
    const unpacked = fresh
      ? undefined
      : await unpackLoraxTarball(tarball, tree, arch, {
          maxBytes: ctx.site.limits.unpack_gib * 2 ** 30,
          signal: uc.signal,
        });
    const next: LoraxState = {
      tarball: { key: object.key, sha256: object.sha256!, size: object.size },
      placed: state?.placed ?? {},
    };
    // recorded now: a failure below leaves a state that still tells which tree is unpacked
    await writeLoraxState(stateFile, next);

    const outputs: UnitOutput[] = [];
    for (const t of unit.targets) {
      next.placed[t.osDir] = await placeBootFiles(tree, t.osDir, next.placed[t.osDir] ?? []);
      await writeLoraxState(stateFile, next);
      await writeInstallTreeInfo({
        lorax: tree,
        osDir: t.osDir,
        arch,
        release: { name: ctx.release.name, short: ctx.release.short, version: ctx.release.version },
        repos: t.repos.includes(t.variant) ? [t.variant, ...t.repos.filter((r) => r !== t.variant)] : t.repos,
        mainVariant: t.variant,
        checksum: ctx.release.checksum,
        buildTimestamp: ctx.clock.epoch(),
      });
      outputs.push(await output(join(t.osDir, '.treeinfo')));
    }

    const bootIso = paths.loraxBootIso(arch);
    if (!(await stat(bootIso).catch(() => undefined)))
      throw new WorkError(`the lorax tree for ${arch} has no images/boot.iso`, `see ${tarball}`);
    const listing = await ctx.exec({
      argv: findArgv(bootIso),
      captureStdout: true,
      logFile: uc.logFile,
      signal: uc.signal,
    });
    const staged = await stageIso(
      paths.mediaStaging('isos', arch),
      bootIso,
      unit.names,
      parseFindOutput(listing.stdout ?? ''),
      { move: false },
    );
    outputs.push(await output(staged.iso), await output(staged.manifest));
    return {
      outputs,
      summary: {
        key: object.key,
        downloaded,
        unpacked: unpacked ? unpacked.files : 'kept',
        trees: unit.targets.map((t) => t.variant),
        iso: unit.names.iso,
      },
    };
  },

  describe(s) {
    const trees = Array.isArray(s?.trees) ? (s.trees as string[]).join(',') : '';
    return `${String(s?.iso ?? '?')}  trees: ${trees}  from ${String(s?.key ?? '?')}`;
  },
};

type Chosen = { object: TarballObject } | { cannotRun: { message: string; hint?: string } };

/** This compose's own tarball (or the newest in the store when asked); why not when there is none to take. */
async function chooseTarball(ctx: StepContext, arch: string, newest: boolean): Promise<Chosen> {
  const { major, version } = ctx.release;
  const store = ctx.store;
  if (newest) {
    const object = await newestLoraxTarball(store, major, version, arch);
    if (object) return { object };
    return {
      cannotRun: {
        message: `no lorax tarball for ${arch} in ${store.url} (looked for ${version} under ${loraxStorePrefix(major, arch)})`,
        hint: 'run build-iso for this arch first',
      },
    };
  }
  try {
    const rec = await recordedLoraxTarball(ctx.paths, arch);
    if (rec) return { object: await recordedObject(store, rec) };
  } catch (err) {
    if (err instanceof WorkError) return { cannotRun: { message: err.message, hint: err.hint } };
    throw err;
  }
  return {
    cannotRun: {
      message: `build-iso has uploaded no lorax tarball for ${arch} in compose ${ctx.paths.id}`,
      hint: `run build-iso first, or pass --newest to take the newest one in ${store.url} (one launch-builds made, say)`,
    },
  };
}

async function output(path: string): Promise<UnitOutput> {
  return { path, size: (await stat(path)).size };
}
