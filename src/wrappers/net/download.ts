// Downloads one file over http(s) or file:// to its final path, verifying size and checksum while streaming.
// Bytes go to a temporary sibling and are renamed into place only once verified, so a file at its final name is
// always whole. Timeouts, 5xx, 429, 408, short and corrupt bodies are retried with exponential backoff; 4xx, a body
// longer than announced (cut off there) and one too slow for the minimum rate (ended at its deadline) are not.
// Small bodies are verified in memory and written with one call; large ones stream to disk.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, writeFile } from 'node:fs';
import { mkdir, rename, rm, utimes } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { pipeToFile, tempSibling } from '../compose/atomic.ts';
import { fileSystemError, InterruptedError, WorkError } from '../errors.ts';
import { linkedSignal, sleep } from '../run/cancel.ts';
import { attemptDeadline, rateGuard } from './rate-guard.ts';
import {
  DeadlineError,
  endReason,
  httpGet,
  RedirectError,
  type RedirectPolicy,
  setMaxSockets,
  StallError,
} from './http-get.ts';

export { setMaxSockets as setDownloadSockets };
export type { RedirectPolicy };

/** Bodies up to this size are held in memory (at most one per concurrent download) and written at once. */
const BUFFER_MAX = 8 << 20;

export interface Expected {
  /** Any algorithm node's crypto knows: sha256, sha512, sha1, md5 ... (createrepo_c's 'sha' means sha1). */
  checksum?: { type: string; value: string };
  size?: number;
}

export interface DownloadOptions extends Expected {
  /** Already linked to the process-wide cancel signal (run/cancel.ts linkedSignal); defaults to linkedSignal(). */
  signal?: AbortSignal;
  /** The caller made dest's folder already: skip the mkdir. */
  parentExists?: boolean;
  /** Attempts in all, including the first. */
  attempts?: number;
  /** Abort an attempt when no byte arrived for this long. */
  stallMs?: number;
  backoffMs?: number;
  /** Called with each chunk's length, for progress. */
  onBytes?: (n: number) => void;
  /** Stamp the file with this modification time (seconds since the epoch) before it takes its final name. */
  mtime?: number;
  /** Where http redirects may go (default: anywhere). */
  redirects?: RedirectPolicy;
  /** Without a `size`: the most bytes accepted; a longer body is cut off there and not retried. */
  maxBytes?: number;
  /**
   * Bytes per second an attempt must average: it ends (not retried) after max(deadlineFloorMs, size / minRate),
   * whatever trickles in meanwhile, when the size or maxBytes is known (default rate-guard.ts MIN_RATE).
   */
  minRate?: number;
  deadlineFloorMs?: number;
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
  const signal = opts.signal ?? linkedSignal();
  if (!opts.parentExists) await mkdir(dirname(dest), { recursive: true });
  let last: DownloadError | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (signal.aborted) throw new InterruptedError(`download interrupted: ${url}`);
    const tmp = tempSibling(dest);
    try {
      const res = isLocal(url)
        ? await copyLocal(url, tmp, opts, signal)
        : await fetchHttp(url, tmp, opts, signal);
      if (opts.mtime !== undefined) await utimes(tmp, opts.mtime, opts.mtime);
      await rename(tmp, dest);
      return { ...res, attempts: attempt };
    } catch (err) {
      await rm(tmp, { force: true });
      if (signal.aborted) throw new InterruptedError(`download interrupted: ${url}`);
      // our disk, not the upstream: retrying cannot help, and the error names the file
      const local = fileSystemError(err, dest);
      if (local) throw local;
      last = err instanceof DownloadError ? err : new DownloadError(url, describe(err), true);
      if (!last.retryable || attempt === attempts) break;
      const base = (opts.backoffMs ?? 250) * 2 ** (attempt - 1);
      await sleep(base / 2 + Math.random() * base, signal);
    }
  }
  throw last ?? new DownloadError(url, 'failed', false);
}

type Attempt = Omit<DownloadResult, 'attempts'>;

const isLocal = (url: string) => url.startsWith('file://') || url.startsWith('/');

