// The local executor: the command runs on this host through run(), with the host's tools. There is no container,
// so a mount cannot move a folder: each mount's target must be its host path (steps that need remapped paths must
// run on podman, mock or kube). image, resources and network do not apply and are ignored.
import { UsageError } from '../../errors.ts';
import { run } from '../runner.ts';
import type { ExecResult, ExecSpec, Executor } from './executor.ts';

export class LocalExecutor implements Executor {
  readonly kind = 'local' as const;

  async run(spec: ExecSpec): Promise<ExecResult> {
    for (const m of spec.mounts ?? [])
      if (m.target !== m.host)
        throw new UsageError(
          `the local executor cannot mount ${m.host} at ${m.target}`,
          `run this arch (${spec.arch}) on a podman, mock or kube executor in the site config`,
        );
    const r = await run(spec.argv, {
      cwd: spec.workdir,
      env: spec.env,
      logFile: spec.logFile,
      timeoutMs: spec.timeoutMs,
      signal: spec.signal,
    });
    return { exitCode: r.exitCode, durationMs: r.durationMs };
  }
}
