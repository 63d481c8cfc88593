// The in-process phase runner, shown end to end on the fixture distro with the lorax stand-in: every phase is
// validated before any work; one process holds the compose's lock from the first phase to the last; arches
// overlap (x86_64's DVD is mastered while a slow aarch64 lorax still runs); a failable arch that fails skips its own
// later units and the compose ends FINISHED_INCOMPLETE with the other arch's media complete; --json reports it all.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureFixtureDistro } from '../fixtures/distro.ts';
import { type Served, serveDir } from '../fixtures/serve.ts';
import { ensureBootAssets } from '../helpers/boot-assets.ts';
import { createLab, type Lab } from '../helpers/horno.ts';
import { installLoraxStandIn } from '../stand-ins/lorax/install.ts';
import { STEPS } from '../../src/wrappers/steps/index.ts';

const REPO = new URL('../../', import.meta.url).pathname;
let served: Served;
let assets: string;
beforeAll(async () => {
  served = await serveDir((await ensureFixtureDistro()).upstream);
  assets = (await ensureBootAssets()).dir;
}, 600_000);
afterAll(() => served?.close());

interface UnitRow {
  key: string;
  arch?: string;
  startedAt?: string;
  finishedAt?: string;
  summary?: Record<string, unknown>;
}
interface Summary {
  ok: boolean;
  compose: string;
  status: string;
  phases: {
    phase: string;
    status: string;
    ran: UnitRow[];
    skipped: UnitRow[];
    failed: (UnitRow & { error: string; blockedBy?: string; failable: boolean })[];
  }[];
  media: { phase: string; key: string; iso: string }[];
  repoclosure: { key: string; closed: boolean }[];
}

async function labWith(opts: { slow?: Record<string, number>; fail?: string[] }): Promise<Lab> {
  const lab = await createLab({ upstream: served.url });
  const bin = await mkdtemp(join(tmpdir(), 'horno-engine-bin-'));
  lab.env.PATH = await installLoraxStandIn(bin, { assets, slowArches: opts.slow, failArches: opts.fail });
  return lab;
}

