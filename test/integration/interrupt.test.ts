// Ctrl-C on a running compose command: work stops promptly, exit 130, STATUS says TERMINATED (pungi's word)
// and the lock is released, so the next run can resume.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureFixtureDistro } from '../fixtures/distro.ts';
import { type Served, serveDir } from '../fixtures/serve.ts';
import { hangingUpstream } from '../helpers/hanging-upstream.ts';
import { ensureBootAssets } from '../helpers/boot-assets.ts';
import { createLab } from '../helpers/horno.ts';
import { installLoraxStandIn } from '../stand-ins/lorax/install.ts';

let served: Served;
beforeAll(async () => {
  served = await serveDir((await ensureFixtureDistro()).upstream);
});
afterAll(() => served?.close());

/** Starts horno, sends SIGINT once a package download hangs, and checks it is gone within 10 s. */
async function interruptMidDownload(
  slow: Awaited<ReturnType<typeof hangingUpstream>>,
  argv: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn('node', ['bin/horno.js', ...argv], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  for (let i = 0; i < 400 && slow.gets() === 0; i++) await new Promise((r) => setTimeout(r, 50));
  expect(slow.gets()).toBeGreaterThan(0);
  const sent = Date.now();
  child.kill('SIGINT');
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  expect(Date.now() - sent).toBeLessThan(10_000);
  return { code, stderr };
}

it('stops on SIGINT with exit 130, marks the compose TERMINATED, releases the lock, and a rerun completes', async () => {
  // every package response hangs for 20 s: the sync is mid-download when the signal comes
  const slow = await hangingUpstream(served.url, { hangMs: 20_000 });
  const url = slow.url;
  const lab = await createLab({ upstream: url });
  const { code, stderr } = await interruptMidDownload(
    slow,
    ['sync-repos', '--release', 'demo', '--new', '--no-repoclosure', '--config-dir', lab.configDir],
    lab.env,
  );
  expect(code).toBe(130);
  expect(stderr).toMatch(/interrupt received/);
  const compose = join(lab.composeRoot, '9', 'latest-Demo-9');
  expect((await readFile(join(compose, 'STATUS'), 'utf8')).trim()).toBe('TERMINATED');
  expect(existsSync(join(compose, 'work', 'compose.lock'))).toBe(false);
  slow.close();

  // the same compose resumes from the real upstream and is no longer terminated
  lab.env.HORNO_UPSTREAM = served.url;
  await lab.horno(['sync-repos', '--release', 'demo', '--no-repoclosure']);
  expect((await readFile(join(compose, 'STATUS'), 'utf8')).trim()).toBe('STARTED');
}, 60_000);

it('compose: SIGINT mid-phase exits 130 at once, opens no further phase, leaves TERMINATED, and --resume finishes it', async () => {
  const slow = await hangingUpstream(served.url, { hangMs: 20_000 });
  const lab = await createLab({ upstream: slow.url });
  const assets = await ensureBootAssets();
  lab.env.PATH = await installLoraxStandIn(await mkdtemp(join(tmpdir(), 'horno-int-bin-')), {
    assets: assets.dir,
  });
  const { code } = await interruptMidDownload(
    slow,
    ['compose', '--release', 'demo', '--config-dir', lab.configDir],
    lab.env,
  );
  expect(code).toBe(130);
  slow.close();
  const compose = join(lab.composeRoot, '9', 'latest-Demo-9');
  expect((await readFile(join(compose, 'STATUS'), 'utf8')).trim()).toBe('TERMINATED');
  const log = await readFile(join(compose, 'logs', 'horno.log'), 'utf8');
  const lines = log.split('\n').filter(Boolean);
  // one session for the whole compose, and no phase after the one that was running
  const opened = lines.filter((l) => l.includes('"compose opened"'));
  expect(opened.map((l) => (JSON.parse(l) as { command: string }).command)).toEqual(['compose']);
  const phases = lines
    .filter((l) => l.includes('"phase started"'))
    .map((l) => (JSON.parse(l) as { phase: string }).phase);
  expect(phases).toEqual(['sync-repos']);
  expect(log).not.toContain('interrupted before start');

  lab.env.HORNO_UPSTREAM = served.url;
  const again = await lab.horno(['compose', '--release', 'demo', '--resume'], { timeoutMs: 600_000 });
  expect(again.stdout).toContain('done');
  expect((await readFile(join(compose, 'STATUS'), 'utf8')).trim()).toBe('FINISHED');
}, 660_000);
