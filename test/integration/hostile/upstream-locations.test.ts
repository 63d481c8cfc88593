// Hostile upstream, location and transport attacks: an upstream on 127.0.0.1 whose metadata names local files,
// other hosts or paths outside its tree, leaves out checksums, redirects elsewhere, or sends bodies too long or too
// slowly; and a compose tree with a symlinked folder in it. Each: `horno sync-repos` exits 1 naming the record or
// package, no byte of a planted canary file reaches anything horno wrote, the tree publishes nothing it should not,
// and the run is bounded in time and memory (peak RSS from /usr/bin/time).
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFixtureDistro, type FixtureDistro } from '../../fixtures/distro.ts';
import { createLab as createLabOnce, type Lab } from '../../helpers/horno.ts';
import { type HostileUpstream, hostileUpstream } from '../../helpers/hostile-upstream.ts';
import { run } from '../../../src/wrappers/run/runner.ts';

const REPO = new URL('../../../', import.meta.url).pathname;
const TREE = 'BaseOS/x86_64/os';
const BASH = 'Packages/b/bash-5.1.8-1.el9.x86_64.rpm';
const SYNC = ['sync-repos', '--release', 'demo', '--repo', 'BaseOS', '--arch', 'x86_64', '--no-repoclosure'];
const NO_SIG = ['--no-enforce-signatures']; // the location rules must hold on their own, without rpmkeys' help
const RSS_MAX_KB = 300 * 1024;

let distro: FixtureDistro;
let canaryDir: string;
const CANARY = `HORNO-CANARY-${randomBytes(8).toString('hex')}`;
const canaryBytes = Buffer.from(`${CANARY}\nroot:$6$not-a-real-hash:19000:0:99999:7:::\n`);
const canarySha = createHash('sha256').update(canaryBytes).digest('hex');
const open: { close(): Promise<void> }[] = [];

/** A lab removed after the suite (its compose is what the canary search reads). */
async function createLab(opts: Parameters<typeof createLabOnce>[0]): Promise<Lab> {
  const lab = await createLabOnce(opts);
  open.push({ close: () => rm(lab.dir, { recursive: true, force: true }) });
  return lab;
}

beforeAll(async () => {
  distro = await ensureFixtureDistro();
  canaryDir = await mkdtemp(join(tmpdir(), 'horno-canary-'));
  await writeFile(join(canaryDir, 'secret.txt'), canaryBytes);
  await writeFile(join(canaryDir, 'secret.rpm'), canaryBytes);
});
/** Wall time and peak RSS of each refused run, printed once at the end. */
const figures: string[] = [];

afterAll(async () => {
  if (figures.length) console.log(`refused runs (ms, peak RSS MB):\n${figures.join('\n')}`);
  for (const s of open) await s.close();
  await rm(canaryDir, { recursive: true, force: true });
});

async function upstream(): Promise<HostileUpstream> {
  const up = await hostileUpstream(distro.upstream);
  open.push(up);
  // the canary also sits on the hostile server itself, outside every tree, for the climbs out of the tree
  await mkdir(join(up.dir, 'secret'));
  await writeFile(join(up.dir, 'secret', 'canary.rpm'), canaryBytes);
  return up;
}

interface Outcome {
  exitCode: number;
  ms: number;
  rssKb: number;
  /** The error of each failed unit, by key. */
  failed: Record<string, string>;
  out: string;
}

/** Runs horno under /usr/bin/time for its peak RSS. */
async function horno(lab: Lab, args: string[]): Promise<Outcome> {
  const r = await run(
    ['/usr/bin/time', '-f', 'peak-rss-kb %M', 'node', join(REPO, 'bin', 'horno.js'), ...args, '--json'],
    {
      env: lab.env,
      captureStdout: true,
      okExitCodes: [0, 1, 2],
      timeoutMs: 90_000,
      logFile: join(lab.dir, 'horno-commands.log'),
    },
  ).then(
    (x) => x,
    (err) => ({ exitCode: -1, durationMs: 0, stdout: '', stderrTail: String(err) }),
  );
  const rss = Number(/peak-rss-kb (\d+)/.exec(r.stderrTail)?.[1] ?? NaN);
  let failed: Record<string, string> = {};
  try {
    const s = JSON.parse(r.stdout) as { failed?: { key: string; error: string }[] };
    failed = Object.fromEntries((s.failed ?? []).map((f) => [f.key, f.error]));
  } catch {
    // a usage error prints no summary
  }
  return { exitCode: r.exitCode, ms: r.durationMs, rssKb: rss, failed, out: `${r.stdout}\n${r.stderrTail}` };
}

