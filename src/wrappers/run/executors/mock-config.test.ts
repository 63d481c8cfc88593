import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ComposePaths } from '../../compose/paths.ts';
import { UsageError } from '../../errors.ts';
import {
  chrootArgv,
  composeMockRepos,
  initArgv,
  type MockConfigInput,
  pyStr,
  renderMockConfig,
  scrubArgv,
} from './mock-config.ts';
import { MOCK_TEMPLATE, templateFile } from './templates.ts';

const input: MockConfigInput = {
  root: 'horno-build-iso-x86-64-0123abcd',
  basedir: '/srv/c/work/mock/roots',
  cacheTopdir: '/srv/c/work/mock/cache',
  arch: 'x86_64',
  releasever: '9',
  isolation: 'simple',
  packages: ['bash', 'lorax'],
  network: false,
  env: { SOURCE_DATE_EPOCH: '1700000000', NOTE: "it's a \\ test\n" },
  mounts: [{ host: '/srv/c/compose', target: '/mnt/compose' }],
  modulePlatformId: 'platform:el9',
  repos: [
    { name: 'BaseOS', baseurl: 'file:///srv/c/compose/BaseOS/x86_64/os/' },
    { name: 'AppStream', baseurl: 'file:///srv/c/compose/AppStream/x86_64/os/', priority: 10 },
  ],
};

const EXPECTED_BODY = `config_opts['root'] = 'horno-build-iso-x86-64-0123abcd'
config_opts['basedir'] = '/srv/c/work/mock/roots'
# mock keys its caches by root name: with a root per run they would pile up in /var/cache/mock
config_opts['cache_topdir'] = '/srv/c/work/mock/cache'
config_opts['target_arch'] = 'x86_64'
config_opts['legal_host_arches'] = ('x86_64',)
config_opts['releasever'] = '9'
config_opts['isolation'] = 'simple'
config_opts['chroot_setup_cmd'] = 'install bash lorax'
config_opts['use_bootstrap'] = False
config_opts['use_bootstrap_image'] = False
config_opts['rpmbuild_networking'] = False
config_opts['use_host_resolv'] = False
config_opts['print_main_output'] = True
config_opts['environment'].update({'SOURCE_DATE_EPOCH': '1700000000', 'NOTE': 'it\\'s a \\\\ test\\n'})

config_opts['plugin_conf']['root_cache_enable'] = False
config_opts['plugin_conf']['bind_mount_enable'] = True
config_opts['plugin_conf']['bind_mount_opts']['dirs'].extend([('/srv/c/compose', '/mnt/compose')])

config_opts['dnf.conf'] = """
[main]
keepcache=1
debuglevel=2
reposdir=/dev/null
logfile=/var/log/yum.log
retries=20
obsoletes=1
gpgcheck=0
assumeyes=1
syslog_ident=mock
syslog_device=
metadata_expire=0
mdpolicy=group:primary
best=1
install_weak_deps=0
protected_packages=
module_platform_id=platform:el9

[BaseOS]
name=BaseOS
baseurl=file:///srv/c/compose/BaseOS/x86_64/os/
enabled=1
gpgcheck=0

[AppStream]
name=AppStream
baseurl=file:///srv/c/compose/AppStream/x86_64/os/
enabled=1
gpgcheck=0
priority=10
"""
`;

