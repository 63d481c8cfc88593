import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { allocateCompose } from '../../compose/compose-id.ts';
import type { ComposePaths } from '../../compose/paths.ts';
import { readStatus, writeStatus } from '../../compose/status.ts';
import { loadConfig } from '../../config/load.ts';
import type { ReleaseConfig } from '../../config/release-schema.ts';
import type { SiteConfig } from '../../config/site-schema.ts';
import { parseChecksumFile } from '../../metadata/checksum.ts';
import { WorkError } from '../../errors.ts';
import type { StepContext } from '../step.ts';
import { runUnits, type Unit } from '../units.ts';
import { collectImages, subvariantFromName } from './collect-images.ts';
import { openFailures } from './earlier-failures.ts';
import { finalizeCompose } from './index.ts';
import { findMediaFolders, isPayload, moveStaged, plannedPayload, removeOrphans } from './staging.ts';

const log = pino({ level: 'silent' });
const ident = { short: 'Demo', version: '9.9', profile: '9' };
let release: ReleaseConfig;
let site: SiteConfig;

beforeAll(async () => {
  const cfg = await loadConfig({
    release: 'demo',
    configDir: new URL('../../../../config', import.meta.url).pathname,
    env: { HORNO_UPSTREAM: 'http://127.0.0.1:9' },
  });
  release = cfg.release;
  site = { ...cfg.site, limits: { ...cfg.site.limits, cpu: 2 } };
});

async function compose(): Promise<{ paths: ComposePaths; ctx: StepContext }> {
  const root = await mkdtemp(join(tmpdir(), 'horno-finalize-'));
  const paths = await allocateCompose(root, 'Demo', '9.9', '20261122');
  return { paths, ctx: { release, site, paths, log } };
}

/** work/isos/x86_64 as build-iso-extra leaves it: two ISOs, a manifest, a relative and an absolute link. */
async function stage(paths: ComposePaths): Promise<string> {
  const dir = paths.mediaStaging('isos', 'x86_64');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'Demo-9.9-RC1-x86_64-dvd.iso'), Buffer.alloc(70000, 'd'));
  await writeFile(join(dir, 'Demo-9.9-x86_64-minimal.iso'), Buffer.alloc(50000, 'm'));
  await writeFile(join(dir, 'Demo-9.9-RC1-x86_64-dvd.iso.manifest'), '/.discinfo\n');
  await symlink('Demo-9.9-RC1-x86_64-dvd.iso', join(dir, 'Demo-x86_64-dvd.iso'));
  await symlink(join(dir, 'Demo-9.9-RC1-x86_64-dvd.iso'), join(dir, 'Demo-9-latest-x86_64-dvd.iso'));
  await writeFile(join(dir, '.Demo-9.9-x86_64-boot.iso.tmp-1'), 'partial');
  return dir;
}

describe('staging', () => {
  it('knows payload from our own files', () => {
    expect(
      ['a.iso', 'CHECKSUM', 'a.iso.CHECKSUM', 'CHECKSUM.asc', 'a.iso.manifest', 'README', '.x'].filter(
        isPayload,
      ),
    ).toEqual(['a.iso']);
  });

  it('renames staged files in, makes absolute links relative, leaves partial files, and plans the same payload before and after', async () => {
    const { paths } = await compose();
    const staging = await stage(paths);
    const [folder] = await findMediaFolders(paths);
    expect(folder).toMatchObject({ kind: 'isos', arch: 'x86_64' });
    const before = await plannedPayload(folder!);
    const ino = (await lstat(join(staging, 'Demo-9.9-x86_64-minimal.iso'))).ino;
    expect(await moveStaged(folder!)).toHaveLength(5);
    expect(await readdir(staging)).toEqual(['.Demo-9.9-x86_64-boot.iso.tmp-1']);
    const dest = paths.media('isos', 'x86_64');
    expect((await lstat(join(dest, 'Demo-9.9-x86_64-minimal.iso'))).ino).toBe(ino); // renamed, not copied
    expect(await readlink(join(dest, 'Demo-9-latest-x86_64-dvd.iso'))).toBe('Demo-9.9-RC1-x86_64-dvd.iso');
    expect(await plannedPayload(folder!)).toEqual(before);
    await writeFile(join(dest, 'gone.iso.CHECKSUM'), '');
    await writeFile(join(dest, 'gone.iso.CHECKSUM.asc'), '');
    expect((await removeOrphans(folder!, ['Demo-x86_64-dvd.iso'])).sort()).toEqual([
      'gone.iso.CHECKSUM',
      'gone.iso.CHECKSUM.asc',
    ]);
  });
});

