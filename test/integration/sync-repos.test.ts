// sync-repos against the fixture distro served over HTTP, judged by real dnf: the mirror lists what upstream
// lists, survives SIGKILL and a faulty upstream, and refuses what it must.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFixtureDistro, FIXTURE_BROKEN_DEP, type FixtureDistro } from '../fixtures/distro.ts';
import { type Served, serveDir } from '../fixtures/serve.ts';
import { createDnfSandbox, type DnfSandbox, parseRepoclosure } from '../helpers/dnf.ts';
import { createLab, demoWithRepos } from '../helpers/horno.ts';
import { loadRepo } from '../../src/wrappers/rpmmd/index.ts';

let distro: FixtureDistro;
let served: Served;
let dnf: DnfSandbox;

beforeAll(async () => {
  distro = await ensureFixtureDistro();
  served = await serveDir(distro.upstream);
  dnf = await createDnfSandbox({ keyFile: distro.keyFile });
});
afterAll(async () => {
  await served?.close();
  await dnf?.cleanup();
});

/** The demo release's BaseOS for x86_64 only, without the closure check: one small tree. */
const SYNC_BASEOS_X86 = 'sync-repos --release demo --repo BaseOS --arch x86_64 --no-repoclosure'.split(' ');

async function rpmsUnder(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const abs = join(e.parentPath, e.name);
    out.set(
      relative(dir, abs),
      createHash('sha256')
        .update(await readFile(abs))
        .digest('hex'),
    );
  }
  return out;
}

async function repoquery(arch: string, dir: string): Promise<string[]> {
  const r = await dnf.dnf(
    arch,
    [
      'repoquery',
      '-q',
      `--repofrompath=q,${dir}`,
      '--repo=q',
      '--nogpgcheck',
      '--qf',
      '%{name}-%{epoch}:%{version}-%{release}.%{arch}',
    ],
    { captureStdout: true },
  );
  return r.stdout.trim().split('\n').filter(Boolean).sort();
}

const summaryOf = (stdout: string) =>
  JSON.parse(stdout) as {
    ran: {
      key: string;
      summary: Record<
        'packages' | 'downloaded' | 'resumed' | 'kept' | 'linked' | 'deleted' | 'bytes',
        number
      >;
    }[];
    skipped: { key: string }[];
    failed: { key: string; error: string }[];
  };

