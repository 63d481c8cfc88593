// launch-builds through the real CLI: one Job per arch of the demo release written as YAML files that the
// Kubernetes API schema accepts, each pinned to nodes of its arch and running build-iso as an argv list. There is
// no cluster here: --submit must fail plainly (exit 1) after the YAML is written; the submit path itself is tested
// against a fake API in src/wrappers/steps/build-iso/launch.test.ts.
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateJob } from '../../src/wrappers/run/executors/kube-schema.ts';
import { createLab, type Lab } from '../helpers/horno.ts';

let lab: Lab;
const IMAGE = 'registry.example/horno-builder:el9';

const TOKEN = 'tok-CANARY-5d1e';

beforeAll(async () => {
  // demo with a token in its baseurl, and variables in comments that must not reach the Jobs
  const demo = await readFile(new URL('../../config/releases/demo.yaml', import.meta.url), 'utf8');
  const withToken = `# mirror token: \${COMMENT_ONLY}\n${demo.replace(
    /^ {2}baseurl: .*$/m,
    '  baseurl: https://horno:${MIRROR_TOKEN}@mirror.example/demo # not ${TRAILING_COMMENT}',
  )}`;
  expect(withToken).toContain('${MIRROR_TOKEN}');
  lab = await createLab({
    upstream: 'https://mirror.example/demo',
    extraReleases: { 'demo-token': withToken },
  });
  lab.env.SOURCE_DATE_EPOCH = '1700000000';
});

afterAll(async () => {
  if (lab) await rm(lab.dir, { recursive: true, force: true });
});

describe('launch-builds', () => {
  it('writes a valid Job per arch, each on nodes of its arch', async () => {
    const out = join(lab.dir, 'jobs');
    const r = await lab.horno(['launch-builds', '--release', 'demo', '--image', IMAGE, '-o', out, '--json']);
    const summary = JSON.parse(r.stdout) as { ok: boolean; jobs: { arch: string; file: string }[] };
    expect(summary.ok).toBe(true);
    expect((await readdir(out)).sort()).toEqual([
      'horno-buildiso-9-aarch64-1700000000.yaml',
      'horno-buildiso-9-x86-64-1700000000.yaml',
    ]);
    for (const { arch, file } of summary.jobs) {
      const job = parse(await readFile(file, 'utf8')) as {
        spec: {
          template: {
            spec: {
              nodeSelector: Record<string, string>;
              containers: { command: string[]; image: string; env: unknown[] }[];
            };
          };
        };
      };
      expect(validateJob(job)).toEqual([]);
      const pod = job.spec.template.spec;
      expect(pod.nodeSelector['kubernetes.io/arch']).toBe(arch === 'x86_64' ? 'amd64' : 'arm64');
      expect(pod.containers[0]!.image).toBe(IMAGE);
      expect(pod.containers[0]!.command).toEqual([
        'horno',
        'build-iso',
        '--release',
        'demo',
        '--arch',
        arch,
        '--new',
        '--upstream-sources',
      ]);
      // the pod loads the same release file: the variables it refers to go with the Job
      expect(pod.containers[0]!.env).toContainEqual({
        name: 'HORNO_UPSTREAM',
        value: 'https://mirror.example/demo',
      });
    }
  });

  it('passes a token the release URL refers to by secretKeyRef, its value nowhere in the YAML', async () => {
    const out = join(lab.dir, 'jobs-token');
    const extra = { MIRROR_TOKEN: TOKEN, COMMENT_ONLY: 'c-CANARY', TRAILING_COMMENT: 't-CANARY' };
    Object.assign(lab.env, extra);
    const r = await lab
      .horno(['launch-builds', '--release', 'demo-token', '--image', IMAGE, '-o', out, '--json'])
      .finally(() => Object.keys(extra).forEach((k) => delete lab.env[k]));
    const summary = JSON.parse(r.stdout) as { jobs: { arch: string; file: string }[] };
    expect(summary.jobs).toHaveLength(2);
    for (const { file } of summary.jobs) {
      const text = await readFile(file, 'utf8');
      expect(text).not.toContain(TOKEN);
      expect(text).not.toMatch(/CANARY|COMMENT_ONLY|TRAILING_COMMENT/);
      const job = parse(text) as { spec: { template: { spec: { containers: { env: unknown[] }[] } } } };
      expect(validateJob(job)).toEqual([]);
      expect(job.spec.template.spec.containers[0]!.env).toEqual([
        { name: 'HORNO_UPSTREAM', value: 'https://mirror.example/demo' },
        { name: 'SOURCE_DATE_EPOCH', value: '1700000000' },
        {
          name: 'MIRROR_TOKEN',
          valueFrom: { secretKeyRef: { name: 'horno-credentials', key: 'MIRROR_TOKEN' } },
        },
      ]);
    }
    expect(`${r.stdout}${r.stderrTail}`).not.toContain(TOKEN);
  });

  it('prints the YAML for kubectl without -o', async () => {
    const r = await lab.horno(['launch-builds', '--release', 'demo', '--image', IMAGE, '--arch', 'aarch64']);
    const docs = r.stdout.split(/^---$/m).map((d) => parse(d) as unknown);
    expect(docs).toHaveLength(1);
    expect(validateJob(docs[0])).toEqual([]);
  });

  it('refuses bad input with exit 2 before writing anything', async () => {
    const out = join(lab.dir, 'none');
    const r = await lab.horno(['launch-builds', '--release', 'demo', '-o', out], { okExitCodes: [2] });
    expect(r.stderrTail).toMatch(/no image for the x86_64 Job/);
    await expect(readdir(out)).rejects.toThrow();
  });

  it('fails plainly with --submit when no cluster can be reached, after writing the YAML', async () => {
    const out = join(lab.dir, 'submitted');
    lab.env.KUBECONFIG = join(lab.dir, 'no-such-kubeconfig');
    const r = await lab.horno(
      ['launch-builds', '--release', 'demo', '--image', IMAGE, '-o', out, '--submit', '--poll-seconds', '1'],
      {
        okExitCodes: [1],
        timeoutMs: 60_000,
      },
    );
    expect(`${r.stdout}\n${r.stderrTail}`).toMatch(
      /cannot load on Node|NOT-CREATED|kubeconfig|ENOENT|ECONNREFUSED/i,
    );
    expect(await readdir(out)).toHaveLength(2);
  });
});
