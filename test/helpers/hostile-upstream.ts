// A hostile upstream for tests: a private copy of the fixture distro's trees served on 127.0.0.1, with hooks to
// rewrite a tree's repomd.xml or primary.xml (the repomd record then matches the new file, as a careful attacker
// would make it) and to misbehave on chosen paths: redirect elsewhere, drip the body, or send more than the file.
// Every response it starts ends when the server closes; request paths are recorded, so a test can show that a
// refused URL was never fetched.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { cp, mkdtemp, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

export type Misbehaviour =
  /** 302 to this URL (absolute, e.g. another server's). */
  | { kind: 'redirect'; to: string }
  /** The right Content-Length, then one byte every `intervalMs`. */
  | { kind: 'drip'; intervalMs: number }
  /** The file, then `extraBytes` more, without a Content-Length (chunked). */
  | { kind: 'oversize'; extraBytes: number };

export interface HostileUpstream {
  /** http://127.0.0.1:PORT, no trailing slash. */
  url: string;
  /** The served copy (the fixture's upstream/ layout: <Repo>/<arch>/os, ...). */
  dir: string;
  /** Decoded paths of every request, in order. */
  requests: string[];
  /** Rewrites <tree>/repodata/repomd.xml (tree relative to dir, e.g. 'BaseOS/x86_64/os'). */
  rewriteRepomd(tree: string, edit: (xml: string) => string): Promise<void>;
  /** Rewrites the tree's decompressed primary.xml, storing it gzipped with a repomd record that matches it. */
  rewritePrimary(tree: string, edit: (xml: string) => string): Promise<void>;
  /** From now on, GETs of this path (as requested, decoded) misbehave. */
  misbehave(path: string, how: Misbehaviour): void;
  close(): Promise<void>;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export async function hostileUpstream(fixtureUpstream: string): Promise<HostileUpstream> {
  const top = await mkdtemp(join(tmpdir(), 'horno-hostile-'));
  const dir = join(top, 'upstream');
  await cp(fixtureUpstream, dir, { recursive: true });
  const root = await realpath(dir);
  const rules = new Map<string, Misbehaviour>();
  const requests: string[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const serveFile = async (path: string, res: ServerResponse, how: Misbehaviour | undefined) => {
    const file = resolve(root, `.${path}`);
    const st = await stat(file).catch(() => undefined);
    if (!st?.isFile() || (file !== root && !file.startsWith(root + sep))) return plain(res, 404, 'not found');
    if (how?.kind === 'drip') {
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Length': String(body.length) });
      let sent = 0;
      const t = setInterval(
        () => (sent < body.length ? res.write(body.subarray(sent, ++sent)) : res.end()),
        how.intervalMs,
      );
      timers.add(t);
      res.once('close', () => (clearInterval(t), timers.delete(t)));
      return;
    }
    if (how?.kind === 'oversize') {
      res.writeHead(200, { 'Content-Type': 'application/x-rpm' }); // chunked: no length to hold the client to
      res.write(await readFile(file));
      let left = how.extraBytes;
      const more = () => {
        while (left > 0) {
          const n = Math.min(left, 64 << 10);
          left -= n;
          if (!res.write(Buffer.alloc(n, 0x41))) return void res.once('drain', more);
        }
        res.end();
      };
      res.once('close', () => (left = 0));
      return more();
    }
    res.writeHead(200, { 'Content-Length': String(st.size), 'Last-Modified': st.mtime.toUTCString() });
    createReadStream(file).pipe(res);
  };

  const server = createServer((req, res) => {
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      return plain(res, 400, 'bad request');
    }
    requests.push(path);
    if (path.includes('\0') || path.split(/[/\\]/).includes('..')) return plain(res, 403, 'forbidden');
    const how = rules.get(path);
    if (how?.kind === 'redirect') {
      res.writeHead(302, { Location: how.to, 'Content-Length': '0' });
      return void res.end();
    }
    serveFile(path, res, how).catch(() => (res.headersSent ? res.destroy() : plain(res, 500, 'error')));
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const repomdPath = (tree: string) => join(dir, tree, 'repodata', 'repomd.xml');
  const rewriteRepomd = async (tree: string, edit: (xml: string) => string) => {
    const p = repomdPath(tree);
    await writeFile(p, edit(await readFile(p, 'utf8')));
  };

  return {
    url,
    dir,
    requests,
    rewriteRepomd,
    async rewritePrimary(tree, edit) {
      const repomd = await readFile(repomdPath(tree), 'utf8');
      const block = /<data type="primary">[\s\S]*?<\/data>/.exec(repomd)?.[0];
      const href = block && /<location href="([^"]+)"/.exec(block)?.[1];
      if (!block || !href) throw new Error(`${tree}: no primary record in repomd.xml`);
      const open = Buffer.from(edit(gunzipSync(await readFile(join(dir, tree, href))).toString('utf8')));
      const gz = gzipSync(open);
      const newHref = `repodata/${sha256(gz)}-primary.xml.gz`;
      await rm(join(dir, tree, href));
      await writeFile(join(dir, tree, newHref), gz);
      const rec = block
        .replace(/<checksum type="sha256">\w+</, `<checksum type="sha256">${sha256(gz)}<`)
        .replace(/<open-checksum type="sha256">\w+</, `<open-checksum type="sha256">${sha256(open)}<`)
        .replace(/<location href="[^"]+"/, `<location href="${newHref}"`)
        .replace(/<size>\d+</, `<size>${gz.length}<`)
        .replace(/<open-size>\d+</, `<open-size>${open.length}<`);
      await writeFile(repomdPath(tree), repomd.replace(block, rec));
    },
    misbehave: (path, how) => void rules.set(path, how),
    async close() {
      for (const t of timers) clearInterval(t);
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
      await rm(top, { recursive: true, force: true });
    },
  };
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
