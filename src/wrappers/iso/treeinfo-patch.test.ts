import { describe, expect, it } from 'vitest';
import { patchTreeinfoChecksum } from './treeinfo-patch.ts';

const TREEINFO = `[checksums]
images/efiboot.img = sha256:${'1'.repeat(64)}
images/install.img = sha256:${'2'.repeat(64)}

[general]
images/efiboot.img = sha256:${'3'.repeat(64)}
`;

describe('patchTreeinfoChecksum', () => {
  it('replaces only the entry in [checksums], in its algorithm', () => {
    const algos: string[] = [];
    const r = patchTreeinfoChecksum(TREEINFO, 'images/efiboot.img', (a) => {
      algos.push(a);
      return 'f'.repeat(64);
    });
    expect(algos).toEqual(['sha256']);
    expect(r.changed).toBe(true);
    expect(r.text).toBe(TREEINFO.replace('1'.repeat(64), 'f'.repeat(64)));
  });

  it('leaves the text alone for a missing entry or an unknown algorithm', () => {
    expect(patchTreeinfoChecksum(TREEINFO, 'images/boot.iso', () => 'x')).toEqual({
      text: TREEINFO,
      changed: false,
    });
    expect(patchTreeinfoChecksum(TREEINFO, 'images/efiboot.img', () => undefined).changed).toBe(false);
  });
});
