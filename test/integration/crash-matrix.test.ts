// SIGKILL across a whole `horno compose` of the demo release, each kill followed by `compose --resume`: one clean
// compose first (SOURCE_DATE_EPOCH set, so the compose id and every byte are reproducible), then one compose killed
// at 24 points spread over every phase, finalize included (chosen by events in the compose's own log, some with a
// delay to land mid-unit), the next resume killed at the next point. At one point per phase the compose and the store
// are copied aside and that resume runs to the end; its result, and the chain's final one, must equal the clean run
// file by file (path, mode, sha256, link target), with no temp name anywhere, STATUS FINISHED and no lock left.
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { run } from '../../src/wrappers/run/runner.ts';
import { ensureFixtureDistro } from '../fixtures/distro.ts';
import { type Served, serveDir } from '../fixtures/serve.ts';
import { ensureBootAssets } from '../helpers/boot-assets.ts';
import {
  type KillPoint,
  type LogLine,
  manifestDiff,
  runUntil,
  tempNames,
  treeManifest,
} from '../helpers/crash.ts';
import { createLab, type Lab } from '../helpers/horno.ts';
import { installLoraxStandIn } from '../stand-ins/lorax/install.ts';

const EPOCH = '1700000000';
const ID = 'Demo-9.9-20231114.0';

const is =
  (msg: string, fields: Partial<LogLine> = {}) =>
  (l: LogLine) =>
    l.msg === msg && Object.entries(fields).every(([k, v]) => l[k] === v);
const point = (name: string, when: KillPoint['when'], delayMs = 0, fork = false) => ({
  name,
  when,
  delayMs,
  fork,
});

/** In pipeline order; each must come later than the one before, so that the resume after a kill reaches it. */
const POINTS: (KillPoint & { fork: boolean })[] = [
  point('sync: session just opened', is('compose opened', { command: 'compose' })),
  point('sync: mid download of BaseOS x86_64', is('unit started', { unit: 'BaseOS-x86_64-os' }), 60),
  point('sync: a unit done, its record just written', is('unit done', { step: 'sync-repos' }), 0, true),
  point('sync: mid AppStream aarch64', is('unit started', { unit: 'AppStream-aarch64-os' }), 40),
  point('sync: phase finished', is('phase finished', { phase: 'sync-repos' })),
  point('repoclosure: phase started', is('phase started', { phase: 'repoclosure' })),
  point('build-iso: phase started', is('phase started', { phase: 'build-iso' })),
  point('build-iso: mid lorax', is('unit started', { step: 'build-iso' }), 1500, true),
  point('build-iso: late in lorax or packing', is('unit started', { step: 'build-iso' }), 4500),
  point('build-iso: uploaded, record not written', is('lorax tarball uploaded')),
  point('build-iso: one arch done', is('unit done', { step: 'build-iso' })),
  point('pull-unpack-tree: phase started', is('phase started', { phase: 'pull-unpack-tree' })),
  point('pull-unpack-tree: mid download', is('unit started', { step: 'pull-unpack-tree' }), 300, true),
  point('pull-unpack-tree: mid unpack or placing', is('unit started', { step: 'pull-unpack-tree' }), 1200),
  point('pull-unpack-tree: one arch done', is('unit done', { step: 'pull-unpack-tree' })),
  point('build-iso-extra: mid DVD mastering', is('unit started', { step: 'build-iso-extra' }), 150, true),
  point('build-iso-extra: a disc done', is('unit done', { step: 'build-iso-extra' })),
  point('build-iso-extra: mid minimal', is('unit started', { unit: 'minimal-x86_64' }), 900),
  point('build-iso-extra: phase finished', is('phase finished', { phase: 'build-iso-extra' })),
  point('finalize: phase started', is('phase started', { phase: 'finalize-media' })),
  point('finalize: mid move and hashing', is('unit started', { step: 'finalize-media' }), 120, true),
  point('finalize: one media folder done', is('unit done', { step: 'finalize-media' })),
  point('finalize: mid metadata', is('unit started', { step: 'finalize-metadata' }), 30, true),
  point('finalize: STATUS FINISHED written, lock still held', is('compose finalized')),
];

// HORNO_CRASH_ONLY=<regex> keeps the points whose name matches (e.g. "finalize"), for chasing one failure
const only = process.env.HORNO_CRASH_ONLY;
const CHOSEN = only ? POINTS.filter((p) => new RegExp(only).test(p.name)) : POINTS;

let served: Served;
let bin: string;
let clean: Map<string, string>;
const labs: Lab[] = [];

async function newLab(): Promise<Lab> {
  const lab = await createLab({ upstream: served.url });
  lab.env.PATH = bin;
  lab.env.SOURCE_DATE_EPOCH = EPOCH;
  await mkdir(join(lab.dir, 'store'), { recursive: true }); // copied aside before build-iso makes it
  labs.push(lab);
  return lab;
}
const composeDir = (lab: Lab) => join(lab.composeRoot, '9', ID);

