// Secrets through the real CLI: a sync from an upstream that wants basic auth, the token given as ${VAR} in the
// release's baseurl, leaves the token in no file of the lab (unit records, horno.log, per-unit logs, ledgers)
// and in no output, and a rotated token does not redo finished units; a release file that is a symlink out of
// the config folder is refused unread.
import { createHash } from 'node:crypto';
import { readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFixtureDistro } from '../fixtures/distro.ts';
import { type Served, serveDir } from '../fixtures/serve.ts';
import { createLab, type Lab } from '../helpers/horno.ts';

const TOKENS = ['tok-CANARY-first-8c2f', 'tok-CANARY-rotated-41ad'];

let served: Served;
let proxy: Server;
let port: number;
const seen = { authorized: 0, refused: 0 };

/** The fixture upstream behind basic auth (user horno, any of TOKENS), on 127.0.0.1 only. */
async function authProxy(target: string): Promise<Server> {
  const accepted = new Set(TOKENS.map((t) => `Basic ${Buffer.from(`horno:${t}`).toString('base64')}`));
  const server = createServer((req, res) => {
    if (!accepted.has(req.headers.authorization ?? '')) {
      seen.refused++;
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="fixture"' }).end();
      return;
    }
    seen.authorized++;
    get(`${target}${req.url}`, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    }).on('error', () => res.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

beforeAll(async () => {
  const distro = await ensureFixtureDistro();
  served = await serveDir(distro.upstream);
  proxy = await authProxy(served.url);
  port = (proxy.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((r) => proxy?.close(r));
  await served?.close();
});

/** Every file under dir that holds one of the needles, with the needle found. */
async function filesHolding(dir: string, needles: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const bytes = await readFile(join(e.parentPath, e.name));
    for (const n of needles) if (bytes.includes(n)) out.push(`${join(e.parentPath, e.name)}: ${n}`);
  }
  return out;
}

async function demoWithToken(base: string): Promise<string> {
  const demo = await readFile(new URL('../../config/releases/demo.yaml', import.meta.url), 'utf8');
  const text = demo.replaceAll('${HORNO_UPSTREAM}', base);
  expect(text).toContain('baseurl: http://horno:${FIXTURE_TOKEN}@');
  return text;
}

describe('a token in the release baseurl', () => {
  let lab: Lab;
  beforeAll(async () => {
    const base = `http://horno:\${FIXTURE_TOKEN}@127.0.0.1:${port}`;
    lab = await createLab({
      upstream: 'http://127.0.0.1:1/unused',
      extraReleases: {
        'demo-auth': await demoWithToken(base),
        // the same server, a tree that is not there (the key is): the unit's failure names the URL
        'demo-auth-notree': (await demoWithToken(base))
          .replace(/^( {2}baseurl: .*)$/m, '$1/nowhere')
          .replace(/^short: Demo$/m, 'short: NoTree'),
        // neither the key: the command fails before any unit runs (in a crash, until the keyring is awaited)
        'demo-auth-nokey': (await demoWithToken(`${base}/nowhere`)).replace(/^short: Demo$/m, 'short: NoKey'),
      },
    });
  });

  const sync = (release: string, token: string, opts: { fresh?: boolean; okExitCodes?: number[] } = {}) => {
    lab.env.FIXTURE_TOKEN = token;
    const args = ['--release', release, '--repo', 'BaseOS', '--arch', 'x86_64', '--no-repoclosure', '--json'];
    return lab.horno(['sync-repos', ...args, ...(opts.fresh ? ['--new'] : [])], opts);
  };

  it('syncs with the token, and writes it nowhere; a rotated token keeps the unit done', async () => {
    const first = await sync('demo-auth', TOKENS[0]!, { fresh: true });
    const summary = JSON.parse(first.stdout) as { ran: { key: string }[]; failed: unknown[] };
    expect(summary.failed).toEqual([]);
    const keys = ['BaseOS-x86_64-debug', 'BaseOS-x86_64-os'];
    expect(summary.ran.map((r) => r.key)).toEqual(keys);
    expect(seen.authorized).toBeGreaterThan(10); // metadata, the key and every package went through the proxy
    expect(seen.refused).toBe(0);

    // the unit record names the URL without the token, so the same record answers for the next token
    const units = join(lab.composeRoot, '9', 'latest-Demo-9', 'work', 'units');
    const records = await readdir(units);
    const urls = await Promise.all(
      records.map(
        async (f) =>
          (JSON.parse(await readFile(join(units, f), 'utf8')) as { inputs: { url: string } }).inputs.url,
      ),
    );
    expect(urls.sort()).toEqual([
      `http://horno:***@127.0.0.1:${port}/BaseOS/x86_64/debug/tree/`,
      `http://horno:***@127.0.0.1:${port}/BaseOS/x86_64/os/`,
    ]);

    const again = JSON.parse((await sync('demo-auth', TOKENS[1]!)).stdout) as {
      ran: unknown[];
      skipped: { key: string }[];
    };
    expect(again.ran).toEqual([]);
    expect(again.skipped.map((s) => s.key)).toEqual(keys);

    expect(`${first.stdout}${first.stderrTail}`).not.toMatch(/CANARY/);
    // the whole lab: compose (records, horno.log, unit logs, ledgers), store, home, and the commands' output
    expect(await filesHolding(lab.dir, TOKENS)).toEqual([]);
  });

  it('fails on a missing tree with messages that name the URL, not the token', async () => {
    const r = await sync('demo-auth-notree', TOKENS[0]!, { fresh: true, okExitCodes: [1] });
    const summary = JSON.parse(r.stdout) as { failed: { key: string; error: string }[] };
    const where = `http://horno:***@127.0.0.1:${port}/nowhere/BaseOS/x86_64/os/repodata/repomd.xml`;
    expect(summary.failed.find((f) => f.key === 'BaseOS-x86_64-os')?.error).toContain(where);
    expect(r.stderrTail).toContain(where);
    expect(`${r.stdout}${r.stderrTail}`).not.toMatch(/CANARY/);
    const log = await readFile(join(lab.composeRoot, '9', 'latest-NoTree-9', 'logs', 'horno.log'), 'utf8');
    expect(log).toContain(where);
    expect(await filesHolding(lab.dir, TOKENS)).toEqual([]);
  });

  it('fails on a missing key, the trace redacted as well', async () => {
    const r = await sync('demo-auth-nokey', TOKENS[0]!, { fresh: true, okExitCodes: [1] });
    expect(r.stderrTail).toContain(`http://horno:***@127.0.0.1:${port}/nowhere/RPM-GPG-KEY-fixture`);
    expect(`${r.stdout}${r.stderrTail}`).not.toMatch(/CANARY/);
    expect(await filesHolding(lab.dir, TOKENS)).toEqual([]);
  });
});

describe('a release file that is a symlink out of the config folder', () => {
  it('is refused with exit 2, and no line of the target is shown', async () => {
    const lab = await createLab({ upstream: 'http://127.0.0.1:1/unused' });
    const target = join(lab.dir, 'shadow');
    const canary = `CANARY-${createHash('sha256').update(target).digest('hex').slice(0, 12)}`;
    // lines like /etc/shadow's: each would read back as an unknown key, were the file followed
    await writeFile(target, `root:${canary}:19000:0:99999:7:::\nname: ${canary}\nversion: ${canary}\n`);
    await symlink(target, join(lab.configDir, 'releases', 'stolen.yaml'));
    const r = await lab.horno(['validate-config', '--release', 'stolen'], { okExitCodes: [2] });
    expect(r.stderrTail).toContain(
      `${join(lab.configDir, 'releases', 'stolen.yaml')}: (top level): leads to`,
    );
    expect(r.stderrTail).toContain('outside the config folder');
    expect(`${r.stdout}${r.stderrTail}`).not.toContain(canary);
    // --all reads every release file: the good ones load, the symlink alone is the problem
    const all = await lab.horno(['validate-config', '--all'], { okExitCodes: [2] });
    expect(all.stderrTail).toMatch(/1 problem in the configuration/);
    expect(`${all.stdout}${all.stderrTail}`).not.toContain(canary);
  });
});
