// The kube executor: one Job per run, rendered by renderJob and checked against the API schema, created, polled
// until the Job itself says Complete or Failed, its pods' logs collected into the unit's log file, then deleted.
// The outcome is the Job's real one: the container's exit code when it failed, a timeout or cancel deletes it.
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { CommandFailedError, InterruptedError, UsageError } from '../../errors.ts';
import { linkedSignal, sleep } from '../cancel.ts';
import type { ExecResult, ExecSpec, Executor } from './executor.ts';
import { clientNodeApi, kubeError, type KubeApi, type KubeConnection } from './kube-api.ts';
import { type JobInput, renderJob, type SecretEnv } from './kube-job.ts';
import { readableName, uniqueName } from './names.ts';
import { JOB_TEMPLATE, readTemplate } from './templates.ts';
import { quoteForLog, UnitLog } from './unit-log.ts';

export const CONTAINER = 'build';

export interface KubeExecutorOptions extends KubeConnection {
  namespace: string;
  image?: string;
  serviceAccount?: string;
  nodeSelector?: Record<string, string>;
  /** Credentials for the pod: single Secret keys, and whole Secrets as env. */
  secretEnv?: SecretEnv[];
  envFromSecrets?: string[];
  privileged?: boolean;
  backoffLimit?: number;
  /** Injected API (tests, launch-builds); default: @kubernetes/client-node with the connection above. */
  api?: KubeApi;
  pollMs?: number;
  /** Consecutive failed status reads tolerated while waiting (the API server restarting, a network blip). */
  maxReadErrors?: number;
}

type Outcome =
  { kind: 'complete' } | { kind: 'failed'; reason: string } | { kind: 'timeout' } | { kind: 'cancel' };

/** Complete or Failed from the Job's own conditions; FailureTarget/SuccessCriteriaMet come first and are not final. */
export function jobOutcome(
  job: V1Job,
): { kind: 'complete' } | { kind: 'failed'; reason: string } | undefined {
  for (const c of job.status?.conditions ?? []) {
    if (c.status !== 'True') continue;
    if (c.type === 'Complete') return { kind: 'complete' };
    if (c.type === 'Failed')
      return { kind: 'failed', reason: [c.reason, c.message].filter(Boolean).join(': ') };
  }
  return undefined;
}

/** A pod's creation time in ms (a Date from the client, a string from a fake or raw JSON). */
function created(p: V1Pod): number {
  const t = new Date(p.metadata?.creationTimestamp ?? 0).getTime();
  return Number.isNaN(t) ? 0 : t;
}

/** The build container's exit code in the newest pod that has one. */
export function podExitCode(pods: V1Pod[]): number | null {
  const byAge = [...pods].sort((a, b) => created(b) - created(a));
  for (const p of byAge) {
    const st = p.status?.containerStatuses?.find((s) => s.name === CONTAINER);
    const code = st?.state?.terminated?.exitCode ?? st?.lastState?.terminated?.exitCode;
    if (code !== undefined) return code;
  }
  return null;
}

export class KubeExecutor implements Executor {
  readonly kind = 'kube' as const;
  private api?: KubeApi;

  constructor(private readonly opts: KubeExecutorOptions) {
    this.api = opts.api;
  }

