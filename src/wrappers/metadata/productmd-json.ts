// JSON text exactly as productmd writes it: Python's json.dump(data, indent=4, sort_keys=True,
// separators=(",", ": ")) with ensure_ascii, and no newline at the end. Byte-equal output lets a diff against a
// pungi compose show real differences only, and keeps two runs of the same inputs identical.

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

/** Keys sorted at every depth (code unit order, which is Python's order for the names we write). */
function sorted(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(sorted);
  if (v !== null && typeof v === 'object') {
    const out: { [k: string]: JsonValue } = {};
    for (const k of Object.keys(v).sort()) out[k] = sorted(v[k]!);
    return out;
  }
  if (typeof v === 'number' && !Number.isSafeInteger(v)) {
    // Python prints floats as 1.0 / 1e+16; productmd files hold integers only, so anything else is a bug here
    throw new Error(`productmd JSON: ${v} is not a safe integer`);
  }
  return v;
}

/** JSON.stringify escapes control characters like Python does, but leaves non-ASCII (and DEL) raw. */
function ensureAscii(text: string): string {
  return text.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function productmdJson(data: JsonValue): string {
  return ensureAscii(JSON.stringify(sorted(data), null, 4));
}

export interface ProductmdHeader {
  type: `productmd.${string}`;
  version: '1.2';
}

export function header(kind: 'composeinfo' | 'images' | 'rpms' | 'modules'): ProductmdHeader {
  return { type: `productmd.${kind}`, version: '1.2' };
}

/** payload.compose as images/rpms/modules repeat it (label and final only when a label is set). */
export interface ComposeHead {
  id: string;
  date: string;
  type: 'production' | 'nightly' | 'test' | 'ci' | 'development';
  respin: number;
  label?: string;
  final?: boolean;
}

export function composeHead(c: ComposeHead): { [k: string]: JsonValue } {
  if (!/^\d{8}$/.test(c.date)) throw new Error(`compose date ${c.date} is not YYYYMMDD`);
  if (!/\d{8}(\.nightly|\.n|\.ci|\.test|\.t)?(\.\d+)?/.test(c.id)) {
    throw new Error(`compose id ${c.id} does not carry a YYYYMMDD date`);
  }
  const out: { [k: string]: JsonValue } = { id: c.id, date: c.date, type: c.type, respin: c.respin };
  if (c.label) {
    out.label = c.label;
    out.final = c.final ?? false;
  }
  return out;
}
