// Version comparison exactly as rpm does it: rpmvercmp() on one string (tilde, caret, alpha/numeric segments) and
// rpmverCmp() on parsed epoch:version-release. Ported from rpm 4.18 lib/rpmvercmp.c and lib/rpmver.c so that our
// "newest" and sorting agree with rpm and dnf bit for bit; the table test checks us against rpm itself.

export type Cmp = -1 | 0 | 1;

export interface Evr {
  /** Missing means 0 when comparing. */
  epoch?: string;
  version: string;
  /** Missing sorts below any present release (rpm 4.18 rpmverCmp). */
  release?: string;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const TILDE = 126;
const CARET = 94;

/** rpm's rpmvercmp(): compares two version (or release) strings. Non-ASCII characters are separators, as in rpm. */
export function rpmvercmp(a: string, b: string): Cmp {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  const la = a.length;
  const lb = b.length;
  while (i < la || j < lb) {
    while (i < la && !isAlnumTildeCaret(a.charCodeAt(i))) i++;
    while (j < lb && !isAlnumTildeCaret(b.charCodeAt(j))) j++;
    const ca = i < la ? a.charCodeAt(i) : 0;
    const cb = j < lb ? b.charCodeAt(j) : 0;

    // tilde sorts before everything, even the end of the string
    if (ca === TILDE || cb === TILDE) {
      if (ca !== TILDE) return 1;
      if (cb !== TILDE) return -1;
      i++;
      j++;
      continue;
    }
    // caret sorts after the end of the string (the base version) but before anything else
    if (ca === CARET || cb === CARET) {
      if (i >= la) return -1;
      if (j >= lb) return 1;
      if (ca !== CARET) return 1;
      if (cb !== CARET) return -1;
      i++;
      j++;
      continue;
    }
    if (!(i < la && j < lb)) break;

    let ei = i;
    let ej = j;
    const isnum = isDigit(ca);
    if (isnum) {
      while (ei < la && isDigit(a.charCodeAt(ei))) ei++;
      while (ej < lb && isDigit(b.charCodeAt(ej))) ej++;
    } else {
      while (ei < la && isAlpha(a.charCodeAt(ei))) ei++;
      while (ej < lb && isAlpha(b.charCodeAt(ej))) ej++;
    }
    // segments of different types: numeric is newer than alpha
    if (ej === j) return isnum ? 1 : -1;

    let si = i;
    let sj = j;
    if (isnum) {
      while (si < ei && a.charCodeAt(si) === 48) si++;
      while (sj < ej && b.charCodeAt(sj) === 48) sj++;
      const dl = ei - si - (ej - sj);
      if (dl > 0) return 1;
      if (dl < 0) return -1;
    }
    const rc = strcmp(a.slice(si, ei), b.slice(sj, ej));
    if (rc) return rc;
    i = ei;
    j = ej;
  }
  if (i >= la && j >= lb) return 0;
  return i >= la ? -1 : 1;
}

function isAlnumTildeCaret(c: number): boolean {
  return isDigit(c) || isAlpha(c) || c === TILDE || c === CARET;
}

/** Byte-wise strcmp for ASCII segments. */
function strcmp(x: string, y: string): Cmp {
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * rpm's parseEVR(): leading digits followed by ':' are the epoch (an empty epoch becomes "0"), the text after the
 * last '-' is the release.
 */
export function parseEvr(evr: string): Evr {
  let s = 0;
  while (s < evr.length && isDigit(evr.charCodeAt(s))) s++;
  const dash = evr.lastIndexOf('-');
  const se = dash >= s ? dash : -1;
  let epoch: string | undefined;
  let vStart = 0;
  if (evr.charCodeAt(s) === 58 /* : */) {
    epoch = evr.slice(0, s) || '0';
    vStart = s + 1;
  }
  const out: Evr = {
    version: se >= 0 ? evr.slice(vStart, se) : evr.slice(vStart),
  };
  if (epoch !== undefined) out.epoch = epoch;
  if (se >= 0) out.release = evr.slice(se + 1);
  return out;
}

/** rpm 4.18 rpmverCmp(): epoch (missing = 0), then version, then release (a missing release sorts lower). */
export function compareEvr(a: Evr, b: Evr): Cmp {
  const rc = rpmvercmp(a.epoch ?? '0', b.epoch ?? '0') || rpmvercmp(a.version, b.version);
  if (rc) return rc;
  if (a.release !== undefined && b.release !== undefined) return rpmvercmp(a.release, b.release);
  if (a.release !== undefined) return 1;
  if (b.release !== undefined) return -1;
  return 0;
}

/** Compares two "[E:]V[-R]" strings like `rpm.vercmp()` in rpm's Lua API. */
export function compareEvrStrings(a: string, b: string): Cmp {
  return compareEvr(parseEvr(a), parseEvr(b));
}

/** "[E:]V-R" with a zero or missing epoch left out, as rpm and libsolv print it. */
export function formatEvr(e: Evr): string {
  const ep = e.epoch && e.epoch !== '0' ? `${e.epoch}:` : '';
  return e.release !== undefined ? `${ep}${e.version}-${e.release}` : `${ep}${e.version}`;
}

/** "name-[E:]V-R.arch", the form dnf prints (epoch 0 omitted). */
export function formatNevra(p: {
  name: string;
  epoch?: string;
  version: string;
  release: string;
  arch: string;
}): string {
  return `${p.name}-${formatEvr(p)}.${p.arch}`;
}
