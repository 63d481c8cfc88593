// createExecutor(site, arch, {disttag}): the executor the site config names for an arch (its own entry, else
// `default`, else local), ready to run. Steps import executors from here and see only the Executor interface.
// podman and kube load their clients on first run: dockerode and the Kubernetes models take 0.5-1.8 s to import
// under tsx, which every command would otherwise pay. renderJob/validateJob live in kube-job.ts / kube-schema.ts.
import type { Arch } from '../../config/common-schema.ts';
import { executorFor, executorImage, type SiteConfig } from '../../config/site-schema.ts';
import type { ExecResult, ExecSpec, Executor } from './executor.ts';
import type { KubeApi } from './kube-api.ts';
import type { SecretEnv } from './kube-job.ts';
import type { KubeExecutorOptions } from './kube.ts';
import { LocalExecutor } from './local.ts';
import { type MockContext, MockExecutor } from './mock.ts';
import type { PodmanExecutorOptions } from './podman.ts';

export type { ExecResult, ExecSpec, Executor, Mount } from './executor.ts';
export type { KubeApi } from './kube-api.ts';
export type { MockContext } from './mock.ts';
export { composeMockRepos } from './mock-config.ts';
export { UNIT_LABEL } from './names.ts';

/** An executor whose implementation module is imported when it first runs. */
class LazyExecutor implements Executor {
  private impl?: Promise<Executor>;
  constructor(
    readonly kind: Executor['kind'],
    private readonly load: () => Promise<Executor>,
  ) {}
  run(spec: ExecSpec): Promise<ExecResult> {
    this.impl ??= this.load();
    return this.impl.then((e) => e.run(spec));
  }
}

function podman(o: PodmanExecutorOptions): Executor {
  return new LazyExecutor('podman', async () => new (await import('./podman.ts')).PodmanExecutor(o));
}

function kube(o: KubeExecutorOptions): Executor {
  return new LazyExecutor('kube', async () => new (await import('./kube.ts')).KubeExecutor(o));
}

/** The Secret kube Jobs read store credentials from: one key per variable named in store.s3.credentials. */
export const DEFAULT_CREDENTIALS_SECRET = 'horno-credentials';

export interface ExecutorOptions {
  /** The release's dist tag: picks builder_images[disttag] when the executor names no image. */
  disttag: string;
  /** Required when the arch runs on mock: the release and compose facts a mock root is made from. */
  mock?: MockContext;
  /** kube: the API to use instead of @kubernetes/client-node (tests; launch-builds may share one). */
  kubeApi?: KubeApi;
  /** kube: the Secret holding the store credentials (default horno-credentials). */
  credentialsSecret?: string;
  /** kube: lorax needs loop devices. */
  privileged?: boolean;
}

export function createExecutor(site: SiteConfig, arch: Arch, opts: ExecutorOptions): Executor {
  const cfg = executorFor(site, arch);
  switch (cfg.type) {
    case 'local':
      return new LocalExecutor();
    case 'podman':
      return podman({ socket: cfg.socket, image: executorImage(site, cfg, opts.disttag) });
    case 'mock':
      if (!opts.mock)
        throw new Error(`createExecutor: ${arch} runs on mock, and the caller passed no mock context`);
      return new MockExecutor({
        ...opts.mock,
        isolation: cfg.isolation,
        configTemplate: cfg.config_template,
      });
    case 'kube':
      return kube({
        namespace: cfg.namespace,
        image: executorImage(site, cfg, opts.disttag),
        kubeconfig: cfg.kubeconfig,
        context: cfg.context,
        serviceAccount: cfg.service_account,
        nodeSelector: cfg.node_selector,
        secretEnv: credentialEnv(
          site,
          opts.credentialsSecret ?? cfg.credentials_secret ?? DEFAULT_CREDENTIALS_SECRET,
        ),
        privileged: opts.privileged,
        api: opts.kubeApi,
      });
  }
}

/** The store credentials as Secret references: the variable names the site file gives, read from one Secret. */
export function credentialEnv(site: Pick<SiteConfig, 'store'>, secret: string): SecretEnv[] {
  const c = site.store.s3?.credentials;
  if (!c) return [];
  return [c.access_key_id_env, c.secret_access_key_env, c.session_token_env]
    .filter((n): n is string => n !== undefined)
    .map((name) => ({ name, secret, key: name }));
}

/** Which host an arch's work lands on, for per-host limits (limits.containers_per_host). */
export function executorHost(site: SiteConfig, arch: Arch): string {
  const cfg = executorFor(site, arch);
  if (cfg.type === 'podman') return `podman:${cfg.socket}`;
  if (cfg.type === 'kube') return `kube:${cfg.context ?? ''}/${cfg.namespace}`;
  return cfg.type;
}
