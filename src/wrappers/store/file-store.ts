// The file:// backend: each object is a file under the store's folder, its sha256 in a `<file>.sha256` sidecar
// (sha256sum format). Object and sidecar are written to temp names and renamed into place, so a reader sees either
// the old pair, the new pair, or a mismatch it refuses; never a half-written object accepted as whole.
import { createReadStream } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, join, posix, resolve } from 'node:path';
import { TEMP_NAME, writeFileAtomic } from '../compose/atomic.ts';
import { UsageError, WorkError } from '../errors.ts';
import { checkKey, checkPrefix } from './keys.ts';
import type { ArtifactStore, GetOptions, PutOptions, StoredObject } from './store.ts';
import { writeVerified } from './verified-write.ts';

const SIDECAR = '.sha256';

export class FileStore implements ArtifactStore {
  readonly url: string;
  private readonly root: string;

  /** `root` is the folder (relative paths resolve against the working directory). */
  constructor(root: string) {
    this.root = resolve(root);
    this.url = `file://${this.root}`;
  }

  private pathOf(key: string): string {
    checkKey(key);
    // the sidecar of `a` is `a.sha256`: an object with that name would overwrite it
    if (key.endsWith(SIDECAR))
      throw new UsageError(
        `bad store key ${JSON.stringify(key)}: "${SIDECAR}" names the file store's checksums`,
      );
    return join(this.root, ...key.split('/'));
  }

  async put(key: string, file: string, opts: PutOptions = {}): Promise<StoredObject> {
    const dest = this.pathOf(key);
    // the same verified copy downloads use: a caller-given digest must match the bytes, or nothing lands
    const written = await writeVerified(createReadStream(file, { highWaterMark: 1 << 20 }), dest, {
      what: file,
      sha256: opts.sha256,
      verify: opts.sha256 !== undefined,
      onBytes: opts.onBytes,
    });
    await writeFileAtomic(`${dest}${SIDECAR}`, `${written.sha256}  ${basename(dest)}\n`);
    const st = await stat(dest);
    return { key, size: written.size, lastModified: st.mtime, sha256: written.sha256 };
  }

  async get(key: string, dest: string, opts: GetOptions = {}): Promise<StoredObject> {
    const src = this.pathOf(key);
    const head = await this.head(key);
    if (!head) throw new WorkError(`no object ${key} in ${this.url}`);
    const written = await writeVerified(createReadStream(src, { highWaterMark: 1 << 20 }), dest, {
      what: `${this.url}/${key}`,
      size: head.size,
      sha256: head.sha256,
      verify: opts.verify ?? true,
      onBytes: opts.onBytes,
      signal: opts.signal,
    });
    return { ...head, size: written.size, sha256: head.sha256 ?? written.sha256 };
  }

  async head(key: string): Promise<StoredObject | undefined> {
    const path = this.pathOf(key);
    const st = await stat(path).catch(() => undefined);
    if (!st?.isFile()) return undefined;
    return { key, size: st.size, lastModified: st.mtime, sha256: await readSidecar(path) };
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    checkPrefix(prefix);
    // walk only the folder the prefix names; its last partial segment filters the names in it
    const dirPart = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    yield* this.walk(dirPart, prefix);
  }

  private async *walk(dirKey: string, prefix: string): AsyncIterable<StoredObject> {
    const dir = dirKey ? join(this.root, ...dirKey.split('/')) : this.root;
    const entries = await readdir(dir, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return [];
      throw e;
    });
    // S3 lists in key order; so do we, so both backends page through the same sequence
    const names = entries
      .filter((e) => !TEMP_NAME.test(e.name) && !(e.isFile() && e.name.endsWith(SIDECAR)))
      .map((e) => ({ key: dirKey ? posix.join(dirKey, e.name) : e.name, dir: e.isDirectory() }))
      .sort((a, b) => cmp(a.dir ? `${a.key}/` : a.key, b.dir ? `${b.key}/` : b.key));
    for (const { key, dir: isDir } of names) {
      if (isDir) {
        if (`${key}/`.startsWith(prefix) || prefix.startsWith(`${key}/`)) yield* this.walk(key, prefix);
      } else if (key.startsWith(prefix)) {
        const obj = await this.head(key);
        if (obj) yield obj;
      }
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    await rm(path, { force: true });
    await rm(`${path}${SIDECAR}`, { force: true });
  }
}

async function readSidecar(path: string): Promise<string | undefined> {
  const text = await readFile(`${path}${SIDECAR}`, 'utf8').catch(() => undefined);
  const hex = text?.split(/\s/, 1)[0];
  return hex && /^[0-9a-f]{64}$/.test(hex) ? hex : undefined;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
