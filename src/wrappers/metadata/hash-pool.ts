// Streaming file hashing on a bounded pool of worker threads: one file per worker at a time, every requested
// algorithm fed from one read pass, the next read in flight while the current chunk is hashed. Threads, because
// node:crypto hashes on the calling thread and one core caps the main thread well below the disks we read.
import { Worker } from 'node:worker_threads';
import { InterruptedError, WorkError } from '../errors.ts';
import { linkedSignal } from '../run/cancel.ts';

export interface FileDigest {
  path: string;
  size: number;
  /** algorithm (node:crypto name) -> lower-case hex */
  digests: Record<string, string>;
}

export interface Hasher {
  hash(path: string, algorithms: readonly string[]): Promise<FileDigest>;
  /** Stops the workers; pending hashes reject. */
  close(): Promise<void>;
}

const CHUNK = 4 << 20;

// Evaluated as a CommonJS script, so it needs no TypeScript loader inside the worker (tsx registers its hooks
// on the main thread only).
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { open } = require('node:fs/promises');
const CHUNK = ${CHUNK};
let bufs;
parentPort.on('message', async ({ id, path, algorithms }) => {
  let fh;
  try {
    bufs ??= [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
    const hashes = algorithms.map((a) => createHash(a));
    fh = await open(path, 'r');
    let pos = 0;
    let which = 0;
    let cur = await fh.read(bufs[0], 0, CHUNK, 0);
    while (cur.bytesRead > 0) {
      pos += cur.bytesRead;
      which ^= 1;
      const next = fh.read(bufs[which], 0, CHUNK, pos);
      const view = bufs[which ^ 1].subarray(0, cur.bytesRead);
      for (const h of hashes) h.update(view);
      cur = await next;
    }
    const digests = {};
    algorithms.forEach((a, i) => { digests[a] = hashes[i].digest('hex'); });
    parentPort.postMessage({ id, size: pos, digests });
  } catch (err) {
    parentPort.postMessage({ id, error: String((err && err.message) || err) });
  } finally {
    if (fh) await fh.close().catch(() => {});
  }
});
`;

interface Task {
  id: number;
  path: string;
  algorithms: readonly string[];
  resolve(d: FileDigest): void;
  reject(e: Error): void;
}

interface Reply {
  id: number;
  size?: number;
  digests?: Record<string, string>;
  error?: string;
}

export function createHasher(opts: { concurrency: number; signal?: AbortSignal }): Hasher {
  const max = Math.max(1, Math.floor(opts.concurrency));
  const signal = linkedSignal(opts.signal);
  const idle: Worker[] = [];
  const all = new Set<Worker>();
  const busy = new Map<Worker, Task>();
  const queue: Task[] = [];
  let nextId = 0;
  let closed = false;

  const onAbort = () => {
    for (const t of [...queue.splice(0), ...busy.values()])
      t.reject(new InterruptedError('hashing interrupted'));
    void shutdown();
  };
  signal.addEventListener('abort', onAbort, { once: true });

  const spawnWorker = (): Worker => {
    const w = new Worker(WORKER_SOURCE, { eval: true });
    all.add(w);
    w.on('message', (r: Reply) => {
      const t = busy.get(w);
      busy.delete(w);
      if (t && t.id === r.id) {
        if (r.error !== undefined) {
          t.reject(new WorkError(`cannot hash ${t.path}: ${r.error}`));
        } else t.resolve({ path: t.path, size: r.size!, digests: r.digests! });
      }
      idle.push(w);
      pump();
    });
    w.on('error', (err) => {
      const t = busy.get(w);
      busy.delete(w);
      all.delete(w);
      if (t) t.reject(err);
      pump();
    });
    return w;
  };

  const pump = () => {
    while (queue.length > 0 && !closed) {
      let w = idle.pop();
      if (!w) {
        if (all.size >= max) return;
        w = spawnWorker();
      }
      const t = queue.shift()!;
      busy.set(w, t);
      w.postMessage({ id: t.id, path: t.path, algorithms: [...t.algorithms] });
    }
  };

  const shutdown = async () => {
    closed = true;
    signal.removeEventListener('abort', onAbort);
    const ws = [...all];
    all.clear();
    idle.length = 0;
    await Promise.all(ws.map((w) => w.terminate()));
  };

  return {
    hash(path, algorithms) {
      if (closed) return Promise.reject(new Error('hasher is closed'));
      if (signal.aborted) return Promise.reject(new InterruptedError('hashing interrupted'));
      if (algorithms.length === 0) return Promise.reject(new TypeError('hash: no algorithm'));
      return new Promise<FileDigest>((resolve, reject) => {
        queue.push({ id: nextId++, path, algorithms, resolve, reject });
        pump();
      });
    },
    async close() {
      for (const t of [...queue.splice(0), ...busy.values()]) t.reject(new Error('hasher closed'));
      busy.clear();
      await shutdown();
    },
  };
}

/** Hashes many files on a temporary pool; results in the order of `paths`. */
export async function hashFiles(
  paths: readonly string[],
  algorithms: readonly string[],
  opts: { concurrency: number; signal?: AbortSignal },
): Promise<FileDigest[]> {
  const h = createHasher(opts);
  try {
    return await Promise.all(paths.map((p) => h.hash(p, algorithms)));
  } finally {
    await h.close();
  }
}
