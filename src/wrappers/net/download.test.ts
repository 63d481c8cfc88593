import { createHash } from 'node:crypto';
import { getEventListeners } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { download, DownloadError } from './download.ts';

const body = Buffer.alloc(256 * 1024, 7);
body.write('payload');
const sha = createHash('sha256').update(body).digest('hex');
type Behaviour =
  | 'ok'
  | '500'
  | '404'
  | '429'
  | 'truncate'
  | 'corrupt'
  | 'stall'
  | 'redirect'
  | 'loop'
  | 'chunked'
  | 'endless'
  | 'drip'
  | 'away';
let script: Behaviour[] = [];
let hits = 0;
let server: Server;
let base: string;
/** A second origin (another port is another host): where 'away' redirects to. */
let other: Server;
let otherBase: string;
let otherHits = 0;

beforeAll(async () => {
  other = createServer((_req, res) => {
    otherHits++;
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
  otherBase = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
  server = createServer((req, res) => {
    hits++;
    const b = script.shift() ?? 'ok';
    if (b === 'away') {
      res.writeHead(302, { location: `${otherBase}/f` }).end();
      return;
    }
    if (b === 'endless' || b === 'drip') {
      // endless: the right body, then more, with no length announced (bounded, so a broken client cannot hang
      // the test); drip: the right length announced, one byte every 20 ms
      if (b === 'endless') res.writeHead(200);
      else res.writeHead(200, { 'content-length': body.length });
      let sent = 0;
      const t = setInterval(
        () => {
          if (b === 'drip') res.write(body.subarray(sent, ++sent));
          else if (sent >= 64 << 20) return void res.end();
          else {
            res.write(sent === 0 ? body : Buffer.alloc(64 << 10, 1));
            sent += 64 << 10;
          }
        },
        b === 'drip' ? 20 : 1,
      );
      res.once('close', () => clearInterval(t));
      return;
    }
    if (b === '500' || b === '404' || b === '429') {
      res.writeHead(Number(b)).end('no');
      return;
    }
    if (b === 'redirect' || b === 'loop') {
      res.writeHead(302, { location: b === 'loop' ? '/again' : '/elsewhere' }).end();
      if (b === 'loop') script.unshift('loop');
      return;
    }
    if (b === 'chunked') {
      res.writeHead(200); // no content-length: streamed to disk
      res.write(body.subarray(0, 1000));
      res.end(body.subarray(1000));
      return;
    }
    res.writeHead(200, {
      'content-length': body.length,
      'last-modified': new Date(1700000000000).toUTCString(),
    });
    if (b === 'truncate') {
      res.write(body.subarray(0, 1000));
      setTimeout(() => res.destroy(), 10);
    } else if (b === 'corrupt') {
      const c = Buffer.from(body);
      c[500] = c[500]! ^ 0xff;
      res.end(c);
    } else if (b === 'stall') {
      res.write(body.subarray(0, 10)); // then nothing
    } else res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  other.closeAllConnections();
  other.close();
  server.closeAllConnections();
  server.close();
});

const tmp = () => mkdtemp(join(tmpdir(), 'horno-dl-'));
const expected = { checksum: { type: 'sha256', value: sha }, size: body.length, backoffMs: 5 };

describe('download', () => {
  it('fetches, verifies and reports Last-Modified', async () => {
    const dir = await tmp();
    script = [];
    const r = await download(`${base}/f`, join(dir, 'f.rpm'), expected);
    expect(r).toMatchObject({ bytes: body.length, attempts: 1 });
    expect(r.lastModified?.getTime()).toBe(1700000000000);
    expect((await readFile(join(dir, 'f.rpm'))).equals(body)).toBe(true);
  });

  it.each([['500'], ['truncate'], ['corrupt']] as const)(
    'retries after %s and ends with a whole file',
    async (b) => {
      const dir = await tmp();
      script = [b, b];
      const r = await download(`${base}/f`, join(dir, 'f.rpm'), expected);
      expect(r.attempts).toBe(3);
      expect((await readFile(join(dir, 'f.rpm'))).equals(body)).toBe(true);
      expect(await readdir(dir)).toEqual(['f.rpm']);
    },
  );

  it('gives up after the last attempt, leaving nothing behind', async () => {
    const dir = await tmp();
    script = ['corrupt', 'corrupt', 'corrupt'];
    const err = await download(`${base}/f`, join(dir, 'f.rpm'), { ...expected, attempts: 3 }).catch((e) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect(err.message).toMatch(/sha256 mismatch/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('does not retry a 404', async () => {
    const dir = await tmp();
    script = ['404'];
    hits = 0;
    const err = await download(`${base}/f`, join(dir, 'f.rpm'), expected).catch((e) => e);
    expect(err.message).toMatch(/HTTP 404/);
    expect(hits).toBe(1);
  });

  it('aborts a stalled body and retries', async () => {
    const dir = await tmp();
    script = ['stall'];
    const r = await download(`${base}/f`, join(dir, 'f.rpm'), { ...expected, stallMs: 200 });
    expect(r.attempts).toBe(2);
  });

  it('refuses a size the metadata does not announce', async () => {
    const dir = await tmp();
    script = [];
    const err = await download(`${base}/f`, join(dir, 'f.rpm'), { size: 5, attempts: 1 }).catch((e) => e);
    expect(err.message).toMatch(/server announces 262144 bytes, metadata says 5/);
  });

  it('copies file:// sources with the same checks', async () => {
    const dir = await tmp();
    const src = join(dir, 'src.rpm');
    await writeFile(src, body);
    await download(pathToFileURL(src).href, join(dir, 'out', 'f.rpm'), expected);
    expect((await readFile(join(dir, 'out', 'f.rpm'))).equals(body)).toBe(true);
    const bad = await download(pathToFileURL(src).href, join(dir, 'g.rpm'), {
      checksum: { type: 'sha256', value: '0'.repeat(64) },
      attempts: 2,
      backoffMs: 1,
    }).catch((e) => e);
    expect(bad.message).toMatch(/mismatch/);
    const missing = await download(pathToFileURL(join(dir, 'nope')).href, join(dir, 'h.rpm')).catch((e) => e);
    expect(missing.message).toMatch(/not found/);
  });

  it('follows redirects, retries 429, and streams bodies of unknown length', async () => {
    const dir = await tmp();
    script = ['redirect', '429', 'chunked'];
    hits = 0;
    const r = await download(`${base}/f`, join(dir, 'f.rpm'), expected);
    expect(r.attempts).toBe(2);
    expect(hits).toBe(3);
    expect((await readFile(join(dir, 'f.rpm'))).equals(body)).toBe(true);
  });

  it('gives up on a redirect loop without retrying', async () => {
    const dir = await tmp();
    script = ['loop'];
    hits = 0;
    const err = await download(`${base}/f`, join(dir, 'f.rpm'), expected).catch((e) => e);
    script = [];
    expect(err.message).toMatch(/more than 5 redirects/);
    expect(hits).toBe(6);
  });

  it('leaves no listener on the caller signal, and stops at once when it aborts', async () => {
    const dir = await tmp();
    const ctl = new AbortController();
    script = ['500', 'truncate'];
    for (let i = 0; i < 20; i++)
      await download(`${base}/f`, join(dir, `f${i}.rpm`), { ...expected, signal: ctl.signal });
    expect(getEventListeners(ctl.signal, 'abort')).toHaveLength(0);
    script = ['stall'];
    setTimeout(() => ctl.abort(), 50);
    const err = await download(`${base}/f`, join(dir, 'g.rpm'), { ...expected, signal: ctl.signal }).catch(
      (e) => e,
    );
    expect(err.message).toMatch(/interrupted/);
    expect(getEventListeners(ctl.signal, 'abort')).toHaveLength(0);
  });

  it('cuts off a body that runs past the announced size, without retrying', async () => {
    const dir = await tmp();
    script = ['endless'];
    hits = 0;
    const err = await download(`${base}/f`, join(dir, 'f.rpm'), expected).catch((e) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect(err.message).toMatch(/runs past the 262144 bytes the metadata announces: cut off/);
    expect(err.retryable).toBe(false);
    expect(hits).toBe(1);
    expect(await readdir(dir)).toEqual([]);
    // without a size, maxBytes bounds it the same way
    script = ['endless'];
    const capped = await download(`${base}/f`, join(dir, 'g'), { maxBytes: 1 << 20 }).catch((e) => e);
    expect(capped.message).toMatch(/runs past the 1048576 bytes are accepted/);
    expect(hits).toBe(2);
  });

  it('does not retry a server that announces more than the metadata', async () => {
    const dir = await tmp();
    script = [];
    hits = 0;
    const err = await download(`${base}/f`, join(dir, 'f.rpm'), { size: 5 }).catch((e) => e);
    expect(err.message).toMatch(/server announces 262144 bytes, metadata says 5/);
    expect(hits).toBe(1);
  });

  it('ends a dripping body at its total deadline, not only at a stall, and does not retry it', async () => {
    const dir = await tmp();
    script = ['drip'];
    hits = 0;
    const t0 = Date.now();
    const err = await download(`${base}/f`, join(dir, 'f.rpm'), {
      ...expected,
      stallMs: 5_000, // a byte every 20 ms never stalls
      minRate: 1 << 30,
      deadlineFloorMs: 400,
    }).catch((e) => e);
    const ms = Date.now() - t0;
    expect(err).toBeInstanceOf(DownloadError);
    // the hard deadline (max(floor, size / rate) = 400 ms) or the rate guard at the floor, whichever fires first
    expect(err.message).toMatch(
      /(not done within 400 ms|bytes in \d+ ms): below the minimum download rate; not retried/,
    );
    expect(hits).toBe(1);
    expect(ms).toBeGreaterThanOrEqual(390);
    expect(ms).toBeLessThan(3_000);
    expect(await readdir(dir)).toEqual([]);
  });

  it('ends a dripping body near the floor even when its claimed size would allow hours', async () => {
    const dir = await tmp();
    script = ['drip'];
    hits = 0;
    const t0 = Date.now();
    // 256 KiB at 1 KiB/s: a 256 s deadline; the body drips 50 bytes/s, so the average is short at the floor
    const err = await download(`${base}/f`, join(dir, 'f.rpm'), {
      ...expected,
      stallMs: 5_000,
      minRate: 1024,
      deadlineFloorMs: 400,
    }).catch((e) => e);
    expect(err.message).toMatch(/: \d+ bytes in \d+ ms: below the minimum download rate; not retried/);
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(hits).toBe(1);
  });

  it('refuses a redirect to another host unless the policy lists it, and never contacts that host', async () => {
    const dir = await tmp();
    script = ['away'];
    hits = 0;
    otherHits = 0;
    const err = await download(`${base}/f`, join(dir, 'f.rpm'), {
      ...expected,
      redirects: { hosts: [] },
    }).catch((e) => e);
    expect(err.message).toMatch(
      /redirected to http:\/\/127\.0\.0\.1:\d+: another host than 127\.0\.0\.1:\d+/,
    );
    expect(err.retryable).toBe(false);
    expect([hits, otherHits]).toEqual([1, 0]);
    script = ['away'];
    const r = await download(`${base}/f`, join(dir, 'f.rpm'), {
      ...expected,
      redirects: { hosts: [new URL(otherBase).host] },
    });
    expect(r.bytes).toBe(body.length);
    expect(otherHits).toBe(1);
  });
});
