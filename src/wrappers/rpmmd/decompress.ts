// Turns a stored metadata file into decompressed chunks, verifying the stored file's checksum and size (what
// repomd.xml records) on the fly. gzip uses node's zlib; xz, bzip2 and zstd (node 20 zlib has none of them) go
// through the `xz`/`bzip2`/`zstd` filters started by the runner, so nothing is ever held whole in memory. Input
// past the recorded size and output past the open-size (or a ceiling) stop the stream at once: a bomb of a few
// KiB never gets to unpack its gigabytes.
import { createHash, getHashes } from 'node:crypto';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { spawnStream } from '../run/runner.ts';
import { ChecksumMismatchError, MetadataTooLargeError, RepoMetadataError } from './errors.ts';
import { METADATA_MAX_BYTES } from './limits.ts';
import type { Checksum } from './types.ts';

export type Compression = 'none' | 'gz' | 'xz' | 'bz2' | 'zst';

export function compressionOf(href: string): Compression {
  const m = /\.(gz|xz|bz2|zst|zck)$/.exec(href);
  if (!m) return 'none';
  if (m[1] === 'zck') {
    throw new RepoMetadataError(
      `${href}: zchunk metadata is not supported`,
      'use the non-zck record of repomd.xml',
    );
  }
  return m[1] as Compression;
}

/** repomd.xml names; "sha" is sha1 in yum's vocabulary. */
export function normaliseChecksumType(t: string): string {
  const lower = t.toLowerCase();
  return lower === 'sha' ? 'sha1' : lower;
}

export interface VerifyExpect {
  what: string;
  checksum?: Checksum;
  size?: number;
  /** repomd.xml's open-size: the decompressed content may not be longer. */
  openSize?: number;
  /** The most decompressed bytes accepted whatever open-size says (default METADATA_MAX_BYTES). */
  maxBytes?: number;
}

/** A pass-through that hashes and counts the bytes and fails at the end of the stream when they do not match. */
export class VerifyingTap extends Transform {
  private readonly hash;
  private bytes = 0;
  constructor(private readonly expect: VerifyExpect) {
    super();
    const t = expect.checksum?.type;
    if (t && !getHashes().includes(t)) {
      throw new RepoMetadataError(`${expect.what}: unsupported checksum type ${t}`);
    }
    this.hash = t ? createHash(t) : undefined;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    const { size } = this.expect;
    // a body longer than recorded is wrong already: no point reading (or unpacking) the rest
    if (size !== undefined && this.bytes > size) {
      cb(new ChecksumMismatchError(this.expect.what, `${size} bytes`, `more than ${size} bytes`));
      return;
    }
    this.hash?.update(chunk);
    cb(null, chunk);
  }
  override _flush(cb: TransformCallback): void {
    const { what, checksum, size } = this.expect;
    if (size !== undefined && size !== this.bytes) {
      cb(new ChecksumMismatchError(what, `${size} bytes`, `${this.bytes} bytes`));
      return;
    }
    if (checksum && this.hash) {
      const got = this.hash.digest('hex');
      if (got !== checksum.value.toLowerCase()) {
        cb(new ChecksumMismatchError(what, `${checksum.type}:${checksum.value}`, `${checksum.type}:${got}`));
        return;
      }
    }
    cb();
  }
}

const FILTERS: Record<Exclude<Compression, 'none' | 'gz'>, string[]> = {
  // a crafted header can ask for a 1.5 GiB dictionary; xz -9e needs 65 MiB
  xz: ['xz', '-dc', '--memlimit-decompress=256MiB'],
  bz2: ['bzip2', '-dc'],
  zst: ['zstd', '-dc', '-q'],
};

/**
 * Yields the decompressed content of `input` as UTF-8 text chunks. Verification errors (checksum, size) and
 * decompressor failures are thrown from the iterator, at the latest after the last chunk: consume it to the end
 * before trusting what it gave you.
 */
export async function* decompressedText(
  input: Readable,
  compression: Compression,
  expect: VerifyExpect,
  opts: { signal?: AbortSignal } = {},
): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  for await (const chunk of decompressedBytes(input, compression, expect, opts)) yield decoder.write(chunk);
  const rest = decoder.end();
  if (rest) yield rest;
}

/**
 * The decompressed bytes of `input`, as decompressedText gives its text: throws MetadataTooLargeError as soon as
 * they pass the open-size or the ceiling, before the chunk that passed it is handed out.
 */
export async function* decompressedBytes(
  input: Readable,
  compression: Compression,
  expect: VerifyExpect,
  opts: { signal?: AbortSignal } = {},
): AsyncGenerator<Buffer> {
  const ceiling = expect.maxBytes ?? METADATA_MAX_BYTES;
  const cap = expect.openSize !== undefined && expect.openSize < ceiling ? expect.openSize : ceiling;
  let total = 0;
  for await (const chunk of rawOutput(input, compression, expect, opts)) {
    total += chunk.length;
    if (total > cap) throw new MetadataTooLargeError(expect.what, cap, cap !== ceiling);
    yield chunk;
  }
}

async function* rawOutput(
  input: Readable,
  compression: Compression,
  expect: VerifyExpect,
  opts: { signal?: AbortSignal },
): AsyncGenerator<Buffer> {
  const tap = new VerifyingTap(expect);
  input.on('error', (err) => tap.destroy(err));
  input.pipe(tap);
  if (compression === 'none' || compression === 'gz') {
    let out: Readable = tap;
    if (compression === 'gz') {
      // zlib's 16 KiB default means ~60k parser writes and async steps per GB of XML; 256 KiB cuts that 16-fold
      const gunzip = createGunzip({ chunkSize: 256 * 1024 });
      tap.on('error', (err) => gunzip.destroy(err));
      out = tap.pipe(gunzip);
    }
    try {
      for await (const chunk of out) yield chunk as Buffer;
    } finally {
      input.destroy();
      out.destroy();
    }
    return;
  }
  const ac = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, ac.signal]) : ac.signal;
  const child = spawnStream(FILTERS[compression], { stdin: tap, signal });
  try {
    for await (const chunk of child.stdout) yield chunk as Buffer;
    await child.done;
  } finally {
    ac.abort();
    input.destroy();
  }
}
