// loadConfig's happy paths and file resolution: derived release values, site paths resolved against the cwd,
// which site file wins, unknown releases with the list of real ones, and --all collecting problems of every file.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.ts';
import { listReleases, loadConfig, loadReleases } from './load.ts';
import { TempConfigDirs, type YamlDoc } from './temp-config.ts';

const temp = new TempConfigDirs();
afterAll(() => temp.cleanup());

const RELEASE = {
  name: 'Test Linux',
  short: 'Test',
  version: '9.9',
  profile: '9-beta',
  type: 'ga',
  disttag: 'el9',
  module_platform_id: 'platform:el9',
  bugurl: 'https://bugs.example.org',
  is_final: false,
  arches: ['x86_64', 'aarch64'],
  upstream: {
    baseurl: '${UP:-http://127.0.0.1:1}',
    paths: { os: '{repo}/{arch}/os/', debug: '{repo}/{arch}/debug/tree/', source: '{repo}/source/tree/' },
    enforce_signatures: false,
  },
  repos: [
    { name: 'BaseOS', comps: true },
    { name: 'devel', upstream: 'all', arches: ['x86_64'] },
  ],
  iso: {
    lorax: { repos: ['BaseOS'], variant: 'BaseOS', volid: '{short}-{major}-{minor}-{arch}' },
    images: {
      dvd: { disc: true, variant: 'BaseOS', repos: ['BaseOS'] },
      minimal: { disc: true, variant: 'minimal', repos: ['BaseOS'], package_list: 'minimal/{major}/{arch}' },
    },
    names: {
      iso: '{short}-{arch}-{image}.iso',
      generic_link: '{arch}-{image}.iso',
      latest_link: 'l-{arch}-{image}.iso',
    },
  },
  extra_files: [
    { source: 'https://example.org/files/EULA' },
    { source: 'files/gpg.key', dest: 'RPM-GPG-KEY-Test' },
  ],
};

const configDir = (releases: Record<string, YamlDoc>, site?: YamlDoc) => temp.configDir(releases, site);

