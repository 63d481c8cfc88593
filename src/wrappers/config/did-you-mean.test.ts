// Edit distance and the closeness rule behind every "did you mean".
import { describe, expect, it } from 'vitest';
import { closest, didYouMean, editDistance } from './did-you-mean.ts';

describe('did-you-mean', () => {
  it('counts inserts, deletes, replacements and swaps of neighbours as one edit each', () => {
    expect(editDistance('checksum', 'checksum')).toBe(0);
    expect(editDistance('chekcsum', 'checksum')).toBe(1);
    expect(editDistance('AppStrem', 'AppStream')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests the closest name within a third of the word, ignoring case', () => {
    expect(closest('baseos', ['BaseOS', 'AppStream'])).toBe('BaseOS');
    expect(closest('aarch46', ['x86_64', 'aarch64'])).toBe('aarch64');
    expect(closest('gaa', ['ga', 'updates'])).toBe('ga');
    expect(closest('Zzz', ['BaseOS', 'AppStream', 'CRB'])).toBeUndefined();
    expect(closest('repoclosure_map', ['repoclosure'])).toBeUndefined();
  });

  it('words the hint', () => {
    expect(didYouMean('sha265', ['sha256', 'sha512'])).toBe(' (did you mean "sha256"?)');
    expect(didYouMean('zzz', ['sha256'])).toBe('');
  });
});
