import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.ts';
import { checkKey, checkPrefix } from './keys.ts';

describe('store keys', () => {
  it.each(['a', 'buildiso-9-x86_64/1732200000/lorax-9.7-x86_64.tar.gz', 'a/b.c/d_e+f=g', '..a/b..'])(
    'accepts key %j',
    (k) => {
      expect(checkKey(k)).toBe(k);
    },
  );

  it.each([
    ['', /is empty/],
    ['/etc/passwd', /starts with "\/"/],
    ['a/../b', /"\.\." segment/],
    ['..', /"\.\." segment/],
    ['a/./b', /"\." or "\.\." segment/],
    ['a//b', /empty segment/],
    ['a/', /empty segment/],
    ['a\\b', /backslash/],
    ['a\nb', /control character/],
    ['x'.repeat(1025), /1024 bytes/],
  ])('refuses key %j', (k, why) => {
    expect(() => checkKey(k)).toThrow(UsageError);
    expect(() => checkKey(k)).toThrow(why);
  });

  it('allows an empty prefix and a trailing slash on prefixes only', () => {
    expect(checkPrefix('')).toBe('');
    expect(checkPrefix('buildiso-9-')).toBe('buildiso-9-');
    expect(checkPrefix('buildiso-9-x86_64/')).toBe('buildiso-9-x86_64/');
    expect(() => checkPrefix('../x/')).toThrow(UsageError);
    expect(() => checkPrefix('/x/')).toThrow(UsageError);
    expect(() => checkPrefix('a//')).toThrow(UsageError);
  });
});