describe('sync-repos', () => {
  it('mirrors the demo release so that dnf lists exactly what upstream lists, then re-syncs as a no-op', async () => {
    const lab = await createLab({ upstream: served.url });
    const first = summaryOf(
      (await lab.horno(['sync-repos', '--release', 'demo', '--new', '--no-repoclosure', '--json'])).stdout,
    );
    expect(first.failed).toEqual([]);
    const compose = join(lab.composeRoot, '9', 'latest-Demo-9', 'compose');
    for (const repo of distro.repos.filter((r) => r !== 'plus')) {
      for (const arch of distro.arches) {
        const mine = await repoquery(arch, join(compose, repo, arch, 'os'));
        expect(mine.length).toBeGreaterThan(0);
        expect(mine).toEqual(await repoquery(arch, join(distro.upstream, repo, arch, 'os')));
        const tree = await readdir(join(compose, repo, arch, 'os'));
        expect(tree).toEqual(expect.arrayContaining(['.treeinfo', '.discinfo', 'media.repo', 'repodata']));
      }
    }
    // comps and modules made it into the regenerated repodata
    const repomd = await readFile(
      join(compose, 'AppStream', 'x86_64', 'os', 'repodata', 'repomd.xml'),
      'utf8',
    );
    expect(repomd).toMatch(/<data type="group">/);
    expect(repomd).toMatch(/<data type="modules">/);
    // identical noarch packages are hardlinked across arches, not downloaded twice
    expect(first.ran.reduce((n, r) => n + (r.summary.linked ?? 0), 0)).toBeGreaterThan(0);

    const again = summaryOf(
      (await lab.horno(['sync-repos', '--release', 'demo', '--no-repoclosure', '--json'])).stdout,
    );
    expect(again.ran).toEqual([]);
    expect(again.skipped.length).toBe(first.ran.length);
  });

  it('runs repoclosure after the sync and agrees with dnf repoclosure on every checked repo and arch', async () => {
    const lab = await createLab({ upstream: served.url });
    // exit 0: the trees synced; an unclosed repo is a lenient verdict (pungi's default), printed, not a failure
    const r = await lab.horno(['sync-repos', '--release', 'demo', '--new']);
    expect(r.stdout).toContain(`package: ${FIXTURE_BROKEN_DEP.nevra} from BaseOS`);
    expect(r.stdout).toContain('repoclosure: unresolved dependencies above (lenient');
    const compose = join(lab.composeRoot, '9', 'latest-Demo-9', 'compose');
    const map: Record<string, string[]> = { BaseOS: [], AppStream: ['BaseOS'], CRB: ['BaseOS', 'AppStream'] };
    for (const arch of distro.arches) {
      for (const [repo, lookaside] of Object.entries(map)) {
        const dnfSays = await dnf.repoclosure({
          arch,
          repos: [repo, ...lookaside].map((id) => ({ id, url: join(compose, id, arch, 'os') })),
          check: [repo],
        });
        const log = await readFile(
          join(lab.composeRoot, '9', 'latest-Demo-9', 'logs', 'repoclosure', `${repo}-${arch}.log`),
          'utf8',
        );
        const ours = parseRepoclosure(log);
        expect(ours, `${repo}-${arch}`).toEqual(dnfSays);
      }
    }
    // STATUS stays STARTED: an unclosed repo is reported, the compose is not doomed by it
    expect((await readFile(join(lab.composeRoot, '9', 'latest-Demo-9', 'STATUS'), 'utf8')).trim()).toBe(
      'STARTED',
    );
  });

  // enforced: packages wait in work/ for the signature check; not enforced: each lands as soon as it verified
  it.each([
    ['enforced', []],
    ['not enforced', ['--no-enforce-signatures']],
  ])(
    'resumes after SIGKILL with no partial files and no re-download of finished packages (signatures %s)',
    async (_mode, extra) => {
      const slow = await delayingProxy(served.url, 150);
      // one download at a time makes the kill land mid-tree
      const lab = await createLab({
        upstream: slow.url,
        site: (root) => `compose_root: ${root}\nlimits: { downloads: 1, cpu: 1 }\n`,
      });
      const compose = join(lab.composeRoot, '9', 'latest-Demo-9');
      const args = [...SYNC_BASEOS_X86, ...extra];
      const child = spawn('node', ['bin/horno.js', ...args, '--new', '--config-dir', lab.configDir], {
        env: { ...process.env, ...lab.env },
        stdio: 'ignore',
        detached: true,
      });
      for (let i = 0; i < 400 && slow.rpmGets() < 6; i++) await new Promise((r) => setTimeout(r, 25));
      process.kill(-child.pid!, 'SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const beforeKill = slow.rpmGets();
      expect(beforeKill).toBeGreaterThanOrEqual(6);
      // nothing partial under a package's name: every .rpm present is whole and equals upstream (a download cut
      // mid-write leaves only a hidden temp name, swept by the next run)
      const upstream = await rpmsUnder(join(distro.upstream, 'BaseOS', 'x86_64', 'os'));
      const everyRpm = await rpmsUnder(join(distro.upstream, 'BaseOS'));
      const byName = new Map([...everyRpm].map(([p, sha]) => [p.split('/').at(-1)!, sha]));
      for (const [path, sha] of await rpmsUnder(compose)) {
        if (path.endsWith('.rpm')) expect(sha, path).toBe(byName.get(path.split('/').at(-1)!));
      }

      const resumed = summaryOf((await lab.horno([...args, '--json'])).stdout);
      expect(resumed.failed).toEqual([]);
      const s = resumed.ran.find((r) => r.key === 'BaseOS-x86_64-os')!.summary;
      expect(s.downloaded + s.resumed + s.kept + s.linked).toBe(s.packages);
      // what finished before the kill is reused (the last response may have been cut mid-checksum)
      expect(s.resumed + s.kept).toBeGreaterThanOrEqual(beforeKill - 2);
      // each package crossed the wire once; only the one in flight at the kill may have been fetched twice
      expect(slow.refetched().length).toBeLessThanOrEqual(1);
      const final = await rpmsUnder(join(compose, 'compose', 'BaseOS', 'x86_64', 'os'));
      for (const [path, sha] of upstream) if (path.endsWith('.rpm')) expect(final.get(path), path).toBe(sha);
      expect([...(await rpmsUnder(compose)).keys()].filter((p) => p.includes('.tmp-'))).toEqual([]);
      await slow.close();
    },
  );

  it('ends with a correct mirror when 10% of responses fail, truncate or corrupt', async () => {
    const faulty = await serveDir(distro.upstream, {
      faults: { rate: 0.1, kinds: ['error500', 'truncate', 'corrupt'], seed: 7 },
    });
    const lab = await createLab({ upstream: faulty.url });
    const r = summaryOf(
      (await lab.horno(['sync-repos', '--release', 'demo', '--new', '--no-repoclosure', '--json'])).stdout,
    );
    expect(r.failed).toEqual([]);
    expect(faulty.faults.length).toBeGreaterThan(3);
    const compose = join(lab.composeRoot, '9', 'latest-Demo-9', 'compose');
    for (const arch of distro.arches) {
      const up = await rpmsUnder(join(distro.upstream, 'BaseOS', arch, 'os', 'Packages'));
      expect(await rpmsUnder(join(compose, 'BaseOS', arch, 'os', 'Packages'))).toEqual(up);
    }
    await faulty.close();
  });

  it('refuses unsigned and corrupted packages when signatures are enforced', async () => {
    // a copy of upstream where one signed package is corrupted on disk (metadata still names the good one)
    const copy = join(await mkdtemp(join(tmpdir(), 'horno-upstream-')), 'upstream');
    await cp(distro.upstream, copy, { recursive: true });
    const victimDir = join(copy, 'BaseOS', 'x86_64', 'os', 'Packages', 'b');
    const victim = (await readdir(victimDir)).find((f) => f.startsWith('bash-'))!;
    const bytes = await readFile(join(victimDir, victim));
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff;
    await writeFile(join(victimDir, victim), bytes);
    const bad = await serveDir(copy);
    const lab = await createLab({
      upstream: bad.url,
      extraReleases: { 'demo-plus': await demoWithRepos('  - { name: plus }\n') },
    });
    const r = await lab.horno(
      ['sync-repos', '--release', 'demo-plus', '--new', '--arch', 'x86_64', '--no-repoclosure', '--json'],
      {
        okExitCodes: [1],
      },
    );
    const s = summaryOf(r.stdout);
    const failed = Object.fromEntries(s.failed.map((f) => [f.key, f.error]));
    expect(failed['plus-x86_64-os']).toMatch(
      /unsigned-thing-1\.0-1\.el9\.noarch\.rpm: signature check: not signed/,
    );
    expect(failed['BaseOS-x86_64-os']).toMatch(
      new RegExp(`${victim.replaceAll('.', '\\.')}: .*sha256 mismatch`),
    );
    const compose = join(lab.composeRoot, '9', 'latest-Demo-9', 'compose');
    expect(await readdir(join(compose, 'plus', 'x86_64', 'os', 'Packages', 'u')).catch(() => [])).toEqual([]);
    expect(await readdir(join(compose, 'BaseOS', 'x86_64', 'os', 'Packages', 'b'))).not.toContain(victim);
    expect((await readFile(join(lab.composeRoot, '9', 'latest-Demo-9', 'STATUS'), 'utf8')).trim()).toBe(
      'DOOMED',
    );
    await bad.close();
  });

  it('keeps only the newest versions with --newest-only and deletes the rest with --delete', async () => {
    const lab = await createLab({ upstream: served.url });
    const base = SYNC_BASEOS_X86;
    await lab.horno([...base, '--new']);
    const pkgs = join(
      lab.composeRoot,
      '9',
      'latest-Demo-9',
      'compose',
      'BaseOS',
      'x86_64',
      'os',
      'Packages',
      's',
    );
    const both = (await readdir(pkgs)).filter((f) => f.startsWith('setup-'));
    expect(both.length).toBe(2);
    // the repodata lists exactly the files in the tree, before and after the deletion
    const listed = async () =>
      (await loadRepo('BaseOS', join(pkgs, '..', '..'))).packages
        .filter((p) => p.name === 'setup')
        .map((p) => p.location.href.split('/').at(-1))
        .sort();
    expect(await listed()).toEqual(both.sort());
    await lab.horno([...base, '--newest-only', '--delete']);
    const left = (await readdir(pkgs)).filter((f) => f.startsWith('setup-'));
    expect(left).toEqual([both.sort().at(-1)]);
    expect(await listed()).toEqual(left);
  });
});

/** Forwards to `upstream`, holding each .rpm response back for `ms`: makes a sync slow enough to kill. Counts
 * the .rpm requests per path, so a test can tell whether anything was fetched twice. */
async function delayingProxy(upstream: string, ms: number) {
  const gets = new Map<string, number>();
  const server: Server = createServer(async (req, res) => {
    if (req.url?.endsWith('.rpm')) {
      gets.set(req.url, (gets.get(req.url) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, ms));
    }
    const up = await fetch(`${upstream}${req.url}`);
    const body = Buffer.from(await up.arrayBuffer());
    res.writeHead(up.status, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    rpmGets: () => [...gets.values()].reduce((a, b) => a + b, 0),
    refetched: () => [...gets].filter(([, n]) => n > 1).map(([p]) => p),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
