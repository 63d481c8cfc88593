// build-iso end to end on the local executor with the lorax stand-in: the demo release synced from the fixture
// distro, lorax run per arch, tarballs with a verifiable manifest in the file store under buildiso-<major>-<arch>/
// <compose>/<epoch>/, a rerun skipped, one arch forced to fail (failable: exit 0 and reported, log kept; not failable: exit 1),
// a label over 32 characters refused before lorax starts, and the x86_64 boot.iso booted from the tarball.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/wrappers/run/runner.ts';
import { ensureFixtureDistro } from '../fixtures/distro.ts';
import { type Served, serveDir } from '../fixtures/serve.ts';
import { ensureBootAssets, type BootAssets } from '../helpers/boot-assets.ts';
import { bootcheck, bootcheckSkipReason } from '../helpers/bootcheck.ts';
import { createLab, type Lab } from '../helpers/horno.ts';
import { installLoraxStandIn } from '../stand-ins/lorax/install.ts';

const REPO = new URL('../../', import.meta.url).pathname;
const EPOCH = '1700000000';
/** The lab's compose (its date comes from SOURCE_DATE_EPOCH), part of every store key. */
const ID = 'Demo-9.9-20231114.0';
let served: Served;
let assets: BootAssets;
let lab: Lab;
let demo: string;

interface Summary {
  ok: boolean;
  status: string;
  phases: { status: string }[];
  ran: {
    key: string;
    summary: { key: string; sha256: string; bytes: number; store: string; volid: string };
  }[];
  skipped: { key: string }[];
  failed: { key: string; failable: boolean; error: string; logFile?: string }[];
}
const summaryOf = (stdout: string) => JSON.parse(stdout) as Summary;

beforeAll(async () => {
  const distro = await ensureFixtureDistro();
  served = await serveDir(distro.upstream);
  assets = await ensureBootAssets({ log: console.log });
  demo = await readFile(join(REPO, 'config', 'releases', 'demo.yaml'), 'utf8');
  lab = await createLab({
    upstream: served.url,
    extraReleases: {
      // same identity, so the same compose; only aarch64's failability differs
      'demo-strict': demo
        .replace(/^failable_arches: .*$/m, 'failable_arches: []')
        .replace(/^(\s+)rootfs_size: 2$/m, '$1rootfs_size: 2\n$1removes: [libreport-rhel-anaconda-bugzilla]'),
      'demo-long': demo.replace(
        /^(\s+volid: ).*$/m,
        "$1'{short}-{major}-{minor}{rc}-{arch}-dvd-with-a-long-tail'",
      ),
    },
  });
  lab.env.PATH = await installLoraxStandIn(join(lab.dir, 'bin'), { assets: assets.dir });
  lab.env.SOURCE_DATE_EPOCH = EPOCH;
  await lab.horno(['sync-repos', '--release', 'demo', '--new', '--no-repoclosure'], { timeoutMs: 300_000 });
}, 600_000);
afterAll(async () => {
  await served?.close();
  if (lab) await rm(lab.dir, { recursive: true, force: true });
});

const compose = () => join(lab.composeRoot, '9', 'latest-Demo-9');
const storeFile = (key: string) => join(lab.dir, 'store', ...key.split('/'));
const sha256 = async (f: string) =>
  createHash('sha256')
    .update(await readFile(f))
    .digest('hex');

