// What build-iso does per arch, decided from the release config before anything runs: lorax's options (label
// checked against the 32-character limit for every arch first), the --source repos (the compose's synced os/
// trees, or upstream with --upstream-sources). planProblems lists every refusal at once, for validate.
import { pathToFileURL } from 'node:url';
import { selectArches } from '../../config/arches.ts';
import type { ReleaseConfig } from '../../config/release-schema.ts';
import { joinUrl, releaseVars, renderTemplate } from '../../config/templates.ts';
import type { ComposePaths } from '../../compose/paths.ts';
import { UsageError } from '../../errors.ts';
import { checkVolid, type LoraxOptions } from '../../iso/lorax.ts';

export interface BuildIsoOptions {
  /** Only these arches (default: every release arch). */
  arches?: string[];
  /** A release candidate: `{rc}` in the label is `-<rc_level>`, and lorax gets no --isfinal. */
  rc?: boolean;
  /** lorax reads the upstream trees instead of the compose's synced ones (a builder with no compose). */
  upstreamSources?: boolean;
}

export interface LoraxSource {
  repo: string;
  /** What lorax gets as --source. */
  url: string;
}

export type LoraxBase = Omit<LoraxOptions, 'sources' | 'logfile' | 'outputDir' | 'addTemplates'>;

export interface LoraxPlan {
  arch: string;
  lorax: LoraxBase;
  sources: LoraxSource[];
  /** Package globs the installer runtime must not carry (iso.lorax.removes). */
  removes: string[];
  /** The sources are the compose's own trees (mounted read-only into the build root). */
  fromCompose: boolean;
}

/** lorax installs a whole runtime with dnf: generous, but a hung build must end. */
export const LORAX_TIMEOUT_MS = 4 * 3600_000;

// Package names and globs only: a value is written into a lorax (Mako) template, where a newline or `${` would be
// code, not a package.
const PACKAGE_GLOB = /^[A-Za-z0-9._+*?[\]-]+$/;

/** The release's iso section, or a UsageError: a release without one has no boot tree to build. */
export function isoConfig(release: ReleaseConfig): NonNullable<ReleaseConfig['iso']> {
  if (!release.iso)
    throw new UsageError(`release ${release.short} has no iso section: no boot tree to build`);
  return release.iso;
}

/** lorax's --volid for each arch, all checked before any is used: one too long stops the whole command. */
export function loraxVolids(release: ReleaseConfig, arches: string[], rc: boolean | undefined): string[] {
  const vars = releaseVars(release, { rc });
  return arches.map((arch) =>
    checkVolid(renderTemplate(isoConfig(release).lorax.volid, { ...vars, arch }), arch),
  );
}

function removesProblems(iso: NonNullable<ReleaseConfig['iso']>): UsageError[] {
  return [...iso.lorax.removes.entries()]
    .filter(([, r]) => !PACKAGE_GLOB.test(r))
    .map(([i, r]) => new UsageError(`iso.lorax.removes.${i}: "${r}" is not a package name or glob`));
}

/**
 * Every refusal planLorax would throw for these arches, all of them: no iso section, each bad remove, each arch's
 * label that is too long.
 */
export function planProblems(
  release: ReleaseConfig,
  arches: string[],
  rc: boolean | undefined,
): UsageError[] {
  if (!release.iso) return [attempt(() => isoConfig(release))!];
  const volids = arches.map((arch) => attempt(() => loraxVolids(release, [arch], rc)));
  return [...removesProblems(release.iso), ...volids.filter((e) => e !== undefined)];
}

function attempt(fn: () => unknown): UsageError | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
}

export function planLorax(release: ReleaseConfig, paths: ComposePaths, opts: BuildIsoOptions): LoraxPlan[] {
  const iso = isoConfig(release);
  const bad = removesProblems(iso)[0];
  if (bad) throw bad;
  const arches = selectArches(release, opts.arches);
  const volids = loraxVolids(release, arches, opts.rc);
  return arches.map((arch, i) => ({
    arch,
    lorax: {
      product: release.name,
      version: release.version,
      release: release.version,
      variant: iso.lorax.variant,
      isfinal: release.is_final && !opts.rc,
      buildarch: arch,
      volid: volids[i]!,
      bugurl: release.bugurl,
      nomacboot: iso.lorax.nomacboot,
      squashfsOnly: iso.lorax.squashfs_only,
      rootfsSize: iso.lorax.rootfs_size,
    },
    sources: iso.lorax.repos.map((name) => ({
      repo: name,
      url: sourceUrl(release, paths, name, arch, opts),
    })),
    removes: iso.lorax.removes,
    fromCompose: !opts.upstreamSources,
  }));
}

function sourceUrl(
  release: ReleaseConfig,
  paths: ComposePaths,
  name: string,
  arch: string,
  opts: BuildIsoOptions,
): string {
  if (!opts.upstreamSources) return pathToFileURL(paths.tree(name, arch, 'os')).href;
  const repo = release.repos.find((r) => r.name === name);
  const vars = { repo: repo?.upstream ?? name, arch };
  return joinUrl(release.upstream.baseurl, renderTemplate(release.upstream.paths.os, vars));
}
