// A full disk in each phase that writes much: the compose root and the file:// store share one small tmpfs,
// pre-filled so that sync-repos, then build-iso, then pull-unpack-tree in turn run out of space. Each run ends
// DOOMED with exit 1, one "no space left on <path>" line and no lock; once space is freed, `compose --resume`
// finishes FINISHED with a compose/ tree identical to a clean run's (SOURCE_DATE_EPOCH set).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { run } from '../../src/wrappers/run/runner.ts';
import { ensureFixtureDistro } from '../fixtures/distro.ts';
import { type Served, serveDir } from '../fixtures/serve.ts';
import { ensureBootAssets } from '../helpers/boot-assets.ts';
import { createLab, type Lab } from '../helpers/horno.ts';
import { installLoraxStandIn } from '../stand-ins/lorax/install.ts';

const REPO = new URL('../../', import.meta.url).pathname;
const EPOCH = '1700000000';
const MIB = 1 << 20;
const mounts: string[] = [];
let served: Served;
let path: string;

beforeAll(async () => {
  served = await serveDir((await ensureFixtureDistro()).upstream);
  const assets = await ensureBootAssets();
  path = await installLoraxStandIn(await mkdtemp(join(tmpdir(), 'horno-fulldisk-bin-')), {
    assets: assets.dir,
  });
});
afterAll(async () => {
  for (const m of mounts.reverse()) await run(['umount', '-l', m], { okExitCodes: [0, 32] });
  await served?.close();
});

/** A lab whose compose root and store live on a tmpfs of `mib` MiB at <lab>/disk. */
async function diskLab(mib: number): Promise<Lab & { disk: string }> {
  const lab = await createLab({
    upstream: served.url,
    site: (root) =>
      `compose_root: ${join(dirname(root), 'disk', 'compose')}\n` +
      `store: { url: 'file://${join(dirname(root), 'disk', 'store')}' }\n`,
  });
  const disk = join(lab.dir, 'disk');
  await mkdir(disk);
  await run(['mount', '-t', 'tmpfs', '-o', `size=${mib}m`, 'tmpfs', disk]);
  mounts.push(disk);
  Object.assign(lab.env, { PATH: path, SOURCE_DATE_EPOCH: EPOCH });
  return Object.assign(lab, { disk });
}

async function used(disk: string): Promise<number> {
  const s = await statfs(disk);
  return (s.blocks - s.bfree) * s.bsize;
}

/** The phases `compose` runs, one command each, with the disk's usage after each (the fill levels below). */
const PHASES = [
  ['sync-repos', '--new', '--no-repoclosure'],
  ['repoclosure'],
  ['build-iso'],
  ['pull-unpack-tree'],
  ['build-iso-extra'],
  ['finalize-compose'],
];

/** compose/ as path -> sha256 (files) or -> target (links): what a clean run and a resumed one must share. */
async function manifest(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const rel = relative(dir, p);
      if (e.isDirectory()) await walk(p);
      else if (e.isSymbolicLink()) out[rel] = `-> ${await readlink(p)}`;
      else
        out[rel] = createHash('sha256')
          .update(await readFile(p))
          .digest('hex');
    }
  };
  await walk(dir);
  return out;
}

const composeDir = (lab: Lab & { disk: string }) => join(lab.disk, 'compose', '9', 'latest-Demo-9');

/** Fills the disk with one file so that it is full once the compose's own usage reaches `cap` bytes. */
async function fillTo(lab: Lab & { disk: string }, size: number, cap: number): Promise<void> {
  const filler = join(lab.disk, 'filler');
  await rm(filler, { force: true });
  expect(await used(lab.disk)).toBeLessThan(cap);
  await run(['fallocate', '-l', String(size - cap), filler]);
}

/** The real command as a child process, with stdout and stderr kept apart and whole. */
async function horno(
  lab: Lab,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    [join(REPO, 'bin', 'horno.js'), ...args, '--config-dir', lab.configDir],
    {
      env: { ...process.env, ...lab.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

it('ends DOOMED with one "no space left" line in sync-repos, build-iso and pull-unpack-tree; --resume then finishes identical to a clean run', async () => {
  // the clean run, phase by phase (as compose runs them), on a tmpfs of its own so its usage can be read
  const clean = await diskLab(1024);
  const level = [await used(clean.disk)];
  for (const [command, ...rest] of PHASES) {
    await clean.horno([command!, '--release', 'demo', ...rest], { okExitCodes: [0, 1], timeoutMs: 600_000 });
    level.push(await used(clean.disk));
  }
  const reference = await manifest(join(composeDir(clean), 'compose'));
  expect((await readFile(join(composeDir(clean), 'STATUS'), 'utf8')).trim()).toBe('FINISHED');
  const total = Math.ceil((level.at(-1)! * 2) / MIB);
  console.log(
    `clean run, disk used after each phase (MiB): ${level.map((b) => (b / MIB).toFixed(1)).join(' ')}`,
  );

  const lab = await diskLab(total);
  const size = total * MIB;
  // the compose may grow to halfway through the phase: the phase before it fits, the phase itself does not
  const halfway = (i: number) => Math.round((level[i]! + level[i + 1]!) / 2);
  const faults = [
    { phase: 'sync-repos', cap: halfway(0), args: [] },
    { phase: 'build-iso', cap: halfway(2), args: ['--resume'] },
    { phase: 'pull-unpack-tree', cap: halfway(3), args: ['--resume'] },
  ];
  for (const f of faults) {
    await fillTo(lab, size, f.cap);
    const { code, stdout, stderr } = await horno(lab, ['compose', '--release', 'demo', '--json', ...f.args]);
    expect(code, `${f.phase}:\n${stderr}`).toBe(1);
    const summary = JSON.parse(stdout) as { phases: { phase: string; status: string }[] };
    expect(summary.phases.at(-1), f.phase).toMatchObject({ phase: f.phase, status: 'DOOMED' });
    const lines = stderr.split('\n').filter((l) => /no space left on/i.test(l));
    expect(lines, `${f.phase}:\n${stderr}`).toHaveLength(1);
    expect(lines[0]).toMatch(/no space left on \//);
    console.log(`${f.phase}: ${lines[0]}`);
    expect(stderr, f.phase).not.toMatch(/^\s+at /m); // no stack trace
    expect((await readFile(join(composeDir(lab), 'STATUS'), 'utf8')).trim(), f.phase).toBe('DOOMED');
    expect(existsSync(join(composeDir(lab), 'work', 'compose.lock')), f.phase).toBe(false);
  }

  await rm(join(lab.disk, 'filler'));
  await lab.horno(['compose', '--release', 'demo', '--resume'], { timeoutMs: 600_000 });
  expect((await readFile(join(composeDir(lab), 'STATUS'), 'utf8')).trim()).toBe('FINISHED');
  expect(existsSync(join(composeDir(lab), 'work', 'compose.lock'))).toBe(false);
  expect(await manifest(join(composeDir(lab), 'compose'))).toEqual(reference);
  expect((await lstat(composeDir(lab))).isSymbolicLink()).toBe(true);
}, 900_000);
