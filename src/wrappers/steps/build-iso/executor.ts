// Where lorax runs for an arch: the executor the site config names for it (local, podman, or mock as empanadas
// does it), never a kube one, with its container image and the host it occupies (the host's pool bounds lorax runs
// by limits.containers_per_host, whichever arches share that host).
import type { Arch } from '../../config/common-schema.ts';
import { executorFor, type SiteConfig } from '../../config/site-schema.ts';
import { UsageError } from '../../errors.ts';
import type { ArchExecutor, StepContext, StepProblem } from '../step.ts';
import type { LoraxPlan } from './plan.ts';

/** Why lorax cannot run for `arch` on this site, or undefined when it can. */
export function kubeRefusal(site: SiteConfig, arch: string): StepProblem | undefined {
  if (executorFor(site, arch as Arch).type !== 'kube') return undefined;
  // lorax's output must come back as files: a Job per arch running the whole build-iso is launch-builds' job
  return {
    message: `build-iso cannot run lorax for ${arch} on a kube executor: a Job cannot hand the tree back`,
    hint: 'use `horno launch-builds`, which runs build-iso for each arch as a Kubernetes Job, or give this arch a local, podman or mock executor',
  };
}

export function loraxRunner(ctx: StepContext, plan: LoraxPlan): ArchExecutor {
  const { release, paths } = ctx;
  const refused = kubeRefusal(ctx.site, plan.arch);
  if (refused) throw new UsageError(refused.message, refused.hint);
  return ctx.executorFor(plan.arch, {
    // not under loraxWork: that folder is mounted into the root, which must not contain itself
    workDir: paths.workDir('mock', 'build-iso', plan.arch),
    releasever: release.major,
    modulePlatformId: release.module_platform_id,
    // the build root comes from the same repos lorax reads
    repos: plan.sources.map((s) => ({ name: s.repo, baseurl: s.url })),
    packages: ['lorax', ...(release.iso?.lorax.required_pkgs ?? [])],
  });
}
