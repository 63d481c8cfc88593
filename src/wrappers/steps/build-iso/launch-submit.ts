// launch-builds --submit: creates the rendered Jobs, waits for each Job's own verdict (Complete or Failed in its
// conditions), and reports it with the build container's exit code and its log, saved beside the YAML. The Jobs
// are left to the cluster (ttlSecondsAfterFinished removes them): a Ctrl-C stops the waiting, not the builds.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { kubeError, type KubeApi } from '../../run/executors/kube-api.ts';
import { CONTAINER, jobOutcome, podExitCode } from '../../run/executors/kube.ts';
import { linkedSignal, sleep } from '../../run/cancel.ts';
import type { LaunchJob } from './launch-jobs.ts';

const TAIL_LINES = 20;

export type JobVerdict = 'complete' | 'failed' | 'not-created' | 'timeout' | 'interrupted';

export interface JobReport {
  arch: string;
  name: string;
  namespace: string;
  failable: boolean;
  verdict: JobVerdict;
  /** The Job's failure reason, the API's error, or what stopped the wait. */
  reason?: string;
  /** The build container's exit code (a failed Job whose pod ran). */
  exitCode?: number | null;
  /** The pods' logs, when a log folder was given. */
  logFile?: string;
  /** The last lines of the build container's log. */
  logTail?: string;
  seconds: number;
}

export interface SubmitOptions {
  /** Default 10 s. */
  pollMs?: number;
  /** How long to wait for all Jobs (default: none beyond the Jobs' own activeDeadlineSeconds). */
  timeoutMs?: number;
  /** Where the pods' logs are written (<name>.log). */
  logDir?: string;
  signal?: AbortSignal;
  /** Consecutive failed status reads tolerated (the API server restarting). Default 5. */
  maxReadErrors?: number;
  onCreated?(job: LaunchJob): void;
}

export async function submitJobs(
  api: KubeApi,
  jobs: LaunchJob[],
  opts: SubmitOptions = {},
): Promise<JobReport[]> {
  const signal = linkedSignal(opts.signal);
  return Promise.all(jobs.map((j) => submitOne(api, j, opts, signal)));
}

async function submitOne(
  api: KubeApi,
  j: LaunchJob,
  opts: SubmitOptions,
  signal: AbortSignal,
): Promise<JobReport> {
  const started = performance.now();
  const report = (verdict: JobVerdict, more: Partial<JobReport> = {}): JobReport => ({
    arch: j.arch,
    name: j.name,
    namespace: j.namespace,
    failable: j.failable,
    verdict,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    ...more,
  });
  try {
    await api.createJob(j.namespace, j.job);
  } catch (e) {
    return report('not-created', {
      reason: kubeError(`creating Job ${j.name} in ${j.namespace}`, e).message,
    });
  }
  opts.onCreated?.(j);
  const deadline = opts.timeoutMs === undefined ? Infinity : performance.now() + opts.timeoutMs;
  let readErrors = 0;
  for (;;) {
    if (signal.aborted)
      return report('interrupted', { reason: 'stopped waiting; the Job keeps running in the cluster' });
    if (performance.now() >= deadline)
      return report('timeout', {
        reason: `no verdict within ${Math.round((opts.timeoutMs ?? 0) / 1000)} s; the Job keeps running`,
      });
    try {
      const done = jobOutcome(await api.readJob(j.namespace, j.name));
      readErrors = 0;
      if (done) {
        const logs = await collect(api, j, opts.logDir);
        if (done.kind === 'complete') return report('complete', logs);
        return report('failed', { reason: done.reason || 'Job failed', ...logs });
      }
    } catch (e) {
      if (++readErrors > (opts.maxReadErrors ?? 5))
        return report('failed', { reason: kubeError(`reading Job ${j.name}`, e).message });
    }
    await sleep(Math.min(opts.pollMs ?? 10_000, Math.max(0, deadline - performance.now())), signal);
  }
}

/** The build container's exit code and every pod's log (oldest first); best effort. */
async function collect(
  api: KubeApi,
  j: LaunchJob,
  logDir: string | undefined,
): Promise<{ exitCode: number | null; logFile?: string; logTail?: string }> {
  const pods = await api.listPods(j.namespace, `job-name=${j.name}`).catch(() => []);
  const exitCode = podExitCode(pods);
  const parts: string[] = [];
  const byAge = [...pods].sort(
    (a, b) => Number(a.metadata?.creationTimestamp ?? 0) - Number(b.metadata?.creationTimestamp ?? 0),
  );
  for (const p of byAge) {
    const pod = p.metadata?.name ?? '?';
    parts.push(`# pod ${pod} (${p.status?.phase ?? 'unknown'})\n`);
    const text = await api
      .readPodLog(j.namespace, pod, CONTAINER)
      .catch((e: unknown) => `# no log: ${kubeError('reading the log', e).message}\n`);
    parts.push(text.endsWith('\n') || text === '' ? text : `${text}\n`);
  }
  const text = parts.join('');
  const logTail = text.trimEnd().split('\n').slice(-TAIL_LINES).join('\n');
  if (!logDir) return { exitCode, logTail };
  await mkdir(logDir, { recursive: true });
  const logFile = join(logDir, `${j.name}.log`);
  await writeFile(logFile, text);
  return { exitCode, logFile, logTail };
}
