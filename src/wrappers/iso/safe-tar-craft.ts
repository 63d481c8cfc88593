// Test support only: writes a .tar.gz header by header, so archives no honest tar tool makes (absolute paths, "..",
// links out, devices, zero bombs) can be fed to the safe unpacker in unit and integration tests.
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import { Header, type HeaderData } from 'tar';

export type CraftedEntry = HeaderData & { body?: string | Buffer };

export function craftTarball(entries: readonly CraftedEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const { body, ...h } of entries) {
    const data = Buffer.isBuffer(body) ? body : Buffer.from(body ?? '');
    const header = new Header({
      mode: 0o644,
      uid: 0,
      gid: 0,
      mtime: new Date(1_700_000_000_000),
      size: data.length,
      type: 'File',
      ...h,
    });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block);
    if (data.length) blocks.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** A header as craftTarball writes it, with `size` given apart from any body. */
function headerBlock(h: HeaderData, size: number): Buffer {
  const block = Buffer.alloc(512);
  new Header({
    mode: 0o644,
    uid: 0,
    gid: 0,
    mtime: new Date(1_700_000_000_000),
    type: 'File',
    ...h,
    size,
  }).encode(block, 0);
  return block;
}

export type StreamedEntry = HeaderData & { body?: string | Buffer; zeros?: number };

/**
 * Writes a .tar.gz to `file` as a stream, so a member of `zeros` zero bytes (a zero bomb of any size) costs no
 * memory to make. `level` 1 keeps a 2 GiB member to seconds of CPU (and ~9 MB of gzip).
 */
export async function craftTarballFile(
  file: string,
  entries: readonly StreamedEntry[],
  level = 1,
): Promise<void> {
  const gz = createGzip({ level });
  const done = pipeline(gz, createWriteStream(file));
  const write = (b: Buffer) => new Promise<void>((r) => (gz.write(b) ? r() : gz.once('drain', r)));
  const chunk = Buffer.alloc(1 << 20);
  for (const { body, zeros, ...h } of entries) {
    const data = Buffer.isBuffer(body) ? body : Buffer.from(body ?? '');
    const size = zeros ?? h.size ?? data.length;
    await write(headerBlock(h, size));
    if (zeros === undefined) await write(data);
    else
      for (let left = zeros; left > 0; left -= chunk.length)
        await write(chunk.subarray(0, Math.min(left, chunk.length)));
    await write(Buffer.alloc((512 - (size % 512)) % 512));
  }
  gz.end(Buffer.alloc(1024));
  await done;
}
