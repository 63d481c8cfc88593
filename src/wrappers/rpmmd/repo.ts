// The rpm-md client: from a repository base URL (http(s)://, file:// or a path) to repomd.xml, then packages from
// primary.xml and file lists from filelists.xml, each streamed, decompressed and checked against repomd.xml.
import type { Readable } from 'node:stream';
import {
  type Compression,
  compressionOf,
  decompressedBytes,
  decompressedText,
  type VerifyExpect,
} from './decompress.ts';
import { RepoMetadataError } from './errors.ts';
import { parseFilelists } from './filelists.ts';
import type { Interner } from './intern.ts';
import { parsePrimary } from './primary.ts';
import { fetchRepomd, findRecord } from './repomd.ts';
import { openLocation, resolveLocation } from './source.ts';
import type { FilelistEntry, Package, RepoMd, RepoMdRecord } from './types.ts';

export interface ReadOptions {
  signal?: AbortSignal;
  /** Share strings between repos (a compose reads the same names many times). */
  interner?: Interner;
  /** Check the checksum and size repomd.xml gives for the file (default true). */
  verify?: boolean;
  /**
   * streamPrimary/loadRepo: read dependency lists and files (default true). A caller that needs none (sync-repos
   * mirrors by NEVRA and location) passes false: packages come with empty lists and parsing holds no dep data.
   */
  deps?: boolean;
  /**
   * The most decompressed bytes of one metadata file accepted (default METADATA_MAX_BYTES, the site's
   * limits.metadata_max_bytes); its repomd record's open-size, when smaller, caps it too.
   */
  maxBytes?: number;
}

/** The decompressed text of one metadata file, verified against its repomd record as it streams. */
export async function* metadataText(
  baseUrl: string,
  record: RepoMdRecord,
  opts: ReadOptions = {},
): AsyncGenerator<string> {
  const [input, compression, expect] = await openMetadata(baseUrl, record, opts);
  yield* decompressedText(input, compression, expect, { signal: opts.signal });
}

/** The decompressed bytes of one metadata file (comps, modules: copied, not parsed), verified as metadataText. */
export async function* metadataBytes(
  baseUrl: string,
  record: RepoMdRecord,
  opts: ReadOptions = {},
): AsyncGenerator<Buffer> {
  const [input, compression, expect] = await openMetadata(baseUrl, record, opts);
  yield* decompressedBytes(input, compression, expect, { signal: opts.signal });
}

async function openMetadata(
  baseUrl: string,
  record: RepoMdRecord,
  opts: ReadOptions,
): Promise<[Readable, Compression, VerifyExpect]> {
  const loc = resolveLocation(baseUrl, record.location.href, record.location.base);
  const compression = compressionOf(record.location.href);
  const input = await openLocation(loc, { signal: opts.signal });
  const verify = opts.verify !== false;
  return [
    input,
    compression,
    {
      what: loc,
      checksum: verify ? record.checksum : undefined,
      size: verify ? record.size : undefined,
      openSize: record.openSize,
      maxBytes: opts.maxBytes,
    },
  ];
}

function requireRecord(repomd: RepoMd, type: string, baseUrl: string): RepoMdRecord {
  const rec = findRecord(repomd, type);
  if (!rec) throw new RepoMetadataError(`${baseUrl}: repomd.xml has no ${type} record`);
  return rec;
}

/** Streams the packages of a repository's primary.xml. */
export function streamPrimary(
  baseUrl: string,
  repomd: RepoMd,
  opts: ReadOptions = {},
): AsyncGenerator<Package> {
  const rec = requireRecord(repomd, 'primary', baseUrl);
  return parsePrimary(metadataText(baseUrl, rec, opts), {
    interner: opts.interner,
    what: rec.location.href,
    deps: opts.deps,
  });
}

/** Streams the file lists of a repository's filelists.xml. */
export function streamFilelists(
  baseUrl: string,
  repomd: RepoMd,
  opts: ReadOptions & { detachPaths?: boolean } = {},
): AsyncGenerator<FilelistEntry> {
  const rec = requireRecord(repomd, 'filelists', baseUrl);
  return parseFilelists(metadataText(baseUrl, rec, opts), {
    interner: opts.interner,
    what: rec.location.href,
    detachPaths: opts.detachPaths,
  });
}

export interface LoadedRepo {
  /** The id used in reports ("BaseOS"). */
  id: string;
  baseUrl: string;
  repomd: RepoMd;
  packages: Package[];
  /**
   * Streams filelists.xml on demand (repoclosure calls it only when primary's files are not enough); undefined
   * when the repository has no filelists record.
   */
  filelists?: (opts?: { detachPaths?: boolean }) => AsyncIterable<FilelistEntry>;
}

/** Reads repomd.xml and all of primary.xml into memory; filelists stay on disk/remote until asked for. */
export async function loadRepo(id: string, baseUrl: string, opts: ReadOptions = {}): Promise<LoadedRepo> {
  const repomd = await fetchRepomd(baseUrl, { signal: opts.signal });
  const packages: Package[] = [];
  for await (const p of streamPrimary(baseUrl, repomd, opts)) packages.push(p);
  return {
    id,
    baseUrl,
    repomd,
    packages,
    filelists: findRecord(repomd, 'filelists')
      ? (o = {}) => streamFilelists(baseUrl, repomd, { ...opts, ...o })
      : undefined,
  };
}