describe('loadConfig', () => {
  it('fills derived values and defaults', async () => {
    const dir = configDir({ t: RELEASE });
    const { release, files } = await loadConfig({
      release: 't',
      configDir: dir,
      env: { UP: 'http://up:8080' },
    });
    expect(files.release).toBe(join(dir, 'releases', 't.yaml'));
    expect([release.major, release.minor, release.checksum]).toEqual(['9', '9', 'sha256']);
    expect(release.upstream).toMatchObject({
      baseurl: 'http://up:8080',
      gpg_keys: [],
      enforce_signatures: false,
    });
    expect(release.repos).toEqual([
      {
        name: 'BaseOS',
        upstream: 'BaseOS',
        arches: ['x86_64', 'aarch64'],
        debug_tree: true,
        source_tree: true,
        comps: true,
        modules: false,
      },
      {
        name: 'devel',
        upstream: 'all',
        arches: ['x86_64'],
        debug_tree: true,
        source_tree: true,
        comps: false,
        modules: false,
      },
    ]);
    expect(release.iso?.images.dvd?.reposcan).toBe(true);
    expect(release.iso?.images.minimal?.reposcan).toBe(false);
    expect(release.iso?.lorax).toMatchObject({
      rootfs_size: 2,
      removes: [],
      nomacboot: true,
      squashfs_only: false,
    });
    expect(release.repoclosure).toEqual({
      arches: { x86_64: ['x86_64', 'noarch'], aarch64: ['aarch64', 'noarch'] },
      repos: {},
    });
    expect(release.extra_files).toEqual([
      { source: 'https://example.org/files/EULA', dest: 'EULA' },
      { source: 'files/gpg.key', dest: 'RPM-GPG-KEY-Test' },
    ]);
  });

  it('gives the embedded site defaults, with paths resolved against the working directory', async () => {
    const dir = configDir({ t: RELEASE });
    const { site, files } = await loadConfig({ release: 't', configDir: dir, env: {}, cwd: '/srv/horno' });
    expect(files.site).toBe(join(dir, 'site.yaml'));
    expect(site).toMatchObject({
      compose_root: '/srv/horno/var/compose',
      store: { url: 'file:///srv/horno/var/store' },
      executors: { default: { type: 'local' } },
      limits: { downloads: 8, containers_per_host: 2 },
      log_level: 'info',
    });
    expect(site.limits.cpu).toBeGreaterThanOrEqual(1);
  });

  it('keeps absolute site paths and s3 settings as written', async () => {
    const dir = configDir(
      { t: RELEASE },
      {
        compose_root: '/mnt/compose',
        store: {
          url: 's3://artifacts/horno',
          s3: {
            endpoint: 'http://127.0.0.1:4569',
            force_path_style: true,
            credentials: { access_key_id_env: 'K', secret_access_key_env: 'S' },
          },
        },
        limits: { cpu: 3 },
      },
    );
    const { site } = await loadConfig({ release: 't', configDir: dir, env: { K: 'k', S: 's' }, cwd: '/x' });
    expect(site.compose_root).toBe('/mnt/compose');
    expect(site.store).toEqual({
      url: 's3://artifacts/horno',
      s3: {
        endpoint: 'http://127.0.0.1:4569',
        region: 'us-east-1',
        force_path_style: true,
        credentials: { access_key_id_env: 'K', secret_access_key_env: 'S' },
      },
    });
    expect(site.limits.cpu).toBe(3);
  });

  it('takes the site file from siteFile, else $HORNO_SITE, else <configDir>/site.yaml', async () => {
    const dir = configDir({ t: RELEASE }, { compose_root: '/from/config-dir' });
    const other = join(temp.dir(), 'other.yaml');
    writeFileSync(other, 'compose_root: /from/horno-site\n');
    const explicit = join(temp.dir(), 'explicit.yaml');
    writeFileSync(explicit, 'compose_root: /from/explicit\n');
    const root = async (o: { siteFile?: string; env?: Record<string, string> }) =>
      (await loadConfig({ release: 't', configDir: dir, env: o.env ?? {}, siteFile: o.siteFile })).site
        .compose_root;
    expect(await root({})).toBe('/from/config-dir');
    expect(await root({ env: { HORNO_SITE: other } })).toBe('/from/horno-site');
    expect(await root({ env: { HORNO_SITE: other }, siteFile: explicit })).toBe('/from/explicit');
  });

  it('names the file it looked for and lists the releases there, with a did-you-mean', async () => {
    const dir = configDir({ '9': RELEASE, '10': RELEASE, '8': RELEASE, demo: RELEASE });
    expect(await listReleases(dir)).toEqual(['8', '9', '10', 'demo']);
    const err = await loadConfig({ release: '99', configDir: dir, env: {} }).catch((e: unknown) => e);
    expect((err as ConfigError).problems).toEqual([
      {
        file: join(dir, 'releases', '99.yaml'),
        path: '',
        message: 'no such release "99" (available: 8, 9, 10, demo) (did you mean "9"?)',
      },
    ]);
    const bad = await loadConfig({ release: '../site', configDir: dir, env: {} }).catch((e: unknown) => e);
    expect((bad as ConfigError).problems[0]?.message).toBe(
      '"../site" is not a release name (a file name under releases/ without .yaml)',
    );
  });

  it('reports a missing site file', async () => {
    const dir = configDir({ t: RELEASE });
    const missing = join(dir, 'nope.yaml');
    const err = await loadConfig({ release: 't', configDir: dir, env: {}, siteFile: missing }).catch(
      (e) => e,
    );
    expect((err as ConfigError).problems).toEqual([{ file: missing, path: '', message: 'file not found' }]);
  });
});

describe('loadReleases', () => {
  it('loads every release against one site file', async () => {
    const dir = configDir({ a: RELEASE, b: { ...RELEASE, version: '9.10' } });
    const all = await loadReleases({ configDir: dir, env: {} });
    expect(all.map((r) => [r.name, r.release.version, r.release.minor])).toEqual([
      ['a', '9.9', '9'],
      ['b', '9.10', '10'],
    ]);
  });

  it('reports the problems of every file at once', async () => {
    const dir = configDir(
      { a: { ...RELEASE, type: 'gaa' }, b: { ...RELEASE, short: 'Te-st' } },
      { log_level: 'loud' },
    );
    const err = await loadReleases({ configDir: dir, env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.map((p) => [p.file.slice(dir.length + 1), p.path])).toEqual([
      ['releases/a.yaml', 'type'],
      ['releases/b.yaml', 'short'],
      ['site.yaml', 'log_level'],
    ]);
    expect((err as ConfigError).message).toContain('3 problems in the configuration:');
  });
});