describe('build-iso (local executor, lorax stand-in)', () => {
  it('builds both arches and stores each tarball under buildiso-<major>-<arch>/<compose>/<epoch>/ with its sha256', async () => {
    const s = summaryOf((await lab.horno(['build-iso', '--release', 'demo', '--json'])).stdout);
    expect(s.failed).toEqual([]);
    expect(s.ran.map((r) => r.key)).toEqual(['aarch64', 'x86_64']);
    for (const r of s.ran) {
      const key = `buildiso-9-${r.key}/${ID}/${EPOCH}/lorax-9.9-${r.key}.tar.gz`;
      expect(r.summary.key).toBe(key);
      expect(r.summary.volid).toBe(`Demo-9-9-${r.key}-dvd`);
      const file = storeFile(key);
      expect(await sha256(file)).toBe(r.summary.sha256);
      expect(await readFile(`${file}.sha256`, 'utf8')).toBe(
        `${r.summary.sha256}  lorax-9.9-${r.key}.tar.gz\n`,
      );
      expect((await stat(file)).size).toBe(r.summary.bytes);
    }
    // lorax saw the compose's own trees, and its log is kept beside the unit's
    const log = await readFile(join(compose(), 'logs', 'build-iso', 'lorax-x86_64', 'lorax.log'), 'utf8');
    expect(log).toContain(`source: file://${join(lab.composeRoot, '9')}`);
    expect(log).toMatch(/\/compose\/BaseOS\/x86_64\/os\n/);
    expect(log).toMatch(/\/compose\/AppStream\/x86_64\/os\n/);
    expect(log).toMatch(/--isfinal .*--volid Demo-9-9-x86_64-dvd/);
    expect(await stat(join(compose(), 'logs', 'build-iso', 'x86_64.log'))).toBeTruthy();
  }, 300_000);

  it('packs the tree, the log and a manifest that sha256sum -c accepts', async () => {
    const tarball = storeFile(`buildiso-9-x86_64/${ID}/${EPOCH}/lorax-9.9-x86_64.tar.gz`);
    const list = (await run(['tar', '-tzf', tarball], { captureStdout: true })).stdout.trim().split('\n');
    expect(list.slice(0, 3)).toEqual(['MANIFEST.sha256', 'lorax-x86_64.log', 'lorax/']);
    expect(list).toContain('lorax/images/boot.iso');
    expect(list).toContain('lorax/.treeinfo');
    const out = join(lab.dir, 'unpacked');
    await mkdir(out);
    await run(['tar', '-xzf', tarball, '-C', out]);
    await run(['sha256sum', '--quiet', '-c', 'MANIFEST.sha256'], { cwd: out });
    const manifest = (await readFile(join(out, 'MANIFEST.sha256'), 'utf8')).trim().split('\n');
    const names = manifest.map((l) => l.slice(66));
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(list.filter((e) => !e.endsWith('/') && e !== 'MANIFEST.sha256').sort());
    // the same inputs under SOURCE_DATE_EPOCH give the same tree, boot.iso included (lorax's log has clock times)
    const tree = (m: string) =>
      m
        .trim()
        .split('\n')
        .filter((l) => !l.endsWith('  lorax-x86_64.log'));
    await lab.horno(['build-iso', '--release', 'demo', '--arch', 'x86_64', '--force']);
    const again = join(lab.dir, 'unpacked-again');
    await mkdir(again);
    await run(['tar', '-xzf', tarball, '-C', again, 'MANIFEST.sha256']);
    expect(tree(await readFile(join(again, 'MANIFEST.sha256'), 'utf8'))).toEqual(tree(manifest.join('\n')));
  }, 300_000);

  it('skips arches already built when nothing changed', async () => {
    const s = summaryOf((await lab.horno(['build-iso', '--release', 'demo', '--json'])).stdout);
    expect(s.ran).toEqual([]);
    expect(s.skipped.map((r) => r.key)).toEqual(['aarch64', 'x86_64']);
  });

  it('reports a failed failable arch, keeps its log and exits 0; without failability it exits 1', async () => {
    lab.env.PATH = await installLoraxStandIn(join(lab.dir, 'bin'), {
      assets: assets.dir,
      failArches: ['aarch64'],
    });
    try {
      const s = summaryOf((await lab.horno(['build-iso', '--release', 'demo', '--force', '--json'])).stdout);
      expect(s.phases[0]!.status).toBe('FINISHED_INCOMPLETE'); // the phase's; STATUS stays STARTED
      expect(s.ran.map((r) => r.key)).toEqual(['x86_64']);
      expect(s.failed).toMatchObject([
        { key: 'aarch64', failable: true, error: expect.stringMatching(/lorax failed for aarch64/) },
      ]);
      const loraxLog = join(compose(), 'logs', 'build-iso', 'lorax-aarch64', 'lorax.log');
      expect(await readFile(loraxLog, 'utf8')).toMatch(/failure injected by HORNO_LORAX_FAIL_ARCHES/);
      expect(await readFile(s.failed[0]!.logFile!, 'utf8')).toMatch(/failure injected/);
      const text = await lab.horno(['build-iso', '--release', 'demo', '--arch', 'aarch64', '--force']);
      expect(text.stdout).toMatch(/aarch64\s+FAILED \(failable arch: compose continues\): lorax failed/);

      const strict = await lab.horno(['build-iso', '--release', 'demo-strict', '--force', '--json'], {
        okExitCodes: [1],
      });
      const ss = summaryOf(strict.stdout);
      expect(ss.phases[0]!.status).toBe('DOOMED');
      expect(ss.failed).toMatchObject([{ key: 'aarch64', failable: false }]);
      expect(ss.ran.map((r) => r.key)).toEqual(['x86_64']);
      // iso.lorax.removes reach lorax as a template it runs after runtime-install.tmpl
      const strictLog = await readFile(
        join(compose(), 'logs', 'build-iso', 'lorax-x86_64', 'lorax.log'),
        'utf8',
      );
      expect(strictLog).toMatch(/--add-template \S+\/work\/build-iso\/x86_64\/templates\/removes.tmpl/);
      expect(strictLog).toContain('removepkg libreport-rhel-anaconda-bugzilla');
    } finally {
      lab.env.PATH = await installLoraxStandIn(join(lab.dir, 'bin'), { assets: assets.dir });
    }
  }, 300_000);

  it('refuses a volume id over 32 characters before lorax runs', async () => {
    const before = await readdir(join(compose(), 'logs', 'build-iso'));
    const r = await lab.horno(['build-iso', '--release', 'demo-long', '--force'], { okExitCodes: [2] });
    expect(r.stderrTail).toMatch(
      /volume id "Demo-9-9-(RC1-)?(x86_64|aarch64)-dvd-with-a-long-tail".*allows 32/,
    );
    expect(await readdir(join(compose(), 'logs', 'build-iso'))).toEqual(before);
  });

  it.skipIf(bootcheckSkipReason('bios'))(
    'boots the x86_64 boot.iso from the stored tarball (BIOS, CD)',
    async () => {
      const iso = join(lab.dir, 'unpacked', 'lorax', 'images', 'boot.iso');
      const r = await bootcheck({
        iso,
        firmware: 'bios',
        media: 'cdrom',
        logFile: join(lab.dir, 'boot.log'),
      });
      console.log(`build-iso boot.iso, BIOS cdrom: ${r.ok ? 'ok' : r.reason} in ${r.seconds} s`);
      expect(r, r.tail).toMatchObject({ ok: true, firmwareSeen: 'BIOS', loader: 'isolinux' });
      expect(r.cmdline).toContain('inst.stage2=hd:LABEL=Demo-9-9-x86_64-dvd');
    },
    300_000,
  );
});