async function sync(lab: Lab, extra: string[] = []): Promise<Outcome> {
  return horno(lab, [...SYNC, ...extra, '--config-dir', lab.configDir]);
}

/** Every file under `dir` (not following links), gunzipped where it is gzip. */
async function* filesUnder(dir: string): AsyncGenerator<{ path: string; text: string }> {
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])) {
    if (!e.isFile()) continue;
    const path = join(e.parentPath, e.name);
    let buf = await readFile(path);
    if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
    yield { path, text: buf.toString('latin1') };
  }
}

const composeOf = (lab: Lab) => join(lab.composeRoot, '9', 'latest-Demo-9');
const treeOf = (lab: Lab) => join(composeOf(lab), 'compose', TREE);

/** The common verdict: refused by name, bounded, no canary anywhere horno wrote, nothing of `absent` published. */
async function expectRefused(
  lab: Lab,
  o: Outcome,
  named: RegExp,
  opts: { nothingPublished?: boolean; absent?: string; maxMs?: number } = {},
): Promise<void> {
  figures.push(
    `  ${String(o.ms).padStart(6)} ${(o.rssKb / 1024).toFixed(0).padStart(4)}  ${expect.getState().currentTestName}`,
  );
  expect(o.exitCode, o.out).toBe(1);
  expect(o.failed['BaseOS-x86_64-os'], o.out).toMatch(named);
  expect(o.ms).toBeLessThan(opts.maxMs ?? 60_000);
  expect(o.rssKb).toBeLessThan(RSS_MAX_KB);
  for await (const f of filesUnder(lab.dir)) expect(f.text.includes(CANARY), f.path).toBe(false);
  const tree = treeOf(lab);
  const inTree = (await readdir(tree, { recursive: true }).catch(() => [])).map(String);
  if (opts.nothingPublished) {
    expect(
      inTree.filter((f) => f.endsWith('.rpm') || f.startsWith('repodata')),
      tree,
    ).toEqual([]);
  }
  if (opts.absent) {
    expect(inTree).not.toContain(opts.absent);
    const primary = inTree.find((f) => /^repodata\/.*primary\.xml/.test(f));
    if (primary) {
      const text = gunzipSync(await readFile(join(tree, primary))).toString();
      expect(text).not.toContain(opts.absent);
    }
  }
  expect((await readFile(join(composeOf(lab), 'STATUS'), 'utf8')).trim()).toBe('DOOMED');
}

/** Edits the <package> block of `name` in a primary.xml. */
function editPackage(xml: string, name: string, edit: (block: string) => string): string {
  const block = new RegExp(`<package type="rpm">\\s*<name>${name}</name>[\\s\\S]*?</package>`).exec(xml)?.[0];
  if (!block) throw new Error(`no package ${name} in primary.xml`);
  return xml.replace(block, edit(block));
}

/** bash's entry pointing at `href` (and xml:base), with the canary's checksum and size, so only the location
 * rule stands between the canary and the tree. */
const bashAt = (href: string, base?: string) => (xml: string) =>
  editPackage(xml, 'bash', (b) =>
    b
      .replace(/(<checksum type="sha256" pkgid="YES">)\w+/, `$1${canarySha}`)
      .replace(/package="\d+"/, `package="${canaryBytes.length}"`)
      .replace(
        /<location href="[^"]+"\/>/,
        `<location ${base ? `xml:base="${base}" ` : ''}href="${href.replaceAll('&', '&amp;')}"/>`,
      ),
  );

const groupRecord =
  (location: string, withChecksum = true) =>
  (xml: string) =>
    xml.replace(
      /<data type="group">[\s\S]*?<\/data>/,
      `<data type="group">\n    ${
        withChecksum ? `<checksum type="sha256">${canarySha}</checksum>\n    ` : ''
      }${location}\n    <size>${canaryBytes.length}</size>\n  </data>`,
    );

