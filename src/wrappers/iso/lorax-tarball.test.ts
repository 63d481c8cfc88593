import { describe, expect, it } from 'vitest';
import {
  formatSha256Manifest,
  loraxStoreKey,
  loraxStorePrefix,
  loraxTarballKeyPattern,
  loraxTarballOfSummary,
  parseSha256Manifest,
} from './lorax-tarball.ts';

describe('the lorax tarball format', () => {
  it('names store keys by major, arch, compose and epoch', () => {
    const key = { major: '9', arch: 'x86_64', epoch: 1700000000, version: '9.9' };
    expect(loraxStoreKey({ ...key, compose: 'Demo-9.9-20231114.0' })).toBe(
      'buildiso-9-x86_64/Demo-9.9-20231114.0/1700000000/lorax-9.9-x86_64.tar.gz',
    );
    // two composes building in one second (or under one SOURCE_DATE_EPOCH) do not share a key
    expect(loraxStoreKey({ ...key, compose: 'Demo-9.9-20231114.1' })).not.toBe(
      loraxStoreKey({ ...key, compose: 'Demo-9.9-20231114.0' }),
    );
    expect(loraxStorePrefix('9', 'aarch64')).toBe('buildiso-9-aarch64/');
  });

  it("recognises a version's tarball under the arch's prefix, with or without the compose segment", () => {
    const re = loraxTarballKeyPattern('9', '9.9', 'x86_64');
    const key = loraxStoreKey({
      major: '9',
      arch: 'x86_64',
      compose: 'C',
      epoch: 1700000000,
      version: '9.9',
    });
    expect(re.test(key)).toBe(true);
    expect(re.test('buildiso-9-x86_64/1700000000/lorax-9.9-x86_64.tar.gz')).toBe(true);
    for (const other of [
      'buildiso-9-x86_64/C/1700000000/lorax-9.8-x86_64.tar.gz',
      'buildiso-9-x86_64/a/b/1700000000/lorax-9.9-x86_64.tar.gz',
      'buildiso-9-x86_64-old/1700000000/lorax-9.9-x86_64.tar.gz',
      'buildiso-9-x86_64/C/1700000000/lorax-9x9-x86_64.tar.gz',
    ])
      expect(re.test(other), other).toBe(false);
  });

  it('writes and reads sha256sum lines, binary marks included, and refuses anything else', () => {
    const text = formatSha256Manifest([{ sha256: 'a'.repeat(64), path: 'lorax/x' }]);
    expect(text).toBe(`${'a'.repeat(64)}  lorax/x\n`);
    expect([...parseSha256Manifest(text, 'm')]).toEqual([['lorax/x', 'a'.repeat(64)]]);
    expect([...parseSha256Manifest(`${'a'.repeat(64)} *./lorax/x\n\n`, 'm')]).toEqual([
      ['lorax/x', 'a'.repeat(64)],
    ]);
    expect(() => parseSha256Manifest('nope\n', 'm')).toThrow(/m: line 1/);
  });

  it("takes the tarball from build-iso's summary, or nothing from one that lacks its fields", () => {
    const s = { key: 'k', store: 'file:///s', sha256: 'b'.repeat(64), bytes: 5, files: 3 };
    expect(loraxTarballOfSummary(s)).toEqual({
      key: 'k',
      store: 'file:///s',
      sha256: 'b'.repeat(64),
      bytes: 5,
    });
    expect(loraxTarballOfSummary({ key: 'k', sha256: 'x' })).toBeUndefined();
    expect(loraxTarballOfSummary(undefined)).toBeUndefined();
  });
});