describe('renderMockConfig', () => {
  it('renders the shipped template exactly', async () => {
    const template = await readFile(templateFile(MOCK_TEMPLATE), 'utf8');
    const out = renderMockConfig(template, input);
    // the header comment, then the body
    expect(out.startsWith('# horno mock config, rendered for ONE run')).toBe(true);
    expect(out.slice(out.indexOf("config_opts['root']"))).toBe(EXPECTED_BODY);
    expect(out).not.toMatch(/\{\{|\}\}|\/var\/tmp/);
  });

  it('switches networking on for a unit that must reach a mirror', async () => {
    const template = await readFile(templateFile(MOCK_TEMPLATE), 'utf8');
    const out = renderMockConfig(template, { ...input, network: true, isolation: 'nspawn' });
    expect(out).toContain(
      "config_opts['rpmbuild_networking'] = True\nconfig_opts['use_host_resolv'] = True\n",
    );
    expect(out).toContain("config_opts['isolation'] = 'nspawn'\n");
  });

  it('refuses values that would break out of their INI line or Python literal', () => {
    const t = '{{root}} {{basedir}} {{cache_topdir}} {{repos}}';
    expect(() => renderMockConfig(t, { ...input, repos: [{ name: 'a]\n[evil', baseurl: 'x' }] })).toThrow(
      UsageError,
    );
    expect(() =>
      renderMockConfig(t, { ...input, repos: [{ name: 'ok', baseurl: 'file:///x\nsslverify=0' }] }),
    ).toThrow(/baseurl/);
    expect(() => renderMockConfig(t, { ...input, modulePlatformId: 'platform:el9"""' })).toThrow(
      /module_platform_id/,
    );
    expect(() => renderMockConfig(t, { ...input, packages: ['lorax; rm -rf /'] })).toThrow(/package name/);
    expect(() => renderMockConfig(t, { ...input, env: { 'A B': 'x' } })).toThrow(/environment variable name/);
  });

  it('refuses a template with an unknown or a missing placeholder', () => {
    expect(() =>
      renderMockConfig('{{root}} {{basedir}} {{cache_topdir}} {{repos}} {{rooot}}', input),
    ).toThrow('mock config template: unknown placeholder {{rooot}}');
    expect(() => renderMockConfig("config_opts['root'] = 'fixed'", input)).toThrow(
      'mock config template: must use {{root}} {{basedir}} {{cache_topdir}} {{repos}}',
    );
  });
});

describe('pyStr', () => {
  it('quotes anything as a Python literal', () => {
    expect(pyStr('plain')).toBe("'plain'");
    expect(pyStr("it's")).toBe("'it\\'s'");
    expect(pyStr('a\\b')).toBe("'a\\\\b'");
    expect(pyStr('l1\nl2\tt\r')).toBe("'l1\\nl2\\tt\\r'");
    expect(pyStr('\u0000\u007f')).toBe("'\\x00\\x7f'");
    expect(pyStr('Ünïcødé')).toBe("'Ünïcødé'");
    expect(pyStr('"""')).toBe(`'"""'`);
  });
});

describe('mock argv', () => {
  it('initialises, runs the argv without a shell, and scrubs', () => {
    expect(initArgv('/w/r.cfg', 'simple', false)).toEqual([
      'mock',
      '-r',
      '/w/r.cfg',
      '--isolation=simple',
      '--init',
    ]);
    expect(initArgv('/w/r.cfg', 'nspawn', true)).toEqual([
      'mock',
      '-r',
      '/w/r.cfg',
      '--isolation=nspawn',
      '--enable-network',
      '--init',
    ]);
    expect(
      chrootArgv('/w/r.cfg', 'simple', ['lorax', '--product', 'Rocky Linux'], {
        cwd: '/builddir',
        network: false,
      }),
    ).toEqual([
      'mock',
      '-r',
      '/w/r.cfg',
      '--isolation=simple',
      '--no-clean',
      '--cwd=/builddir',
      '--chroot',
      '--',
      '/usr/bin/env',
      '--',
      'lorax',
      '--product',
      'Rocky Linux',
    ]);
    // one word still goes through env, so mock never hands it to a shell
    expect(chrootArgv('/w/r.cfg', 'simple', ['ls -l; id'], { network: true })).toEqual([
      'mock',
      '-r',
      '/w/r.cfg',
      '--isolation=simple',
      '--enable-network',
      '--no-clean',
      '--chroot',
      '--',
      '/usr/bin/env',
      '--',
      'ls -l; id',
    ]);
    expect(scrubArgv('/w/r.cfg', 'simple')).toEqual([
      'mock',
      '-r',
      '/w/r.cfg',
      '--isolation=simple',
      '--scrub=all',
    ]);
  });
});

describe('composeMockRepos', () => {
  it("points at the compose's os trees for the arch", () => {
    const paths = new ComposePaths('/srv/compose/9', 'Rocky-9.7-20260101.0');
    const repos = [
      { name: 'BaseOS', arches: ['x86_64', 'aarch64'] },
      { name: 'AppStream', arches: ['x86_64', 'aarch64'] },
      { name: 'x86only', arches: ['x86_64'] },
    ] as never;
    expect(composeMockRepos({ repos }, paths, 'aarch64')).toEqual([
      { name: 'BaseOS', baseurl: 'file:///srv/compose/9/Rocky-9.7-20260101.0/compose/BaseOS/aarch64/os' },
      {
        name: 'AppStream',
        baseurl: 'file:///srv/compose/9/Rocky-9.7-20260101.0/compose/AppStream/aarch64/os',
      },
    ]);
  });
});
