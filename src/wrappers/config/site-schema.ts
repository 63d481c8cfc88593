// The site config (config/site.yaml, or --site / $HORNO_SITE): where composes and artifacts go, where each arch's
// work runs, and how much runs at once. The embedded default works on one machine with nothing else running.
// Credentials are never in this file: it names the environment variables that hold them.
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { COMPS_MODULES_MAX_BYTES, METADATA_MAX_BYTES } from '../rpmmd/limits.ts';
import { Arch, EnvVarName, HttpUrl, TemplatePath } from './common-schema.ts';

export const LogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
export type LogLevel = z.infer<typeof LogLevel>;

export const S3Credentials = z.strictObject({
  access_key_id_env: EnvVarName,
  secret_access_key_env: EnvVarName,
  session_token_env: EnvVarName.optional(),
});
export type S3Credentials = z.infer<typeof S3Credentials>;

export const S3Settings = z.strictObject({
  /** Default: AWS itself. Set for s3rver, MinIO, Ceph. */
  endpoint: HttpUrl.optional(),
  region: z
    .string()
    .regex(/^[a-z0-9-]+$/, 'must be a region name like "us-east-2"')
    .default('us-east-1'),
  /** Required by s3rver and most non-AWS servers. */
  force_path_style: z.boolean().default(false),
  /** Default: the AWS SDK's own chain (AWS_* variables, profiles, instance roles). */
  credentials: S3Credentials.optional(),
});
export type S3Settings = z.infer<typeof S3Settings>;

export const StoreConfig = z.strictObject({
  /** `file://<path>` (relative paths resolve against the working directory) or `s3://<bucket>[/<prefix>]`. */
  url: z.string().regex(/^(file:\/\/\S+|s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/\S*)?)$/, {
    message: 'must be file://<path> or s3://<bucket>[/<prefix>]',
  }),
  /** Required with an s3:// url, refused otherwise. */
  s3: S3Settings.optional(),
});
export type StoreConfig = z.infer<typeof StoreConfig>;

const ContainerImage = z.string().regex(/^[a-z0-9][^\s]*$/, 'must be a container image reference');

export const ExecutorConfig = z.discriminatedUnion('type', [
  /** The host itself, with the tools installed on it. */
  z.strictObject({ type: z.literal('local') }),
  /** A podman (or Docker) API socket; one per architecture host. */
  z.strictObject({
    type: z.literal('podman'),
    socket: z
      .string()
      .regex(
        /^(\/\S+|(unix|tcp|ssh):\/\/\S+)$/,
        'must be an absolute socket path or a unix://, tcp:// or ssh:// URL',
      ),
    /** Default: builder_images[<release disttag>]. */
    image: ContainerImage.optional(),
  }),
  z.strictObject({
    type: z.literal('mock'),
    isolation: z.enum(['simple', 'nspawn']).default('simple'),
    /** mock config template under templates/ (default: the shipped one). */
    config_template: TemplatePath.optional(),
  }),
  /** A Kubernetes Job per unit. */
  z.strictObject({
    type: z.literal('kube'),
    namespace: z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'must be a Kubernetes namespace name'),
    image: ContainerImage.optional(),
    /** Default: in-cluster config, else ~/.kube/config. */
    kubeconfig: z.string().regex(/^\//, 'must be an absolute path').optional(),
    context: z.string().min(1).optional(),
    service_account: z.string().min(1).optional(),
    node_selector: z.record(z.string().min(1), z.string()).default({}),
    /** The Secret its Jobs read credentials from, one key per variable (the store's, the release URLs' tokens).
     * Default: horno-credentials. */
    credentials_secret: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, 'must be a Kubernetes Secret name')
      .optional(),
  }),
]);
export type ExecutorConfig = z.infer<typeof ExecutorConfig>;

/** `default` plus optional per-arch overrides. */
export const ExecutorsConfig = z.partialRecord(z.enum(['default', ...Arch.options]), ExecutorConfig);
export type ExecutorsConfig = z.infer<typeof ExecutorsConfig>;

