// Where lorax runs for an arch: the executor the site config names for it (local, podman, or mock as empanadas
// does it), its container image, and the host it occupies: lorax runs are bounded per host by
// limits.containers_per_host, whichever arches share that host.
import type { Arch } from '../../config/common-schema.ts';
import { executorFor, executorImage } from '../../config/site-schema.ts';
import { UsageError } from '../../errors.ts';
import { createExecutor, type Executor, executorHost } from '../../run/executors/index.ts';
import type { StepContext } from '../step.ts';
import type { LoraxPlan } from './plan.ts';

export interface LoraxRunner {
  executor: Executor;
  image?: string;
  /** Identifies the machine the work lands on (for the per-host limit). */
  host: string;
}

export function loraxRunner(ctx: StepContext, plan: LoraxPlan): LoraxRunner {
  const { site, release, paths } = ctx;
  const arch = plan.arch as Arch;
  const cfg = executorFor(site, arch);
  if (cfg.type === 'kube')
    // lorax's output must come back as files: a Job per arch running the whole build-iso is launch-builds' job
    throw new UsageError(
      `build-iso cannot run lorax for ${arch} on a kube executor: a Job cannot hand the tree back`,
      'use `horno launch-builds`, which runs build-iso for each arch as a Kubernetes Job, or give this arch a local, podman or mock executor',
    );
  const executor = createExecutor(site, arch, {
    disttag: release.disttag,
    mock: {
      // not under loraxWork: that folder is mounted into the root, which must not contain itself
      workDir: paths.workDir('mock', 'build-iso', arch),
      releasever: release.major,
      modulePlatformId: release.module_platform_id,
      // the build root comes from the same repos lorax reads
      repos: plan.sources.map((s) => ({ name: s.repo, baseurl: s.url })),
      packages: ['lorax', ...(release.iso?.lorax.required_pkgs ?? [])],
    },
  });
  return { executor, image: executorImage(site, cfg, release.disttag), host: executorHost(site, arch) };
}
