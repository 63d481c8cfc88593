import { describe, expect, it } from 'vitest';
import { withUpdateMdPath } from './metadata.ts';

describe('withUpdateMdPath', () => {
  it('puts --update-md-path before the repo folder, only with --update', () => {
    const argv = ['createrepo_c', '--quiet', '--checksum', 'sha256', '--update', '/c/tree'];
    expect(withUpdateMdPath(argv, '/w/upstream')).toEqual([
      'createrepo_c',
      '--quiet',
      '--checksum',
      'sha256',
      '--update',
      '--update-md-path',
      '/w/upstream',
      '/c/tree',
    ]);
    expect(withUpdateMdPath(argv, undefined)).toBe(argv);
    expect(withUpdateMdPath(['createrepo_c', '/c/tree'], '/w/upstream')).toEqual(['createrepo_c', '/c/tree']);
  });
});