/** `horno compose --json` as a child, while `during` runs beside it; the summary and what `during` found. */
async function composeWhile<T>(lab: Lab, during: (done: () => boolean) => Promise<T>) {
  const child = spawn(
    process.execPath,
    [join(REPO, 'bin', 'horno.js'), 'compose', '--release', 'demo', '--json', '--config-dir', lab.configDir],
    { cwd: REPO, env: { ...process.env, ...lab.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  let exited = false;
  const closed = once(child, 'close').then(([code]) => {
    exited = true;
    return code as number;
  });
  const found = await during(() => exited);
  const code = await closed;
  return { code, stderr, summary: JSON.parse(stdout) as Summary, found };
}

const phaseOf = (s: Summary, name: string) => s.phases.find((p) => p.phase === name)!;
const unitOf = (s: Summary, phase: string, key: string) =>
  [...phaseOf(s, phase).ran, ...phaseOf(s, phase).skipped].find((u) => u.key === key)!;

it('two phases with a problem each: both reported before any work, exit 2, nothing written', async () => {
  const lab = await createLab({
    upstream: served.url,
    site: (root) =>
      `compose_root: ${root}\nstore: { url: 'file://${root}-store' }\n` +
      `executors:\n  default: { type: local }\n  aarch64: { type: kube, namespace: horno, image: quay.io/example/builder:9 }\n`,
  });
  const r = await lab.horno(['compose', '--release', 'demo'], { okExitCodes: [2] });
  expect(r.exitCode).toBe(2);
  expect(r.stderrTail).toMatch(/problems found before any work/);
  expect(r.stderrTail).toMatch(/build-iso: build-iso cannot run lorax for aarch64 on a kube executor/);
  expect(r.stderrTail).toMatch(/build-iso-extra: build-iso-extra cannot master discs for aarch64 on a kube/);
  expect(existsSync(join(lab.composeRoot, '9'))).toBe(false); // no compose, no log, no lock
});

it('one process holds the lock for the whole compose; arches overlap; --json tells units, media and STATUS', async () => {
  const lab = await labWith({ slow: { aarch64: 25 } });
  const {
    code,
    summary: s,
    found,
  } = await composeWhile(lab, async (done) => {
    // a second command against the same compose, again and again, from the first phase to the last
    const tries: { exit: number; phase?: string }[] = [];
    while (!done()) {
      const r = await lab.horno(['build-iso-extra', '--release', 'demo'], { okExitCodes: [0, 1, 2] });
      if (done()) break;
      tries.push({ exit: r.exitCode, phase: /locked|held/i.test(r.stderrTail) ? 'locked' : r.stderrTail });
      await new Promise((res) => setTimeout(res, 500));
    }
    return tries;
  });
  expect(code, JSON.stringify(s)).toBe(0);
  expect(s.status).toBe('FINISHED');
  // before the compose exists the latest link is missing (exit 2); once it does, every try is refused as locked
  const afterCreate = found.filter((t) => t.exit !== 2);
  expect(afterCreate.length).toBeGreaterThan(5);
  for (const t of afterCreate) expect(t).toEqual({ exit: 1, phase: 'locked' });

  const dvdX86 = unitOf(s, 'build-iso-extra', 'dvd-x86_64');
  const loraxArm = unitOf(s, 'build-iso', 'aarch64');
  expect(Date.parse(dvdX86.finishedAt!)).toBeLessThan(Date.parse(loraxArm.finishedAt!));
  expect(s.phases.map((p) => p.phase)).toEqual(STEPS.map((x) => x.name)); // every phase, in registry order
  expect(s.media.map((m) => m.iso).sort()).toEqual(
    ['boot', 'dvd', 'minimal']
      .flatMap((i) => [`Demo-9.9-aarch64-${i}.iso`, `Demo-9.9-x86_64-${i}.iso`])
      .sort(),
  );
  expect(s.repoclosure.some((v) => !v.closed)).toBe(true); // the fixture's planted broken dependency
  const status = await readFile(join(lab.composeRoot, '9', s.compose, 'STATUS'), 'utf8');
  expect(status.trim()).toBe('FINISHED');
}, 900_000);

it('a failable arch that fails: its later units are skipped because of it, the compose is FINISHED_INCOMPLETE', async () => {
  const lab = await labWith({ fail: ['aarch64'] });
  const { code, summary: s } = await composeWhile(lab, async () => undefined);
  expect(code).toBe(0);
  expect(s.status).toBe('FINISHED_INCOMPLETE');
  expect(phaseOf(s, 'build-iso').failed.map((f) => [f.key, f.failable])).toEqual([['aarch64', true]]);
  expect(phaseOf(s, 'pull-unpack-tree').failed).toEqual([
    expect.objectContaining({
      key: 'aarch64',
      blockedBy: 'build-iso/aarch64',
      error: 'skipped: build-iso/aarch64 failed',
    }),
  ]);
  expect(phaseOf(s, 'build-iso-extra').failed.map((f) => f.blockedBy)).toEqual([
    'build-iso/aarch64',
    'build-iso/aarch64',
  ]);
  const dir = join(lab.composeRoot, '9', s.compose, 'compose');
  const isos = await readdir(join(dir, 'isos', 'x86_64'));
  for (const i of ['boot', 'dvd', 'minimal']) expect(isos).toContain(`Demo-9.9-x86_64-${i}.iso`);
  const sums = await readFile(join(dir, 'isos', 'x86_64', 'CHECKSUM'), 'utf8');
  for (const i of ['boot', 'dvd', 'minimal']) expect(sums).toContain(`Demo-9.9-x86_64-${i}.iso`);
  const images = JSON.parse(await readFile(join(dir, 'metadata', 'images.json'), 'utf8'));
  const x86 = Object.values(images.payload.images as Record<string, Record<string, unknown[]>>).flatMap(
    (v) => v.x86_64 ?? [],
  );
  expect(x86.length).toBe(3);
  expect(existsSync(join(dir, 'isos', 'aarch64'))).toBe(false);
}, 900_000);
