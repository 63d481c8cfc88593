// The dnf helper's pure parts: repoclosure output parsing and the config/repo files it writes.
import { describe, expect, it } from 'vitest';
import { dnfConf, parseRepoclosure, repoFile } from './dnf.ts';

describe('parseRepoclosure', () => {
  it('reads every package with its repo and unresolved deps', () => {
    const out = [
      'BaseOS                                          1.5 MB/s | 4.5 kB     00:00',
      'package: broken-thing-1.0-1.el9.noarch from BaseOS',
      '  unresolved deps (1):',
      '    libdoesnotexist.so.1()(64bit)',
      'package: nodejs-1:18.19.0-1.module+el9.3.0+1+abc.x86_64 from AppStream',
      '  unresolved deps (2):',
      '    libuv >= 1.42',
      '    (openssl or libressl)',
      'Error: Repoclosure ended with unresolved dependencies (3) across 2 packages.',
    ].join('\n');
    expect(parseRepoclosure(out)).toEqual([
      { package: 'broken-thing-1.0-1.el9.noarch', repo: 'BaseOS', deps: ['libdoesnotexist.so.1()(64bit)'] },
      {
        package: 'nodejs-1:18.19.0-1.module+el9.3.0+1+abc.x86_64',
        repo: 'AppStream',
        deps: ['libuv >= 1.42', '(openssl or libressl)'],
      },
    ]);
    expect(parseRepoclosure('BaseOS  1.5 MB/s | 4.5 kB  00:00\n')).toEqual([]);
  });
});

describe('dnf sandbox files', () => {
  it('keeps every dnf path inside the sandbox and uses the EL9 platform', () => {
    const conf = dnfConf('/sb');
    for (const k of [
      'cachedir=/sb/cache',
      'logdir=/sb/log',
      'persistdir=/sb/persist',
      'reposdir=/sb/repos.d',
    ]) {
      expect(conf).toContain(`${k}\n`);
    }
    expect(conf).toContain('module_platform_id=platform:el9\n');
  });

  it('writes one section per repo with gpgcheck and the key', () => {
    expect(repoFile([{ id: 'fx', baseurl: 'http://h/BaseOS/$basearch/os/' }], '/k')).toBe(
      '[fx]\nname=fx\nbaseurl=http://h/BaseOS/$basearch/os/\nenabled=1\ngpgcheck=1\n' +
        'gpgkey=file:///k\nmetadata_expire=0\n',
    );
  });
});
