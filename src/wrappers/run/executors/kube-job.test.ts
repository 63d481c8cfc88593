import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../errors.ts';
import { fillTemplate, type JobInput, jobYaml, k8sArch, renderJob } from './kube-job.ts';
import { validateAgainst, validateJob } from './kube-schema.ts';
import { JOB_TEMPLATE, templateFile } from './templates.ts';

let template: string;
beforeAll(async () => {
  template = await readFile(templateFile(JOB_TEMPLATE), 'utf8');
});

const input = (arch: string): JobInput => ({
  name: `horno-build-iso-${arch.replace('_', '-')}-0123abcd`,
  unit: `build-iso ${arch}`,
  namespace: 'horno',
  arch,
  image: 'ghcr.io/example/horno-builder:el9',
  argv: ['horno', 'build-iso', '--release', '9', '--arch', arch],
  env: { SOURCE_DATE_EPOCH: '1700000000' },
  secretEnv: [
    { name: 'AWS_ACCESS_KEY_ID', secret: 'horno-credentials', key: 'AWS_ACCESS_KEY_ID' },
    { name: 'AWS_SECRET_ACCESS_KEY', secret: 'horno-credentials', key: 'AWS_SECRET_ACCESS_KEY' },
  ],
  envFromSecrets: ['horno-extra'],
  resources: { memoryMb: 8192, cpus: 4 },
  serviceAccount: 'horno',
  timeoutMs: 7_200_000,
  privileged: true,
  scratchDirs: ['/var/lib/mock'],
});

const expected = (arch: string, k8s: string) => {
  const labels = {
    'app.kubernetes.io/managed-by': 'horno',
    'horno.unit': `build-iso_${arch}`,
    'horno.arch': arch,
  };
  const q = { memory: '8192Mi', cpu: '4' };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `horno-build-iso-${arch.replace('_', '-')}-0123abcd`, namespace: 'horno', labels },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: 7200,
      ttlSecondsAfterFinished: 86400,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          serviceAccountName: 'horno',
          nodeSelector: { 'kubernetes.io/arch': k8s },
          containers: [
            {
              name: 'build',
              image: 'ghcr.io/example/horno-builder:el9',
              imagePullPolicy: 'IfNotPresent',
              command: ['horno', 'build-iso', '--release', '9', '--arch', arch],
              env: [
                { name: 'SOURCE_DATE_EPOCH', value: '1700000000' },
                {
                  name: 'AWS_ACCESS_KEY_ID',
                  valueFrom: { secretKeyRef: { name: 'horno-credentials', key: 'AWS_ACCESS_KEY_ID' } },
                },
                {
                  name: 'AWS_SECRET_ACCESS_KEY',
                  valueFrom: { secretKeyRef: { name: 'horno-credentials', key: 'AWS_SECRET_ACCESS_KEY' } },
                },
              ],
              envFrom: [{ secretRef: { name: 'horno-extra' } }],
              resources: { requests: q, limits: q },
              securityContext: { privileged: true },
              volumeMounts: [{ name: 'scratch-0', mountPath: '/var/lib/mock' }],
            },
          ],
          volumes: [{ name: 'scratch-0', emptyDir: {} }],
        },
      },
    },
  };
};