async function fetchHttp(
  url: string,
  tmp: string,
  opts: DownloadOptions,
  signal: AbortSignal,
): Promise<Attempt> {
  const stallMs = opts.stallMs ?? 30_000;
  const start = Date.now();
  const deadlineMs = attemptDeadline(opts);
  const deadline = deadlineMs === undefined ? undefined : start + deadlineMs;
  let res: IncomingMessage;
  try {
    ({ res } = await httpGet(url, signal, stallMs, { redirects: opts.redirects, deadline }));
  } catch (err) {
    if (err instanceof DeadlineError) throw tooSlow(url, deadlineMs!);
    throw new DownloadError(url, describe(err), !(err instanceof RedirectError));
  }
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 299) {
    res.resume();
    const retryable = status >= 500 || status === 429 || status === 408;
    throw new DownloadError(url, `HTTP ${status} ${res.statusMessage ?? ''}`.trim(), retryable);
  }
  const len = res.headers['content-length'];
  const length = len !== undefined && /^\d+$/.test(len) ? Number(len) : undefined;
  const lm = res.headers['last-modified'];
  const lastModified = lm ? new Date(lm) : undefined;
  if (opts.size !== undefined && length !== undefined && length !== opts.size) {
    res.destroy();
    // a server that promises more will send more every time; one that promises less may be mid-update
    throw new DownloadError(
      url,
      `server announces ${length} bytes, metadata says ${opts.size}`,
      length < opts.size,
    );
  }
  const cap = opts.size ?? opts.maxBytes;
  if (cap !== undefined && length !== undefined && length > cap) {
    res.destroy();
    throw new DownloadError(url, `server announces ${length} bytes, more than the ${cap} accepted`, false);
  }
  const v = verifier(url, opts, (err) => res.destroy(err));
  // the size may be a lie meant to stretch the deadline: past the floor, the body must also keep the average up
  const guard =
    deadline === undefined
      ? undefined
      : rateGuard(
          start,
          opts,
          () => v.bytes,
          (ms) => res.destroy(tooSlowSoFar(url, v.bytes, ms)),
        );
  try {
    if (length !== undefined && length <= BUFFER_MAX) {
      const chunks: Buffer[] = [];
      await consume(res, (c) => {
        v.add(c);
        chunks.push(c);
      });
      v.check(length);
      await writeWhole(tmp, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, v.bytes));
    } else {
      res.on('data', (c: Buffer) => v.add(c));
      await pipeToFile(tmp, [res]);
      v.check(length);
    }
  } catch (err) {
    const why = signal.aborted ? undefined : endReason(res);
    if (why instanceof StallError) throw new DownloadError(url, `stalled for ${stallMs} ms`, true);
    if (why instanceof DeadlineError) throw tooSlow(url, deadlineMs!);
    throw err;
  } finally {
    guard?.stop();
  }
  return { bytes: v.bytes, lastModified };
}

// a body that drips below the minimum rate would drip again on a retry: refuse it instead of paying N deadlines
const tooSlow = (url: string, ms: number) =>
  new DownloadError(url, `not done within ${ms} ms: below the minimum download rate; not retried`, false);
const tooSlowSoFar = (url: string, bytes: number, ms: number) =>
  new DownloadError(url, `${bytes} bytes in ${ms} ms: below the minimum download rate; not retried`, false);

/** fs.writeFile's callback form: no FileHandle object per file, measurably cheaper across thousands of files. */
function writeWhole(path: string, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => writeFile(path, data, (err) => (err ? reject(err) : resolve())));
}

/** Reads a response to its end; a connection that closes first is a short body. */
function consume(res: IncomingMessage, onChunk: (c: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let ended = false;
    res.on('data', onChunk);
    res.once('end', () => {
      ended = true;
      resolve();
    });
    res.on('error', reject);
    res.once('close', () => {
      if (!ended) reject(new Error('connection closed before the body ended'));
    });
  });
}

/**
 * Counts, hashes and reports bytes as they arrive; check() then compares with the announced and expected. A body
 * that runs past the size (or maxBytes) is cut off there through `cut`, with an error that is not retried.
 */
function verifier(url: string, opts: DownloadOptions, cut: (err: Error) => void) {
  const hash: Hash | undefined = opts.checksum ? createHash(hashName(opts.checksum.type)) : undefined;
  const cap = opts.size ?? opts.maxBytes;
  const v = {
    bytes: 0,
    add(c: Buffer) {
      v.bytes += c.length;
      if (cap !== undefined && v.bytes > cap) {
        const what = opts.size !== undefined ? 'the metadata announces' : 'are accepted';
        cut(new DownloadError(url, `body runs past the ${cap} bytes ${what}: cut off there`, false));
        return;
      }
      hash?.update(c);
      opts.onBytes?.(c.length);
    },
    check(length: number | undefined) {
      if (length !== undefined && v.bytes !== length)
        throw new DownloadError(url, `short body: got ${v.bytes} of ${length} bytes`, true);
      if (opts.size !== undefined && v.bytes !== opts.size)
        throw new DownloadError(url, `size mismatch: got ${v.bytes} bytes, expected ${opts.size}`, true);
      if (hash && opts.checksum) {
        const got = hash.digest('hex');
        if (got !== opts.checksum.value.toLowerCase())
          throw new DownloadError(
            url,
            `${opts.checksum.type} mismatch: got ${got}, expected ${opts.checksum.value}`,
            true,
          );
      }
    },
  };
  return v;
}

async function copyLocal(
  url: string,
  tmp: string,
  opts: DownloadOptions,
  signal: AbortSignal,
): Promise<Attempt> {
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const body: Readable = createReadStream(path, { signal, highWaterMark: 1 << 20 });
  await new Promise<void>((resolve, reject) => {
    body.once('open', () => resolve());
    body.once('error', (err: NodeJS.ErrnoException) =>
      reject(new DownloadError(url, err.code === 'ENOENT' ? 'not found' : err.message, false)),
    );
  });
  const v = verifier(url, opts, (err) => body.destroy(err));
  body.on('data', (c: Buffer) => v.add(c));
  await pipeToFile(tmp, [body]);
  v.check(undefined);
  return { bytes: v.bytes };
}

function describe(err: unknown): string {
  if (err instanceof StallError) return err.message;
  if (!(err instanceof Error)) return String(err);
  const cause = (err as Error & { cause?: unknown }).cause;
  return cause instanceof Error ? `${err.message}: ${cause.message}` : err.message;
}
