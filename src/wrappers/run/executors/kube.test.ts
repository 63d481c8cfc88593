// The kube executor's submit/wait logic against a fake API (there is no cluster here): error paths only. A Job
// that fails must fail the run with the container's exit code; a timeout or cancel must delete the Job.
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CommandFailedError, InterruptedError, UsageError, WorkError } from '../../errors.ts';
import type { KubeApi } from './kube-api.ts';
import { KubeExecutor } from './kube.ts';
import { validateJob } from './kube-schema.ts';

type Step = 'running' | 'failed' | 'complete' | 'error';

function fakeApi(script: Step[], opts: { createError?: unknown; exitCode?: number; log?: string } = {}) {
  const calls: string[] = [];
  const created: V1Job[] = [];
  let i = 0;
  const api: KubeApi = {
    async createJob(ns, job) {
      calls.push(`create ${ns}/${job.metadata?.name}`);
      if (opts.createError) throw opts.createError;
      created.push(job);
    },
    async readJob(ns, name) {
      calls.push(`read ${name}`);
      const step = script[Math.min(i++, script.length - 1)]!;
      if (step === 'error') throw Object.assign(new Error('connection reset'), { code: 503 });
      const conditions =
        step === 'failed'
          ? [
              { type: 'FailureTarget', status: 'True' },
              {
                type: 'Failed',
                status: 'True',
                reason: 'BackoffLimitExceeded',
                message: 'Job has reached the specified backoff limit',
              },
            ]
          : step === 'complete'
            ? [{ type: 'Complete', status: 'True' }]
            : [];
      return { metadata: { name, namespace: ns }, status: { conditions } } as V1Job;
    },
    async listPods(_ns, selector) {
      calls.push(`pods ${selector}`);
      return [
        {
          metadata: { name: 'pod-1', creationTimestamp: new Date(1000) },
          status: {
            phase: 'Failed',
            containerStatuses: [{ name: 'build', state: { terminated: { exitCode: opts.exitCode ?? 3 } } }],
          },
        },
      ] as V1Pod[];
    },
    async readPodLog(_ns, pod, container) {
      calls.push(`log ${pod}/${container}`);
      return opts.log ?? 'lorax: building\nlorax: error: no kernel found\n';
    },
    async deleteJob(_ns, name) {
      calls.push(`delete ${name}`);
    },
  };
  return { api, calls, created };
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function logFile() {
  const d = await mkdtemp(join(tmpdir(), 'horno-kube-'));
  dirs.push(d);
  return join(d, 'unit.log');
}

const spec = (extra = {}) => ({
  argv: ['lorax', '--product', 'Rocky Linux'],
  arch: 'aarch64',
  name: 'build-iso aarch64',
  ...extra,
});

describe('KubeExecutor (fake API, error paths)', () => {
  it('fails with the container exit code when the Job fails, logs collected, Job deleted', async () => {
    const { api, calls, created } = fakeApi(['running', 'running', 'failed'], { exitCode: 3 });
    const ex = new KubeExecutor({ namespace: 'horno', image: 'img:el9', api, pollMs: 1 });
    const log = await logFile();
    const err = await ex.run({ ...spec(), logFile: log }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandFailedError);
    const e = err as CommandFailedError;
    expect(e.exitCode_).toBe(3);
    expect(e.timedOut).toBe(false);
    expect(e.stderrTail).toContain('lorax: error: no kernel found');
    expect(e.stderrTail).toContain('Job has reached the specified backoff limit');
    const name = created[0]!.metadata!.name!;
    expect(name).toMatch(/^horno-build-iso-aarch64-[0-9a-f]{8}$/);
    expect(calls).toEqual([
      `create horno/${name}`,
      `read ${name}`,
      `read ${name}`,
      `read ${name}`,
      `pods job-name=${name}`,
      `log pod-1/build`,
      `delete ${name}`,
    ]);
    // what was submitted is a valid Job running the argv itself, on an arm64 node
    expect(validateJob(created[0])).toEqual([]);
    const pod = created[0]!.spec!.template.spec!;
    expect(pod.containers[0]!.command).toEqual(['lorax', '--product', 'Rocky Linux']);
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/arch': 'arm64' });
    const text = await readFile(log, 'utf8');
    expect(text).toContain('# pod pod-1 (Failed)\nlorax: building\nlorax: error: no kernel found\n');
    expect(text).toContain('# outcome=failed');
  });

  it('reports a refused create without waiting or deleting', async () => {
    const forbidden = Object.assign(new Error('HTTP-Code: 403'), {
      code: 403,
      body: JSON.stringify({ message: 'jobs.batch is forbidden: User "ci" cannot create resource "jobs"' }),
    });
    const { api, calls } = fakeApi(['running'], { createError: forbidden });
    const ex = new KubeExecutor({ namespace: 'horno', image: 'img', api, pollMs: 1 });
    const err = await ex.run({ ...spec(), logFile: await logFile() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkError);
    expect((err as WorkError).message).toMatch(
      /^creating Job horno-build-iso-aarch64-[0-9a-f]{8} in horno \(HTTP 403\): jobs\.batch is forbidden: User "ci" cannot create resource "jobs"$/,
    );
    expect((err as WorkError).hint).toBe('check the kubeconfig context and its rights in the namespace');
    expect(calls).toHaveLength(1);
  });

  it('deletes the Job and reports a timeout when it runs too long', async () => {
    const { api, calls } = fakeApi(['running']);
    const ex = new KubeExecutor({ namespace: 'horno', image: 'img', api, pollMs: 5 });
    const err = await ex.run({ ...spec(), logFile: await logFile(), timeoutMs: 40 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandFailedError);
    expect((err as CommandFailedError).timedOut).toBe(true);
    expect((err as CommandFailedError).exitCode_).toBeNull();
    expect(calls.filter((c) => c.startsWith('delete'))).toHaveLength(1);
  });

  it('deletes the Job when cancelled', async () => {
    const { api, calls } = fakeApi(['running']);
    const ex = new KubeExecutor({ namespace: 'horno', image: 'img', api, pollMs: 10_000 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    const started = Date.now();
    const err = await ex
      .run({ ...spec(), logFile: await logFile(), signal: ac.signal })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterruptedError);
    expect(Date.now() - started).toBeLessThan(2000); // the poll sleep is cut short
    expect(calls.at(-1)).toMatch(/^delete horno-build-iso-aarch64-/);
  });

  it('rides out a few failed status reads, then gives up on the API', async () => {
    const ok = fakeApi(['error', 'error', 'failed']);
    const err1 = await new KubeExecutor({ namespace: 'horno', image: 'img', api: ok.api, pollMs: 1 })
      .run({ ...spec(), logFile: await logFile() })
      .catch((e: unknown) => e);
    expect(err1).toBeInstanceOf(CommandFailedError); // the Job's own failure, seen through the blips

    const down = fakeApi(['error']);
    const err2 = await new KubeExecutor({
      namespace: 'horno',
      image: 'img',
      api: down.api,
      pollMs: 1,
      maxReadErrors: 2,
    })
      .run({ ...spec(), logFile: await logFile() })
      .catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(WorkError);
    expect((err2 as WorkError).message).toMatch(
      /^reading Job horno-build-iso-aarch64-[0-9a-f]{8} \(HTTP 503\): connection reset$/,
    );
    expect(down.calls.filter((c) => c.startsWith('read'))).toHaveLength(3);
    expect(down.calls.at(-1)).toMatch(/^delete /);
  });

  it('refuses host mounts and a missing image before touching the API', async () => {
    const { api, calls } = fakeApi(['running']);
    const ex = new KubeExecutor({ namespace: 'horno', api, pollMs: 1 });
    await expect(
      ex.run({
        ...spec(),
        image: 'img',
        logFile: await logFile(),
        mounts: [{ host: '/srv/c', target: '/c' }],
      }),
    ).rejects.toThrow(UsageError);
    await expect(ex.run({ ...spec(), logFile: await logFile() })).rejects.toThrow(
      /no container image for aarch64/,
    );
    expect(calls).toEqual([]);
  });
});
