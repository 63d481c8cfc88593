import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeClock } from '../../compose/clock.ts';
import { allocateCompose } from '../../compose/compose-id.ts';
import { createStepContext } from '../../compose/context.ts';
import type { ComposePaths } from '../../compose/paths.ts';
import { readStatus, writeStatus } from '../../compose/status.ts';
import { loadConfig } from '../../config/load.ts';
import type { ReleaseConfig } from '../../config/release-schema.ts';
import type { SiteConfig } from '../../config/site-schema.ts';
import { parseChecksumFile } from '../../metadata/checksum.ts';
import type { RunSoFar, Step, StepContext, UnitData } from '../step.ts';
import type { LedgerEntry, UnitsOutcome } from '../units.ts';
import { collectImages, subvariantFromName } from './collect-images.ts';
import { openFailures } from './earlier-failures.ts';
import { FINALIZE_STEPS, finalizeMedia, finalizeMetadata, type MediaOptions } from './index.ts';
import { findMediaFolders, isPayload, moveStaged, plannedPayload, removeOrphans } from './staging.ts';

const log = pino({ level: 'silent' });
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
  const plan = { release, site, clock: makeClock(undefined), arches: [...release.arches] };
  return { paths, ctx: createStepContext(plan, paths, log) };
}

/** A step ledger as the engine leaves it. */
async function ledger(
  paths: ComposePaths,
  step: string,
  entries: Record<string, LedgerEntry>,
): Promise<void> {
  await mkdir(dirname(paths.stepLedger(step)), { recursive: true });
  await writeFile(paths.stepLedger(step), JSON.stringify(entries));
}

/**
 * One phase without the engine: units() and run() of each unit, failures caught. No unit records, so nothing is
 * skipped on a rerun; cannotRun units are not expected here.
 * TODO(lead): "a rerun does nothing" (every unit skipped by its record) and the engine's handling of a units()
 * refusal (STATUS left alone, exit 1) need the runner: move those checks to a test that drives it.
 */
async function runPhase<O, U extends UnitData, S>(
  step: Step<O, U, S>,
  ctx: StepContext,
  opts: O,
  shared: S,
): Promise<UnitsOutcome & { phase: string }> {
  const outcome: UnitsOutcome & { phase: string } = {
    phase: step.name,
    status: 'FINISHED',
    ran: [],
    skipped: [],
    failed: [],
  };
  for (const unit of await step.units(ctx, opts, ctx.arches, shared)) {
    const logFile = ctx.paths.unitLog(step.name, unit.key);
    const uc = { id: unit.key, logFile, signal: ctx.signal, progress: () => {} };
    try {
      const res = await step.run(unit, ctx, opts, uc, shared);
      const at = new Date().toISOString();
      outcome.ran.push({
        id: unit.key,
        step: step.name,
        key: unit.key,
        inputs: unit.inputs,
        durationMs: 0,
        finishedAt: at,
        ...res,
      });
    } catch (err) {
      outcome.failed.push({ key: unit.key, failable: false, error: (err as Error).message, logFile });
    }
  }
  if (outcome.failed.length) outcome.status = 'DOOMED';
  return outcome;
}

