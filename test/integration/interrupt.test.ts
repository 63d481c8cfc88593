// Ctrl-C on a running compose command: work stops promptly, STATUS says DOOMED
// and the lock is released, so the next run can resume.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureFixtureDistro } from '../fixtures/distro.ts';
import { type Served, serveDir } from '../fixtures/serve.ts';
import { hangingUpstream } from '../helpers/hanging-upstream.ts';
import { createLab } from '../helpers/horno.ts';

let served: Served;
beforeAll(async () => {
  served = await serveDir((await ensureFixtureDistro()).upstream);
});
afterAll(() => served?.close());

it('stops on SIGINT, marks the compose DOOMED, releases the lock, and a rerun completes', async () => {
  // every package response hangs for 20 s: the sync is mid-download when the signal comes
  const slow = await hangingUpstream(served.url, { hangMs: 20_000 });
  const url = slow.url;
  const lab = await createLab({ upstream: url });
  const child = spawn(
    'node',
    [
      'bin/horno.js',
      'sync-repos',
      '--release',
      'demo',
      '--new',
      '--no-repoclosure',
      '--config-dir',
      lab.configDir,
    ],
    { env: { ...process.env, ...lab.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  for (let i = 0; i < 200 && slow.gets() === 0; i++) await new Promise((r) => setTimeout(r, 50));
  expect(slow.gets()).toBeGreaterThan(0);
  const sent = Date.now();
  child.kill('SIGINT');
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  expect(Date.now() - sent).toBeLessThan(10_000);
  expect(code).toBe(1);
  expect(stderr).toMatch(/interrupt received/);
  const compose = join(lab.composeRoot, '9', 'latest-Demo-9');
  expect((await readFile(join(compose, 'STATUS'), 'utf8')).trim()).toBe('DOOMED');
  expect(existsSync(join(compose, 'work', 'compose.lock'))).toBe(false);
  slow.close();

  // the same compose resumes from the real upstream and is no longer doomed
  lab.env.HORNO_UPSTREAM = served.url;
  await lab.horno(['sync-repos', '--release', 'demo', '--no-repoclosure']);
  expect((await readFile(join(compose, 'STATUS'), 'utf8')).trim()).toBe('STARTED');
}, 60_000);
