import { describe, expect, it } from 'vitest';
import { depToString, evrcmpMatchRelease, provideSatisfies } from './dep-match.ts';
import type { Dep, DepFlags } from './types.ts';

const OPS: Record<string, DepFlags> = {
  '=': 'EQ',
  '<': 'LT',
  '<=': 'LE',
  '>': 'GT',
  '>=': 'GE',
};

/** "foo >= 1:2.0-3" -> Dep */
function dep(s: string): Dep {
  const [name, op, evr] = s.split(' ');
  if (!op || !evr) return { name: name! };
  const m = /^(?:(\d+):)?([^-]*)(?:-(.*))?$/.exec(evr)!;
  const d: { -readonly [K in keyof Dep]: Dep[K] } = {
    name: name!,
    flags: OPS[op]!,
    ver: m[2]!,
  };
  if (m[1] !== undefined) d.epoch = m[1];
  if (m[3] !== undefined) d.rel = m[3];
  return d;
}

// [provide, require, satisfied]; the rules are libsolv's (dnf), cross-checked against real dnf in
// test/integration/repoclosure-vs-dnf.test.ts for the ones marked there
const CASES: [string, string, boolean][] = [
  ['foo = 1:2.0-3', 'foo >= 2.0', true],
  ['foo = 2.0-3', 'foo >= 2.0', true],
  ['foo = 2.0-3', 'foo = 2.0', true], // a missing release in the requirement matches any release
  ['foo = 2.0-3', 'foo > 2.0', false],
  ['foo = 2.0-3', 'foo < 2.0', false],
  ['foo = 2.0-3', 'foo <= 2.0', true],
  ['foo = 2.0-3', 'foo = 2.0-3', true],
  ['foo = 2.0-3', 'foo = 2.0-4', false],
  ['foo = 2.0-3', 'foo >= 2.0-4', false],
  ['foo = 2.0-3', 'foo < 2.0-4', true],
  ['foo = 2.0-3', 'foo > 1.9', true],
  ['foo = 2.0-3', 'foo < 10', true],
  ['foo = 2.0', 'foo = 2.0-3', true], // and a missing release in the provide too
  ['foo = 2.0', 'foo > 2.0-3', true],
  ['foo = 2.0', 'foo < 2.0-3', true],
  ['foo = 2.0', 'foo > 2.0', false],
  ['foo = 1:1.0', 'foo >= 2.0', true], // epoch wins
  ['foo = 1.0', 'foo >= 1:0.1', false],
  ['foo = 0:1.0', 'foo = 1.0', true],
  ['foo = 1.0', 'foo = 0:1.0', true],
  ['foo = 1.0~rc1', 'foo >= 1.0', false],
  ['foo = 1.0^git1', 'foo > 1.0', true],
  ['foo', 'foo >= 99', true], // an unversioned provide provides every version
  ['foo = 1.0', 'foo', true],
  ['foo >= 2.0', 'foo = 3.0', true], // provides can be ranges
  ['foo >= 2.0', 'foo < 2.0', false],
  ['foo >= 2.0', 'foo <= 2.0', true],
  ['foo < 2.0', 'foo < 1.0', true], // same direction always intersects
  ['foo > 2.0', 'foo > 5.0', true],
  ['foo < 2.0', 'foo > 1.0', true],
  ['foo < 2.0', 'foo > 2.0', false],
  ['foo = 2.0-', 'foo = 2.0-1', true], // an empty release counts as missing
];

describe('provideSatisfies', () => {
  it.each(CASES)('%s satisfies %s: %s', (p, r, want) => {
    expect(provideSatisfies(dep(p), dep(r))).toBe(want);
  });
});

describe('evrcmpMatchRelease', () => {
  it('returns +-2 when only one side has a release', () => {
    expect(evrcmpMatchRelease('1.0', '1.0-1')).toBe(-2);
    expect(evrcmpMatchRelease('1.0-1', '1.0')).toBe(2);
    expect(evrcmpMatchRelease('1:1.0', '1.0-1')).toBe(1);
    expect(evrcmpMatchRelease('0:1.0-1', '1.0-1')).toBe(0);
  });
});

describe('depToString', () => {
  it('prints deps as dnf does, dropping a zero epoch', () => {
    expect(depToString({ name: 'foo' })).toBe('foo');
    expect(
      depToString({
        name: 'foo',
        flags: 'GE',
        epoch: '0',
        ver: '1.0',
        rel: '2',
      }),
    ).toBe('foo >= 1.0-2');
    expect(depToString({ name: 'foo', flags: 'EQ', epoch: '3', ver: '1.0' })).toBe('foo = 3:1.0');
    expect(depToString({ name: 'foo', flags: 'LT', ver: '2' })).toBe('foo < 2');
  });
});
