// Where repository files come from: http(s):// through the global fetch, file:// URLs and plain paths through fs.
// Everything above this module sees one thing, a byte stream for (baseUrl, href).
import { createReadStream } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { RepoMetadataError } from './errors.ts';

export interface SourceOptions {
  signal?: AbortSignal;
}

const isHttp = (s: string): boolean => /^https?:\/\//i.test(s);

/** Resolves `href` (relative to the repo root, or carrying its own xml:base) to a URL or a local path. */
export function resolveLocation(baseUrl: string, href: string, xmlBase?: string): string {
  const base = xmlBase ?? baseUrl;
  if (isHttp(href) || href.startsWith('file://')) return href;
  if (isHttp(base) || base.startsWith('file://'))
    return new URL(href, base.endsWith('/') ? base : `${base}/`).href;
  return isAbsolute(href) ? href : join(resolve(base), href);
}

function localPath(loc: string): string {
  return loc.startsWith('file://') ? fileURLToPath(loc) : loc;
}

/** Opens a byte stream on a repository file. HTTP errors and missing files surface as RepoMetadataError. */
export async function openLocation(loc: string, opts: SourceOptions = {}): Promise<Readable> {
  if (isHttp(loc)) {
    let res: Response;
    try {
      res = await fetch(loc, { signal: opts.signal });
    } catch (err) {
      throw new RepoMetadataError(`GET ${loc} failed: ${(err as Error).message}`, 'is the mirror reachable?');
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw new RepoMetadataError(`GET ${loc}: HTTP ${res.status} ${res.statusText}`);
    }
    return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
  }
  const path = localPath(loc);
  const stream = createReadStream(path, {
    signal: opts.signal,
    highWaterMark: 256 * 1024,
  });
  // surface ENOENT as our error, before the caller starts wiring pipelines
  await new Promise<void>((ok, fail) => {
    stream.once('open', () => ok());
    stream.once('error', (err: NodeJS.ErrnoException) =>
      fail(
        err.code === 'ENOENT'
          ? new RepoMetadataError(`${path}: no such file`, 'is this the root of an rpm-md repository?')
          : err,
      ),
    );
  });
  return stream;
}

/** Reads a whole (small) file, e.g. repomd.xml. */
export async function readLocation(loc: string, opts: SourceOptions = {}): Promise<Buffer> {
  const stream = await openLocation(loc, opts);
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
