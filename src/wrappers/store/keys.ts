// Object keys of the artifact store: plain relative paths of `/`-separated segments. One validator for both
// backends, so a key that works on the file store works on S3 and cannot climb out of the store's folder or prefix.
import { UsageError } from '../errors.ts';

const BAD_CHARS = /[\u0000-\u001f\u007f\\]/;

function problem(key: string, what: 'key' | 'prefix'): string | undefined {
  if (what === 'key' && key === '') return 'is empty';
  if (key.startsWith('/')) return 'starts with "/"';
  if (BAD_CHARS.test(key)) return 'holds a control character or a backslash';
  const segments = key.split('/');
  // a prefix may end with "/" (the last segment is then empty); a key may not
  const inner = what === 'prefix' && key.endsWith('/') ? segments.slice(0, -1) : segments;
  if (what === 'prefix' && key === '') return undefined;
  if (inner.some((s) => s === '..' || s === '.')) return 'has a "." or ".." segment';
  if (inner.some((s) => s === '')) return 'has an empty segment ("//" or a trailing "/")';
  if (Buffer.byteLength(key) > 1024) return 'is longer than 1024 bytes (the S3 limit)';
  return undefined;
}

/** Throws UsageError unless `key` is a relative object key (no leading "/", no "." or ".." segment). */
export function checkKey(key: string): string {
  const p = problem(key, 'key');
  if (p) throw new UsageError(`bad store key ${JSON.stringify(key)}: ${p}`);
  return key;
}

/** Like checkKey, but "" (everything) and a trailing "/" are allowed. */
export function checkPrefix(prefix: string): string {
  const p = problem(prefix, 'prefix');
  if (p) throw new UsageError(`bad store prefix ${JSON.stringify(prefix)}: ${p}`);
  return prefix;
}