describe('earlier failures', () => {
  it('are the units whose latest verdict in the step ledgers is a failure', async () => {
    const { paths } = await compose();
    const boom = (keys: string[]) => async (u: Unit) => {
      if (keys.includes(u.key)) throw new WorkError(`boom ${u.key}`);
      return { outputs: [] };
    };
    const units = (keys: string[], failable: string[] = []) =>
      keys.map((key) => ({ key, inputs: key, failable: failable.includes(key) }));
    const quiet = pino({ level: 'silent' });
    const all = ['AppStream-x86_64-os', 'BaseOS-x86_64-os', 'CRB-aarch64-os'];
    const base = { step: 'sync-repos', paths, log: quiet, concurrency: 2 };
    await runUnits({ ...base, units: units(all, ['CRB-aarch64-os']), run: boom(all) });
    // a later run fixes two of them: only the failable one stays open
    await runUnits({ ...base, units: units(all.slice(0, 2)), run: boom([]) });
    await runUnits({
      ...base,
      step: 'repoclosure',
      units: units(['BaseOS-x86_64']),
      run: boom(['BaseOS-x86_64']),
    });
    await runUnits({
      ...base,
      step: 'finalize-media',
      units: units(['isos-x86_64']),
      run: boom(['isos-x86_64']),
    });
    const open = await openFailures(paths, ['finalize-media']);
    expect(open.map(({ time: _t, ...f }) => f)).toEqual([
      { step: 'sync-repos', unit: 'CRB-aarch64-os', failable: true, error: 'boom CRB-aarch64-os' },
    ]);
  });
});

describe('images.json content', () => {
  it('names ISOs by the release templates, skips links, and takes SOURCE_DATE_EPOCH as mtime', async () => {
    const { paths } = await compose();
    const id = { short: 'Demo', version: '9.9', date: '20261122', respin: 0 };
    const digests = { sha256: 'a'.repeat(64) };
    const iso = { volumeId: 'Demo-9-9-RC1-x86_64-dvd', bootable: true, implantMd5: null };
    const files = [
      { name: 'Demo-9.9-RC1-x86_64-boot.iso', size: 10, mtimeMs: 5000, digests, iso },
      {
        name: 'Demo-9.9-RC1-x86_64-dvd.iso',
        size: 20,
        mtimeMs: 5000,
        digests: { sha256: 'b'.repeat(64) },
        iso,
      },
      {
        name: 'Demo-9.9-x86_64-minimal.iso',
        size: 30,
        mtimeMs: 5000,
        digests: { sha256: 'c'.repeat(64) },
        iso,
      },
      { name: 'Demo-x86_64-dvd.iso', size: 20, mtimeMs: 5000, link: 'Demo-9.9-RC1-x86_64-dvd.iso', digests },
      { name: 'Demo-9-GenericCloud-Base-9.9-20261122.0.x86_64.qcow2', size: 7, mtimeMs: 9000, digests },
    ];
    const isos = { kind: 'isos' as const, arch: 'x86_64', files: files.slice(0, 4), hashed: {} };
    const images = { kind: 'images' as const, arch: 'x86_64', files: files.slice(4), hashed: {} };
    const out = collectImages(paths, release, id, [isos, images], 1700000000);
    const summary = Object.entries(out).flatMap(([v, a]) =>
      a.x86_64!.map((i) => [v, i.path, i.type, i.subvariant, i.mtime, i.volume_id]),
    );
    expect(summary).toEqual([
      [
        'BaseOS',
        'isos/x86_64/Demo-9.9-RC1-x86_64-boot.iso',
        'boot',
        'BaseOS',
        1700000000,
        'Demo-9-9-RC1-x86_64-dvd',
      ],
      [
        'BaseOS',
        'isos/x86_64/Demo-9.9-x86_64-minimal.iso',
        'dvd',
        'minimal',
        1700000000,
        'Demo-9-9-RC1-x86_64-dvd',
      ],
      [
        'BaseOS',
        'images/x86_64/Demo-9-GenericCloud-Base-9.9-20261122.0.x86_64.qcow2',
        'qcow2',
        'GenericCloud-Base',
        1700000000,
        null,
      ],
      [
        'AppStream',
        'isos/x86_64/Demo-9.9-RC1-x86_64-dvd.iso',
        'dvd',
        'AppStream',
        1700000000,
        'Demo-9-9-RC1-x86_64-dvd',
      ],
    ]);
    expect(collectImages(paths, release, id, [images], undefined).BaseOS!.x86_64![0]!.mtime).toBe(9);
    expect(
      subvariantFromName(
        'Rocky-9-Container-Minimal-9.7-20251123.0.x86_64.tar.xz',
        { ...release, short: 'Rocky', major: '9', version: '9.7' },
        '.tar.xz',
      ),
    ).toBe('Container-Minimal');
  });
});

