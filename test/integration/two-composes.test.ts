// Two composes at once on one site (one compose root, one store), under one SOURCE_DATE_EPOCH: their build-iso runs
// upload side by side without sharing a store key, and each pull-unpack-tree unpacks its own compose's boot tree,
// checked by the tarball sha256 each build-iso recorded. The trees differ (lorax's log in the tarball names the
// compose's own source repos), so taking the other's would show.
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureFixtureDistro } from '../fixtures/distro.ts';
import { type Served, serveDir } from '../fixtures/serve.ts';
import { ensureBootAssets } from '../helpers/boot-assets.ts';
import { createLab, type Lab } from '../helpers/horno.ts';
import { installLoraxStandIn } from '../stand-ins/lorax/install.ts';

let served: Served;
let lab: Lab;
beforeAll(async () => {
  served = await serveDir((await ensureFixtureDistro()).upstream);
  const assets = await ensureBootAssets();
  lab = await createLab({ upstream: served.url });
  lab.env.PATH = await installLoraxStandIn(join(lab.dir, 'bin'), { assets: assets.dir });
  lab.env.SOURCE_DATE_EPOCH = '1700000000';
}, 300_000);
afterAll(async () => {
  await served?.close();
  if (lab) await rm(lab.dir, { recursive: true, force: true });
});

interface Outcome {
  failed: unknown[];
  ran: { key: string; summary: { key: string; sha256: string } }[];
}
const x86 = ['--release', 'demo', '--arch', 'x86_64', '--json'];
const sha256 = async (f: string) =>
  createHash('sha256')
    .update(await readFile(f))
    .digest('hex');

it('each of two composes running at once unpacks its own boot tree', async () => {
  const ids = ['Demo-9.9-20231114.0', 'Demo-9.9-20231114.1'];
  for (let i = 0; i < ids.length; i++)
    await lab.horno(['sync-repos', '--new', '--no-repoclosure', ...x86], { timeoutMs: 300_000 });
  const dir = (id: string) => join(lab.composeRoot, '9', id);

  const built = await Promise.all(
    ids.map(async (id) => {
      const r = await lab.horno(['build-iso', '--compose', id, ...x86], { timeoutMs: 300_000 });
      return JSON.parse(r.stdout) as Outcome;
    }),
  );
  const keys = built.map((b) => b.ran[0]!.summary.key);
  expect(keys).toEqual(ids.map((id) => `buildiso-9-x86_64/${id}/1700000000/lorax-9.9-x86_64.tar.gz`));
  const recorded = built.map((b) => b.ran[0]!.summary.sha256);
  expect(recorded[0]).not.toBe(recorded[1]);

  const pulled = await Promise.all(
    ids.map(async (id) => {
      const r = await lab.horno(['pull-unpack-tree', '--compose', id, ...x86], { timeoutMs: 300_000 });
      return JSON.parse(r.stdout) as Outcome;
    }),
  );
  for (const [i, id] of ids.entries()) {
    expect(pulled[i]!.failed).toEqual([]);
    expect(pulled[i]!.ran[0]!.summary.key).toBe(keys[i]);
    const lorax = join(dir(id), 'work', 'lorax', 'x86_64');
    const state = JSON.parse(await readFile(join(lorax, 'state.json'), 'utf8')) as {
      tarball: { sha256: string };
    };
    expect(state.tarball.sha256, id).toBe(recorded[i]);
    expect(await sha256(join(lorax, 'lorax-9.9-x86_64.tar.gz')), id).toBe(recorded[i]);
    // the log that came with the tree is this compose's own lorax run
    expect(await readFile(join(lorax, 'lorax-x86_64.log'), 'utf8')).toContain(
      `/${id}/compose/BaseOS/x86_64/os`,
    );
  }
}, 600_000);
