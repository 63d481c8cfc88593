// Reading a .tar.gz entry by entry with backpressure: the next compressed block is inflated only once the caller
// has taken the bytes before it, so memory stays at a few inflate buffers whatever a member's size (node-tar's own
// reader let a 2 GiB zero member pile up in RSS). Headers are decoded by node-tar's Header and Pax; extended
// headers (pax, GNU long names) are bounded; a damaged header or a truncated body is an error.
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Header, Pax } from 'tar';

/** A header as decoded (pending pax / long-name fields applied). */
export interface TarHeader {
  path: string;
  /** node-tar's type name: File, Directory, SymbolicLink, Link, CharacterDevice, ... */
  type: string;
  size: number;
  mode: number;
  mtime?: Date;
  linkpath?: string;
  /** The pax header of this entry carried GNU.sparse.* keys (a sparse file in disguise). */
  sparse: boolean;
}

/** Takes one member's body, chunk by chunk; a returned promise holds the reader until it settles. */
export interface BodySink {
  write(chunk: Buffer): void | Promise<void>;
  end(): void | Promise<void>;
}

/** Inflated bytes per chunk: large enough to keep syscalls few, small enough to keep memory flat. */
export const TAR_CHUNK = 256 * 1024;
/** A pax header or GNU long name longer than this is not a name. */
const MAX_META = 1024 * 1024;
const BLOCK = 512;
const META_TYPES = new Set([
  'ExtendedHeader',
  'GlobalExtendedHeader',
  'NextFileHasLongPath',
  'NextFileHasLongLinkpath',
]);

/**
 * Calls `onEntry` for each entry in archive order; its sink (if any) gets the body. Stops at the end-of-archive
 * block. `onEntry` may throw to stop the read; the error is passed on as it is.
 */
export async function readTarball(
  file: string,
  onEntry: (h: TarHeader) => BodySink | undefined | Promise<BodySink | undefined>,
  signal?: AbortSignal,
): Promise<void> {
  let pending = Buffer.alloc(0); // bytes of a header or extended header not yet complete
  let body = 0; // body bytes still to come for the current entry
  let pad = 0; // padding after it
  let sink: BodySink | undefined;
  let meta: { type: string; size: number; parts: Buffer[] } | undefined;
  let ex: Pax | undefined;
  let gex: Pax | undefined;
  let sparse = false;
  let ended = false;

  async function header(block: Buffer): Promise<void> {
    const h = new Header(block, 0, ex, gex);
    if (h.nullBlock) {
      ended = true;
      return;
    }
    if (!h.cksumValid) throw new Error('has a damaged header (checksum mismatch)');
    const type = String(h.type);
    const size = h.size ?? 0;
    if (!Number.isSafeInteger(size) || size < 0) throw new Error(`has a header with size ${size}`);
    body = size;
    pad = (BLOCK - (size % BLOCK)) % BLOCK;
    if (META_TYPES.has(type)) {
      if (size > MAX_META) throw new Error(`has a ${type} header of ${size} bytes`);
      meta = { type, size, parts: [] };
      return;
    }
    const entry: TarHeader = {
      path: h.path ?? '',
      type,
      size,
      mode: h.mode ?? 0o644,
      mtime: h.mtime,
      linkpath: h.linkpath,
      sparse,
    };
    ex = undefined;
    sparse = false;
    sink = (await onEntry(entry)) ?? undefined;
  }

  function endMeta(): void {
    const text = Buffer.concat(meta!.parts).toString('utf8');
    if (meta!.type === 'ExtendedHeader') {
      ex = Pax.parse(text, ex, false);
      if (/(^|\n)\d+ GNU\.sparse\./.test(text)) sparse = true;
    } else if (meta!.type === 'GlobalExtendedHeader') {
      gex = Pax.parse(text, gex, true);
    } else {
      ex = Object.assign(ex ?? new Pax({}), {
        [meta!.type === 'NextFileHasLongPath' ? 'path' : 'linkpath']: text.replace(/\0.*/s, ''),
      });
    }
    meta = undefined;
  }

  async function consume(chunk: Buffer): Promise<void> {
    let at = 0;
    while (at < chunk.length && !ended) {
      if (body > 0) {
        const n = Math.min(body, chunk.length - at);
        const part = chunk.subarray(at, at + n);
        if (meta) meta.parts.push(Buffer.from(part));
        else if (sink) await sink.write(part);
        body -= n;
        at += n;
        if (body === 0) await finishBody();
        continue;
      }
      if (pad > 0) {
        const n = Math.min(pad, chunk.length - at);
        pad -= n;
        at += n;
        continue;
      }
      const need = BLOCK - pending.length;
      const take = chunk.subarray(at, at + need);
      at += take.length;
      pending = pending.length ? Buffer.concat([pending, take]) : Buffer.from(take);
      if (pending.length < BLOCK) continue;
      const block = pending;
      pending = Buffer.alloc(0);
      await header(block);
      if (body === 0 && !ended) await finishBody();
    }
  }

  async function finishBody(): Promise<void> {
    if (meta) return endMeta();
    const s = sink;
    sink = undefined;
    await s?.end();
  }

  // pipeline() reports its own AbortError when the consumer throws: keep the consumer's error to pass on
  let stopped: unknown;
  try {
    await pipeline(
      createReadStream(file, { highWaterMark: 64 * 1024 }),
      createGunzip({ chunkSize: TAR_CHUNK }),
      async function (source: AsyncIterable<Buffer>) {
        try {
          for await (const chunk of source) {
            await consume(chunk);
            if (ended) break; // what follows the end-of-archive block is not read
          }
        } catch (err) {
          stopped = err;
          throw err;
        }
      },
      { signal },
    );
  } catch (err) {
    // leaving the loop at the end block closes the streams early, which pipeline() calls an abort
    if (!(ended && stopped === undefined && !signal?.aborted)) throw stopped ?? err;
  }
  if (!ended)
    throw new Error(
      body > 0 || meta || sink ? 'is truncated inside an entry' : 'has no end-of-archive block',
    );
}
