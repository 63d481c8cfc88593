import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allocateCompose } from '../../compose/compose-id.ts';
import { loadConfig } from '../../config/load.ts';
import type { ReleaseConfig } from '../../config/release-schema.ts';
import type { SiteConfig } from '../../config/site-schema.ts';
import { UsageError } from '../../errors.ts';
import type { StepContext } from '../step.ts';
import { masteringRunner } from './executor.ts';
import { planDiscs } from './plan.ts';

let release: ReleaseConfig;
let site: SiteConfig;
let ctx: StepContext;
let root: string;

beforeAll(async () => {
  const cfg = await loadConfig({
    release: 'demo',
    configDir: new URL('../../../../config', import.meta.url).pathname,
    env: { HORNO_UPSTREAM: 'http://127.0.0.1:9' },
  });
  release = cfg.release;
  site = cfg.site;
  root = await mkdtemp(join(tmpdir(), 'horno-extra-plan-'));
  const paths = await allocateCompose(root, 'Demo', '9.9', '20261122');
  ctx = { release, site, paths, log: pino({ level: 'silent' }) };
});

afterAll(() => rm(root, { recursive: true, force: true }));

describe('planDiscs', () => {
  it('plans every disc image on every arch, named from the compose id and labelled from the config', async () => {
    const plans = await planDiscs(ctx, {});
    expect(plans.map((p) => [p.image, p.arch, p.names.iso, p.volid, p.volidFrom, !!p.list])).toEqual([
      ['dvd', 'x86_64', 'Demo-9.9-x86_64-dvd.iso', 'Demo-9-9-x86_64-dvd', 'config', false],
      ['dvd', 'aarch64', 'Demo-9.9-aarch64-dvd.iso', 'Demo-9-9-aarch64-dvd', 'config', false],
      ['minimal', 'x86_64', 'Demo-9.9-x86_64-minimal.iso', 'Demo-9-9-x86_64-dvd', 'config', true],
      ['minimal', 'aarch64', 'Demo-9.9-aarch64-minimal.iso', 'Demo-9-9-aarch64-dvd', 'config', true],
    ]);
    expect(plans[2]!.list!.file).toMatch(/templates\/minimal\/9\/x86_64$/);
    const rc = await planDiscs(ctx, { image: 'dvd', arches: ['x86_64'], rc: true });
    expect(rc.map((p) => [p.names.iso, p.names.generic, p.names.latest, p.volid])).toEqual([
      [
        'Demo-9.9-RC1-x86_64-dvd.iso',
        'Demo-x86_64-dvd.iso',
        'Demo-9-latest-x86_64-dvd.iso',
        'Demo-9-9-RC1-x86_64-dvd',
      ],
    ]);
  });

  it('refuses unknown and non-disc images, skipped ones and unknown arches with usage errors', async () => {
    await expect(planDiscs(ctx, { image: 'dvdd' })).rejects.toThrow(/--image dvdd: no such image.*"dvd"/);
    await expect(planDiscs(ctx, { image: 'boot' })).rejects.toThrow(/not a disc image/);
    const skipped = { ...ctx, release: withImage(release, 'dvd', { isoskip: true }) };
    await expect(planDiscs(skipped, { image: 'dvd' })).rejects.toThrow(/isoskip/);
    await expect(planDiscs(ctx, { arches: ['ppc64le'] })).rejects.toThrow(UsageError);
    const missing = {
      ...ctx,
      release: withImage(release, 'minimal', { package_list: 'minimal/{major}/nope-{arch}' }),
    };
    await expect(planDiscs(missing, { image: 'minimal' })).rejects.toThrow(
      /templates\/minimal\/9\/nope-x86_64 does not exist/,
    );
  });

  it('refuses to master on a kube executor before anything runs', () => {
    const kube: SiteConfig = {
      ...site,
      executors: { default: { type: 'kube', namespace: 'horno', node_selector: {} } },
    };
    expect(() => masteringRunner({ ...ctx, site: kube }, 'x86_64')).toThrow(
      /cannot master discs for x86_64 on a kube/,
    );
    expect(masteringRunner(ctx, 'x86_64').mounts).toEqual([{ host: ctx.paths.dir, target: ctx.paths.dir }]);
  });
});

function withImage(r: ReleaseConfig, image: string, patch: Record<string, unknown>): ReleaseConfig {
  const iso = r.iso!;
  return { ...r, iso: { ...iso, images: { ...iso.images, [image]: { ...iso.images[image]!, ...patch } } } };
}
