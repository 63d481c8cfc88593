// Where a disc is mastered: the executor the site config names for the arch (the host, a podman builder, a mock
// root with xorriso and isomd5sum), with the compose folder mounted at its own path so the dialog's paths read the
// same inside. A kube Job cannot see the compose's files, so that is refused before anything runs.
import type { Arch } from '../../config/common-schema.ts';
import { executorFor, type SiteConfig } from '../../config/site-schema.ts';
import { UsageError } from '../../errors.ts';
import { composeMockRepos, type Executor, type Mount } from '../../run/executors/index.ts';
import type { StepContext, StepProblem } from '../step.ts';

export interface MasteringRunner {
  executor: Executor;
  mounts: Mount[];
}

/** Why discs for `arch` cannot be mastered where the site config sends it, if they cannot. */
export function masteringRefusal(site: SiteConfig, arch: string): StepProblem | undefined {
  if (executorFor(site, arch as Arch).type !== 'kube') return undefined;
  return {
    message: `build-iso-extra cannot master discs for ${arch} on a kube executor: a Job does not see the compose's files`,
    hint: 'give this arch a local, podman or mock executor in the site config',
  };
}

export function masteringRunner(ctx: StepContext, arch: string): MasteringRunner {
  const { release, paths } = ctx;
  const refused = masteringRefusal(ctx.site, arch);
  if (refused) throw new UsageError(refused.message, refused.hint);
  const { executor } = ctx.executorFor(arch, {
    workDir: paths.workDir('mock', 'build-iso-extra', arch),
    releasever: release.major,
    modulePlatformId: release.module_platform_id,
    repos: composeMockRepos(release, paths, arch as Arch),
    packages: ['xorriso', 'isomd5sum'],
  });
  return { executor, mounts: [{ host: paths.dir, target: paths.dir }] };
}