describe('finalizeCompose', () => {
  it('publishes, checksums, writes metadata, marks FINISHED, moves the link; a rerun does nothing', async () => {
    const { paths, ctx } = await compose();
    await stage(paths);
    const r = await finalizeCompose(ctx, ident, {});
    expect(r.refused).toBeUndefined();
    expect(r.status).toBe('FINISHED');
    expect(await readStatus(paths)).toBe('FINISHED');
    expect(await readlink(join(paths.root, 'latest-Demo-9'))).toBe(paths.id);
    const dest = paths.media('isos', 'x86_64');
    const sums = parseChecksumFile(await readFile(join(dest, 'CHECKSUM'), 'utf8'));
    expect(sums.map((s) => s.file)).toEqual([
      'Demo-9-latest-x86_64-dvd.iso',
      'Demo-9.9-RC1-x86_64-dvd.iso',
      'Demo-9.9-x86_64-minimal.iso',
      'Demo-x86_64-dvd.iso',
    ]);
    expect(sums[0]!.hex).toBe(sums[1]!.hex);
    expect((await readdir(paths.metadata)).sort()).toEqual([
      'COMPOSE_ID',
      'README',
      'composeinfo.json',
      'images.json',
      'rpms.json',
    ]);
    const images = JSON.parse(await readFile(paths.metadataFile('images.json'), 'utf8'));
    expect(Object.keys(images.payload.images).sort()).toEqual(['AppStream', 'BaseOS']);
    expect(await readFile(paths.metadataFile('README'), 'utf8')).toMatch(
      /sha256sum -c --ignore-missing CHECKSUM/,
    );

    const again = await finalizeCompose(ctx, ident, {});
    expect(again.media!.ran).toEqual([]);
    expect(again.metadata!.ran).toEqual([]);
    expect(again.status).toBe('FINISHED');

    await stage(paths);
    const refused = await finalizeCompose(ctx, ident, {});
    expect(refused).toMatchObject({
      status: 'keep',
      refused: expect.stringMatching(/FINISHED and immutable/),
    });
  });

  it('is FINISHED_INCOMPLETE after a failable failure and refuses while a required unit is still failed', async () => {
    const { paths, ctx } = await compose();
    const quiet = pino({ level: 'silent' });
    const fail = (keys: string[]) =>
      runUnits({
        step: 'sync-repos',
        paths,
        log: quiet,
        concurrency: 2,
        units: keys.map((key) => ({ key, inputs: key, failable: key.includes('aarch64') })),
        run: async (u) => {
          throw new WorkError(`404 ${u.key}`);
        },
      });
    await fail(['CRB-aarch64-os', 'BaseOS-x86_64-os']);
    const doomed = await finalizeCompose(ctx, ident, {});
    expect(doomed).toMatchObject({
      status: 'DOOMED',
      refused: expect.stringMatching(/sync-repos\/BaseOS-x86_64-os/),
    });
    await runUnits({
      step: 'sync-repos',
      paths,
      log: quiet,
      concurrency: 1,
      units: [{ key: 'BaseOS-x86_64-os', inputs: 'BaseOS-x86_64-os' }],
      run: async () => ({ outputs: [] }),
    });
    await writeStatus(paths, 'STARTED');
    const r = await finalizeCompose(ctx, ident, {});
    expect(r.status).toBe('FINISHED_INCOMPLETE');
    expect(await readStatus(paths)).toBe('FINISHED_INCOMPLETE');
    expect(JSON.parse(await readFile(paths.finalizeOutcome, 'utf8')).earlier).toHaveLength(1);
  });
});
