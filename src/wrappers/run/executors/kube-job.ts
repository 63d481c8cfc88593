// Renders the Kubernetes Job for one run from templates/kube/job.yaml.tmpl: a structural template (whole-scalar
// "{{name}}" placeholders replaced by typed values), so config values never pass through YAML text and the
// command stays an argv list. Pure; launch-builds uses it too. Every rendered Job is checked against the API schema.
import type { V1Job } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { UsageError } from '../../errors.ts';
import { hasCredentials } from '../../log/redact.ts';
import { validateJob } from './kube-schema.ts';
import { UNIT_LABEL, labelValue } from './names.ts';

/** RPM basearch -> the node label kubernetes.io/arch (GOARCH). i686 builds run on amd64 nodes: none are 386. */
export const K8S_ARCH: Readonly<Record<string, string>> = {
  x86_64: 'amd64',
  aarch64: 'arm64',
  ppc64le: 'ppc64le',
  s390x: 's390x',
  i686: 'amd64',
  riscv64: 'riscv64',
  armv7hl: 'arm',
};
const ARCH_LABEL = 'kubernetes.io/arch';

export function k8sArch(arch: string): string {
  const a = K8S_ARCH[arch];
  if (!a) throw new UsageError(`no Kubernetes node architecture for ${arch}`);
  return a;
}

export interface SecretEnv {
  /** The variable inside the container. */
  name: string;
  secret: string;
  key: string;
}

export interface JobInput {
  /** The Job's name: a DNS-1123 label of at most 63 characters (see uniqueName). */
  name: string;
  namespace: string;
  arch: string;
  image: string;
  /** The command, as an argv list. */
  argv: string[];
  /** Readable unit name for the horno.unit label (default: name). */
  unit?: string;
  workdir?: string;
  /** Plain values, visible to anyone who can read the Job: credentials go in secretEnv / envFromSecrets. */
  env?: Record<string, string>;
  /** Credentials as single keys of Secrets (secretKeyRef). */
  secretEnv?: SecretEnv[];
  /** Secrets whose every key becomes a variable (envFrom). */
  envFromSecrets?: string[];
  resources?: { memoryMb?: number; cpus?: number };
  /** Added to kubernetes.io/arch (which must not be contradicted). */
  nodeSelector?: Record<string, string>;
  tolerations?: { key?: string; operator?: string; value?: string; effect?: string }[];
  serviceAccount?: string;
  /** Pod retries before the Job fails (default 0). */
  backoffLimit?: number;
  /** activeDeadlineSeconds: the cluster stops the Job after this long. */
  timeoutMs?: number;
  labels?: Record<string, string>;
  /** lorax needs loop devices, hence a privileged container (as empanadas ran it). */
  privileged?: boolean;
  /** Empty folders (emptyDir volumes) mounted at these paths: scratch space such as /var/lib/mock. */
  scratchDirs?: string[];
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const PLACEHOLDER = /\{\{(\w+)\}\}/g;
const WHOLE = /^\{\{(\w+)\}\}$/;

/** Replaces placeholders in a parsed YAML tree; a whole-scalar placeholder whose value is undefined is dropped. */
export function fillTemplate(node: unknown, vars: Record<string, unknown>): unknown {
  const lookup = (name: string) => {
    if (!(name in vars)) throw new UsageError(`Job template: unknown placeholder {{${name}}}`);
    return vars[name];
  };
  if (typeof node === 'string') {
    const whole = WHOLE.exec(node);
    // a copy per use: one value in two places (labels) must not become a YAML anchor and alias
    if (whole) return structuredClone(lookup(whole[1]!));
    return node.replace(PLACEHOLDER, (_m, name: string) => {
      const v = lookup(name);
      if (typeof v !== 'string' && typeof v !== 'number')
        throw new UsageError(`Job template: {{${name}}} inside a string must be a string or a number`);
      return String(v);
    });
  }
  if (Array.isArray(node)) return node.map((n) => fillTemplate(n, vars)).filter((n) => n !== undefined);
  if (typeof node === 'object' && node !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      const filled = fillTemplate(v, vars);
      if (filled !== undefined) out[k] = filled;
    }
    return out;
  }
  return node;
}

