// launch-builds' Jobs: one Kubernetes Job per arch that runs `horno build-iso` for that arch on a node of that
// architecture (empanadas' kube/Job.tmpl, without its `bash -c` that reported the upload's status). Rendered by the
// executors' renderJob from templates/kube/job.yaml.tmpl and checked against the Kubernetes API schema there.
import type { V1Job } from '@kubernetes/client-node';
import type { Arch } from '../../config/common-schema.ts';
import type { ReleaseConfig } from '../../config/release-schema.ts';
import { executorFor, executorImage, type SiteConfig } from '../../config/site-schema.ts';
import { UsageError } from '../../errors.ts';
import { hasCredentials } from '../../log/redact.ts';
import { credentialEnv, DEFAULT_CREDENTIALS_SECRET } from '../../run/executors/index.ts';
import { jobYaml, renderJob } from '../../run/executors/kube-job.ts';
import { uniqueName } from '../../run/executors/names.ts';
import { JOB_TEMPLATE, readTemplate } from '../../run/executors/templates.ts';
import { selectArches } from '../../config/arches.ts';
import { LORAX_TIMEOUT_MS, loraxVolids } from './plan.ts';

export interface LaunchOptions {
  /** The release key as the pods' horno knows it (the file name under config/releases). */
  releaseKey: string;
  arches?: string[];
  rc?: boolean;
  /** Default: the arch's kube executor image, else builder_images[disttag]. */
  image?: string;
  /** Default: the arch's kube executor namespace, else "horno". */
  namespace?: string;
  /** The Secret holding the credentials, one key per variable (default: the kube executor's credentials_secret,
   * else horno-credentials). */
  secret?: string;
  /** HORNO_SITE inside the pod: a site file in the image naming the shared store. */
  podSite?: string;
  /** More variables for the pod (the ones the release file refers to, so it loads there as it does here). A value
   * holding URL credentials is passed by Secret reference like secretVars, never as a plain value. */
  env?: Record<string, string>;
  /** Variables the pod reads from the Secret (a key of the same name): credentials the release file refers to. */
  secretVars?: string[];
  memoryMb?: number;
  cpus?: number;
  /** Seconds since 1970: the Jobs' name suffix (SOURCE_DATE_EPOCH, else now). */
  epoch: number;
}

export interface LaunchJob {
  arch: string;
  name: string;
  namespace: string;
  failable: boolean;
  job: V1Job;
  yaml: string;
}

export const DEFAULT_NAMESPACE = 'horno';
export const DEFAULT_RESOURCES = { memoryMb: 8192, cpus: 4 };

/** The command a Job runs: build-iso for one arch in a fresh compose of its own, from the upstream repos (the pod
 * shares no file system with the compose host; the tarball comes back through the store). */
export function buildIsoArgv(releaseKey: string, arch: string, rc: boolean | undefined): string[] {
  return [
    'horno',
    'build-iso',
    '--release',
    releaseKey,
    '--arch',
    arch,
    '--new',
    '--upstream-sources',
    ...(rc ? ['--rc'] : []),
  ];
}

export async function renderBuildJobs(
  release: ReleaseConfig,
  site: SiteConfig,
  opts: LaunchOptions,
): Promise<LaunchJob[]> {
  const arches = selectArches(release, opts.arches);
  loraxVolids(release, arches, opts.rc); // a label lorax would refuse stops the launch, not the Job
  const template = await readTemplate(JOB_TEMPLATE);
  const sde = process.env.SOURCE_DATE_EPOCH;
  // a credential goes by name, never by value: anyone who can read a Job can read its plain env
  const plainEnv = Object.fromEntries(Object.entries(opts.env ?? {}).filter(([, v]) => !hasCredentials(v)));
  const secretVars = [
    ...new Set([...(opts.secretVars ?? []), ...Object.keys(opts.env ?? {}).filter((k) => !(k in plainEnv))]),
  ];
  return arches.map((arch) => {
    const cfg = executorFor(site, arch as Arch);
    const kube = cfg.type === 'kube' ? cfg : undefined;
    const image =
      opts.image ?? executorImage(site, cfg, release.disttag) ?? site.builder_images[release.disttag];
    if (!image)
      throw new UsageError(
        `no image for the ${arch} Job`,
        `pass --image, or set builder_images.${release.disttag} (or a kube executor image) in the site config`,
      );
    const name = uniqueName(`buildiso-${release.major}-${arch}`, String(opts.epoch));
    const namespace = opts.namespace ?? kube?.namespace ?? DEFAULT_NAMESPACE;
    const secret = opts.secret ?? kube?.credentials_secret ?? DEFAULT_CREDENTIALS_SECRET;
    const stored = credentialEnv(site, secret);
    const fromRelease = secretVars
      .filter((name) => !stored.some((s) => s.name === name))
      .map((name) => ({ name, secret, key: name }));
    const job = renderJob(template, {
      name,
      namespace,
      arch,
      image,
      argv: buildIsoArgv(opts.releaseKey, arch, opts.rc),
      unit: `build-iso-${arch}`,
      env: {
        ...plainEnv,
        ...(opts.podSite ? { HORNO_SITE: opts.podSite } : {}),
        ...(sde ? { SOURCE_DATE_EPOCH: sde } : {}),
      },
      secretEnv: [...stored, ...fromRelease],
      resources: {
        memoryMb: opts.memoryMb ?? DEFAULT_RESOURCES.memoryMb,
        cpus: opts.cpus ?? DEFAULT_RESOURCES.cpus,
      },
      nodeSelector: kube?.node_selector,
      serviceAccount: kube?.service_account,
      // lorax's own limit plus time for the image pull, the compose set-up and the upload
      timeoutMs: LORAX_TIMEOUT_MS + 3600_000,
      labels: { 'horno.release': release.short, 'horno.step': 'build-iso' },
      // lorax makes loop devices for the EFI image and the runtime, as it did in empanadas' privileged Job
      privileged: true,
      scratchDirs: ['/var/tmp'],
    });
    return {
      arch,
      name,
      namespace,
      failable: release.failable_arches.includes(arch as never),
      job,
      yaml: jobYaml(job),
    };
  });
}
