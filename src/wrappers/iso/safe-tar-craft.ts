// Test support only: writes a .tar.gz header by header, so archives no honest tar tool makes (absolute paths, "..",
// links out, devices) can be fed to the safe unpacker in unit and integration tests.
import { gzipSync } from 'node:zlib';
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
