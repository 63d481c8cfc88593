import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LockedError, WorkError } from '../errors.ts';
import { run } from '../run/runner.ts';
import { allocateCompose, composeDate, formatComposeId, parseComposeId } from './compose-id.ts';
import { acquireComposeLock } from './lock.ts';
import { ComposePaths } from './paths.ts';
import { findCompose, updateLatestLink } from './session.ts';
import { readStatus, writeStatus } from './status.ts';

const tmp = () => mkdtemp(join(tmpdir(), 'horno-compose-'));
const ident = { short: 'Demo', version: '9.9', profile: '9' };

describe('compose ids', () => {
  it('format and parse round-trip', () => {
    const p = { short: 'Rocky', version: '9.7', date: '20261122', respin: 3 };
    expect(formatComposeId(p)).toBe('Rocky-9.7-20261122.3');
    expect(parseComposeId('Rocky-9.7-20261122.3')).toEqual(p);
    expect(parseComposeId('Rocky-9.7-2026112.3')).toBeUndefined();
  });

  it('takes the date from SOURCE_DATE_EPOCH in UTC', () => {
    expect(composeDate({ SOURCE_DATE_EPOCH: '1700000000' })).toBe('20231114');
  });

  it('allocates .0, .1 ... with the skeleton, COMPOSE_ID and STATUS in place', async () => {
    const root = await tmp();
    const a = await allocateCompose(root, 'Demo', '9.9', '20261122');
    const b = await allocateCompose(root, 'Demo', '9.9', '20261122');
    expect([a.id, b.id]).toEqual(['Demo-9.9-20261122.0', 'Demo-9.9-20261122.1']);
    expect(await readFile(a.composeIdFile, 'utf8')).toBe('Demo-9.9-20261122.0\n');
    expect(await readStatus(a)).toBe('STARTED');
    expect((await readdir(a.dir)).sort()).toEqual(['COMPOSE_ID', 'STATUS', 'compose', 'logs', 'work']);
  });

  it('continues after the highest existing respin and ignores other releases', async () => {
    const root = await tmp();
    await mkdir(join(root, 'Demo-9.9-20261122.7'));
    await mkdir(join(root, 'Demo-9.10-20261122.40'));
    expect((await allocateCompose(root, 'Demo', '9.9', '20261122')).id).toBe('Demo-9.9-20261122.8');
  });

  it('never hands out one id twice when many processes allocate at once', async () => {
    const root = await tmp();
    const procs = 8;
    const each = 5;
    const outs = await Promise.all(
      Array.from({ length: procs }, () =>
        run(['node', 'bin/horno-dev.js', 'test/helpers/allocate-compose.ts', root, String(each)], {
          captureStdout: true,
        }),
      ),
    );
    const ids = outs.flatMap((o) => o.stdout.trim().split('\n'));
    expect(ids).toHaveLength(procs * each);
    expect(new Set(ids).size).toBe(procs * each);
    const dirs = (await readdir(root)).filter((d) => !d.startsWith('.'));
    expect(dirs.sort()).toEqual([...ids].sort());
    // no temporary skeletons left behind
    expect((await readdir(root)).filter((d) => d.startsWith('.'))).toEqual([]);
    const respins = ids.map((i) => parseComposeId(i)!.respin).sort((x, y) => x - y);
    expect(respins).toEqual(Array.from({ length: procs * each }, (_, i) => i));
  }, 60_000);
});

describe('latest link', () => {
  it('is relative, replaced atomically, and found again', async () => {
    const root = await tmp();
    const a = await allocateCompose(root, 'Demo', '9.9', '20261122');
    const link = await updateLatestLink(a, ident);
    expect(link).toBe(join(root, 'latest-Demo-9'));
    expect(await readlink(link)).toBe(a.id);
    const b = await allocateCompose(root, 'Demo', '9.9', '20261122');
    // a reader polling the link while it is swapped never sees it missing
    let missing = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        if (!(await lstat(link).catch(() => undefined))) missing++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    for (let i = 0; i < 200; i++) await updateLatestLink(i % 2 ? a : b, ident);
    polling = false;
    await poller;
    expect(missing).toBe(0);
    expect(await readlink(link)).toBe(a.id);
    expect((await findCompose(root, ident, undefined)).id).toBe(a.id);
    expect((await findCompose(root, ident, b.id)).id).toBe(b.id);
    expect((await readdir(root)).filter((d) => d.includes('.tmp-'))).toEqual([]);
  });

  it('explains a missing link or folder', async () => {
    const root = await tmp();
    await expect(findCompose(root, ident, undefined)).rejects.toThrow(/latest-Demo-9 does not exist/);
    await expect(findCompose(root, ident, 'Demo-9.9-20990101.0')).rejects.toThrow(/compose folder not found/);
  });
});

describe('status and lock', () => {
  it('FINISHED is final', async () => {
    const root = await tmp();
    const p = await allocateCompose(root, 'Demo', '9.9', '20261122');
    await writeStatus(p, 'DOOMED');
    await writeStatus(p, 'STARTED');
    await writeStatus(p, 'FINISHED');
    await expect(writeStatus(p, 'DOOMED')).rejects.toBeInstanceOf(WorkError);
    expect(await readStatus(p)).toBe('FINISHED');
  });

  it('lets one writer in, refuses a second, and takes over a stale lock', async () => {
    const root = await tmp();
    const p = await allocateCompose(root, 'Demo', '9.9', '20261122');
    const l = await acquireComposeLock(p, 'test');
    await expect(acquireComposeLock(p, 'second')).rejects.toBeInstanceOf(LockedError);
    await l.release();
    const l2 = await acquireComposeLock(p, 'again');
    await l2.release();
    // a lock left by a process that no longer exists
    const dead = await run(['sh', '-c', 'echo $$'], { captureStdout: true });
    const info = JSON.parse(JSON.stringify(l.info));
    info.pid = Number(dead.stdout.trim());
    await writeFile(p.lock, JSON.stringify(info));
    const l3 = await acquireComposeLock(p, 'takeover');
    expect(l3.info.command).toBe('takeover');
    await l3.release();
    await expect(lstat(p.lock)).rejects.toThrow(/ENOENT/);
  });
});

describe('paths', () => {
  it('lays trees out as pungi does', () => {
    const p = new ComposePaths('/c', 'Demo-9.9-20261122.0');
    expect(p.tree('BaseOS', 'x86_64', 'os')).toBe('/c/Demo-9.9-20261122.0/compose/BaseOS/x86_64/os');
    expect(p.tree('BaseOS', 'x86_64', 'debug')).toBe(
      '/c/Demo-9.9-20261122.0/compose/BaseOS/x86_64/debug/tree',
    );
    expect(p.tree('BaseOS', 'x86_64', 'source')).toBe('/c/Demo-9.9-20261122.0/compose/BaseOS/source/tree');
    expect(p.unitLog('sync-repos', 'BaseOS-x86_64-os')).toBe(
      '/c/Demo-9.9-20261122.0/logs/sync-repos/BaseOS-x86_64-os.log',
    );
  });
});