const nonEmpty = <T>(xs: T[] | undefined): T[] | undefined => (xs && xs.length ? xs : undefined);

export function jobVars(input: JobInput): Record<string, unknown> {
  const problems: string[] = [];
  if (!DNS_LABEL.test(input.name))
    problems.push(`Job name ${JSON.stringify(input.name)} is not a DNS-1123 label`);
  if (!DNS_LABEL.test(input.namespace))
    problems.push(`namespace ${JSON.stringify(input.namespace)} is not valid`);
  if (input.argv.length === 0) problems.push('the command is empty');
  // anyone who can read the Job reads its command and plain env: a credential there is a leak, so it is refused
  for (const [name, value] of Object.entries(input.env ?? {}))
    if (hasCredentials(value))
      problems.push(`variable ${name} holds URL credentials: pass it by Secret reference (secretEnv)`);
  if (input.argv.some(hasCredentials)) problems.push('the command holds URL credentials');
  const arch = k8sArch(input.arch);
  const given = input.nodeSelector?.[ARCH_LABEL];
  if (given !== undefined && given !== arch)
    problems.push(`node_selector ${ARCH_LABEL}=${given} contradicts ${input.arch} (${arch})`);
  if (problems.length) throw new UsageError(`cannot render the Job: ${problems.join('; ')}`);
  const labels = {
    'app.kubernetes.io/managed-by': 'horno',
    [UNIT_LABEL]: labelValue(input.unit ?? input.name),
    'horno.arch': labelValue(input.arch),
    ...input.labels,
  };
  const quantity = input.resources && {
    ...(input.resources.memoryMb !== undefined ? { memory: `${input.resources.memoryMb}Mi` } : {}),
    ...(input.resources.cpus !== undefined ? { cpu: String(input.resources.cpus) } : {}),
  };
  const scratch = input.scratchDirs ?? [];
  return {
    name: input.name,
    namespace: input.namespace,
    labels,
    backoffLimit: input.backoffLimit ?? 0,
    activeDeadlineSeconds: input.timeoutMs !== undefined ? Math.ceil(input.timeoutMs / 1000) : undefined,
    serviceAccount: input.serviceAccount,
    nodeSelector: { [ARCH_LABEL]: arch, ...input.nodeSelector },
    tolerations: nonEmpty(input.tolerations),
    image: input.image,
    command: [...input.argv],
    workdir: input.workdir,
    env: nonEmpty([
      ...Object.entries(input.env ?? {}).map(([name, value]) => ({ name, value })),
      ...(input.secretEnv ?? []).map((s) => ({
        name: s.name,
        valueFrom: { secretKeyRef: { name: s.secret, key: s.key } },
      })),
    ]),
    envFrom: nonEmpty((input.envFromSecrets ?? []).map((name) => ({ secretRef: { name } }))),
    // requests = limits: the pod is Guaranteed, and a build is never squeezed below what it asked for
    resources:
      quantity && Object.keys(quantity).length
        ? { requests: { ...quantity }, limits: { ...quantity } }
        : undefined,
    privileged: input.privileged ?? false,
    volumeMounts: nonEmpty(scratch.map((d, i) => ({ name: `scratch-${i}`, mountPath: d }))),
    volumes: nonEmpty(scratch.map((_d, i) => ({ name: `scratch-${i}`, emptyDir: {} }))),
  };
}

/** The Job for `input`, from the template text; throws UsageError listing every schema problem. */
export function renderJob(template: string, input: JobInput): V1Job {
  const job = fillTemplate(parse(template), jobVars(input));
  const problems = validateJob(job);
  if (problems.length)
    throw new UsageError(
      `the rendered Job does not match the Kubernetes API:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`,
      'fix templates/kube/job.yaml.tmpl',
    );
  return job as V1Job;
}

export function jobYaml(job: V1Job): string {
  return stringify(job, { lineWidth: 0, aliasDuplicateObjects: false });
}
