// Downloads one file over http(s) or file:// to its final path, verifying size and checksum while streaming.
// Bytes go to a temporary sibling and are renamed into place only once verified, so a file at its final name is
// always whole. Timeouts, 5xx, 429, short and corrupt bodies are retried with exponential backoff; 4xx are not.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { tempSibling } from '../compose/atomic.ts';
import { InterruptedError, WorkError } from '../errors.ts';
import { linkedSignal, sleep } from '../run/cancel.ts';

export interface Expected {
  /** Any algorithm node's crypto knows: sha256, sha512, sha1, md5 ... (createrepo_c's 'sha' means sha1). */
  checksum?: { type: string; value: string };
  size?: number;
}

export interface DownloadOptions extends Expected {
  signal?: AbortSignal;
  /** Attempts in all, including the first. */
  attempts?: number;
  /** Abort an attempt when no byte arrived for this long. */
  stallMs?: number;
  backoffMs?: number;
  /** Called with each chunk's length, for progress. */
  onBytes?: (n: number) => void;
}

export interface DownloadResult {
  bytes: number;
  attempts: number;
  /** Last-Modified of the response, when the server sent one. */
  lastModified?: Date;
}

export class DownloadError extends WorkError {
  override readonly code = 'E_DOWNLOAD';
  constructor(
    readonly url: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(`${url}: ${message}`);
  }
}

export function hashName(type: string): string {
  const t = type.toLowerCase();
  return t === 'sha' ? 'sha1' : t;
}

export async function download(
  url: string,
  dest: string,
  opts: DownloadOptions = {},
): Promise<DownloadResult> {
  const attempts = opts.attempts ?? 5;
  const signal = linkedSignal(opts.signal);
  await mkdir(dirname(dest), { recursive: true });
  let last: DownloadError | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (signal.aborted) throw new InterruptedError(`download interrupted: ${url}`);
    const tmp = tempSibling(dest);
    try {
      const res = await attemptOnce(url, tmp, opts, signal);
      await rename(tmp, dest);
      return { ...res, attempts: attempt };
    } catch (err) {
      await rm(tmp, { force: true });
      if (signal.aborted) throw new InterruptedError(`download interrupted: ${url}`);
      last = err instanceof DownloadError ? err : new DownloadError(url, describe(err), true);
      if (!last.retryable || attempt === attempts) break;
      const base = (opts.backoffMs ?? 250) * 2 ** (attempt - 1);
      await sleep(base / 2 + Math.random() * base, signal);
    }
  }
  throw last ?? new DownloadError(url, 'failed', false);
}

async function attemptOnce(
  url: string,
  tmp: string,
  opts: DownloadOptions,
  outer: AbortSignal,
): Promise<Omit<DownloadResult, 'attempts'>> {
  const stall = new AbortController();
  const signal = AbortSignal.any([outer, stall.signal]);
  const stallMs = opts.stallMs ?? 30_000;
  let timer = setTimeout(() => stall.abort(), stallMs);
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => stall.abort(), stallMs);
  };
  try {
    const { body, lastModified, length } = await open(url, signal);
    if (opts.size !== undefined && length !== undefined && length !== opts.size) {
      body.destroy();
      throw new DownloadError(url, `server announces ${length} bytes, metadata says ${opts.size}`, true);
    }
    const hash = opts.checksum ? createHash(hashName(opts.checksum.type)) : undefined;
    let bytes = 0;
    body.on('data', (c: Buffer) => {
      touch();
      bytes += c.length;
      hash?.update(c);
      opts.onBytes?.(c.length);
    });
    try {
      await pipeline(body, createWriteStream(tmp), { signal });
    } catch (err) {
      if (stall.signal.aborted && !outer.aborted)
        throw new DownloadError(url, `stalled for ${stallMs} ms`, true);
      throw err;
    }
    if (length !== undefined && bytes !== length) {
      throw new DownloadError(url, `short body: got ${bytes} of ${length} bytes`, true);
    }
    if (opts.size !== undefined && bytes !== opts.size) {
      throw new DownloadError(url, `size mismatch: got ${bytes} bytes, expected ${opts.size}`, true);
    }
    if (hash && opts.checksum) {
      const got = hash.digest('hex');
      if (got !== opts.checksum.value.toLowerCase()) {
        throw new DownloadError(
          url,
          `${opts.checksum.type} mismatch: got ${got}, expected ${opts.checksum.value}`,
          true,
        );
      }
    }
    return { bytes, lastModified };
  } finally {
    clearTimeout(timer);
  }
}

async function open(
  url: string,
  signal: AbortSignal,
): Promise<{ body: Readable; lastModified?: Date; length?: number }> {
  if (url.startsWith('file://') || url.startsWith('/')) {
    const path = url.startsWith('file://') ? fileURLToPath(url) : url;
    const body = createReadStream(path, { signal, highWaterMark: 1 << 20 });
    await new Promise<void>((resolve, reject) => {
      body.once('open', () => resolve());
      body.once('error', (err: NodeJS.ErrnoException) =>
        reject(new DownloadError(url, err.code === 'ENOENT' ? 'not found' : err.message, false)),
      );
    });
    return { body };
  }
  let res: Response;
  try {
    res = await fetch(url, { signal, redirect: 'follow' });
  } catch (err) {
    throw new DownloadError(url, describe(err), true);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => undefined);
    const retryable = res.status >= 500 || res.status === 429 || res.status === 408;
    throw new DownloadError(url, `HTTP ${res.status} ${res.statusText}`.trim(), retryable);
  }
  const len = res.headers.get('content-length');
  const lm = res.headers.get('last-modified');
  return {
    body: Readable.fromWeb(res.body as import('node:stream/web').ReadableStream),
    length: len !== null && /^\d+$/.test(len) ? Number(len) : undefined,
    lastModified: lm ? new Date(lm) : undefined,
  };
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as Error & { cause?: unknown }).cause;
  return cause instanceof Error ? `${err.message}: ${cause.message}` : err.message;
}
