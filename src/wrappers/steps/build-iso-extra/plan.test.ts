import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClock } from '../../compose/clock.ts';
import { allocateCompose } from '../../compose/compose-id.ts';
import { createStepContext } from '../../compose/context.ts';
import { loadConfig } from '../../config/load.ts';
import type { ReleaseConfig } from '../../config/release-schema.ts';
import type { SiteConfig } from '../../config/site-schema.ts';
import type { PlanContext, StepContext } from '../step.ts';
import { masteringRunner } from './executor.ts';
import { buildIsoExtra } from './index.ts';
import { planDiscs } from './plan.ts';

let release: ReleaseConfig;
let site: SiteConfig;
let plan: PlanContext;
let ctx: StepContext;
let root: string;
const ARCHES = ['x86_64', 'aarch64'];

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
  plan = { release, site, clock: makeClock(undefined), arches: ARCHES };
  ctx = createStepContext(plan, paths, pino({ level: 'silent' }));
});

afterAll(() => rm(root, { recursive: true, force: true }));

const kube = (): SiteConfig => ({
  ...site,
  executors: { default: { type: 'kube', namespace: 'horno', node_selector: {} } },
});

function withImage(r: ReleaseConfig, image: string, patch: Record<string, unknown>): ReleaseConfig {
  const iso = r.iso!;
  return { ...r, iso: { ...iso, images: { ...iso.images, [image]: { ...iso.images[image]!, ...patch } } } };
}

describe('planDiscs', () => {
  it('plans every disc image on every arch, named from the compose id and labelled from the config', async () => {
    const plans = await planDiscs(ctx, {}, ARCHES);
    expect(plans.map((p) => [p.image, p.arch, p.names.iso, p.volid, p.volidFrom, !!p.list])).toEqual([
      ['dvd', 'x86_64', 'Demo-9.9-x86_64-dvd.iso', 'Demo-9-9-x86_64-dvd', 'config', false],
      ['dvd', 'aarch64', 'Demo-9.9-aarch64-dvd.iso', 'Demo-9-9-aarch64-dvd', 'config', false],
      ['minimal', 'x86_64', 'Demo-9.9-x86_64-minimal.iso', 'Demo-9-9-x86_64-dvd', 'config', true],
      ['minimal', 'aarch64', 'Demo-9.9-aarch64-minimal.iso', 'Demo-9-9-aarch64-dvd', 'config', true],
    ]);
    expect(plans[2]!.list!.file).toMatch(/templates\/minimal\/9\/x86_64$/);
    // a plan travels in its unit: plain JSON
    expect(JSON.parse(JSON.stringify(plans))).toEqual(plans);
    const rc = await planDiscs(ctx, { image: 'dvd', rc: true }, ['x86_64']);
    expect(rc.map((p) => [p.names.iso, p.names.generic, p.names.latest, p.volid])).toEqual([
      [
        'Demo-9.9-RC1-x86_64-dvd.iso',
        'Demo-x86_64-dvd.iso',
        'Demo-9-latest-x86_64-dvd.iso',
        'Demo-9-9-RC1-x86_64-dvd',
      ],
    ]);
  });

  it('still refuses unknown, non-disc and skipped images with usage errors', async () => {
    await expect(planDiscs(ctx, { image: 'dvdd' }, ARCHES)).rejects.toThrow(
      /--image dvdd: no such image.*"dvd"/,
    );
    await expect(planDiscs(ctx, { image: 'boot' }, ARCHES)).rejects.toThrow(/not a disc image/);
    const skipped = { ...ctx, release: withImage(release, 'dvd', { isoskip: true }) };
    await expect(planDiscs(skipped, { image: 'dvd' }, ARCHES)).rejects.toThrow(/isoskip/);
  });
});

