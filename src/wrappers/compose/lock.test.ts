import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LockedError } from '../errors.ts';
import { run } from '../run/runner.ts';
import { acquireComposeLock } from './lock.ts';
import { ComposePaths } from './paths.ts';

let paths: ComposePaths;
beforeEach(async () => {
  paths = new ComposePaths(await mkdtemp(join(tmpdir(), 'horno-lock-')), 'Demo-9.9-20261207.0');
  await mkdir(paths.work, { recursive: true });
});
afterEach(() => rm(paths.root, { recursive: true, force: true }));

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const r = await run(['sh', '-c', 'echo $$'], { captureStdout: true });
  return Number(r.stdout.trim());
}

const record = (pid: number, command = 'crashed') =>
  `${JSON.stringify({ pid, host: hostname(), command, since: '2026-12-07T00:00:00.000Z' })}\n`;

/** A lock as a holder of `pid` leaves it: the folder with its one record. */
async function plant(pid: number, name = `holder-${pid}-abc.json`): Promise<void> {
  await mkdir(paths.lock);
  await writeFile(join(paths.lock, name), record(pid));
}

describe('acquireComposeLock', () => {
  it('refuses while a live process holds it, naming the holder', async () => {
    await plant(process.ppid);
    const err = await acquireComposeLock(paths, 'second').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockedError);
    expect((err as Error).message).toBe(
      `compose ${paths.id} is locked by pid ${process.ppid} on ${hostname()} (crashed, since 2026-12-07T00:00:00.000Z)`,
    );
    expect(await readdir(paths.lock)).toEqual([`holder-${process.ppid}-abc.json`]);
  });

  it('takes over a dead holder, and a release leaves nothing behind', async () => {
    await plant(await deadPid());
    const l = await acquireComposeLock(paths, 'takeover');
    const [name] = await readdir(paths.lock);
    expect(JSON.parse(await readFile(join(paths.lock, name!), 'utf8'))).toEqual(l.info);
    await expect(acquireComposeLock(paths, 'again')).rejects.toBeInstanceOf(LockedError);
    await l.release();
    expect(await readdir(paths.work)).toEqual([]);
  });

  it('takes over a lock file of an older horno whose process is gone, and respects a live one', async () => {
    await writeFile(paths.lock, record(process.ppid));
    await expect(acquireComposeLock(paths, 'x')).rejects.toBeInstanceOf(LockedError);
    await writeFile(paths.lock, record(await deadPid()));
    const l = await acquireComposeLock(paths, 'x');
    await l.release();
    expect(await readdir(paths.work)).toEqual([]);
  });

  it('release removes only its own record: a lock that changed hands stays', async () => {
    const l = await acquireComposeLock(paths, 'first');
    // as if it had been judged stale and taken over: another holder's folder is in place
    await rm(paths.lock, { recursive: true });
    await plant(process.ppid, 'holder-other.json');
    await l.release();
    expect(await readdir(paths.lock)).toEqual(['holder-other.json']);
  });

  it("sweeps the staged folder of a process killed while taking the lock, not a live one's", async () => {
    const dead = join(paths.work, '.compose.lock.tmp-1-dead');
    const live = join(paths.work, '.compose.lock.tmp-2-live');
    await mkdir(dead);
    await writeFile(join(dead, 'holder-1-x.json'), record(await deadPid()));
    await mkdir(live);
    await writeFile(join(live, 'holder-2-x.json'), record(process.ppid));
    const l = await acquireComposeLock(paths, 'x');
    await l.release();
    expect(await readdir(paths.work)).toEqual(['.compose.lock.tmp-2-live']);
  });
});
