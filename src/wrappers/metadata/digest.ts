// The file and bytes digests everything else uses (unit ids, records, CHECKSUM verification): sha256, streamed
// in 1 MiB reads so a 10 GB DVD never sits in memory.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Hex digest of a file in any algorithm node's crypto knows (the release's `checksum`). */
export async function digestFile(path: string, algorithm: string): Promise<string> {
  const h = createHash(algorithm);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

export function sha256File(path: string): Promise<string> {
  return digestFile(path, 'sha256');
}

/** Digests of files under `root`, by `/`-separated relative path. */
export async function digestFiles(
  root: string,
  rels: readonly string[],
  algorithm: string,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const rel of rels) out.set(rel, await digestFile(join(root, ...rel.split('/')), algorithm));
  return out;
}