describe('validate', () => {
  it('finds nothing wrong with the demo release', () => {
    expect(buildIsoExtra.validate(plan, {})).toEqual([]);
  });

  it('reports a bad --image and the kube executor of every arch together', () => {
    const problems = buildIsoExtra.validate({ ...plan, site: kube() }, { image: 'dvdd' });
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/--image dvdd: no such image.*"dvd"/),
      expect.stringMatching(/cannot master discs for x86_64 on a kube/),
      expect.stringMatching(/cannot master discs for aarch64 on a kube/),
    ]);
    expect(problems[1]!.hint).toMatch(/local, podman or mock executor/);
  });

  it('reports non-disc, skipped and filtered-out images, and a release without discs', () => {
    expect(buildIsoExtra.validate(plan, { image: 'boot' })[0]!.message).toMatch(/not a disc image/);
    const skipped = { ...plan, release: withImage(release, 'dvd', { isoskip: true }) };
    expect(buildIsoExtra.validate(skipped, { image: 'dvd' })[0]!.message).toMatch(/isoskip/);
    const none = {
      ...plan,
      release: withImage(withImage(release, 'dvd', { isoskip: true }), 'minimal', { isoskip: true }),
    };
    expect(buildIsoExtra.validate(none, {}).map((p) => p.message)).toEqual([
      expect.stringMatching(/no disc to make/),
    ]);
    const bare = { ...plan, release: { ...release, iso: undefined } };
    expect(buildIsoExtra.validate(bare, {}).map((p) => p.message)).toEqual([
      expect.stringMatching(/has no iso section/),
    ]);
  });

  it('reports every long volume id and every missing package list', () => {
    const long = {
      ...release,
      iso: {
        ...release.iso!,
        lorax: { ...release.iso!.lorax, volid: '{short}-{version}-{arch}-a-much-too-long-label' },
      },
    };
    const missing = withImage(long, 'minimal', { package_list: 'minimal/{major}/nope-{arch}' });
    const problems = buildIsoExtra.validate({ ...plan, release: missing }, {});
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/image dvd on x86_64 is \d+ characters/),
      expect.stringMatching(/image dvd on aarch64 is \d+ characters/),
      expect.stringMatching(/image minimal on x86_64 is \d+ characters/),
      expect.stringMatching(/templates\/minimal\/9\/nope-x86_64 does not exist/),
      expect.stringMatching(/image minimal on aarch64 is \d+ characters/),
      expect.stringMatching(/templates\/minimal\/9\/nope-aarch64 does not exist/),
    ]);
  });
});

describe('units', () => {
  it('cannot run without an unpacked lorax tree, and say why', async () => {
    const units = await buildIsoExtra.units(ctx, {}, ['x86_64'], []);
    expect(units.map((u) => [u.key, u.arch, u.inputs, u.cannotRun?.hint])).toEqual([
      ['dvd-x86_64', 'x86_64', undefined, 'run pull-unpack-tree first'],
      ['minimal-x86_64', 'x86_64', undefined, 'run pull-unpack-tree first'],
    ]);
    expect(units[0]!.cannotRun!.message).toBe(
      `no unpacked lorax tree for x86_64 in ${ctx.paths.loraxTree('x86_64')}`,
    );
    expect(JSON.parse(JSON.stringify(units))).toEqual(units);
    expect(buildIsoExtra.pool(ctx, units[0]!)).toEqual({ name: 'cpu' });
  });

  it('describe a disc in MiB with its name and label', () => {
    expect(
      buildIsoExtra.describe({
        bytes: 432_328_704,
        iso: 'Demo-9.9-x86_64-dvd.iso',
        volid: 'Demo-9-9-x86_64-dvd',
      }),
    ).toBe('412.3 MiB  Demo-9.9-x86_64-dvd.iso  label Demo-9-9-x86_64-dvd');
  });
});

describe('masteringRunner', () => {
  it('refuses a kube executor and mounts the compose at its own path', () => {
    expect(() => masteringRunner({ ...ctx, site: kube() }, 'x86_64')).toThrow(
      /cannot master discs for x86_64 on a kube/,
    );
    expect(masteringRunner(ctx, 'x86_64').mounts).toEqual([{ host: ctx.paths.dir, target: ctx.paths.dir }]);
  });
});
