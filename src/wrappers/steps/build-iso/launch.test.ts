import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../config/load.ts';
import type { ReleaseConfig } from '../../config/release-schema.ts';
import { SiteConfig } from '../../config/site-schema.ts';
import type { KubeApi } from '../../run/executors/kube-api.ts';
import { validateJob } from '../../run/executors/kube-schema.ts';
import { launchBuilds, releaseEnv } from './launch.ts';
import { buildIsoArgv, renderBuildJobs } from './launch-jobs.ts';

const demo = async () =>
  (await loadConfig({ release: 'demo', env: { HORNO_UPSTREAM: 'https://mirror.example/demo' } })).release;
const site = (extra: Record<string, unknown> = {}) =>
  SiteConfig.parse({ builder_images: { el9: 'registry.example/horno-builder:el9' }, ...extra });
const EPOCH = 1700000000;

type Behaviour = {
  create?: (job: V1Job) => void;
  /** Conditions returned on the n-th read (last one repeats); a thrown error is a failed read. */
  reads?: (n: number) => V1Job['status'];
  pods?: V1Pod[];
  log?: string;
};

/** A fake API: one behaviour per arch label. */
function fakeApi(byArch: Record<string, Behaviour>) {
  const created: V1Job[] = [];
  const reads = new Map<string, number>();
  const archOf = (name: string) =>
    created.find((j) => j.metadata?.name === name)?.metadata?.labels?.['horno.arch'] ?? '';
  const api: KubeApi = {
    async createJob(_ns, job) {
      byArch[job.metadata!.labels!['horno.arch']!]?.create?.(job);
      created.push(job);
    },
    async readJob(_ns, name) {
      const n = (reads.get(name) ?? 0) + 1;
      reads.set(name, n);
      return { metadata: { name }, status: byArch[archOf(name)]?.reads?.(n) ?? {} };
    },
    async listPods(_ns, selector) {
      return byArch[archOf(selector.replace('job-name=', ''))]?.pods ?? [];
    },
    async readPodLog(_ns, pod) {
      return byArch[archOf(pod.replace(/-pod$/, ''))]?.log ?? '';
    },
    async deleteJob() {},
  };
  return { api, created };
}

const done = (type: 'Complete' | 'Failed', reason?: string, message?: string) => ({
  conditions: [{ type, status: 'True', reason, message }],
});
const pod = (name: string, exitCode: number): V1Pod => ({
  metadata: { name: `${name}-pod`, creationTimestamp: new Date(EPOCH * 1000) },
  status: {
    phase: exitCode ? 'Failed' : 'Succeeded',
    containerStatuses: [{ name: 'build', state: { terminated: { exitCode } } } as never],
  },
});

