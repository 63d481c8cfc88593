// The fixture distro against the real consumers: dnf repoclosure finds exactly the one planted broken dep on
// both arches; dnf installs hello over HTTP with gpgcheck and refuses the unsigned package; the cache is
// reused, and concurrent builds in separate processes publish one directory.
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/wrappers/run/runner.ts';
import {
  ensureFixtureDistro,
  FIXTURE_BROKEN_DEP,
  type FixtureDistro,
  type FixtureManifest,
} from '../fixtures/distro.ts';
import { type Served, serveDir } from '../fixtures/serve.ts';
import { createDnfSandbox, type DnfSandbox } from '../helpers/dnf.ts';

const REPO_ROOT = join(import.meta.dirname, '..', '..');

let distro: FixtureDistro;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  distro = await ensureFixtureDistro();
});
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function sandbox(repos: { id: string; baseurl: string }[] = []): Promise<DnfSandbox> {
  const sb = await createDnfSandbox({ keyFile: distro.keyFile, repos });
  cleanups.push(() => sb.cleanup());
  return sb;
}

async function served(): Promise<Served> {
  const s = await serveDir(distro.upstream);
  cleanups.push(() => s.close());
  return s;
}

describe('fixture distro', () => {
  it('is laid out like a Rocky compose, with repodata in every tree and the key beside it', async () => {
    const m = distro.manifest;
    expect(distro.repos).toEqual(['BaseOS', 'AppStream', 'CRB']);
    expect(distro.arches).toEqual(['x86_64', 'aarch64']);
    for (const tree of m.trees) await stat(join(distro.upstream, tree, 'repodata', 'repomd.xml'));
    expect(m.packages.filter((p) => p.kind === 'binary').length).toBeGreaterThanOrEqual(30);
    // The one unsigned package sits in the add-on `plus` repo, so the main three are fully signed.
    expect(m.packages.filter((p) => !p.signed).map((p) => [p.nevra, p.repo])).toEqual([
      ['unsigned-thing-1.0-1.el9.noarch', 'plus'],
    ]);
    expect(m.extraRepos).toEqual(['plus']);
    expect(m.packages.find((p) => p.nevra === 'hello-1.0-1.el9.src')?.paths).toEqual([
      'AppStream/source/tree/Packages/h/hello-1.0-1.el9.src.rpm',
    ]);
    expect(m.packages.find((p) => p.nevra === 'hello-debuginfo-1.0-1.el9.x86_64')?.paths).toEqual([
      'AppStream/x86_64/debug/tree/Packages/h/hello-debuginfo-1.0-1.el9.x86_64.rpm',
    ]);
    expect(m.packages.find((p) => p.name === 'nodejs-docs')?.paths).toEqual([
      'AppStream/x86_64/os/Packages/n/nodejs-docs-18.19.0-1.module+el9.3.0+1+abc.noarch.rpm',
      'AppStream/aarch64/os/Packages/n/nodejs-docs-18.19.0-1.module+el9.3.0+1+abc.noarch.rpm',
    ]);
    const key = await readFile(distro.keyFile, 'utf8');
    expect(key).toContain('BEGIN PGP PUBLIC KEY BLOCK');
    expect(await readFile(join(distro.upstream, 'RPM-GPG-KEY-fixture'), 'utf8')).toBe(key);
    const repomd = await readFile(join(distro.upstream, 'AppStream/x86_64/os/repodata/repomd.xml'), 'utf8');
    expect(repomd).toContain('<data type="modules">');
    expect(repomd).toContain('<data type="group">');
    expect(repomd).not.toMatch(/<timestamp>(?!1700000000<)/);
    // Every served file carries the fixture epoch, so Last-Modified (and a mirror's --remote-time) is stable.
    for (const f of await readdir(distro.upstream, { recursive: true })) {
      const st = await stat(join(distro.upstream, f));
      if (st.isFile()) expect(st.mtimeMs, f).toBe(1700000000 * 1000);
    }
  });

  it.each(['x86_64', 'aarch64'])(
    'dnf repoclosure (%s) reports exactly the planted broken dependency',
    async (arch) => {
      const sb = await sandbox();
      const repos = distro.repos.map((id) => ({ id, url: join(distro.upstream, id, arch, 'os') }));
      const problems = await sb.repoclosure({ arch, repos });
      const { nevra, repo, dep } = FIXTURE_BROKEN_DEP;
      expect(nevra).toBe('broken-thing-1.0-1.el9.noarch');
      expect(problems).toEqual([{ package: nevra, repo, deps: [dep] }]);
    },
  );

  const httpRepos = (url: string) =>
    [...distro.repos, ...distro.manifest.extraRepos].map((id) => ({
      id: `fixture-${id.toLowerCase()}`,
      baseurl: `${url}/${id}/$basearch/os/`,
    }));

  it('dnf installs hello over HTTP with gpgcheck against the imported key', async () => {
    const s = await served();
    const sb = await sandbox(httpRepos(s.url));
    await sb.install({ arch: 'x86_64', packages: ['hello'] });
    const q = await sb.rpm(['-q', 'hello', 'glibc'], { captureStdout: true });
    expect(q.stdout.trim().split('\n')).toEqual(['hello-1.0-1.el9.x86_64', 'glibc-2.34-1.el9.x86_64']);
    expect(s.requests).toBeGreaterThan(0);
  });

  it('dnf with gpgcheck refuses the unsigned package', async () => {
    const s = await served();
    const sb = await sandbox(httpRepos(s.url));
    const r = await sb.install({ arch: 'x86_64', packages: ['unsigned-thing'], allowFailure: true });
    expect(r.exitCode).toBe(1);
    expect(r.stderrTail).toContain('unsigned-thing-1.0-1.el9.noarch.rpm is not signed');
    expect(r.stderrTail).toContain('GPG check FAILED');
    const q = await sb.rpm(['-q', 'unsigned-thing'], { captureStdout: true, okExitCodes: [1] });
    expect(q.stdout).toContain('not installed');
  });

  it('is cached: a second ensure returns the same root at once, without rebuilding', async () => {
    const before = await stat(join(distro.root, 'manifest.json'));
    const started = performance.now();
    const again = await ensureFixtureDistro();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(again.root).toBe(distro.root);
    expect(again.manifest).toEqual(distro.manifest);
    const after = await stat(join(distro.root, 'manifest.json'));
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it('two concurrent builds in separate processes publish one directory', { timeout: 240_000 }, async () => {
    const cache = await mkdtemp(join(tmpdir(), 'horno-cache-'));
    cleanups.push(() => rm(cache, { recursive: true, force: true }));
    const build = () =>
      run([process.execPath, 'bin/horno-dev.js', 'test/fixtures/cli.ts', 'build'], {
        cwd: REPO_ROOT,
        env: { HORNO_CACHE: cache },
        captureStdout: true,
        logFile: join(cache, 'builds.log'),
        timeoutMs: 200_000,
      });
    const [a, b] = await Promise.all([build(), build()]);
    const rootA = a.stdout.trim();
    expect(b.stdout.trim()).toBe(rootA);
    expect(rootA).toBe(join(cache, 'fixture-distro', distro.manifest.hash));
    // The loser removed its temp dir: only the published build is left.
    expect(await readdir(join(cache, 'fixture-distro'))).toEqual([distro.manifest.hash]);
    // Another build of the same inputs: same files; only what the (freshly generated) key signed differs.
    const other = JSON.parse(await readFile(join(rootA, 'manifest.json'), 'utf8')) as FixtureManifest;
    const unsigned = (m: FixtureManifest) => m.packages.filter((p) => !p.signed);
    expect(other.packages.map((p) => p.paths)).toEqual(distro.manifest.packages.map((p) => p.paths));
    expect(unsigned(other)).toEqual(unsigned(distro.manifest));
    for (const f of ['BaseOS/x86_64/comps.xml', 'AppStream/aarch64/modules.yaml']) {
      const a = await readFile(join(rootA, 'metadata', f), 'utf8');
      expect(a).toBe(await readFile(join(distro.root, 'metadata', f), 'utf8'));
    }
  });
});
