// The release config (config/releases/<release>.yaml): identity, arches, upstream trees, repos, media and
// repoclosure. ReleaseFile is the file as written; ReleaseConfig is what steps read, with the derived values
// filled in (major/minor, each repo's upstream name and arches, extra file names).
import { z } from 'zod';
import { Arch, FetchUrl, HttpUrl, Name, PackageArch, Template, UrlOrAbsolutePath } from './common-schema.ts';
import { ExtraFileConfig, IsoConfig, LiveConfig } from './iso-schema.ts';

/** productmd release types. */
export const ReleaseType = z.enum([
  'fast',
  'ga',
  'updates',
  'updates-testing',
  'eus',
  'aus',
  'els',
  'tus',
  'e4s',
]);
export type ReleaseType = z.infer<typeof ReleaseType>;

export const ChecksumAlgorithm = z.enum(['sha1', 'sha224', 'sha256', 'sha384', 'sha512']);
export type ChecksumAlgorithm = z.infer<typeof ChecksumAlgorithm>;

export const UpstreamConfig = z.strictObject({
  /** Root of the published trees; the paths below are relative to it. */
  baseurl: FetchUrl,
  paths: z.strictObject({
    /** e.g. `{repo}/{arch}/os/`; `{repo}` is the repo's upstream name. */
    os: Template,
    /** e.g. `{repo}/{arch}/debug/tree/`. */
    debug: Template,
    /** e.g. `{repo}/source/tree/` (no `{arch}`: sources are one tree). */
    source: Template,
  }),
  /** Keys packages must be signed with: URLs or absolute paths. */
  gpg_keys: z.array(UrlOrAbsolutePath).default([]),
  /** Refuse packages that are unsigned or signed by a key not listed. */
  enforce_signatures: z.boolean().default(true),
  /**
   * Hosts (host or host:port, as in a URL) a package download may be redirected to, for an upstream that is a
   * mirror list. Metadata is never taken from another host than baseurl's, and by default neither are packages.
   */
  allowed_redirect_hosts: z
    .array(
      z
        .string()
        .regex(
          /^([a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(:\d{1,5})?$/,
          'must be a host name or address in lower case, with a port only when not the default (mirror.example.org, 10.0.0.5:8080)',
        ),
    )
    .default([]),
});
export type UpstreamConfig = z.infer<typeof UpstreamConfig>;

export const RepoEntry = z.strictObject({
  /** The name in the compose (folder, variant id). */
  name: Name,
  /** The name upstream, when it differs (Rocky 8's `Devel` becomes `devel`). */
  upstream: Name.optional(),
  /** Default: every release arch. */
  arches: z.array(Arch).min(1).optional(),
  debug_tree: z.boolean().default(true),
  source_tree: z.boolean().default(true),
  /** Carry the comps (groups) metadata into the compose repo. */
  comps: z.boolean().default(false),
  /** Carry the modules metadata into the compose repo. */
  modules: z.boolean().default(false),
});
export type RepoEntry = z.infer<typeof RepoEntry>;

/** For an arch, extra arches whose trees some repos also get (i686 for devel on x86_64). */
export const MultilibEntry = z.strictObject({
  arches: z.array(Arch).min(1),
  repos: z.array(Name).min(1),
});
export type MultilibEntry = z.infer<typeof MultilibEntry>;

export const RepoclosureConfig = z.strictObject({
  /** Package arches accepted when checking an arch; default: the arch, its multilib arches and noarch. */
  arches: z.partialRecord(Arch, z.array(PackageArch).min(1)).default({}),
  /** Repo checked -> repos it may take dependencies from (lookaside). */
  repos: z.record(Name, z.array(Name)),
});
export type RepoclosureConfig = z.infer<typeof RepoclosureConfig>;

export const ReleaseFile = z.strictObject({
  name: z.string().min(1),
  /** Short name in compose ids and file names (Rocky-9.7-...). */
  short: z
    .string()
    .regex(/^[A-Za-z0-9_]+$/, 'must be letters, digits and _ only (it starts every compose id)'),
  version: z
    .string()
    .regex(/^\d+\.\d+$/, 'must be "<major>.<minor>", like "9.7" (quoted, or YAML reads a number)'),
  /** Derived from version; when given, it must agree. */
  major: z.string().regex(/^\d+$/, 'must be digits, like "9"').optional(),
  minor: z.string().regex(/^\d+$/, 'must be digits, like "7"').optional(),
  /** The latest-link name part: latest-<short>-<profile> (9, 9-beta, 9-lookahead). */
  profile: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be letters, digits and . _ - (like "9-beta")'),
  type: ReleaseType,
  disttag: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be a dist tag like "el9"'),
  module_platform_id: z.string().regex(/^platform:[a-z0-9_]+$/, 'must look like "platform:el9"'),
  bugurl: HttpUrl,
  /** Suffix of release candidates (RC1, BETA1); used only on an RC build. */
  rc_level: z
    .string()
    .regex(/^[A-Z]+[0-9]*$/, 'must be capitals and digits, like "RC1"')
    .optional(),
  /** lorax --isfinal: anaconda shows no pre-release warning. */
  is_final: z.boolean(),

  arches: z.array(Arch).min(1),
  /** Arches whose failure leaves the compose FINISHED_INCOMPLETE instead of DOOMED. */
  failable_arches: z.array(Arch).default([]),
  checksum: ChecksumAlgorithm.default('sha256'),
  multilib: z.partialRecord(Arch, MultilibEntry).default({}),

  upstream: UpstreamConfig,
  repos: z.array(RepoEntry).min(1),
  iso: IsoConfig.optional(),
  live: LiveConfig.optional(),
  repoclosure: RepoclosureConfig.default({ arches: {}, repos: {} }),
  extra_files: z.array(ExtraFileConfig).default([]),
});
export type ReleaseFile = z.infer<typeof ReleaseFile>;

export function versionParts(version: string): { major: string; minor: string } {
  const [major = '', minor = ''] = version.split('.');
  return { major, minor };
}

/** The release as steps read it: every default and derived value filled in (major, minor; each repo's upstream
 * and arches; repoclosure arches for every release arch; each image's reposcan; each extra file's dest). */
export const ReleaseConfig = ReleaseFile.transform((r) => ({
  ...r,
  major: r.major ?? versionParts(r.version).major,
  minor: r.minor ?? versionParts(r.version).minor,
  repos: r.repos.map((repo) => ({
    ...repo,
    upstream: repo.upstream ?? repo.name,
    arches: repo.arches ?? r.arches,
  })),
  repoclosure: {
    ...r.repoclosure,
    arches: Object.fromEntries(
      r.arches.map((a) => [a, r.repoclosure.arches[a] ?? [a, ...(r.multilib[a]?.arches ?? []), 'noarch']]),
    ) as typeof r.repoclosure.arches,
  },
  iso: r.iso && {
    ...r.iso,
    images: Object.fromEntries(
      Object.entries(r.iso.images).map(([k, img]) => [
        k,
        { ...img, reposcan: img.reposcan ?? !img.package_list },
      ]),
    ),
  },
  extra_files: r.extra_files.map((f) => ({
    source: f.source,
    dest: f.dest ?? f.source.replace(/^.*\//, ''),
  })),
}));
export type ReleaseConfig = z.infer<typeof ReleaseConfig>;
export type ReleaseRepo = ReleaseConfig['repos'][number];
export type ExtraFile = ReleaseConfig['extra_files'][number];
export type IsoImage = NonNullable<ReleaseConfig['iso']>['images'][string];