describe('renderJob', () => {
  it.each([
    ['x86_64', 'amd64'],
    ['aarch64', 'arm64'],
  ])('renders the %s Job exactly, and it passes the API schema', (arch, k8s) => {
    const job = renderJob(template, input(arch));
    expect(job).toEqual(expected(arch, k8s));
    expect(validateJob(job)).toEqual([]);
    // the YAML written for kubectl reads back the same, without anchors or aliases
    const yaml = jobYaml(job);
    expect(yaml).not.toMatch(/[&*]a\d/);
    expect(parse(yaml)).toEqual(job);
  });

  it('leaves out what is not given', () => {
    const job = renderJob(template, {
      name: 'horno-min-00000000',
      namespace: 'default',
      arch: 's390x',
      image: 'img',
      argv: ['true'],
    });
    const pod = job.spec!.template.spec!;
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/arch': 's390x' });
    expect(pod.serviceAccountName).toBeUndefined();
    expect(pod.volumes).toBeUndefined();
    expect(pod.containers[0]).toEqual({
      name: 'build',
      image: 'img',
      imagePullPolicy: 'IfNotPresent',
      command: ['true'],
      securityContext: { privileged: false },
    });
    expect(job.spec!.activeDeadlineSeconds).toBeUndefined();
  });

  it('maps arches to node labels and refuses a contradicting node selector', () => {
    expect(['x86_64', 'aarch64', 'ppc64le', 's390x', 'i686'].map(k8sArch)).toEqual([
      'amd64',
      'arm64',
      'ppc64le',
      's390x',
      'amd64',
    ]);
    expect(() => k8sArch('sparc')).toThrow(UsageError);
    expect(() =>
      renderJob(template, { ...input('aarch64'), nodeSelector: { 'kubernetes.io/arch': 'amd64' } }),
    ).toThrow('node_selector kubernetes.io/arch=amd64 contradicts aarch64 (arm64)');
    const ok = renderJob(template, { ...input('ppc64le'), nodeSelector: { pool: 'power9' } });
    expect(ok.spec!.template.spec!.nodeSelector).toEqual({ 'kubernetes.io/arch': 'ppc64le', pool: 'power9' });
  });

  it('refuses names Kubernetes would refuse', () => {
    expect(() => renderJob(template, { ...input('x86_64'), name: 'Build_ISO' })).toThrow(
      /not a DNS-1123 label/,
    );
    expect(() => renderJob(template, { ...input('x86_64'), name: 'a'.repeat(64) })).toThrow(/not a DNS-1123/);
    expect(() => renderJob(template, { ...input('x86_64'), argv: [] })).toThrow(/command is empty/);
  });

  it('refuses a credential in the plain env or the command, without showing it', () => {
    const leaky = { ...input('x86_64'), env: { MIRROR: 'https://horno:T0K3N@mirror.example/' } };
    expect(() => renderJob(template, leaky)).toThrow(
      'cannot render the Job: variable MIRROR holds URL credentials: pass it by Secret reference (secretEnv)',
    );
    const argv = [...input('x86_64').argv, '-s', 'https://horno:T0K3N@mirror.example/'];
    expect(() => renderJob(template, { ...input('x86_64'), argv })).toThrow(
      'cannot render the Job: the command holds URL credentials',
    );
  });

  it('reports every schema problem of a bad template at once', () => {
    const bad = template
      .replace('restartPolicy: Never', 'restartPolicy: Never\n      restartPolicyy: Always')
      .replace('ttlSecondsAfterFinished: 86400', 'ttlSecondsAfterFinished: "a day"');
    const err = (() => {
      try {
        renderJob(bad, input('x86_64'));
      } catch (e) {
        return e as UsageError;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect(err!.message).toBe(
      'the rendered Job does not match the Kubernetes API:\n' +
        '  spec.ttlSecondsAfterFinished: expected a whole number, got string "a day"\n' +
        '  spec.template.spec.restartPolicyy: unknown field in V1PodSpec (did you mean "restartPolicy"?)',
    );
  });

  it('keeps config values out of the YAML text', () => {
    const job = renderJob(template, { ...input('x86_64'), argv: ['echo', '{{image}}', 'a: b\n- c'] });
    expect(job.spec!.template.spec!.containers[0]!.command).toEqual(['echo', '{{image}}', 'a: b\n- c']);
  });

  it('fills placeholders inside strings and refuses unknown ones', () => {
    expect(fillTemplate({ a: 'x-{{n}}-y', b: ['{{gone}}', 1] }, { n: 3, gone: undefined })).toEqual({
      a: 'x-3-y',
      b: [1],
    });
    expect(() => fillTemplate({ a: '{{nope}}' }, {})).toThrow('Job template: unknown placeholder {{nope}}');
  });
});

describe('validateJob', () => {
  it('accepts a good Job written by hand', () => {
    const job = parse(`
apiVersion: batch/v1
kind: Job
metadata: { name: ok, labels: { a: b } }
spec:
  backoffLimit: 2
  template:
    spec:
      restartPolicy: Never
      tolerations: [{ key: arch, operator: Equal, value: ppc64le, effect: NoSchedule }]
      containers:
        - name: c
          image: i
          command: [a, b]
          ports: [{ containerPort: 80 }]
          livenessProbe: { httpGet: { path: /, port: http } }
          resources: { limits: { cpu: "500m", memory: 1Gi } }
`);
    expect(validateJob(job)).toEqual([]);
  });

  it('reports unknown and mistyped fields with their paths', () => {
    const job = parse(`
apiVersion: batch/v2
kind: Jobb
metadata: { name: bad, labels: { a: 1 } }
spec:
  backoffLimit: 1.5
  template:
    spec:
      restartPolicy: Never
      nodeSelectr: { kubernetes.io/arch: arm64 }
      containers:
        - image: i
          command: "bash -c 'make all'"
          env: [{ value: x }]
          resources: { limits: { cpu: 2 } }
          securityContext: { privileged: "yes" }
          livenessProbe: { httpGet: { port: [80] } }
`);
    expect(validateJob(job)).toEqual([
      { path: 'apiVersion', message: 'must be "batch/v1"' },
      { path: 'kind', message: 'must be "Job"' },
      { path: 'metadata.labels.a', message: 'expected a string, got number 1' },
      { path: 'spec.backoffLimit', message: 'expected a whole number, got number 1.5' },
      {
        path: 'spec.template.spec.nodeSelectr',
        message: 'unknown field in V1PodSpec (did you mean "nodeSelector"?)',
      },
      {
        path: 'spec.template.spec.containers[0].command',
        message: `expected a list, got string "bash -c 'make all'"`,
      },
      { path: 'spec.template.spec.containers[0].env[0].name', message: 'required by V1EnvVar' },
      {
        path: 'spec.template.spec.containers[0].resources.limits.cpu',
        message: 'expected a string, got number 2',
      },
      {
        path: 'spec.template.spec.containers[0].securityContext.privileged',
        message: 'expected true or false, got string "yes"',
      },
      {
        path: 'spec.template.spec.containers[0].livenessProbe.httpGet.port',
        message: 'expected a whole number or a string, got a list',
      },
      { path: 'spec.template.spec.containers[0].name', message: 'required by V1Container' },
    ]);
  });

  it('needs a containers list and a template', () => {
    expect(validateJob({ apiVersion: 'batch/v1', kind: 'Job', spec: {} })).toEqual([
      { path: 'spec.template', message: 'required by V1JobSpec' },
    ]);
    expect(validateAgainst({ restartPolicy: 'Never' }, 'V1PodSpec')).toEqual([
      { path: 'containers', message: 'required by V1PodSpec' },
    ]);
    expect(validateAgainst('x', 'V1NoSuchThing', 'p')).toEqual([
      { path: 'p', message: 'the schema has no type V1NoSuchThing' },
    ]);
  });
});
