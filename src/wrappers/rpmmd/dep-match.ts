// Does a provide satisfy a versioned requirement? The rules of libsolv (what dnf uses): an unversioned side matches
// everything, epochs default to 0, and a release missing on either side is not compared ("foo >= 2.0" is met by
// "foo = 2.0-3"). Ported from libsolv pool_evrcmp_str (EVRCMP_MATCH_RELEASE) and pool_match_flags_evr.
import { rpmvercmp } from './evr.ts';
import type { Dep, DepFlags } from './types.ts';

export const REL_GT = 1;
export const REL_EQ = 2;
export const REL_LT = 4;

const FLAG_BITS: Record<DepFlags, number> = {
  GT: REL_GT,
  EQ: REL_EQ,
  GE: REL_GT | REL_EQ,
  LT: REL_LT,
  LE: REL_LT | REL_EQ,
};
const BITS_FLAG: Record<number, DepFlags> = {
  1: 'GT',
  2: 'EQ',
  3: 'GE',
  4: 'LT',
  6: 'LE',
};
const OPS: Record<DepFlags, string> = {
  EQ: '=',
  LT: '<',
  LE: '<=',
  GT: '>',
  GE: '>=',
};
const OP_FLAGS: Record<string, DepFlags> = {
  '=': 'EQ',
  '==': 'EQ',
  '<': 'LT',
  '<=': 'LE',
  '=<': 'LE',
  '>': 'GT',
  '>=': 'GE',
  '=>': 'GE',
};

export function flagBits(f: DepFlags | undefined): number {
  return f ? FLAG_BITS[f] : 0;
}
export function bitsToFlags(bits: number): DepFlags | undefined {
  return BITS_FLAG[bits];
}
export function opToFlags(op: string): DepFlags | undefined {
  return OP_FLAGS[op];
}
export function flagsToOp(f: DepFlags): string {
  return OPS[f];
}

/** The EVR string libsolv builds from primary.xml attributes: a zero epoch is dropped. */
export function depEvr(d: Pick<Dep, 'epoch' | 'ver' | 'rel'>): string {
  const ep = d.epoch && d.epoch !== '0' ? `${d.epoch}:` : '';
  return `${ep}${d.ver ?? ''}${d.rel !== undefined ? `-${d.rel}` : ''}`;
}

/** The dependency as dnf prints it: "name", or "name >= evr". */
export function depToString(d: Dep): string {
  return d.flags ? `${d.name} ${OPS[d.flags]} ${depEvr(d)}` : d.name;
}

/**
 * libsolv pool_evrcmp_str in MATCH_RELEASE mode. Returns -1/0/1, or -2/2 when the versions are equal and only the
 * second/first side has a release (the caller then decides by the EQ bits).
 */
export function evrcmpMatchRelease(evr1: string, evr2: string): -2 | -1 | 0 | 1 | 2 {
  if (evr1 === evr2) return 0;
  let a = 0;
  let b = 0;
  let s1 = scanDigits(evr1, 0);
  let s2 = scanDigits(evr2, 0);
  const e1 = s1 > 0 && evr1.charCodeAt(s1) === 58 ? s1 : -1;
  const e2 = s2 > 0 && evr2.charCodeAt(s2) === 58 ? s2 : -1;
  if (e1 >= 0 && e2 >= 0) {
    const r = rpmvercmp(evr1.slice(0, e1), evr2.slice(0, e2));
    if (r) return r;
    a = e1 + 1;
    b = e2 + 1;
  } else if (e1 >= 0) {
    if (!/^0+$/.test(evr1.slice(0, e1))) return 1;
    a = e1 + 1;
  } else if (e2 >= 0) {
    if (!/^0+$/.test(evr2.slice(0, e2))) return -1;
    b = e2 + 1;
  }
  s1 = evr1.length;
  s2 = evr2.length;
  let r1 = evr1.lastIndexOf('-');
  let r2 = evr2.lastIndexOf('-');
  if (r1 < a) r1 = -1;
  if (r2 < b) r2 = -1;
  const v = rpmvercmp(evr1.slice(a, r1 >= 0 ? r1 : s1), evr2.slice(b, r2 >= 0 ? r2 : s2));
  if (v) return v;
  // rpm treats an empty release as missing: "foo = 4-" is "foo = 4"
  if (r1 >= 0 && r1 + 1 === s1) r1 = -1;
  if (r2 >= 0 && r2 + 1 === s2) r2 = -1;
  if (r1 >= 0 && r2 >= 0) return rpmvercmp(evr1.slice(r1 + 1), evr2.slice(r2 + 1));
  if (r1 < 0 && r2 >= 0) return -2;
  if (r1 >= 0 && r2 < 0) return 2;
  return 0;
}

function scanDigits(s: string, i: number): number {
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  return i;
}

/**
 * libsolv pool_match_flags_evr: does the range (pflags, pevr) of a provide intersect the range (flags, evr) of a
 * requirement? Both flags must be non-zero; unversioned sides are handled by the caller.
 */
export function rangesIntersect(pflags: number, pevr: string, flags: number, evr: string): boolean {
  if (!pflags || !flags || pflags >= 8 || flags >= 8) return false;
  if (flags === 7 || pflags === 7) return true;
  if (pflags & flags & (REL_LT | REL_GT)) return true; // both point the same direction
  if (pevr === evr) return (flags & pflags & REL_EQ) !== 0;
  switch (evrcmpMatchRelease(pevr, evr)) {
    case -2:
      return (pflags & REL_EQ) !== 0;
    case -1:
      return (flags & REL_LT) !== 0 || (pflags & REL_GT) !== 0;
    case 0:
      return (flags & pflags & REL_EQ) !== 0;
    case 1:
      return (flags & REL_GT) !== 0 || (pflags & REL_LT) !== 0;
    case 2:
      return (flags & REL_EQ) !== 0;
  }
}

/** Does `provide` satisfy `require`? Names must already be equal. An unversioned side matches any version. */
export function provideSatisfies(provide: Dep, require: Dep): boolean {
  if (!require.flags || !provide.flags) return true;
  return rangesIntersect(flagBits(provide.flags), depEvr(provide), flagBits(require.flags), depEvr(require));
}
