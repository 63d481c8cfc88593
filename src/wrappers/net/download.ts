// Downloads one file over http(s) or file:// to its final path, verifying size and checksum while streaming.
// Bytes go to a temporary sibling and are renamed into place only once verified, so a file at its final name is
// always whole. Timeouts, 5xx, 429, 408, short and corrupt bodies are retried with exponential backoff; 4xx are
// not. Small bodies are verified in memory and written with one call; large ones stream to disk.
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
import { httpGet, RedirectError, setMaxSockets, stalled, StallError } from './http-get.ts';

export { setMaxSockets as setDownloadSockets };

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
  let res: IncomingMessage;
  try {
    ({ res } = await httpGet(url, signal, stallMs));
  } catch (err) {
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
    throw new DownloadError(url, `server announces ${length} bytes, metadata says ${opts.size}`, true);
  }
  const v = verifier(url, opts);
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
    if (stalled(res) && !signal.aborted) throw new DownloadError(url, `stalled for ${stallMs} ms`, true);
    throw err;
  }
  return { bytes: v.bytes, lastModified };
}

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

/** Counts, hashes and reports bytes as they arrive; check() then compares with the announced and expected. */
function verifier(url: string, opts: DownloadOptions) {
  const hash: Hash | undefined = opts.checksum ? createHash(hashName(opts.checksum.type)) : undefined;
  const v = {
    bytes: 0,
    add(c: Buffer) {
      v.bytes += c.length;
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
  const v = verifier(url, opts);
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
