import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../run/runner.ts';
import { compareEvrStrings, formatEvr, formatNevra, parseEvr, rpmvercmp } from './evr.ts';

// [a, b, expected]: rpm's own rpmvercmp.at cases plus EVR cases (epochs, releases) and distro-shaped versions
const TABLE: [string, string, -1 | 0 | 1][] = [
  ['1.0', '1.0', 0],
  ['1.0', '2.0', -1],
  ['2.0', '1.0', 1],
  ['2.0.1', '2.0.1', 0],
  ['2.0', '2.0.1', -1],
  ['2.0.1', '2.0', 1],
  ['2.0.1a', '2.0.1a', 0],
  ['2.0.1a', '2.0.1', 1],
  ['2.0.1', '2.0.1a', -1],
  ['5.5p1', '5.5p1', 0],
  ['5.5p1', '5.5p2', -1],
  ['5.5p2', '5.5p1', 1],
  ['5.5p10', '5.5p10', 0],
  ['5.5p1', '5.5p10', -1],
  ['5.5p10', '5.5p1', 1],
  ['10xyz', '10.1xyz', -1],
  ['10.1xyz', '10xyz', 1],
  ['xyz10', 'xyz10', 0],
  ['xyz10', 'xyz10.1', -1],
  ['xyz10.1', 'xyz10', 1],
  ['xyz.4', 'xyz.4', 0],
  ['xyz.4', '8', -1],
  ['8', 'xyz.4', 1],
  ['xyz.4', '2', -1],
  ['2', 'xyz.4', 1],
  ['5.5p2', '5.6p1', -1],
  ['5.6p1', '5.5p2', 1],
  ['5.6p1', '6.5p1', -1],
  ['6.5p1', '5.6p1', 1],
  ['6.0.rc1', '6.0', 1],
  ['6.0', '6.0.rc1', -1],
  ['10b2', '10a1', 1],
  ['10a2', '10b2', -1],
  ['1.0aa', '1.0aa', 0],
  ['1.0a', '1.0aa', -1],
  ['1.0aa', '1.0a', 1],
  ['10.0001', '10.0001', 0],
  ['10.0001', '10.1', 0],
  ['10.1', '10.0001', 0],
  ['10.0001', '10.0039', -1],
  ['10.0039', '10.0001', 1],
  ['4.999.9', '5.0', -1],
  ['5.0', '4.999.9', 1],
  ['20101121', '20101121', 0],
  ['20101121', '20101122', -1],
  ['20101122', '20101121', 1],
  ['2_0', '2_0', 0],
  ['2.0', '2_0', 0],
  ['2_0', '2.0', 0],
  ['a', 'a', 0],
  ['a+', 'a+', 0],
  ['a+', 'a_', 0],
  ['a_', 'a+', 0],
  ['+a', '+a', 0],
  ['+a', '_a', 0],
  ['_a', '+a', 0],
  ['+_', '+_', 0],
  ['_+', '+_', 0],
  ['_+', '_+', 0],
  ['+', '_', 0],
  ['_', '+', 0],
  ['1.0~rc1', '1.0~rc1', 0],
  ['1.0~rc1', '1.0', -1],
  ['1.0', '1.0~rc1', 1],
  ['1.0~rc1', '1.0~rc2', -1],
  ['1.0~rc2', '1.0~rc1', 1],
  ['1.0~rc1~git123', '1.0~rc1~git123', 0],
  ['1.0~rc1~git123', '1.0~rc1', -1],
  ['1.0~rc1', '1.0~rc1~git123', 1],
  ['1.0^', '1.0^', 0],
  ['1.0^', '1.0', 1],
  ['1.0', '1.0^', -1],
  ['1.0^git1', '1.0^git1', 0],
  ['1.0^git1', '1.0', 1],
  ['1.0', '1.0^git1', -1],
  ['1.0^git1', '1.0^git2', -1],
  ['1.0^git2', '1.0^git1', 1],
  ['1.0^git1', '1.01', -1],
  ['1.01', '1.0^git1', 1],
  ['1.0^20160101', '1.0^20160101', 0],
  ['1.0^20160101', '1.0.1', -1],
  ['1.0.1', '1.0^20160101', 1],
  ['1.0^20160101^git1', '1.0^20160101^git1', 0],
  ['1.0^20160102', '1.0^20160101^git1', 1],
  ['1.0^20160101^git1', '1.0^20160102', -1],
  ['1.0~rc1^git1', '1.0~rc1^git1', 0],
  ['1.0~rc1^git1', '1.0~rc1', 1],
  ['1.0~rc1', '1.0~rc1^git1', -1],
  ['1.0^git1~pre', '1.0^git1~pre', 0],
  ['1.0^git1', '1.0^git1~pre', 1],
  ['1.0^git1~pre', '1.0^git1', -1],
  ['1.0~', '1.0', -1],
  ['1.0~', '1.0^', -1],
  ['1.0^', '1.0.0', -1],
  ['1.0.0', '1.0^', 1],
  ['000', '0', 0],
  ['1.a', '1.1', -1],
  ['1.0a', '1.0.a', 0],
  ['1.0_1', '1.0.1', 0],
  ['abc', 'abd', -1],
  ['ABC', 'abc', -1],
  ['99999999999999999999', '99999999999999999998', 1],
  // full EVRs: epoch (missing = 0), release (missing sorts lower in rpm 4.18)
  ['1:1.0', '2.0', 1],
  ['0:1.0', '1.0', 0],
  ['1:1.0', '1:1.0', 0],
  ['2:1-1', '1:2-2', 1],
  ['10:1', '9:2', 1],
  ['01:1', '1:1', 0],
  [':1.0', '1.0', 0],
  ['1.0-1', '1.0-2', -1],
  ['1.0-1', '1.0', 1],
  ['1.0', '1.0-1', -1],
  ['1.0-', '1.0', 1],
  ['1.0-1', '1.0-', 1],
  ['1.0-1-2', '1.0-1', 1],
  ['a:1', '1', -1],
  ['1.0-1.el9', '1.0-1.el9_1', -1],
  ['1.0-1.el9', '1.0-1.el8', 1],
  ['5.14.0-427.el9', '5.14.0-362.8.1.el9_3', 1],
  ['1.0-0.1.rc1.el9', '1.0-1.el9', -1],
  ['1:2.0-1.module+el9.3.0+1+abc', '1:2.0-1.el9', 1],
  ['3.9.18-3.el9_4.5', '3.9.18-3.el9_4.10', -1],
  ['2.34-100.el9_4.2', '2.34-100.el9', 1],
  ['1.0-1.el9~bootstrap', '1.0-1.el9', -1],
  ['4.18.0-1.fc40', '4.18.0^20240101-1.fc40', -1],
];

