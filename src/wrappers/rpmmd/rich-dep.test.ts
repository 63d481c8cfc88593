import { describe, expect, it } from 'vitest';
import {
  type DepNode,
  formatDepNode,
  leaves,
  parseRichDep,
  type RichNode,
  richProviders,
  type SimpleNode,
} from './rich-dep.ts';

const fmt = (s: string) => {
  const n = parseRichDep(s);
  return n ? formatDepNode(n) : null;
};

describe('parseRichDep', () => {
  it('parses every operator, right-associative chains and nesting', () => {
    expect(parseRichDep('(a or b)')).toEqual({
      kind: 'rich',
      op: 'or',
      left: { kind: 'dep', name: 'a', flags: 0, evr: '' },
      right: { kind: 'dep', name: 'b', flags: 0, evr: '' },
    });
    const chain = parseRichDep('(a and b and c)') as RichNode;
    expect(chain.op).toBe('and');
    expect(chain.right).toMatchObject({ kind: 'rich', op: 'and' });
    const cond = parseRichDep('(a if b else c)');
    expect(cond).toMatchObject({
      op: 'if',
      right: { kind: 'rich', op: 'else' },
    });
    expect(parseRichDep('(a unless b else c)')).toMatchObject({
      op: 'unless',
      right: { op: 'else' },
    });
    expect(parseRichDep('(a with b)')).toMatchObject({ op: 'with' });
    expect(parseRichDep('(a without b)')).toMatchObject({ op: 'without' });
  });

  it('reads versions, strips a 0: epoch and keeps parentheses inside names', () => {
    expect(parseRichDep('(foo >= 0:1.2-3 or libbar.so.1()(64bit))')).toEqual({
      kind: 'rich',
      op: 'or',
      left: { kind: 'dep', name: 'foo', flags: 3, evr: '1.2-3' },
      right: { kind: 'dep', name: 'libbar.so.1()(64bit)', flags: 0, evr: '' },
    });
    expect((parseRichDep('(foo <= 2 or bar)') as RichNode).left).toEqual({
      kind: 'dep',
      name: 'foo',
      flags: 6,
      evr: '2',
    });
    // names end at a space only, as in libsolv
    expect((parseRichDep('(foo<=2 or bar)') as RichNode).left).toMatchObject({
      name: 'foo<=2',
      flags: 0,
    });
  });

  it('rejects what libsolv rejects (then the text is a plain name)', () => {
    for (const bad of ['foo', '(a or b', '(a or b and c)', '(a foo b)', '()', '(a or b) x', '(a or)']) {
      expect(parseRichDep(bad), bad).toBeNull();
    }
    // accepted by libsolv, so by us
    expect(parseRichDep('(a)')).toEqual({
      kind: 'dep',
      name: 'a',
      flags: 0,
      evr: '',
    });
    expect(fmt('(a else b)')).toBe('(a else b)');
  });
});

describe('formatDepNode', () => {
  it('prints as dnf does', () => {
    expect(fmt('(a or b or c)')).toBe('(a or b or c)');
    expect(fmt('((a or b) or c)')).toBe('(a or b or c)');
    expect(fmt('((x and y) or (z and w))')).toBe('((x and y) or (z and w))');
    expect(fmt('(x if y else z)')).toBe('(x if y else z)');
    expect(fmt('(a if (b if c))')).toBe('(a if (b if c))');
    expect(fmt('(  foo >= 0:1.0   or   bar )')).toBe('(foo >= 1.0 or bar)');
    expect(fmt('(a with (b without c))')).toBe('(a with (b without c))');
  });
});

describe('richProviders (libsolv rules)', () => {
  const have: Record<string, number[]> = { a: [1], b: [2], ab: [1, 2], c: [] };
  const leaf = (d: SimpleNode) => new Set(have[d.name] ?? []);
  const prov = (s: string) => [...richProviders(parseRichDep(s) as DepNode, leaf)].sort();

  it('and/or are unions, if/unless ignore the condition, with/without intersect/subtract', () => {
    expect(prov('(a and c)')).toEqual([1]); // libsolv assumes the best case for "and"
    expect(prov('(c or b)')).toEqual([2]);
    expect(prov('(c if a)')).toEqual([]);
    expect(prov('(c if a else b)')).toEqual([2]);
    expect(prov('(a unless b)')).toEqual([1]);
    expect(prov('(ab with a)')).toEqual([1]);
    expect(prov('(ab without a)')).toEqual([2]);
    expect(prov('(a with b)')).toEqual([]);
    expect(prov('((c or a) with ab)')).toEqual([1]);
  });

  it('lists leaves and marks those under with/without as needing every provider', () => {
    const ls = [...leaves(parseRichDep('(a or (/x with b))')!)].map((l) => [l.leaf.name, l.exact]);
    expect(ls).toEqual([
      ['a', false],
      ['/x', true],
      ['b', true],
    ]);
  });
});
