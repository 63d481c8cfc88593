// Builds the StepContext a run hands every step: the config, the clock, the compose's paths, a logger, the run's
// signal, the progress monitor, the shared limits, the store (opened on first use) and the executors.
import type { Arch } from '../config/common-schema.ts';
import { executorFor, executorImage } from '../config/site-schema.ts';
import type { Logger } from '../log/logger.ts';
import { linkedSignal } from '../run/cancel.ts';
import { createLimits } from '../run/limits.ts';
import { run } from '../run/runner.ts';
import { createExecutor, executorHost, type MockContext } from '../run/executors/index.ts';
import { openStore, type ArtifactStore } from '../store/index.ts';
import type { ArchExecutor, ExecRequest, PlanContext, StepContext } from '../steps/step.ts';
import { createMonitor, type Monitor } from './monitor.ts';
import type { ComposePaths } from './paths.ts';

export function createStepContext(
  plan: PlanContext,
  paths: ComposePaths,
  log: Logger,
  opts: { monitor?: Monitor; signal?: AbortSignal } = {},
): StepContext {
  let store: ArtifactStore | undefined;
  const ctx: StepContext = {
    ...plan,
    paths,
    log,
    signal: opts.signal ?? linkedSignal(),
    monitor: opts.monitor ?? createMonitor(),
    limits: createLimits(plan.site),
    get store() {
      return (store ??= openStore(plan.site));
    },
    executorFor(arch: string, mock?: MockContext): ArchExecutor {
      const a = arch as Arch;
      const cfg = executorFor(plan.site, a);
      return {
        executor: createExecutor(plan.site, a, { disttag: plan.release.disttag, mock }),
        image: executorImage(plan.site, cfg, plan.release.disttag),
        host: executorHost(plan.site, a),
      };
    },
    async exec(req: ExecRequest) {
      const { on, captureStdout, input, okExitCodes, ...spec } = req;
      // an executor other than this host's own (or one given mounts to check) runs it; its output goes to the log
      if (on && (on.kind !== 'local' || spec.mounts?.length))
        return on.run({ ...spec, arch: spec.arch ?? 'noarch', logFile: spec.logFile ?? paths.mainLog });
      return run(spec.argv, {
        cwd: spec.workdir,
        env: spec.env,
        logFile: spec.logFile,
        timeoutMs: spec.timeoutMs,
        signal: spec.signal,
        captureStdout,
        input,
        okExitCodes,
      });
    },
  };
  return ctx;
}
