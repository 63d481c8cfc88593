import { describe, expect, it } from 'vitest';
import { createrepoArgv, releaseDistroTag } from './createrepo.ts';

describe('createrepoArgv', () => {
  it('ends with the repo folder and passes --update-md-path only with --update', () => {
    const base = { dir: '/c/tree', checksum: 'sha256', updateMdPath: '/w/upstream', pkglist: '/w/pkglist' };
    expect(createrepoArgv({ ...base, update: true })).toEqual([
      'createrepo_c',
      '--quiet',
      '--no-database',
      '--checksum',
      'sha256',
      '--update',
      '--update-md-path',
      '/w/upstream',
      '--pkglist',
      '/w/pkglist',
      '/c/tree',
    ]);
    expect(createrepoArgv(base)).toEqual([
      'createrepo_c',
      '--quiet',
      '--no-database',
      '--checksum',
      'sha256',
      '--pkglist',
      '/w/pkglist',
      '/c/tree',
    ]);
  });

  it('pins the revision and tags the distro', () => {
    const argv = createrepoArgv({
      dir: '/c/tree',
      checksum: 'sha512',
      revision: '1700000000',
      distroTag: releaseDistroTag({ short: 'Rocky', name: 'Rocky Linux', major: '9' }),
    });
    expect(argv.slice(5)).toEqual([
      '--revision',
      '1700000000',
      '--set-timestamp-to-revision',
      '--distro',
      'cpe:/o:rocky:rocky:9,Rocky Linux 9',
      '/c/tree',
    ]);
  });
});