describe('launch-builds Jobs', () => {
  it('renders one schema-valid Job per arch on nodes of that arch, running build-iso as an argv list', async () => {
    const jobs = await renderBuildJobs(await demo(), site(), {
      releaseKey: 'demo',
      epoch: EPOCH,
      env: { HORNO_UPSTREAM: 'https://m' },
    });
    expect(jobs.map((j) => [j.arch, j.name, j.failable])).toEqual([
      ['x86_64', 'horno-buildiso-9-x86-64-1700000000', false],
      ['aarch64', 'horno-buildiso-9-aarch64-1700000000', true],
    ]);
    for (const j of jobs) {
      // the YAML as written, parsed back, is what the API schema accepts
      expect(validateJob(parse(j.yaml))).toEqual([]);
      const spec = j.job.spec!.template.spec!;
      expect(spec.nodeSelector).toEqual({ 'kubernetes.io/arch': j.arch === 'x86_64' ? 'amd64' : 'arm64' });
      const c = spec.containers[0]!;
      expect(c.image).toBe('registry.example/horno-builder:el9');
      expect(c.command).toEqual([
        'horno',
        'build-iso',
        '--release',
        'demo',
        '--arch',
        j.arch,
        '--new',
        '--upstream-sources',
      ]);
      expect(c.securityContext?.privileged).toBe(true);
      expect(c.resources).toEqual({
        requests: { memory: '8192Mi', cpu: '4' },
        limits: { memory: '8192Mi', cpu: '4' },
      });
      expect(c.env).toEqual([{ name: 'HORNO_UPSTREAM', value: 'https://m' }]);
      expect(j.job.spec!.backoffLimit).toBe(0);
    }
    expect(buildIsoArgv('9', 's390x', true)).toEqual([
      'horno',
      'build-iso',
      '--release',
      '9',
      '--arch',
      's390x',
      '--new',
      '--upstream-sources',
      '--rc',
    ]);
  });

  it("takes the arch's kube executor settings and the store credentials from a Secret", async () => {
    const s = site({
      store: {
        url: 's3://artifacts/horno',
        s3: { credentials: { access_key_id_env: 'S3_KEY', secret_access_key_env: 'S3_SECRET' } },
      },
      executors: {
        default: { type: 'local' },
        aarch64: {
          type: 'kube',
          namespace: 'builds',
          image: 'registry.example/horno:arm',
          service_account: 'horno-builder',
          node_selector: { 'node.example/pool': 'arm' },
        },
      },
    });
    const [j] = await renderBuildJobs(await demo(), s, {
      releaseKey: 'demo',
      arches: ['aarch64'],
      epoch: EPOCH,
      secret: 'store-creds',
      podSite: '/etc/horno/site.yaml',
    });
    expect(j!.namespace).toBe('builds');
    const spec = j!.job.spec!.template.spec!;
    expect(spec.serviceAccountName).toBe('horno-builder');
    expect(spec.nodeSelector).toEqual({ 'kubernetes.io/arch': 'arm64', 'node.example/pool': 'arm' });
    expect(spec.containers[0]!.image).toBe('registry.example/horno:arm');
    expect(spec.containers[0]!.env).toEqual([
      { name: 'HORNO_SITE', value: '/etc/horno/site.yaml' },
      { name: 'S3_KEY', valueFrom: { secretKeyRef: { name: 'store-creds', key: 'S3_KEY' } } },
      { name: 'S3_SECRET', valueFrom: { secretKeyRef: { name: 'store-creds', key: 'S3_SECRET' } } },
    ]);
  });

  it('refuses before rendering: no image, an unknown arch, a label over 32 characters', async () => {
    const r = await demo();
    await expect(
      renderBuildJobs(r, SiteConfig.parse({}), { releaseKey: 'demo', epoch: EPOCH }),
    ).rejects.toThrow(/no image for the x86_64 Job/);
    await expect(
      renderBuildJobs(r, site(), { releaseKey: 'demo', arches: ['ppc64le'], epoch: EPOCH }),
    ).rejects.toThrow(/--arch ppc64le/);
    const long: ReleaseConfig = {
      ...r,
      iso: { ...r.iso!, lorax: { ...r.iso!.lorax, volid: '{short}-{arch}-a-label-far-too-long-for-iso' } },
    };
    await expect(renderBuildJobs(long, site(), { releaseKey: 'demo', epoch: EPOCH })).rejects.toThrow(/32/);
  });

  it('forwards the variables the release values refer to: credentials by name only, comments and keys ignored', () => {
    const text = [
      '# ${IN_A_COMMENT} is not read',
      'upstream:',
      '  baseurl: https://horno:${MIRROR_TOKEN}@mirror.example/9/ # ${TRAILING_COMMENT}',
      '  gpg_keys: ["${KEYS:-/k}/KEY", "${HORNO_UPSTREAM}/KEY2", "${PLAIN_BUT_CREDS}/x"]',
      'note: ${API_PASSWORD}',
      '${NOT_A_KEY_REF}: 1',
      'x: ${UNSET}',
    ].join('\n');
    const env = {
      HORNO_UPSTREAM: 'u',
      KEYS: 'k',
      MIRROR_TOKEN: 'T0K',
      PLAIN_BUT_CREDS: 'http://a:b@h',
      API_PASSWORD: 'pw',
      IN_A_COMMENT: 'c',
      TRAILING_COMMENT: 't',
      NOT_A_KEY_REF: 'n',
      OTHER: 'o',
    };
    expect(releaseEnv(text, env)).toEqual({
      env: { HORNO_UPSTREAM: 'u', KEYS: 'k' },
      secrets: ['API_PASSWORD', 'MIRROR_TOKEN', 'PLAIN_BUT_CREDS'],
    });
  });

  it('passes credentials by secretKeyRef only, from the Secret the kube executor names', async () => {
    const s = site({
      executors: {
        default: { type: 'local' },
        aarch64: { type: 'kube', namespace: 'builds', credentials_secret: 'mirror-creds' },
      },
    });
    const jobs = await renderBuildJobs(await demo(), s, {
      releaseKey: 'demo',
      epoch: EPOCH,
      env: { HORNO_UPSTREAM: 'https://m', LEAKY: 'https://u:L3AKY@m/' },
      secretVars: ['MIRROR_TOKEN'],
    });
    const secretOf = (arch: string) => (arch === 'aarch64' ? 'mirror-creds' : 'horno-credentials');
    for (const j of jobs) {
      expect(j.job.spec!.template.spec!.containers[0]!.env).toEqual([
        { name: 'HORNO_UPSTREAM', value: 'https://m' },
        {
          name: 'MIRROR_TOKEN',
          valueFrom: { secretKeyRef: { name: secretOf(j.arch), key: 'MIRROR_TOKEN' } },
        },
        { name: 'LEAKY', valueFrom: { secretKeyRef: { name: secretOf(j.arch), key: 'LEAKY' } } },
      ]);
      expect(j.yaml).not.toContain('L3AKY');
    }
  });
});

