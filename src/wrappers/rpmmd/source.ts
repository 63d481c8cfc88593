// Where repository files come from: http(s):// through net/http-get (redirects kept on the repo's host), file://
// URLs and plain paths through fs. Everything above this module sees one thing, a byte stream for (baseUrl, href),
// and every href is resolved by rpmmd/location.ts, so it cannot name anything outside its repo.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { httpGet } from '../net/http-get.ts';
import { cancelSignal } from '../run/cancel.ts';
import { RepoMetadataError } from './errors.ts';

export { resolveLocation } from './location.ts';

export interface SourceOptions {
  signal?: AbortSignal;
}

const isHttp = (s: string): boolean => /^https?:\/\//i.test(s);

function localPath(loc: string): string {
  return loc.startsWith('file://') ? fileURLToPath(loc) : loc;
}

/** Opens a byte stream on a repository file. HTTP errors and missing files surface as RepoMetadataError. */
export async function openLocation(loc: string, opts: SourceOptions = {}): Promise<Readable> {
  if (isHttp(loc)) {
    let res: Readable & { statusCode?: number; statusMessage?: string };
    try {
      // metadata: a redirect to another host is refused (a hostile repo must not make us request a third party)
      ({ res } = await httpGet(loc, opts.signal ?? cancelSignal, 30_000, { redirects: { hosts: [] } }));
    } catch (err) {
      throw new RepoMetadataError(`GET ${loc} failed: ${(err as Error).message}`, 'is the mirror reachable?');
    }
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) {
      res.resume();
      throw new RepoMetadataError(`GET ${loc}: HTTP ${status} ${res.statusMessage ?? ''}`.trim());
    }
    return res;
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