describe('hostile upstream: locations and transport', () => {
  it('refuses file:// as a repomd group location (the canary file is never copied)', async () => {
    const up = await upstream();
    await up.rewriteRepomd(TREE, groupRecord(`<location href="file://${canaryDir}/secret.txt"/>`));
    const lab = await createLab({ upstream: up.url });
    const o = await sync(lab, ['--new']);
    await expectRefused(lab, o, /record "group": refusing location "file:\/\/.*secret\.txt".*scheme file:/, {
      nothingPublished: true,
    });
  });

  it('refuses an xml:base to another host or to file:// on a repomd record, and never contacts it', async () => {
    const up = await upstream();
    const other = await upstream(); // same files, another port: another host
    await up.rewriteRepomd(TREE, (xml) =>
      xml.replace(/(<data type="primary">[\s\S]*?<location) /, `$1 xml:base="${other.url}/${TREE}/" `),
    );
    const lab = await createLab({ upstream: up.url });
    const o = await sync(lab, ['--new']);
    await expectRefused(
      lab,
      o,
      /record "primary": refusing location .*xml:base "http:\/\/127\.0\.0\.1:\d+.*host/,
      {
        nothingPublished: true,
      },
    );
    expect(other.requests).toEqual([]);

    const up2 = await upstream();
    await up2.rewriteRepomd(
      TREE,
      groupRecord(`<location xml:base="file://${canaryDir}/" href="secret.txt"/>`),
    );
    const lab2 = await createLab({ upstream: up2.url });
    await expectRefused(lab2, await sync(lab2, ['--new']), /record "group": refusing .*xml:base "file:/, {
      nothingPublished: true,
    });
  });

  it.each([
    ['an xml:base to file://', 'secret.rpm', () => `file://${canaryDir}/`, /scheme file:/],
    ['a file: href', () => `file:${canaryDir}/secret.rpm`, undefined, /scheme file:/],
    ['a %2e%2e/ href', '%2e%2e/%2e%2e/%2e%2e/%2e%2e/secret/canary.rpm', undefined, /outside the tree/],
    ['a ..%2f href', 'Packages/..%2f..%2f..%2f..%2f..%2fsecret%2fcanary.rpm', undefined, /encoded "\/"/],
    ['a backslash href', '..\\..\\..\\..\\secret\\canary.rpm', undefined, /backslash/],
  ] as const)('refuses a package with %s, before any package is fetched', async (_, href, base, why) => {
    const up = await upstream();
    const h = typeof href === 'function' ? href() : href;
    await up.rewritePrimary(TREE, bashAt(h, base?.()));
    const lab = await createLab({ upstream: up.url });
    const o = await sync(lab, ['--new', ...NO_SIG]);
    await expectRefused(
      lab,
      o,
      new RegExp(`package bash-5\\.1\\.8-1\\.el9\\.x86_64: refusing location.*${why.source}`),
      {
        nothingPublished: true,
      },
    );
    expect(up.requests.filter((p) => p.startsWith(`/${TREE}/`) && p.endsWith('.rpm'))).toEqual([]);
  });

  it('refuses a repomd record without a checksum', async () => {
    const up = await upstream();
    await up.rewriteRepomd(TREE, (xml) =>
      xml.replace(/(<data type="primary">\s*)<checksum type="sha256">\w+<\/checksum>\s*/, '$1'),
    );
    const lab = await createLab({ upstream: up.url });
    await expectRefused(
      lab,
      await sync(lab, ['--new']),
      /record "primary" \(repodata\/.*primary\.xml\.gz\) has no checksum/,
      {
        nothingPublished: true,
      },
    );
    expect(up.requests.filter((p) => p.startsWith(`/${TREE}/`) && p.includes('primary'))).toEqual([]);
  });

  it('refuses a package without a checksum, naming it', async () => {
    const up = await upstream();
    await up.rewritePrimary(TREE, (xml) =>
      editPackage(xml, 'bash', (b) => b.replace(/<checksum type="sha256" pkgid="YES">\w+<\/checksum>/, '')),
    );
    const lab = await createLab({ upstream: up.url });
    await expectRefused(
      lab,
      await sync(lab, ['--new']),
      /package bash-5\.1\.8-1\.el9\.x86_64 \(Packages\/b\/bash.*\) has no checksum/,
      {
        nothingPublished: true,
      },
    );
  });

  it('refuses a metadata redirect to another host without contacting it', async () => {
    const up = await upstream();
    const other = await upstream();
    const repomd = await readFile(join(up.dir, TREE, 'repodata', 'repomd.xml'), 'utf8');
    const primary = /href="(repodata\/[^"]+primary\.xml\.gz)"/.exec(repomd)![1]!;
    up.misbehave(`/${TREE}/${primary}`, { kind: 'redirect', to: `${other.url}/${TREE}/${primary}` });
    const lab = await createLab({ upstream: up.url });
    await expectRefused(
      lab,
      await sync(lab, ['--new']),
      /primary\.xml\.gz: redirected to http:\/\/127\.0\.0\.1:\d+: another host/,
      {
        nothingPublished: true,
      },
    );
    expect(other.requests).toEqual([]);

    // repomd.xml itself
    const up2 = await upstream();
    up2.misbehave(`/${TREE}/repodata/repomd.xml`, {
      kind: 'redirect',
      to: `${other.url}/${TREE}/repodata/repomd.xml`,
    });
    const lab2 = await createLab({ upstream: up2.url });
    await expectRefused(
      lab2,
      await sync(lab2, ['--new']),
      /cannot read upstream metadata: .*repomd\.xml: redirected to http:\/\/127\.0\.0\.1:\d+: another host/,
      { nothingPublished: true },
    );
    expect(other.requests).toEqual([]);
  });

  it('refuses a package redirect to another host unless upstream.allowed_redirect_hosts lists it', async () => {
    const up = await upstream();
    const other = await upstream();
    up.misbehave(`/${TREE}/${BASH}`, { kind: 'redirect', to: `${other.url}/${TREE}/${BASH}` });
    const lab = await createLab({ upstream: up.url });
    await expectRefused(
      lab,
      await sync(lab, ['--new']),
      new RegExp(`${BASH}: .*redirected to .*another host`),
      {
        absent: BASH,
      },
    );
    expect(other.requests).toEqual([]);

    // a mirror list the release allows: followed, and the package lands
    const demo = await readFile(join(REPO, 'config', 'releases', 'demo.yaml'), 'utf8');
    const host = new URL(other.url).host;
    const allowed = await createLab({
      upstream: up.url,
      extraReleases: {
        demo: demo.replace(
          /^(\s+)enforce_signatures: true$/m,
          `$1enforce_signatures: true\n$1allowed_redirect_hosts: ['${host}']`,
        ),
      },
    });
    const ok = await sync(allowed, ['--new']);
    expect(ok.exitCode, ok.out).toBe(0);
    expect(other.requests).toEqual([`/${TREE}/${BASH}`]);
    expect(await readdir(join(treeOf(allowed), 'Packages', 'b'))).toContain(BASH.split('/').at(-1));
  });

  it('cuts off a package body longer than announced, once, without retrying', async () => {
    const up = await upstream();
    up.misbehave(`/${TREE}/${BASH}`, { kind: 'oversize', extraBytes: 1 << 30 });
    const lab = await createLab({ upstream: up.url });
    const o = await sync(lab, ['--new']);
    await expectRefused(
      lab,
      o,
      new RegExp(`${BASH}: .*body runs past the \\d+ bytes the metadata announces: cut off`),
      {
        absent: BASH,
        maxMs: 30_000,
      },
    );
    expect(up.requests.filter((p) => p.endsWith(BASH))).toHaveLength(1);
  });

  it('ends a dripping package body at its total deadline, once, without retrying', async () => {
    const up = await upstream();
    up.misbehave(`/${TREE}/${BASH}`, { kind: 'drip', intervalMs: 50 }); // never idle long enough to stall
    const lab = await createLab({
      upstream: up.url,
      site: (root) =>
        `compose_root: ${root}\nlimits: { download_min_rate: 1000000000, download_deadline_min_s: 2 }\n`,
    });
    const o = await sync(lab, ['--new']);
    await expectRefused(lab, o, new RegExp(`${BASH}: .*below the minimum download rate; not retried`), {
      absent: BASH,
      maxMs: 30_000,
    });
    expect(up.requests.filter((p) => p.endsWith(BASH))).toHaveLength(1);
  });

  it('refuses to write through a symlinked folder inside or above a tree', async () => {
    const up = await upstream();
    const lab = await createLab({ upstream: up.url });
    const first = await sync(lab, ['--new']);
    expect(first.exitCode, first.out).toBe(0);
    // a folder inside the os tree, and the folder above the debug tree, each replaced by a link to elsewhere;
    // then a sync that rewrites both trees
    const elsewhere = await mkdtemp(join(tmpdir(), 'horno-elsewhere-'));
    const b = join(treeOf(lab), 'Packages', 'b');
    const debug = join(composeOf(lab), 'compose', 'BaseOS', 'x86_64', 'debug');
    for (const [from, to] of [
      [b, 'b'],
      [debug, 'debug'],
    ] as const) {
      await rename(from, `${from}.moved`);
      await mkdir(join(elsewhere, to));
      await symlink(join(elsewhere, to), from);
    }
    const o = await sync(lab, ['--force']);
    expect(o.exitCode, o.out).toBe(1);
    const why = /refusing to write through a symlink in or above a mirrored tree: /.source;
    expect(o.failed['BaseOS-x86_64-os']).toMatch(new RegExp(`${why}.*/os/Packages/b$`));
    expect(o.failed['BaseOS-x86_64-debug']).toMatch(new RegExp(`${why}.*/BaseOS/x86_64/debug$`));
    expect(o.ms).toBeLessThan(60_000);
    expect(await readdir(elsewhere, { recursive: true })).toEqual(['b', 'debug']);
    await rm(elsewhere, { recursive: true, force: true });
  });
});
