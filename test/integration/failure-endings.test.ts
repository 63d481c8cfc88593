// How a failed command ends: a release key that cannot be had, and a crash (uncaught exception, unhandled
// rejection) in the middle of a sync. Each ends with one clear line on stderr, exit 1, STATUS DOOMED and no lock
// left, so the next run can resume.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFixtureDistro } from '../fixtures/distro.ts';
import { type Served, serveDir } from '../fixtures/serve.ts';
import { hangingUpstream, type HangingUpstream } from '../helpers/hanging-upstream.ts';
import { createLab, type Lab } from '../helpers/horno.ts';

const REPO = new URL('../../', import.meta.url).pathname;
let served: Served;
beforeAll(async () => {
  served = await serveDir((await ensureFixtureDistro()).upstream);
});
afterAll(() => served?.close());

async function spawnHorno(
  lab: Lab,
  argv: string[],
  limitMs = 120_000,
): Promise<{ code: number | null; stderr: string; ms: number }> {
  const t0 = Date.now();
  const child = spawn(process.execPath, argv, {
    cwd: REPO,
    env: { ...process.env, ...lab.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  return { code, stderr, ms: Date.now() - t0 };
}

const composeOf = (lab: Lab) => join(lab.composeRoot, '9', 'latest-Demo-9');
async function expectDoomedAndUnlocked(lab: Lab): Promise<void> {
  expect((await readFile(join(composeOf(lab), 'STATUS'), 'utf8')).trim()).toBe('DOOMED');
  expect(existsSync(join(composeOf(lab), 'work', 'compose.lock'))).toBe(false);
}

describe('a release key that cannot be had', () => {
  const release = async (key: string) =>
    (await readFile(join(REPO, 'config', 'releases', 'demo.yaml'), 'utf8')).replace(
      /gpg_keys:\n\s+- .*\n/,
      `gpg_keys:\n    - ${key}\n`,
    );
  const cases = [
    { what: 'a missing key file', key: '/nonexistent/RPM-GPG-KEY-demo', says: /not found/ },
    { what: 'an unreachable key URL', key: 'http://127.0.0.1:1/RPM-GPG-KEY-demo', says: /ECONNREFUSED/ },
    {
      what: 'a file that is no key',
      key: '${HORNO_UPSTREAM}/BaseOS/x86_64/os/repodata/repomd.xml',
      says: /import|key|armor|pubkey/i,
    },
  ];
  for (const c of cases)
    it(`${c.what}: one line naming the key, exit 1, DOOMED, no lock`, async () => {
      const lab = await createLab({
        upstream: served.url,
        extraReleases: { 'demo-key': await release(c.key) },
      });
      const r = await spawnHorno(lab, [
        'bin/horno.js',
        'sync-repos',
        '--release',
        'demo-key',
        '--new',
        '--no-repoclosure',
        '--config-dir',
        lab.configDir,
      ]);
      expect(r.code, r.stderr).toBe(1);
      const shown = c.key.replace('${HORNO_UPSTREAM}', served.url);
      const lines = r.stderr.split('\n').filter((l) => l.includes('cannot use gpg key'));
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toContain(`cannot use gpg key ${shown}: `);
      expect(lines[0]).toMatch(c.says);
      console.log(lines[0]);
      expect(r.stderr).not.toMatch(/^\s+at |unexpected error/m); // no stack trace, not reported as a bug
      await expectDoomedAndUnlocked(lab);
    }, 60_000);
});

describe('the last resort', () => {
  let slow: HangingUpstream;
  let marker: string | undefined;
  beforeAll(async () => {
    // package downloads hang: the sync is mid-download when the crash comes (the harness crashes on the marker)
    slow = await hangingUpstream(served.url, {
      hangMs: 30_000,
      onPackage: async () => marker && writeFile(marker, '').catch(() => undefined),
    });
  });
  afterAll(() => slow?.close());

  for (const how of ['throw', 'reject'] as const)
    it(`an ${how === 'throw' ? 'uncaught exception' : 'unhandled rejection'} mid-sync: one line, exit 1, DOOMED, no lock`, async () => {
      const lab = await createLab({ upstream: slow.url });
      const before = slow.gets();
      marker = join(lab.dir, 'downloading');
      const r = await spawnHorno(lab, [
        'bin/horno-dev.js',
        'test/helpers/crash-harness.ts',
        how,
        marker,
        'sync-repos',
        '--release',
        'demo',
        '--new',
        '--no-repoclosure',
        '--config-dir',
        lab.configDir,
      ]);
      expect(r.code, r.stderr).toBe(1);
      expect(slow.gets()).toBeGreaterThan(before); // downloads were running
      expect(r.ms).toBeLessThan(25_000); // it did not wait for the hanging downloads
      const ours = r.stderr.split('\n').filter((l) => l.startsWith('horno: '));
      expect(ours, r.stderr).toEqual([
        expect.stringMatching(
          /^horno: unexpected error \(a bug in horno\): Error: boom from the crash harness \(compose Demo-9\.9-\d{8}\.0 marked DOOMED, lock released\)$/,
        ),
      ]);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      await expectDoomedAndUnlocked(lab);
    }, 60_000);
});

it('a usage error (--arch sparc) on an existing compose writes nothing: exit 2, no log line, STATUS and lock untouched', async () => {
  const lab = await createLab({ upstream: served.url });
  await lab.horno(['generate-compose', '--release', 'demo']);
  const compose = join(lab.composeRoot, '9', 'latest-Demo-9');
  const logBefore = await readFile(join(compose, 'logs', 'horno.log'), 'utf8').catch(() => '');
  const statusBefore = await readFile(join(compose, 'STATUS'), 'utf8');
  for (const cmd of ['build-iso', 'pull-unpack-tree', 'build-iso-extra', 'sync-repos']) {
    const r = await lab.horno([cmd, '--release', 'demo', '--arch', 'sparc'], { okExitCodes: [2] });
    expect(r.exitCode, cmd).toBe(2);
    expect(r.stderrTail, cmd).toMatch(/--arch sparc: not an arch of this release/);
    expect(r.stderrTail, cmd).toMatch(/valid: x86_64, aarch64/);
  }
  expect(await readFile(join(compose, 'logs', 'horno.log'), 'utf8').catch(() => '')).toBe(logBefore);
  expect(await readFile(join(compose, 'STATUS'), 'utf8')).toBe(statusBefore);
  expect(existsSync(join(compose, 'work', 'compose.lock'))).toBe(false);
});
