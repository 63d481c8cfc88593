// The release and site files shipped in config/ validate clean, and say what the rest of horno relies on.
import { describe, expect, it } from 'vitest';
import { listReleases, loadConfig, loadReleases } from './load.ts';
import { executorFor } from './site-schema.ts';
import { joinUrl, releaseVars, renderTemplate } from './templates.ts';

const ENV = { HORNO_UPSTREAM: 'http://127.0.0.1:8123' };

describe('shipped config', () => {
  it('has the four releases, all valid', async () => {
    expect(await listReleases()).toEqual(['8', '9', '10', 'demo']);
    const all = await loadReleases({ env: ENV });
    expect(all.map((r) => `${r.name}: ${r.release.short} ${r.release.version}`)).toEqual([
      '8: Rocky 8.10',
      '9: Rocky 9.7',
      '10: Rocky 10.1',
      'demo: Demo 9.9',
    ]);
  });

  it('9: four arches, devel with i686 multilib, trees on the public mirror', async () => {
    const { release: r, site } = await loadConfig({ release: '9', env: {} });
    expect(r.arches).toEqual(['x86_64', 'aarch64', 'ppc64le', 's390x']);
    expect(r.repos.map((repo) => repo.name)).toEqual([
      'BaseOS',
      'AppStream',
      'CRB',
      'HighAvailability',
      'ResilientStorage',
      'RT',
      'NFV',
      'SAP',
      'SAPHANA',
      'extras',
      'plus',
      'devel',
    ]);
    expect(r.multilib).toEqual({ x86_64: { arches: ['i686'], repos: ['devel'] } });
    expect(r.repoclosure.arches.x86_64).toEqual(['x86_64', 'i686', 'noarch']);
    const os = renderTemplate(r.upstream.paths.os, { repo: 'BaseOS', arch: 'x86_64' });
    expect(joinUrl(r.upstream.baseurl, os)).toBe('https://dl.rockylinux.org/pub/rocky/9/BaseOS/x86_64/os/');
    const vars = { ...releaseVars(r, { rc: true }), arch: 'ppc64le' };
    expect(renderTemplate(r.iso!.lorax.volid, vars)).toBe('Rocky-9-7-RC1-ppc64le-dvd');
    expect(renderTemplate(r.iso!.names.iso, { ...vars, arch: 'x86_64', image: 'dvd', rc: '' })).toBe(
      'Rocky-9.7-x86_64-dvd.iso',
    );
    expect(executorFor(site, 'x86_64')).toEqual({ type: 'local' });
  });

  it('8: PowerTools, and upstream "Devel" composed as devel', async () => {
    const { release: r } = await loadConfig({ release: '8', env: {} });
    expect(r.arches).toEqual(['x86_64', 'aarch64']);
    expect(r.repos.find((repo) => repo.name === 'PowerTools')).toBeDefined();
    expect(r.repos.find((repo) => repo.name === 'devel')?.upstream).toBe('Devel');
    expect(r.iso?.lorax.removes).toEqual(['libreport-rhel-anaconda-bugzilla']);
  });

  it('demo: takes its upstream from $HORNO_UPSTREAM', async () => {
    const { release: r } = await loadConfig({ release: 'demo', env: ENV });
    expect(r.name).toBe('Horno Demo Linux');
    expect(r.upstream.baseurl).toBe('http://127.0.0.1:8123');
    expect(r.upstream.gpg_keys).toEqual(['http://127.0.0.1:8123/RPM-GPG-KEY-fixture']);
    expect(r.failable_arches).toEqual(['aarch64']);
    expect(r.repoclosure).toEqual({
      arches: { x86_64: ['x86_64', 'noarch'], aarch64: ['aarch64', 'noarch'] },
      repos: { BaseOS: [], AppStream: ['BaseOS'], CRB: ['BaseOS', 'AppStream'] },
    });
    expect(Object.keys(r.iso?.images ?? {})).toEqual(['dvd', 'minimal', 'boot']);
  });
});