beforeAll(async () => {
  served = await serveDir((await ensureFixtureDistro()).upstream);
  const assets = await ensureBootAssets();
  const first = await newLab();
  bin = await installLoraxStandIn(join(first.dir, 'bin'), { assets: assets.dir });
  first.env.PATH = bin;
  await first.horno(['compose', '--release', 'demo'], { timeoutMs: 600_000 });
  clean = await treeManifest(join(composeDir(first), 'compose'));
}, 900_000);
afterAll(async () => {
  await served?.close();
  for (const lab of labs) await rm(lab.dir, { recursive: true, force: true });
});

/** A finished compose as the clean run left it: same files, no temp names (store too), FINISHED, no lock. */
async function expectLikeClean(lab: Lab, what: string): Promise<void> {
  const dir = composeDir(lab);
  expect.soft((await readFile(join(dir, 'STATUS'), 'utf8')).trim(), what).toBe('FINISHED');
  expect.soft(await tempNames(dir), what).toEqual([]);
  expect.soft(await tempNames(join(lab.dir, 'store')), what).toEqual([]);
  expect
    .soft(
      (await readdir(join(dir, 'work'))).filter((n) => n.startsWith('compose.lock')),
      what,
    )
    .toEqual([]);
  // everything staged was published: nothing left behind in work/isos/<arch> (finalize moved it all)
  const staging = join(dir, 'work', 'isos');
  const staged = (await readdir(staging, { recursive: true, withFileTypes: true })).filter(
    (e) => !e.isDirectory(),
  );
  expect
    .soft(
      staged.map((e) => join(e.parentPath, e.name)),
      what,
    )
    .toEqual([]);
  const got = await treeManifest(join(dir, 'compose'));
  expect.soft(manifestDiff(clean, got), what).toEqual([]);
}

it(`ends byte-identical to a clean compose after SIGKILL at ${CHOSEN.length} points, each resumed`, async () => {
  expect(clean.size).toBeGreaterThan(100);
  let lab = await newLab();
  let log = join(composeDir(lab), 'logs', 'horno.log');
  const report: string[] = [];
  let resumes = 0;
  try {
    let kills = 0;
    let fresh = true; // the next run starts the compose rather than resuming it
    for (const p of CHOSEN) {
      // A run its kill missed (a delayed point that a fast host had already passed) went on to FINISHED: that
      // chain ends there, equal to the clean run, and the remaining points go on in a new compose of their own.
      if (!fresh && (await readFile(join(composeDir(lab), 'STATUS'), 'utf8')).trim() === 'FINISHED') {
        await expectLikeClean(lab, `the chain of kills up to "${p.name}"`);
        report.push(`   FINISHED early: a new compose takes the remaining points`);
        lab = await newLab();
        log = join(composeDir(lab), 'logs', 'horno.log');
        fresh = true;
      }
      const args = fresh ? ['compose', '--release', 'demo'] : ['compose', '--release', 'demo', '--resume'];
      fresh = false;
      const r = await runUntil(lab, args, log, p);
      report.push(`${p.name}: ${r.killed ? 'killed' : `ended ${r.exitCode}`} after ${r.ms} ms`);
      // a run that ended first ran to FINISHED (the next iteration stops the chain); a failure is never fine
      if (!r.killed) expect(r.exitCode, `${p.name}: the run failed before the kill\n${r.stderrTail}`).toBe(0);
      if (r.killed) kills++;
      if (!p.fork || !r.killed) continue;
      // this kill's own outcome: a copy of the compose and store resumes to the end and must equal the clean run
      const aside = join(lab.dir, 'aside');
      // cp -a keeps hard links (boot files, staged ISOs) as the killed run left them
      await mkdir(aside);
      await run(['cp', '-a', lab.composeRoot, join(lab.dir, 'store'), aside]);
      const done = await runUntil(lab, ['compose', '--release', 'demo', '--resume'], log);
      resumes++;
      report.push(`   resumed to the end: exit ${done.exitCode} in ${done.ms} ms`);
      expect(done.exitCode, done.stderrTail).toBe(0);
      await expectLikeClean(lab, `resumed after "${p.name}"`);
      for (const d of ['compose', 'store']) {
        await rm(join(lab.dir, d), { recursive: true, force: true });
        await rename(join(aside, d), join(lab.dir, d));
      }
      await rm(aside, { recursive: true, force: true });
    }
    const last = await runUntil(lab, ['compose', '--release', 'demo', '--resume'], log);
    report.push(`   last resume: exit ${last.exitCode} in ${last.ms} ms`);
    expect(last.exitCode, last.stderrTail).toBe(0);
    await expectLikeClean(lab, 'the chain of kills');
    if (!only) expect(resumes).toBeGreaterThanOrEqual(6);
    expect(kills).toBeGreaterThanOrEqual(Math.min(20, CHOSEN.length - 1));
    expect(existsSync(join(composeDir(lab), 'work', 'compose.lock'))).toBe(false);
  } finally {
    console.log(report.join('\n'));
  }
}, 1_200_000);
