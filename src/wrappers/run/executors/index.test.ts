import { describe, expect, it } from 'vitest';
import { SiteConfig } from '../../config/site-schema.ts';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientNodeApi } from './kube-api.ts';
import { createExecutor, credentialEnv, executorHost } from './index.ts';

const site = SiteConfig.parse({
  store: {
    url: 's3://artifacts/horno',
    s3: { credentials: { access_key_id_env: 'S3_KEY', secret_access_key_env: 'S3_SECRET' } },
  },
  executors: {
    default: { type: 'local' },
    aarch64: { type: 'podman', socket: 'unix:///run/horno/aarch64.sock' },
    ppc64le: { type: 'mock', isolation: 'nspawn' },
    s390x: { type: 'kube', namespace: 'horno', image: 'ghcr.io/x/builder:el9' },
  },
  builder_images: { el9: 'localhost/horno-builder:bookworm' },
});

describe('createExecutor', () => {
  it('picks the executor the site names for each arch', () => {
    const mock = { workDir: '/w', releasever: '9', modulePlatformId: 'platform:el9', repos: [] };
    expect(createExecutor(site, 'x86_64', { disttag: 'el9' }).kind).toBe('local');
    expect(createExecutor(site, 'aarch64', { disttag: 'el9' }).kind).toBe('podman');
    expect(createExecutor(site, 'ppc64le', { disttag: 'el9', mock }).kind).toBe('mock');
    expect(createExecutor(site, 's390x', { disttag: 'el9' }).kind).toBe('kube');
    expect(() => createExecutor(site, 'ppc64le', { disttag: 'el9' })).toThrow(/no mock context/);
  });

  it('says which host an arch lands on, for per-host limits', () => {
    expect(executorHost(site, 'x86_64')).toBe('local');
    expect(executorHost(site, 'aarch64')).toBe('podman:unix:///run/horno/aarch64.sock');
    expect(executorHost(site, 's390x')).toBe('kube:/horno');
  });

  it('hands Jobs the store credentials by Secret reference, under the names the site gives', () => {
    expect(credentialEnv(site, 'horno-credentials')).toEqual([
      { name: 'S3_KEY', secret: 'horno-credentials', key: 'S3_KEY' },
      { name: 'S3_SECRET', secret: 'horno-credentials', key: 'S3_SECRET' },
    ]);
    expect(credentialEnv({ store: { url: 'file://x' } }, 's')).toEqual([]);
  });
});

describe('clientNodeApi', () => {
  it('loads @kubernetes/client-node on this Node and builds an API from a kubeconfig without calling it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'horno-kubeconfig-'));
    const file = join(dir, 'config');
    await writeFile(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]',
        'users: [{name: u, user: {token: t}}]',
        'contexts: [{name: x, context: {cluster: c, user: u}}]',
        'current-context: x',
      ].join('\n'),
    );
    const api = await clientNodeApi({ kubeconfig: file });
    expect(Object.keys(api).sort()).toEqual(['createJob', 'deleteJob', 'listPods', 'readJob', 'readPodLog']);
    // nothing listens on port 1: the first call fails as an API error, not as a crash
    await expect(api.readJob('horno', 'nope')).rejects.toThrow();
  });
});