/** finalize-compose as the engine runs it: media (with its hasher), metadata, then the close hook. */
async function finalize(ctx: StepContext, opts: MediaOptions = {}) {
  const hasher = await finalizeMedia.prepare!(ctx, opts);
  const run: RunSoFar = { phases: [] };
  try {
    run.phases.push(await runPhase(finalizeMedia, ctx, opts, hasher));
  } finally {
    await finalizeMedia.dispose!(hasher);
  }
  run.phases.push(await runPhase(finalizeMetadata, ctx, {}, undefined));
  return { run, status: await finalizeMetadata.close!(ctx, {}, run) };
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
  it('are the units whose latest verdict in the step ledgers is a failure, lenient ones left out', async () => {
    const { paths } = await compose();
    const at = '2026-11-22T10:00:00.000Z';
    await ledger(paths, 'sync-repos', {
      'AppStream-x86_64-os': { verdict: 'done', failable: false, at },
      'BaseOS-x86_64-os': { verdict: 'skipped', failable: false, at },
      'CRB-aarch64-os': { verdict: 'failed', failable: true, error: 'boom CRB-aarch64-os', at },
    });
    // flagged lenient by the engine, whatever the step; an old repoclosure ledger without the flag is lenient too
    await ledger(paths, 'lenient-check', {
      x: { verdict: 'failed', failable: false, lenient: true, error: 'reported', at },
    });
    await ledger(paths, 'repoclosure', { 'BaseOS-x86_64': { verdict: 'failed', failable: false, at } });
    await ledger(paths, 'finalize-media', { 'isos-x86_64': { verdict: 'failed', failable: false, at } });
    const open = await openFailures(paths, ['finalize-media']);
    expect(open).toEqual([
      {
        step: 'sync-repos',
        unit: 'CRB-aarch64-os',
        failable: true,
        error: 'boom CRB-aarch64-os',
        time: Date.parse(at),
      },
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

describe('finalize-media and finalize-metadata', () => {
  it('are the finalize phases, in order, compose-wide', () => {
    expect(FINALIZE_STEPS).toEqual([finalizeMedia.name, finalizeMetadata.name]);
    expect([finalizeMedia.scope, finalizeMetadata.scope]).toEqual(['compose', 'compose']);
  });

  it('publish, checksum, write metadata, mark FINISHED and move the link; new media later are refused', async () => {
    const { paths, ctx } = await compose();
    await stage(paths);
    const r = await finalize(ctx);
    const [media, metadata] = r.run.phases;
    expect(media!.failed).toEqual([]);
    expect(media!.ran.map((u) => u.key)).toEqual(['isos-x86_64']);
    expect(finalizeMedia.describe(media!.ran[0]!.summary)).toBe('4 files 0.1 MiB  5 moved');
    expect(finalizeMetadata.describe(metadata!.ran[0]!.summary)).toBe('2 images, 0 modules, 5 files');
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

    // again with nothing new: still FINISHED
    expect((await finalize(ctx)).status).toBe('FINISHED');

    await stage(paths);
    await expect(finalizeMedia.units(ctx, {}, ctx.arches, undefined as never)).rejects.toThrow(
      /not finalized: compose is FINISHED and immutable, but .*work\/isos\/x86_64 holds new media/,
    );
    expect(await readStatus(paths)).toBe('FINISHED');
  });

  it('refuse while a required unit is still failed, and end FINISHED_INCOMPLETE after a failable failure', async () => {
    const { paths, ctx } = await compose();
    const at = new Date().toISOString();
    const failed = (key: string, failable: boolean): LedgerEntry => ({
      verdict: 'failed',
      failable,
      error: `404 ${key}`,
      at,
    });
    await ledger(paths, 'sync-repos', {
      'BaseOS-x86_64-os': failed('BaseOS-x86_64-os', false),
      'CRB-aarch64-os': failed('CRB-aarch64-os', true),
    });
    for (const step of [finalizeMedia, finalizeMetadata])
      await expect(step.units(ctx, {}, ctx.arches, undefined as never)).rejects.toThrow(
        'not finalized: required units are still failed: sync-repos/BaseOS-x86_64-os',
      );
    await ledger(paths, 'sync-repos', {
      'BaseOS-x86_64-os': { verdict: 'done', failable: false, at },
      'CRB-aarch64-os': failed('CRB-aarch64-os', true),
    });
    await writeStatus(paths, 'STARTED');
    const r = await finalize(ctx);
    expect(r.status).toBe('FINISHED_INCOMPLETE');
    expect(await readStatus(paths)).toBe('FINISHED_INCOMPLETE');
    expect(JSON.parse(await readFile(paths.finalizeOutcome, 'utf8')).earlier).toHaveLength(1);
  });

  it('close FINISHED_INCOMPLETE on a failed media folder of this run, but never take FINISHED back', async () => {
    const { paths, ctx } = await compose();
    const run: RunSoFar = {
      phases: [
        {
          phase: 'finalize-media',
          status: 'FINISHED_INCOMPLETE',
          ran: [],
          skipped: [],
          failed: [{ key: 'isos-aarch64', arch: 'aarch64', failable: true, error: 'no space' }],
        },
      ],
    };
    await writeStatus(paths, 'STARTED');
    expect(await finalizeMetadata.close!(ctx, {}, run)).toBe('FINISHED_INCOMPLETE');
    expect(JSON.parse(await readFile(paths.finalizeOutcome, 'utf8')).failed).toEqual(run.phases[0]!.failed);
    await writeStatus(paths, 'FINISHED');
    expect(await finalizeMetadata.close!(ctx, {}, run)).toBe('FINISHED');
    expect(await readStatus(paths)).toBe('FINISHED');
  });
});