const UNITS = { KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40 } as const;
const BYTES_MESSAGE = 'must be a whole number of bytes, or one with a unit like "64 MiB" or "4 GiB"';
/** A number of bytes: a whole number, or one with a binary unit ("64 MiB", "4GiB"). */
const ByteSize = z
  .union([z.int().min(1), z.string().regex(/^[1-9][0-9]*\s*(KiB|MiB|GiB|TiB)$/, BYTES_MESSAGE)], {
    error: BYTES_MESSAGE,
  })
  .transform((v) => {
    if (typeof v === 'number') return v;
    const m = /^([0-9]+)\s*(\w+)$/.exec(v)!;
    return Number(m[1]) * UNITS[m[2] as keyof typeof UNITS];
  });

export const LimitsConfig = z.strictObject({
  /** Concurrent downloads (reposync, artifact pulls). */
  downloads: z.int().min(1).default(8),
  /** Concurrent CPU-bound units (createrepo_c, checksums); "auto" = the host's available parallelism. */
  cpu: z
    .union([z.int().min(1), z.literal('auto')], { error: 'must be a whole number of at least 1, or "auto"' })
    .default('auto')
    .transform((v) => (v === 'auto' ? availableParallelism() : v)),
  /** Concurrent containers (or Jobs) per executor host. */
  containers_per_host: z.int().min(1).default(2),
  /** GiB a store tarball may unpack to (a lorax tree is about 1); past it, refused before a byte is written. */
  unpack_gib: z.int().min(1).default(16),
  /**
   * Bytes per second a download of known size must average: an attempt ends after
   * max(download_deadline_min_s, size / download_min_rate), so an upstream that drips a body is cut off.
   */
  download_min_rate: z.int().min(1).default(65536),
  download_deadline_min_s: z.int().min(1).default(60),
  /**
   * The most an upstream primary, filelists or other file may decompress to; its repomd record's open-size, when
   * smaller, is the limit. A few KiB of gzip can claim or unpack to gigabytes.
   */
  metadata_max_bytes: ByteSize.default(METADATA_MAX_BYTES),
  /** The same for comps and modules, which are copied whole into the mirror's repodata. */
  comps_modules_max_bytes: ByteSize.default(COMPS_MODULES_MAX_BYTES),
});
export type LimitsConfig = z.infer<typeof LimitsConfig>;

export const SiteConfig = z.strictObject({
  /** Composes go to <compose_root>/<major>/; relative paths resolve against the working directory. */
  compose_root: z.string().min(1).default('var/compose'),
  store: StoreConfig.default({ url: 'file://var/store' }),
  executors: ExecutorsConfig.default({ default: { type: 'local' } }),
  limits: LimitsConfig.prefault({}),
  /** Build root image per dist tag (el9 -> ...), for container executors that name none. */
  builder_images: z
    .record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be a dist tag like "el9"'), ContainerImage)
    .default({}),
  log_level: LogLevel.default('info'),
});
export type SiteConfig = z.infer<typeof SiteConfig>;

/** The executor for an arch: its own entry, else `default`, else local. */
export function executorFor(site: SiteConfig, arch: Arch): ExecutorConfig {
  return site.executors[arch] ?? site.executors.default ?? { type: 'local' };
}

/** The container image an executor runs a release's work in, if it needs one and one is known. */
export function executorImage(
  site: SiteConfig,
  executor: ExecutorConfig,
  disttag: string,
): string | undefined {
  if (executor.type !== 'podman' && executor.type !== 'kube') return undefined;
  return executor.image ?? site.builder_images[disttag];
}

export type StoreLocation = { kind: 'file'; path: string } | { kind: 's3'; bucket: string; prefix: string };

/** Splits a store url: `file://<path>` or `s3://<bucket>[/<prefix>]` (prefix without leading or trailing /). */
export function parseStoreUrl(url: string): StoreLocation {
  if (url.startsWith('file://')) return { kind: 'file', path: url.slice('file://'.length) };
  const rest = url.slice('s3://'.length);
  const slash = rest.indexOf('/');
  if (slash < 0) return { kind: 's3', bucket: rest, prefix: '' };
  return {
    kind: 's3',
    bucket: rest.slice(0, slash),
    prefix: rest.slice(slash + 1).replace(/^\/+|\/+$/g, ''),
  };
}
