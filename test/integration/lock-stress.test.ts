// The compose lock under contention: 8 processes take and release it 200 times each while stale locks (left by a
// process killed while holding it) appear at random; every holder brackets its turn with "<pid> start" and
// "<pid> end" in a shared log, and the log must show one holder at a time.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, expect, it } from 'vitest';
import { acquireComposeLock } from '../../src/wrappers/compose/lock.ts';
import { ComposePaths } from '../../src/wrappers/compose/paths.ts';

const WORKERS = 8;
const ROUNDS = 200;
const CONTENDER = join(import.meta.dirname, '..', 'helpers', 'lock-contender.ts');

const children = new Set<ChildProcess>();
let root: string | undefined;
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  if (root) await rm(root, { recursive: true, force: true });
});

function contender(args: string[]): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CONTENDER, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal, stderr });
    }),
  );
}

/** Turns that started while another holder had not ended yet. */
function overlaps(log: string): { turns: number; overlaps: number } {
  const holding = new Set<string>();
  let turns = 0;
  let bad = 0;
  for (const line of log.split('\n')) {
    const [pid, what] = line.split(' ');
    if (what === 'start') {
      turns++;
      if (holding.size > 0) bad++;
      holding.add(pid!);
    } else if (what === 'end') {
      holding.delete(pid!);
    }
  }
  return { turns, overlaps: bad };
}

it('never has two holders: 8 processes x 200 rounds with stale locks planted at random', async () => {
  root = await mkdtemp(join(tmpdir(), 'horno-lock-stress-'));
  const paths = new ComposePaths(root, 'Demo-9.9-20261207.0');
  await mkdir(paths.work, { recursive: true });
  const log = join(root, 'holders.log');
  await writeFile(log, '');
  const started = Date.now();

  const workers = Array.from({ length: WORKERS }, () =>
    contender(['work', paths.root, paths.id, log, String(ROUNDS)]),
  );
  let running = true;
  void Promise.all(workers).then(() => (running = false));
  // a planter at a time while the workers run: each takes the lock when it is free and dies holding it
  let planted = 0;
  const plant = async () => {
    while (running && Date.now() - started < 100_000) {
      const p = await contender(['plant', paths.root, paths.id, log]);
      if (p.signal === 'SIGKILL') planted++;
      else if (running) throw new Error(`planter ended with ${p.code}: ${p.stderr}`);
      await sleep(Math.random() * 200);
    }
  };
  await plant();
  const results = await Promise.all(workers);
  const seconds = (Date.now() - started) / 1000;
  for (const r of results) expect(r.stderr).toBe('');
  expect(results.map((r) => r.code)).toEqual(Array(WORKERS).fill(0));

  const { turns, overlaps: bad } = overlaps(await readFile(log, 'utf8'));
  console.log(`lock stress: ${turns} turns, ${planted} stale locks planted, ${bad} overlaps, ${seconds} s`);
  expect(turns).toBe(WORKERS * ROUNDS);
  expect(planted).toBeGreaterThanOrEqual(5);
  expect(bad).toBe(0);

  // whatever the last planter left is taken over, and a release leaves nothing behind
  const last = await acquireComposeLock(paths, 'check');
  await last.release();
  expect(await readdir(paths.work)).toEqual([]);
}, 150_000);

it('counts overlaps in a holders log', () => {
  expect(overlaps('1 start\n1 end\n2 start\n2 end\n')).toEqual({ turns: 2, overlaps: 0 });
  expect(overlaps('1 start\n2 start\n1 end\n2 end\n')).toEqual({ turns: 2, overlaps: 1 });
});
