// Rich (boolean) dependencies: "(a or b)", "(a if b else c)", "(a with b)", nested. Parsed and printed exactly as
// libsolv does (right-associative chains of one operator, "0:" epochs stripped, dnf's spelling when printed), and
// evaluated with libsolv's "what provides" rules, which is what dnf repoclosure reports on.

export type RichOp = 'and' | 'or' | 'if' | 'unless' | 'else' | 'with' | 'without';

/** A simple dependency inside a rich one: name, and a version range when `flags` (LT=4|EQ=2|GT=1 bits) != 0. */
export interface SimpleNode {
  kind: 'dep';
  name: string;
  flags: number;
  evr: string;
}
export interface RichNode {
  kind: 'rich';
  op: RichOp;
  left: DepNode;
  right: DepNode;
}
export type DepNode = SimpleNode | RichNode;

const OPS = new Set<string>(['and', 'or', 'if', 'unless', 'else', 'with', 'without']);

class ParseFail extends Error {}

/**
 * Parses a parenthesised dependency. Null when `text` is not one or is malformed (libsolv then takes the text as a
 * plain name); "(foo >= 1)" without an operator gives the simple dependency, as in libsolv.
 */
export function parseRichDep(text: string): DepNode | null {
  if (!text.startsWith('(')) return null;
  const st = { s: text, p: 0 };
  try {
    const node = parseAt(st, null);
    return st.p === text.length ? node : null;
  } catch (e) {
    if (e instanceof ParseFail) return null;
    throw e;
  }
}

function parseAt(st: { s: string; p: number }, chain: RichOp | null): DepNode {
  const s = st.s;
  if (!chain) {
    if (s[st.p] !== '(') throw new ParseFail();
    st.p++;
  }
  skipSpaces(st);
  if (s[st.p] === ')') throw new ParseFail();
  let left: DepNode;
  if (s[st.p] === '(') {
    left = parseAt(st, null);
  } else {
    const name = token(st);
    skipSpaces(st);
    let flags = 0;
    while (st.p < s.length) {
      const c = s[st.p];
      if (c === '<') flags |= 4;
      else if (c === '=') flags |= 2;
      else if (c === '>') flags |= 1;
      else break;
      st.p++;
    }
    let evr = '';
    if (flags) {
      skipSpaces(st);
      evr = token(st);
      if (evr.length > 2 && evr.startsWith('0:')) evr = evr.slice(2);
    }
    left = { kind: 'dep', name, flags, evr };
  }
  skipSpaces(st);
  if (st.p >= s.length) throw new ParseFail();
  if (s[st.p] === ')') {
    st.p++;
    return left;
  }
  const start = st.p;
  while (st.p < s.length && s[st.p] !== ' ') st.p++;
  const op = s.slice(start, st.p);
  if (!OPS.has(op)) throw new ParseFail();
  let ch = chain;
  if ((ch === 'if' || ch === 'unless') && op === 'else') ch = null;
  if (ch && op !== ch) throw new ParseFail();
  const right = parseAt(st, op as RichOp);
  return { kind: 'rich', op: op as RichOp, left, right };
}

/** A name or version: up to a space, a comma or an unbalanced ')'; parentheses inside names are kept. */
function token(st: { s: string; p: number }): string {
  const s = st.s;
  const start = st.p;
  let depth = 0;
  while (st.p < s.length) {
    const c = s[st.p];
    if (c === ' ' || c === ',') break;
    if (c === ')' && depth-- <= 0) break;
    if (c === '(') depth++;
    st.p++;
  }
  if (st.p === start) throw new ParseFail();
  return s.slice(start, st.p);
}

function skipSpaces(st: { s: string; p: number }): void {
  while (st.s[st.p] === ' ') st.p++;
}

const REL_OPS = [' ! ', ' > ', ' = ', ' >= ', ' < ', ' <> ', ' <= ', ' <=> '];

/** Prints a dependency the way libsolv's pool_dep2str does (what dnf shows). */
export function formatDepNode(node: DepNode, outer: RichOp | 'top' | null = 'top'): string {
  if (node.kind === 'dep') return node.flags ? `${node.name}${REL_OPS[node.flags]}${node.evr}` : node.name;
  const rel = node.op;
  const conditional = rel === 'if' || rel === 'unless' || rel === 'else';
  const elseOfCond = (outer === 'if' || outer === 'unless') && rel === 'else';
  const inner = `${formatDepNode(node.left, rel)} ${rel} ${formatDepNode(node.right, rel)}`;
  return outer !== null && (outer !== rel || conditional) && !elseOfCond ? `(${inner})` : inner;
}

/**
 * The packages that "provide" a dependency by libsolv's rules: and/or give the union of both sides (libsolv
 * assumes the best case), if/unless the union of the body and the else branch (the condition is ignored), with
 * the packages providing both sides, without those providing the left side but not the right.
 */
export function richProviders(
  node: DepNode,
  leaf: (d: SimpleNode) => ReadonlySet<number>,
): ReadonlySet<number> {
  if (node.kind === 'dep') return leaf(node);
  switch (node.op) {
    case 'with': {
      const l = richProviders(node.left, leaf);
      const r = richProviders(node.right, leaf);
      return new Set([...l].filter((p) => r.has(p)));
    }
    case 'without': {
      const l = richProviders(node.left, leaf);
      const r = richProviders(node.right, leaf);
      return new Set([...l].filter((p) => !r.has(p)));
    }
    case 'and':
    case 'or':
      return union(richProviders(node.left, leaf), richProviders(node.right, leaf));
    case 'if':
    case 'unless': {
      const body = richProviders(node.left, leaf);
      const r = node.right;
      return r.kind === 'rich' && r.op === 'else' ? union(body, richProviders(r.right, leaf)) : body;
    }
    case 'else':
      return new Set();
  }
}

function union(a: ReadonlySet<number>, b: ReadonlySet<number>): ReadonlySet<number> {
  if (!a.size) return b;
  if (!b.size) return a;
  return new Set([...a, ...b]);
}

/** The simple dependencies a rich one mentions, with whether each sits under with/without (needs every provider). */
export function* leaves(node: DepNode, exact = false): Generator<{ leaf: SimpleNode; exact: boolean }> {
  if (node.kind === 'dep') {
    yield { leaf: node, exact };
    return;
  }
  const ex = exact || node.op === 'with' || node.op === 'without';
  yield* leaves(node.left, ex);
  yield* leaves(node.right, ex);
}
