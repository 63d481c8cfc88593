import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../log/logger.ts';
import { tempSibling } from './atomic.ts';
import { allocateCompose } from './compose-id.ts';
import type { ComposePaths } from './paths.ts';
import { createCompose, openSession } from './session.ts';
import { sweepCompose } from './sweep.ts';

let root: string;
let paths: ComposePaths;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'horno-sweep-'));
  paths = await allocateCompose(join(root, 'composes'), 'Demo', '9.9', '20231114');
});
afterEach(() => rm(root, { recursive: true, force: true }));

/** A pid no process can have: pids stay below pid_max. */
async function deadPid(): Promise<number> {
  return Number((await readFile('/proc/sys/kernel/pid_max', 'utf8')).trim());
}

async function files(dir: string): Promise<string[]> {
  const out = await readdir(dir, { recursive: true });
  return out.map((p) => p.toString()).sort();
}

describe('sweepCompose', () => {
  it('removes temp files, partial ISOs and scratch folders of gone processes anywhere in the compose', async () => {
    const dead = await deadPid();
    const os = paths.tree('BaseOS', 'x86_64', 'os');
    await mkdir(join(os, 'images'), { recursive: true });
    await writeFile(join(os, 'images', 'install.img'), 'whole');
    await writeFile(join(os, 'images', `.install.img.tmp-${dead}-a1b2c30`), 'partial');
    await mkdir(paths.mediaStaging('isos', 'x86_64'), { recursive: true });
    await writeFile(
      join(paths.mediaStaging('isos', 'x86_64'), `.Demo-9.9-x86_64-dvd.iso.tmp-${dead}-ffee001`),
      '',
    );
    const scratch = join(paths.loraxDir('x86_64'), `.lorax.tmp-${dead}-0a0b0c5`);
    await mkdir(join(scratch, 'lorax', 'images'), { recursive: true });
    await writeFile(join(scratch, 'lorax', 'images', 'boot.iso'), 'half');
    await writeFile(join(paths.dir, `.STATUS.tmp-${dead}-123abc0`), 'FINI');
    // not temp names: a dot file of the repo's own, and a name that only looks alike
    await writeFile(join(os, '.treeinfo'), '[header]\n');
    await writeFile(join(os, 'notes.tmp-1-a'), 'kept');

    const removed = await sweepCompose(paths);
    expect(removed).toEqual([
      `.STATUS.tmp-${dead}-123abc0`,
      `compose/BaseOS/x86_64/os/images/.install.img.tmp-${dead}-a1b2c30`,
      `work/isos/x86_64/.Demo-9.9-x86_64-dvd.iso.tmp-${dead}-ffee001`,
      `work/lorax/x86_64/.lorax.tmp-${dead}-0a0b0c5`,
    ]);
    expect((await files(paths.dir)).filter((f) => f.includes('.tmp-'))).toEqual([
      'compose/BaseOS/x86_64/os/notes.tmp-1-a',
    ]);
    expect(await readdir(os)).toEqual(expect.arrayContaining(['.treeinfo', 'notes.tmp-1-a', 'images']));
    expect(await sweepCompose(paths)).toEqual([]);
  });

  it("keeps a live process's temp names, sweeps its own, and never follows a link out of the compose", async () => {
    // the test runner's parent process: alive, and not us
    const alive = process.ppid;
    const live = join(paths.work, `.compose.lock.tmp-${alive}-abcdef0`);
    await writeFile(live, 'a contender writing its holder record');
    const mine = tempSibling(join(paths.work, 'steps', 'sync-repos.json'));
    await mkdir(join(paths.work, 'steps'));
    await writeFile(mine, '{');
    const outside = join(root, 'outside');
    await mkdir(outside);
    const dead = await deadPid();
    await writeFile(join(outside, `.precious.tmp-${dead}-abc0`), 'not ours');
    await symlink(outside, join(paths.work, 'elsewhere'));

    expect(await sweepCompose(paths)).toEqual([`work/steps/${mine.split('/').at(-1)}`]);
    expect(await readdir(paths.work)).toContain(`.compose.lock.tmp-${alive}-abcdef0`);
    expect(await readdir(outside)).toEqual([`.precious.tmp-${dead}-abc0`]);
  });

  it('runs when a session opens the compose, and a new compose sweeps half-allocated folders beside it', async () => {
    const dead = await deadPid();
    const partial = join(paths.loraxDir('aarch64'), `.lorax-9.9-aarch64.tar.gz.tmp-${dead}-99aa0`);
    await mkdir(paths.loraxDir('aarch64'), { recursive: true });
    await writeFile(partial, 'half a download');
    const logger = createLogger({ terminal: new Writable({ write: (_c, _e, done) => done() }) });
    const session = await openSession(paths, 'test', logger);
    await session.close('keep');
    expect(await readdir(paths.loraxDir('aarch64'))).toEqual([]);

    const skeleton = join(paths.root, `.Demo-9.9-20231114.1.tmp-${dead}-k3j2h1`);
    await mkdir(join(skeleton, 'work', 'units'), { recursive: true });
    const next = await createCompose(paths.root, { short: 'Demo', version: '9.9', profile: '9' });
    expect((await readdir(paths.root)).sort()).toEqual([paths.id, next.id].sort());
  });
});
