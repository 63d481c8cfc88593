import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ComposePaths } from '../../compose/paths.ts';
import { loadConfig } from '../../config/load.ts';
import type { ReleaseConfig } from '../../config/release-schema.ts';
import { UsageError } from '../../errors.ts';
import { templateFile } from '../../install.ts';
import { makeClock } from '../../compose/clock.ts';
import type { SiteConfig } from '../../config/site-schema.ts';
import { buildIso } from './index.ts';
import { planLorax, planProblems } from './plan.ts';
import { REMOVES_TEMPLATE, renderRemoves } from './templates.ts';

const paths = new ComposePaths('/c/9', 'Demo-9.9-20261122.0');
const loadBoth = () =>
  loadConfig({ release: 'demo', env: { HORNO_UPSTREAM: 'https://mirror.example/pub/demo' } });
const load = async () => (await loadBoth()).release;
const withLorax = (
  r: ReleaseConfig,
  lorax: Partial<NonNullable<ReleaseConfig['iso']>['lorax']>,
): ReleaseConfig => ({
  ...r,
  iso: { ...r.iso!, lorax: { ...r.iso!.lorax, ...lorax } },
});

describe('planLorax', () => {
  it("maps the demo release to lorax's options per arch, sources from the compose", async () => {
    const plans = planLorax(await load(), paths, {});
    expect(plans.map((p) => p.arch)).toEqual(['x86_64', 'aarch64']);
    expect(plans[0]).toEqual({
      arch: 'x86_64',
      lorax: {
        product: 'Horno Demo Linux',
        version: '9.9',
        release: '9.9',
        variant: 'BaseOS',
        isfinal: true,
        buildarch: 'x86_64',
        volid: 'Demo-9-9-x86_64-dvd',
        bugurl: 'https://example.invalid/horno-demo/bugs',
        nomacboot: true,
        squashfsOnly: false,
        rootfsSize: 2,
      },
      sources: [
        { repo: 'BaseOS', url: 'file:///c/9/Demo-9.9-20261122.0/compose/BaseOS/x86_64/os' },
        { repo: 'AppStream', url: 'file:///c/9/Demo-9.9-20261122.0/compose/AppStream/x86_64/os' },
      ],
      removes: [],
      fromCompose: true,
    });
  });

  it('takes upstream trees with --upstream-sources, and an RC label without --isfinal', async () => {
    const [p] = planLorax(await load(), paths, { arches: ['aarch64'], rc: true, upstreamSources: true });
    expect(p!.sources.map((s) => s.url)).toEqual([
      'https://mirror.example/pub/demo/BaseOS/aarch64/os/',
      'https://mirror.example/pub/demo/AppStream/aarch64/os/',
    ]);
    expect(p!.lorax).toMatchObject({ volid: 'Demo-9-9-RC1-aarch64-dvd', isfinal: false });
    expect(p!.fromCompose).toBe(false);
  });

  it('refuses before anything runs: an unknown arch, a label over 32 characters, a remove that is not a package', async () => {
    const r = await load();
    expect(() => planLorax(r, paths, { arches: ['x86-64'] })).toThrow(/--arch x86-64: not an arch.*x86_64/);
    const long = withLorax(r, { volid: '{short}-{major}-{minor}-{arch}-dvd-and-a-long-tail' });
    expect(() => planLorax(long, paths, {})).toThrow(UsageError);
    expect(() => planLorax(long, paths, {})).toThrow(
      /"Demo-9-9-x86_64-dvd-and-a-long-tail" for x86_64 is 35 characters/,
    );
    expect(() => planLorax(withLorax(r, { removes: ['ok-pkg', 'bad\n${x}'] }), paths, {})).toThrow(
      /iso.lorax.removes.1/,
    );
    expect(() => planLorax({ ...r, iso: undefined }, paths, {})).toThrow(/no iso section/);
  });

  it('lists every refusal at once for validate: each bad remove and each arch whose label is too long', async () => {
    const r = await load();
    expect(planProblems(r, r.arches, false)).toEqual([]);
    const bad = withLorax(r, {
      volid: '{short}-{major}-{minor}-{arch}-dvd-and-a-long-tail',
      removes: ['a\nb', '${x}'],
    });
    expect(planProblems(bad, ['x86_64', 'aarch64'], false).map((e) => e.message)).toEqual([
      expect.stringMatching(/^iso.lorax.removes.0/),
      expect.stringMatching(/^iso.lorax.removes.1/),
      expect.stringMatching(/for x86_64 is 35 characters/),
      expect.stringMatching(/for aarch64 is 36 characters/),
    ]);
    expect(planProblems({ ...r, iso: undefined }, r.arches, false).map((e) => e.message)).toEqual([
      expect.stringMatching(/no iso section/),
    ]);
  });
});

describe('buildIso.validate', () => {
  it('reports every problem at once: each arch on a kube executor, each bad remove, each label too long', async () => {
    const { release, site } = await loadBoth();
    const plan = { release, site, clock: makeClock(undefined), arches: release.arches as string[] };
    expect(buildIso.validate(plan, {})).toEqual([]);
    const kube: SiteConfig = {
      ...site,
      executors: { default: { type: 'kube', namespace: 'horno', node_selector: {} } },
    };
    const long = withLorax(release, {
      volid: '{short}-{major}-{minor}-{arch}-dvd-and-a-long-tail',
      removes: ['a b'],
    });
    const problems = buildIso.validate({ ...plan, release: long, site: kube }, { rc: true });
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/cannot run lorax for x86_64 on a kube executor/),
      expect.stringMatching(/cannot run lorax for aarch64 on a kube executor/),
      expect.stringMatching(/^iso.lorax.removes.0/),
      expect.stringMatching(/for x86_64 is \d+ characters/),
      expect.stringMatching(/for aarch64 is \d+ characters/),
    ]);
    expect(problems[0]!.hint).toMatch(/launch-builds/);
    expect(buildIso.validate({ ...plan, release: { ...release, iso: undefined } }, {})).toEqual([
      { message: expect.stringMatching(/no iso section/) as string },
    ]);
  });
});

describe('the removes template', () => {
  it('renders one removepkg line per package under the shipped header', async () => {
    const text = renderRemoves(await readFile(templateFile(REMOVES_TEMPLATE), 'utf8'), [
      'libreport-rhel-anaconda-bugzilla',
      'cockpit-*',
    ]);
    expect(text.split('\n').filter((l) => !l.startsWith('##'))).toEqual([
      'removepkg libreport-rhel-anaconda-bugzilla',
      'removepkg cockpit-*',
      '',
    ]);
  });
});