describe('rpmvercmp / compareEvrStrings', () => {
  let home: string;
  let rpmSays: number[] | undefined;
  let skip: string | undefined;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'horno-evr-'));
    // one rpm process for the whole table; HOME so rpm on Debian creates its ~/.rpmdb in a temp dir
    const lua = `local t = {${TABLE.map(([a, b]) => `{"${a}","${b}"}`).join(',')}} for _, p in ipairs(t) do print(rpm.vercmp(p[1], p[2]) .. "\\n") end`;
    try {
      const r = await run(['rpm', '--eval', `%{lua: ${lua}}`], {
        env: { HOME: home },
        captureStdout: true,
      });
      rpmSays = r.stdout.trim().split('\n').map(Number);
    } catch (err) {
      skip = `rpm not usable here: ${(err as Error).message}`;
    }
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('has a table of at least 80 pairs', () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(80);
  });

  it('agrees with rpm itself on every pair, and rpm agrees with the table', () => {
    if (skip) {
      console.warn(`skipped rpm cross-check: ${skip}`);
      return;
    }
    expect(rpmSays).toHaveLength(TABLE.length);
    const diffs: string[] = [];
    TABLE.forEach(([a, b, want], i) => {
      const ours = compareEvrStrings(a, b);
      const theirs = rpmSays![i];
      if (ours !== theirs || want !== theirs)
        diffs.push(`${a} vs ${b}: ours ${ours}, rpm ${theirs}, table ${want}`);
    });
    expect(diffs).toEqual([]);
  });

  it('is antisymmetric', () => {
    for (const [a, b] of TABLE) expect(rpmvercmp(b, a)).toBe(-rpmvercmp(a, b) || 0);
  });
});

describe('parseEvr / formatEvr / formatNevra', () => {
  it('splits epoch, version and release as rpm does', () => {
    expect(parseEvr('1:2.0-3.el9')).toEqual({
      epoch: '1',
      version: '2.0',
      release: '3.el9',
    });
    expect(parseEvr('2.0')).toEqual({ version: '2.0' });
    expect(parseEvr(':2.0')).toEqual({ epoch: '0', version: '2.0' });
    expect(parseEvr('1.0-1-2')).toEqual({ version: '1.0-1', release: '2' });
  });
  it('leaves a zero epoch out when printing', () => {
    expect(formatEvr({ epoch: '0', version: '1', release: '2' })).toBe('1-2');
    expect(formatEvr({ epoch: '3', version: '1' })).toBe('3:1');
    expect(
      formatNevra({
        name: 'nodejs-docs',
        epoch: '1',
        version: '18.0',
        release: '1',
        arch: 'noarch',
      }),
    ).toBe('nodejs-docs-1:18.0-1.noarch');
  });
});
