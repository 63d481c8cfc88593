// launch-builds as a whole: render a build-iso Job per arch, write them as YAML (or print them for kubectl), and
// with submit create them and wait, one report per Job. Exit 1 when a Job of a required arch did not complete;
// a failable arch's failure is reported and does not count (as for build-iso itself).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Arch } from '../../config/common-schema.ts';
import type { ReleaseConfig } from '../../config/release-schema.ts';
import { executorFor, type SiteConfig } from '../../config/site-schema.ts';
import { writeFileAtomic } from '../../compose/atomic.ts';
import { hasCredentials } from '../../log/redact.ts';
import { clientNodeApi, type KubeApi } from '../../run/executors/kube-api.ts';
import { type LaunchJob, type LaunchOptions, renderBuildJobs } from './launch-jobs.ts';
import { type JobReport, submitJobs, type SubmitOptions } from './launch-submit.ts';

export interface LaunchBuildsOptions extends Omit<LaunchOptions, 'epoch'> {
  /** Write <name>.yaml per Job here (and the pods' logs, with submit). */
  outputDir?: string;
  submit?: boolean;
  submitOptions?: Omit<SubmitOptions, 'logDir'>;
}

export interface LaunchBuildsResult {
  exitCode: 0 | 1;
  jobs: { arch: string; name: string; namespace: string; file?: string; yaml: string }[];
  reports?: JobReport[];
}

export interface LaunchDeps {
  print(text: string): void;
  /** The Kubernetes API (tests inject one); default: @kubernetes/client-node with the arch's kubeconfig. */
  api?: KubeApi;
}

export async function launchBuilds(
  cfg: { release: ReleaseConfig; site: SiteConfig; files?: { release: string } },
  opts: LaunchBuildsOptions,
  deps: LaunchDeps,
): Promise<LaunchBuildsResult> {
  const sde = process.env.SOURCE_DATE_EPOCH;
  const epoch = sde && /^\d+$/.test(sde) ? Number(sde) : Math.floor(Date.now() / 1000);
  const vars = cfg.files
    ? releaseEnv(await readFile(cfg.files.release, 'utf8'), process.env)
    : { env: {}, secrets: [] };
  const jobs = await renderBuildJobs(cfg.release, cfg.site, {
    ...opts,
    env: { ...vars.env, ...opts.env },
    secretVars: [...vars.secrets, ...(opts.secretVars ?? [])],
    epoch,
  });
  const listed: LaunchBuildsResult['jobs'] = [];
  for (const j of jobs) {
    const file = opts.outputDir ? join(opts.outputDir, `${j.name}.yaml`) : undefined;
    if (file) await writeFileAtomic(file, j.yaml);
    listed.push({ arch: j.arch, name: j.name, namespace: j.namespace, file, yaml: j.yaml });
  }
  if (opts.outputDir) for (const j of listed) deps.print(`${j.arch.padEnd(10)} ${j.file}`);
  else if (!opts.submit) deps.print(jobs.map((j) => j.yaml).join('---\n'));
  if (!opts.submit) return { exitCode: 0, jobs: listed };

  const api = deps.api ?? (await clientNodeApi(connection(cfg.site, jobs)));
  const reports = await submitJobs(api, jobs, {
    ...opts.submitOptions,
    logDir: opts.outputDir,
    onCreated: (j) => deps.print(`${j.arch.padEnd(10)} created Job ${j.namespace}/${j.name}, waiting`),
  });
  for (const r of reports) deps.print(formatReport(r));
  const bad = reports.some((r) => r.verdict !== 'complete' && !r.failable);
  return { exitCode: bad ? 1 : 0, jobs: listed, reports };
}

/** What the pod's horno needs to load the same release file: the variables its values refer to (`${NAME}`,
 * `${NAME:-default}`; comments and keys do not count) that are set here. A credential goes by name only, to be
 * read from the Job's Secret: a variable in a URL's user info, one whose value holds URL credentials, or one
 * named like a secret. The rest go as plain values (HORNO_UPSTREAM in the demo). */
export function releaseEnv(
  text: string,
  env: Record<string, string | undefined>,
): { env: Record<string, string>; secrets: string[] } {
  const plain: Record<string, string> = {};
  const secrets = new Set<string>();
  for (const { name, inUserinfo } of valueRefs(parse(text, { maxAliasCount: 1000 }) as unknown)) {
    const v = env[name];
    if (v === undefined) continue;
    if (inUserinfo || hasCredentials(v) || SECRET_NAME.test(name)) secrets.add(name);
    else plain[name] = v;
  }
  for (const name of secrets) delete plain[name];
  return { env: plain, secrets: [...secrets].sort() };
}

const SECRET_NAME = /TOKEN|PASSW|SECRET|CREDENTIAL/i;
const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}/g;
/** `scheme://<user info>@`: the part of a URL that holds credentials. */
const USERINFO = /^[a-z][a-z0-9+.-]*:\/\/([^/?#\s]*)@/i;

/** Every ${NAME} in the string values of parsed YAML, and whether it sits in a URL's user info. */
function valueRefs(data: unknown): { name: string; inUserinfo: boolean }[] {
  const out: { name: string; inUserinfo: boolean }[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      const userinfoEnd = USERINFO.exec(v)?.[0].length ?? 0;
      for (const m of v.matchAll(REF)) out.push({ name: m[1]!, inUserinfo: m.index < userinfoEnd });
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(data);
  return out;
}

/** The kubeconfig and context of the first arch that runs on a kube executor; else the default ones. */
function connection(site: SiteConfig, jobs: LaunchJob[]): { kubeconfig?: string; context?: string } {
  for (const j of jobs) {
    const cfg = executorFor(site, j.arch as Arch);
    if (cfg.type === 'kube') return { kubeconfig: cfg.kubeconfig, context: cfg.context };
  }
  return {};
}

export function formatReport(r: JobReport): string {
  const head = `${r.arch.padEnd(10)} ${r.verdict.toUpperCase()}${r.verdict !== 'complete' && r.failable ? ' (failable arch)' : ''}`;
  const exit = r.exitCode !== undefined && r.exitCode !== null ? ` exit ${r.exitCode}` : '';
  const lines = [
    `${head} Job ${r.namespace}/${r.name}${exit} after ${r.seconds} s${r.reason ? `: ${r.reason}` : ''}`,
  ];
  if (r.logFile) lines.push(`${''.padEnd(10)} log: ${r.logFile}`);
  if (r.verdict === 'failed' && r.logTail)
    lines.push(...r.logTail.split('\n').map((l) => `${''.padEnd(10)} | ${l}`));
  return lines.join('\n');
}