describe('launch-builds --submit (fake Kubernetes API)', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  beforeEach(() => vi.stubEnv('SOURCE_DATE_EPOCH', String(EPOCH)));
  afterEach(() => vi.unstubAllEnvs());
  const run = async (
    byArch: Record<string, Behaviour>,
    release?: ReleaseConfig,
    extra: { timeoutMs?: number; signal?: AbortSignal } = {},
  ) => {
    const out: string[] = [];
    const dir = await mkdtemp(join(tmpdir(), 'horno-launch-'));
    dirs.push(dir);
    const { api, created } = fakeApi(byArch);
    const res = await launchBuilds(
      { release: release ?? (await demo()), site: site() },
      { releaseKey: 'demo', submit: true, outputDir: dir, submitOptions: { pollMs: 5, ...extra } },
      { print: (t) => out.push(t), api },
    );
    return { res, out: out.join('\n'), created, dir };
  };

  it("reports each Job's own verdict with its exit code and log; a failable arch's failure exits 0", async () => {
    const { res, out, created, dir } = await run({
      x86_64: {
        reads: (n) => (n < 3 ? {} : done('Complete')),
        pods: [pod('horno-buildiso-9-x86-64-1700000000', 0)],
        log: 'x86_64  built in 42 s\n',
      },
      aarch64: {
        reads: () => done('Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'),
        pods: [pod('horno-buildiso-9-aarch64-1700000000', 1)],
        log: 'lorax failed for aarch64: dnf transaction failed\n',
      },
    });
    expect(created.map((j) => j.metadata?.name)).toEqual([
      'horno-buildiso-9-x86-64-1700000000',
      'horno-buildiso-9-aarch64-1700000000',
    ]);
    expect(res.exitCode).toBe(0);
    expect(res.reports).toMatchObject([
      { arch: 'x86_64', verdict: 'complete', exitCode: 0 },
      {
        arch: 'aarch64',
        verdict: 'failed',
        exitCode: 1,
        failable: true,
        reason: 'BackoffLimitExceeded: Job has reached the specified backoff limit',
      },
    ]);
    expect(out).toMatch(
      /aarch64\s+FAILED \(failable arch\) Job horno\/horno-buildiso-9-aarch64-1700000000 exit 1/,
    );
    expect(out).toMatch(/\| lorax failed for aarch64/);
    expect(await readFile(join(dir, 'horno-buildiso-9-aarch64-1700000000.log'), 'utf8')).toContain(
      'dnf transaction failed',
    );
    expect(await readFile(join(dir, 'horno-buildiso-9-x86-64-1700000000.yaml'), 'utf8')).toMatch(
      /^apiVersion: batch\/v1/,
    );
  });

  it('exits 1 when a required arch fails, or its Job cannot be created (with the API status)', async () => {
    const strict = { ...(await demo()), failable_arches: [] };
    const failed = await run(
      {
        x86_64: { reads: () => done('Complete') },
        aarch64: { reads: () => done('Failed', 'DeadlineExceeded') },
      },
      strict,
    );
    expect(failed.res.exitCode).toBe(1);

    const forbidden = Object.assign(new Error('HTTP-Code: 403'), {
      code: 403,
      body: JSON.stringify({ message: 'jobs.batch is forbidden: User "ci" cannot create resource "jobs"' }),
    });
    const denied = await run({
      x86_64: {
        create: () => {
          throw forbidden;
        },
      },
      aarch64: { reads: () => done('Complete') },
    });
    expect(denied.res.exitCode).toBe(1);
    expect(denied.res.reports![0]).toMatchObject({
      verdict: 'not-created',
      reason: expect.stringMatching(/HTTP 403.*cannot create resource "jobs"/),
    });
  });

  it('gives up on a Job it cannot read, stops at the wait timeout, and stops waiting on cancel', async () => {
    const broken = await run({
      x86_64: {
        reads: () => {
          throw Object.assign(new Error('connect ECONNREFUSED'), { code: undefined });
        },
      },
      aarch64: { reads: () => done('Complete') },
    });
    expect(broken.res.reports![0]).toMatchObject({
      verdict: 'failed',
      reason: expect.stringMatching(/reading Job .*ECONNREFUSED/),
    });

    const slow = await run(
      { x86_64: { reads: () => ({}) }, aarch64: { reads: () => done('Complete') } },
      undefined,
      { timeoutMs: 50 },
    );
    expect(slow.res.reports![0]).toMatchObject({ verdict: 'timeout' });
    expect(slow.res.exitCode).toBe(1);

    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    const cancelled = await run(
      { x86_64: { reads: () => ({}) }, aarch64: { reads: () => ({}) } },
      undefined,
      { signal: ac.signal },
    );
    expect(cancelled.res.reports!.map((r) => r.verdict)).toEqual(['interrupted', 'interrupted']);
  });
});