  async run(spec: ExecSpec): Promise<ExecResult> {
    const o = this.opts;
    if (spec.mounts?.length)
      throw new UsageError(
        `a kube Job cannot see this host's folders (${spec.mounts.map((m) => m.host).join(', ')})`,
        'pass inputs and outputs through the artifact store, or run this arch on a podman or local executor',
      );
    const image = spec.image ?? o.image;
    if (!image)
      throw new UsageError(
        `no container image for ${spec.arch} in namespace ${o.namespace}`,
        'set executors.<arch>.image or builder_images.<disttag> in the site config',
      );
    const signal = linkedSignal(spec.signal);
    if (signal.aborted) throw new InterruptedError(`not started, run interrupted: ${spec.argv[0]}`);
    const unit = readableName(spec);
    const name = uniqueName(unit);
    const input: JobInput = {
      name,
      unit,
      namespace: o.namespace,
      arch: spec.arch,
      image,
      argv: spec.argv,
      workdir: spec.workdir,
      env: spec.env,
      secretEnv: o.secretEnv,
      envFromSecrets: o.envFromSecrets,
      resources: spec.resources,
      nodeSelector: o.nodeSelector,
      serviceAccount: o.serviceAccount,
      backoffLimit: o.backoffLimit,
      timeoutMs: spec.timeoutMs,
      privileged: o.privileged,
    };
    const job = renderJob(await readTemplate(JOB_TEMPLATE), input);
    this.api ??= await clientNodeApi(o);
    const api = this.api;

    const log = await UnitLog.open(spec.logFile);
    log.note(`$ ${spec.argv.map(quoteForLog).join(' ')}`);
    log.note(`# kube namespace=${o.namespace} job=${name} image=${image}`);
    const started = performance.now();
    let outcome: Outcome | undefined;
    let pods: V1Pod[] | undefined;
    try {
      await api.createJob(o.namespace, job).catch((e: unknown) => {
        throw kubeError(`creating Job ${name} in ${o.namespace}`, e);
      });
      try {
        outcome = await this.waitFor(name, spec.timeoutMs, signal);
      } finally {
        // before the delete: the pods (their logs, the container's exit code) go with the Job
        pods = await this.collectLogs(name, log);
        // on every path: a timed-out or cancelled Job must stop, and a finished one has told us all it will
        await api.deleteJob(o.namespace, name).catch((e: unknown) => {
          log.note(`# could not delete Job ${name}: ${kubeError('delete', e).message}`);
        });
      }
    } finally {
      log.note(`# outcome=${outcome?.kind ?? 'error'} ms=${Math.round(performance.now() - started)}`);
      await log.close();
    }
    const durationMs = Math.round(performance.now() - started);
    if (outcome.kind === 'complete') return { exitCode: 0, durationMs };
    if (outcome.kind === 'cancel')
      throw new InterruptedError(`${spec.argv[0]} interrupted (Job ${name} deleted)`);
    const reason = outcome.kind === 'failed' ? `\n(Job ${name} failed: ${outcome.reason})` : '';
    throw new CommandFailedError(
      spec.argv,
      outcome.kind === 'failed' ? podExitCode(pods ?? []) : null,
      null,
      log.tail() + reason,
      spec.logFile,
      outcome.kind === 'timeout',
    );
  }

  private async waitFor(name: string, timeoutMs: number | undefined, signal: AbortSignal): Promise<Outcome> {
    const o = this.opts;
    const deadline = timeoutMs === undefined ? Infinity : performance.now() + timeoutMs;
    let readErrors = 0;
    for (;;) {
      if (signal.aborted) return { kind: 'cancel' };
      if (performance.now() >= deadline) return { kind: 'timeout' };
      try {
        const done = jobOutcome(await this.api!.readJob(o.namespace, name));
        readErrors = 0;
        if (done) return done;
      } catch (e) {
        if (++readErrors > (o.maxReadErrors ?? 5)) throw kubeError(`reading Job ${name}`, e);
      }
      await sleep(Math.min(o.pollMs ?? 2000, Math.max(0, deadline - performance.now())), signal);
    }
  }

  /** Every pod's build-container log, oldest pod first; best effort (a pod that never started has none). */
  private async collectLogs(name: string, log: UnitLog): Promise<V1Pod[]> {
    const ns = this.opts.namespace;
    try {
      const pods = (await this.api!.listPods(ns, `job-name=${name}`)).sort((a, b) => created(a) - created(b));
      for (const p of pods) {
        const pod = p.metadata?.name ?? '?';
        log.note(`# pod ${pod} (${p.status?.phase ?? 'unknown'})`);
        const text = await this.api!.readPodLog(ns, pod, CONTAINER).catch(
          (e: unknown) => `# no log: ${kubeError('log', e).message}\n`,
        );
        log.output.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
      }
      return pods;
    } catch (e) {
      log.note(`# could not list the Job's pods: ${kubeError('list', e).message}`);
      return [];
    }
  }
}
