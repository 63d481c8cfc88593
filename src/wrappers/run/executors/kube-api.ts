// The five Kubernetes calls the kube executor makes, as an interface (tests inject a fake), and its real
// implementation over @kubernetes/client-node, loaded only when a kube executor first runs (the import is slow).
// The package is pinned to 1.x: 2.x depends on undici 8, which needs Node >= 22.19, and horno runs on Node 20.
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { ToolMissingError, WorkError } from '../../errors.ts';

export interface KubeApi {
  createJob(namespace: string, job: V1Job): Promise<void>;
  readJob(namespace: string, name: string): Promise<V1Job>;
  /** Pods of a Job, by label selector (job-name=<name>). */
  listPods(namespace: string, labelSelector: string): Promise<V1Pod[]>;
  readPodLog(namespace: string, pod: string, container: string): Promise<string>;
  /** Deletes the Job and its pods (propagation Background); a missing Job is fine. */
  deleteJob(namespace: string, name: string): Promise<void>;
}

export interface KubeConnection {
  /** Default: in-cluster config, else $KUBECONFIG / ~/.kube/config. */
  kubeconfig?: string;
  context?: string;
}

export async function clientNodeApi(conn: KubeConnection): Promise<KubeApi> {
  let k8s: typeof import('@kubernetes/client-node');
  try {
    k8s = await import('@kubernetes/client-node');
  } catch (e) {
    throw new ToolMissingError(
      `@kubernetes/client-node did not load: ${(e as Error).message}`,
      'run bin/setup',
    );
  }
  const kc = new k8s.KubeConfig();
  if (conn.kubeconfig) kc.loadFromFile(conn.kubeconfig);
  else kc.loadFromDefault();
  if (conn.context) kc.setCurrentContext(conn.context);
  const batch = kc.makeApiClient(k8s.BatchV1Api);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  return {
    async createJob(namespace, body) {
      await batch.createNamespacedJob({ namespace, body });
    },
    readJob: (namespace, name) => batch.readNamespacedJobStatus({ namespace, name }),
    async listPods(namespace, labelSelector) {
      return (await core.listNamespacedPod({ namespace, labelSelector })).items;
    },
    readPodLog: (namespace, name, container) => core.readNamespacedPodLog({ namespace, name, container }),
    async deleteJob(namespace, name) {
      try {
        await batch.deleteNamespacedJob({ namespace, name, propagationPolicy: 'Background' });
      } catch (e) {
        if ((e as { code?: number }).code !== 404) throw e;
      }
    },
  };
}

/** An API failure as a WorkError with the HTTP status and the server's message, never the request's headers. */
export function kubeError(what: string, e: unknown): WorkError {
  const err = e as { code?: number; statusCode?: number; body?: unknown; message?: string };
  const status = err.code ?? err.statusCode;
  let detail = err.message ?? String(e);
  if (typeof err.body === 'string') {
    try {
      detail = (JSON.parse(err.body) as { message?: string }).message ?? detail;
    } catch {
      // not JSON: keep the message
    }
  }
  return new WorkError(
    `${what}${status ? ` (HTTP ${status})` : ''}: ${detail}`,
    status === 401 || status === 403
      ? 'check the kubeconfig context and its rights in the namespace'
      : undefined,
  );
}
