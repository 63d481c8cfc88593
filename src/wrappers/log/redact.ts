// Credentials in URLs (`http://user:TOKEN@host/`), taken out of any text before it is logged, recorded or shown:
// log lines, unit records and ids, error messages and traces. One function for a single URL and for free text
// holding several, so every place that shows a URL hides the same part.

/** What stands in for a password (or a user name given alone) in text we write. */
export const REDACTED = '***';

// A scheme, then the authority: what comes before the first / ? # (or anything a URL cannot hold: blanks, quotes,
// angle brackets, a backslash), so a quoted URL in a JSON log line stops at its closing quote.
const URL_AUTHORITY = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#"'<>\\]*)/gi;

/**
 * `scheme://user:secret@host` -> `scheme://user:***@host`, and `scheme://name@host` -> `scheme://***@host` (a name
 * alone is often the token itself, as in https://TOKEN@host), for every URL in the text. Text without such URLs
 * comes back unchanged, as the same string.
 */
export function redactCredentials(text: string): string {
  if (!text.includes('@')) return text;
  return text.replace(URL_AUTHORITY, (whole, scheme: string, authority: string) => {
    // the last @ ends the user info: an unencoded @ in a password still leaves the host after it
    const at = authority.lastIndexOf('@');
    if (at < 0) return whole;
    const userinfo = authority.slice(0, at);
    const colon = userinfo.indexOf(':');
    const shown = colon < 0 ? REDACTED : `${userinfo.slice(0, colon)}:${REDACTED}`;
    return `${scheme}${shown}${authority.slice(at)}`;
  });
}

/** Does the text hold a URL with user info (which redactCredentials would change)? */
export function hasCredentials(text: string): boolean {
  return redactCredentials(text) !== text;
}

/** A copy of plain data (JSON-like) with every string redacted; other values as they are. */
export function redactDeep<T>(value: T): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redactCredentials(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)
      return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item)]));
    return v;
  };
  return walk(value) as T;
}

/** Past this many bytes without a line end (a progress bar), the held text is redacted and written anyway. */
const HOLD_MAX = 64 * 1024;

/**
 * Redacts a tool's output on its way into a unit log (lorax, dnf and curl echo the URLs they were given). Works line
 * by line, so a URL cut between two chunks is held back until its line ends; bytes pass through latin1, which
 * maps each byte to one character and back, so output that is not UTF-8 is written unchanged.
 */
export class LineRedactor {
  private held = '';

  push(chunk: Buffer): Buffer {
    const text = this.held + chunk.toString('latin1');
    const cut = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
    if (cut < 0 && text.length < HOLD_MAX) {
      this.held = text;
      return EMPTY;
    }
    const upTo = cut < 0 ? text.length : cut + 1;
    this.held = text.slice(upTo);
    return Buffer.from(redactCredentials(text.slice(0, upTo)), 'latin1');
  }

  /** What is still held (a last line without its newline). */
  end(): Buffer {
    const rest = this.held;
    this.held = '';
    return rest ? Buffer.from(redactCredentials(rest), 'latin1') : EMPTY;
  }
}
const EMPTY = Buffer.alloc(0);
