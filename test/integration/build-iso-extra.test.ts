// build-iso-extra end to end on the demo release: build-iso (lorax stand-in) and pull-unpack-tree first, then the DVD
// and minimal ISOs for both arches, judged by the real consumers: checkisomd5 (and a corrupted copy failing),
// xorriso's El Torito report, dnf installing from the extracted DVD, the native repoclosure over the minimal disc,
// QEMU booting the DVD four ways, golden metadata, byte-identical rebuilds under SOURCE_DATE_EPOCH, and a bad
// volume id refused before anything runs.
import { createHash } from 'node:crypto';
import {
  copyFile,
  mkdtemp,
  open,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  utimes,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRepo, repoclosure } from '../../src/wrappers/rpmmd/index.ts';
import { run } from '../../src/wrappers/run/runner.ts';
import { ensureFixtureDistro, type FixtureDistro } from '../fixtures/distro.ts';
import { type Served, serveDir } from '../fixtures/serve.ts';
import { ensureBootAssets } from '../helpers/boot-assets.ts';
import { bootcheck, bootcheckSkipReason, type Firmware, type Media } from '../helpers/bootcheck.ts';
import { createDnfSandbox } from '../helpers/dnf.ts';
import { createLab, type Lab } from '../helpers/horno.ts';
import { installLoraxStandIn } from '../stand-ins/lorax/install.ts';

const EPOCH = '1700000000';
const REPO = new URL('../../', import.meta.url).pathname;
let served: Served;
let distro: FixtureDistro;
let lab: Lab;
let scratch: string;
let firstRun: Summary;

interface Summary {
  ok: boolean;
  ran: {
    key: string;
    durationMs: number;
    summary: { iso: string; volid: string; bytes: number; boot: string[]; packages?: number };
  }[];
  skipped: { key: string }[];
  failed: { key: string; error: string }[];
}
const summaryOf = (stdout: string) => JSON.parse(stdout) as Summary;
const compose = () => join(lab.composeRoot, '9', 'latest-Demo-9');
const isos = (arch: string) => join(compose(), 'work', 'isos', arch);
const dvd = () => join(isos('x86_64'), 'Demo-9.9-x86_64-dvd.iso');
const minimal = () => join(isos('x86_64'), 'Demo-9.9-x86_64-minimal.iso');
const sha256 = async (f: string) =>
  createHash('sha256')
    .update(await readFile(f))
    .digest('hex');
const golden = (name: string) => readFile(join(REPO, 'test', 'golden', name), 'utf8');

/** The ISO's tree under the scratch folder (extracted once; later tests reuse it). */
async function extract(iso: string, name: string): Promise<string> {
  const dest = join(scratch, name);
  if (await stat(dest).catch(() => undefined)) return dest;
  await run(['xorriso', '-osirrox', 'on', '-indev', iso, '-extract', '/', dest], {
    logFile: join(scratch, 'xorriso.log'),
  });
  return dest;
}

beforeAll(async () => {
  distro = await ensureFixtureDistro();
  served = await serveDir(distro.upstream);
  const assets = await ensureBootAssets({ log: console.log });
  lab = await createLab({ upstream: served.url });
  scratch = await mkdtemp(join(tmpdir(), 'horno-extra-'));
  lab.env.PATH = await installLoraxStandIn(join(lab.dir, 'bin'), { assets: assets.dir });
  lab.env.SOURCE_DATE_EPOCH = EPOCH;
  await lab.horno(['sync-repos', '--release', 'demo', '--new', '--no-repoclosure'], { timeoutMs: 300_000 });
  await lab.horno(['build-iso', '--release', 'demo'], { timeoutMs: 300_000 });
  await lab.horno(['pull-unpack-tree', '--release', 'demo']);
  const started = performance.now();
  firstRun = summaryOf(
    (await lab.horno(['build-iso-extra', '--release', 'demo', '--json'], { timeoutMs: 300_000 })).stdout,
  );
  console.log(`build-iso-extra, 2 images x 2 arches: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}, 900_000);
afterAll(async () => {
  await served?.close();
  // a lab holds a compose with ISOs (~200 MB): not worth keeping once the file passed or failed
  if (lab) await rm(lab.dir, { recursive: true, force: true });
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('build-iso-extra', () => {
  it('masters the DVD and the minimal ISO for every arch, with links and manifests', async () => {
    expect(firstRun.failed).toEqual([]);
    expect(firstRun.ran.map((r) => [r.key, r.summary.iso, r.summary.volid, r.summary.boot])).toEqual([
      ['dvd-aarch64', 'Demo-9.9-aarch64-dvd.iso', 'Demo-9-9-aarch64-dvd', ['BIOS', 'UEFI']],
      ['dvd-x86_64', 'Demo-9.9-x86_64-dvd.iso', 'Demo-9-9-x86_64-dvd', ['BIOS', 'UEFI']],
      ['minimal-aarch64', 'Demo-9.9-aarch64-minimal.iso', 'Demo-9-9-aarch64-dvd', ['BIOS', 'UEFI']],
      ['minimal-x86_64', 'Demo-9.9-x86_64-minimal.iso', 'Demo-9-9-x86_64-dvd', ['BIOS', 'UEFI']],
    ]);
    for (const r of firstRun.ran)
      console.log(
        `${r.key}: ${(r.summary.bytes / 1e6).toFixed(1)} MB in ${(r.durationMs / 1000).toFixed(1)} s`,
      );
    const dir = isos('x86_64');
    expect(await readlink(join(dir, 'Demo-x86_64-dvd.iso'))).toBe('Demo-9.9-x86_64-dvd.iso');
    expect(await readlink(join(dir, 'Demo-9-latest-x86_64-minimal.iso'))).toBe('Demo-9.9-x86_64-minimal.iso');
    expect(await readlink(join(dir, 'Demo-9-latest-x86_64-dvd.iso.manifest'))).toBe(
      'Demo-9.9-x86_64-dvd.iso.manifest',
    );
    // no temp file left where finalize-compose looks
    expect((await readdir(dir)).filter((n) => n.startsWith('.'))).toEqual([]);

    const manifest = (await readFile(`${dvd()}.manifest`, 'utf8')).trimEnd().split('\n');
    const listed = await run(['xorriso', '-indev', dvd(), '-find', '/', '-type', 'f'], {
      captureStdout: true,
    });
    const files = listed.stdout
      .split('\n')
      .filter((l) => l.startsWith("'"))
      .map((l) => l.slice(1, -1));
    expect(manifest).toEqual([...manifest].sort());
    expect(manifest).toEqual(expect.arrayContaining(files));
    expect(manifest).toEqual(
      expect.arrayContaining([
        '/BaseOS/Packages/b/bash-5.1.8-1.el9.x86_64.rpm',
        '/BaseOS/repodata/repomd.xml',
        '/AppStream/Packages/h/hello-1.0-1.el9.x86_64.rpm',
        '/media.repo',
        '/RPM-GPG-KEY-fixture',
        '/isolinux/isolinux.bin',
      ]),
    );
  });

  it('passes checkisomd5, and a corrupted copy fails it', async () => {
    const ok = await run(['checkisomd5', dvd()], { okExitCodes: [0, 1] });
    expect(ok.exitCode).toBe(0);
    expect(ok.stderrTail).toMatch(/PASS/);
    const bad = join(scratch, 'corrupt.iso');
    await copyFile(dvd(), bad);
    const fh = await open(bad, 'r+');
    await fh.write(Buffer.from('HORN'), 0, 4, 5 * 1024 * 1024);
    await fh.close();
    const r = await run(['checkisomd5', bad], { okExitCodes: [0, 1] });
    expect(r.exitCode).toBe(1);
    expect(r.stderrTail).toMatch(/FAIL/);
  });

  it("keeps boot.iso's BIOS and UEFI boot entries and hybrid layout", async () => {
    const plain = await run(
      ['xorriso', '-indev', dvd(), '-report_el_torito', 'plain', '-report_system_area', 'plain'],
      {
        captureStdout: true,
      },
    );
    expect(plain.stdout).toMatch(/El Torito boot img :\s+1\s+BIOS\s+y/);
    expect(plain.stdout).toMatch(/El Torito boot img :\s+2\s+UEFI\s+y/);
    expect(plain.stdout).toMatch(/El Torito img path :\s+1\s+\/isolinux\/isolinux.bin/);
    expect(plain.stdout).toMatch(/El Torito img path :\s+2\s+\/images\/efiboot.img/);
    expect(plain.stdout).toMatch(/MBR isohybrid/);
    const mk = await run(['xorriso', '-indev', dvd(), '-report_el_torito', 'as_mkisofs'], {
      captureStdout: true,
    });
    expect(`${mk.stdout}${mk.stderrTail}`).not.toMatch(/SORRY/);
    expect(mk.stdout).toMatch(/^-V 'Demo-9-9-x86_64-dvd'$/m);
  });

  it('writes the DVD .treeinfo, .discinfo and media.repo as the goldens say, checksums included', async () => {
    const root = await extract(dvd(), 'dvd');
    const treeinfo = await readFile(join(root, '.treeinfo'), 'utf8');
    // image digests depend on the host's kernel and GRUB builds: each is checked against the disc instead
    for (const m of treeinfo.matchAll(/^(\S+) = sha256:([0-9a-f]{64})$/gm))
      expect(await sha256(join(root, m[1]!)), m[1]).toBe(m[2]);
    expect(treeinfo.replace(/sha256:[0-9a-f]{64}/g, 'sha256:<digest>')).toBe(
      await golden('demo-dvd-x86_64.treeinfo'),
    );
    expect(await readFile(join(root, '.discinfo'), 'utf8')).toBe(await golden('demo-dvd-x86_64.discinfo'));
    expect(await readFile(join(root, 'media.repo'), 'utf8')).toBe(await golden('demo-dvd-x86_64.media.repo'));
  });

  it("installs a package with dnf from the extracted DVD's BaseOS", async () => {
    const root = await extract(dvd(), 'dvd');
    const dnf = await createDnfSandbox({ keyFile: distro.keyFile, parent: scratch });
    const r = await dnf.dnf(
      'x86_64',
      ['install', `--repofrompath=dvd-baseos,${join(root, 'BaseOS')}`, '--repo=dvd-baseos', 'bash'],
      {
        captureStdout: true,
      },
    );
    expect(r.stdout).toMatch(/Complete!/);
    const q = await dnf.rpm(['-q', 'bash', 'glibc'], { captureStdout: true });
    expect(q.stdout).toMatch(/^bash-5\.1\.8-1\.el9\.x86_64$/m);
  });

  it('puts a closed package set on the minimal ISO, with comps and modules carried', async () => {
    const root = await extract(minimal(), 'minimal');
    const repos = await Promise.all(['BaseOS', 'AppStream'].map((r) => loadRepo(r, join(root, r))));
    expect(await repoclosure({ check: repos, arch: 'x86_64' })).toEqual([]);
    const names = repos.flatMap((r) => r.packages.map((p) => p.nevra)).sort();
    expect(names).toEqual([
      'basesystem-11-1.el9.noarch',
      'bash-5.1.8-1.el9.x86_64',
      'coreutils-8.32-1.el9.x86_64',
      'dnf-4.14.0-1.el9.noarch',
      'filesystem-3.16-1.el9.x86_64',
      'glibc-2.34-1.el9.x86_64',
      'kernel-5.14.0-427.el9.x86_64',
      'kernel-core-5.14.0-427.el9.x86_64',
      'python3-3.9.18-1.el9.x86_64',
      'python3-dnf-4.14.0-1.el9.noarch',
      'rocky-gpg-keys-9.9-1.el9.noarch',
      'rocky-release-9.9-1.el9.noarch',
      'rocky-repos-9.9-1.el9.noarch',
      'setup-1.0-1.el9.noarch',
      'shim-x64-15.8-1.el9.x86_64',
    ]);
    expect(repos[0]!.repomd.records.map((r) => r.type)).toContain('group');
    expect(repos[1]!.repomd.records.map((r) => r.type)).toEqual(expect.arrayContaining(['group', 'modules']));
    // and dnf agrees
    const dnf = await createDnfSandbox({ keyFile: distro.keyFile, parent: scratch });
    const problems = await dnf.repoclosure({
      arch: 'x86_64',
      repos: ['BaseOS', 'AppStream'].map((id) => ({ id, url: join(root, id) })),
    });
    expect(problems).toEqual([]);
  });

  const modes: [Firmware, Media][] = [
    ['bios', 'cdrom'],
    ['bios', 'disk'],
    ['uefi', 'cdrom'],
    ['uefi', 'disk'],
  ];
  it.each(modes)(
    'the DVD boots with %s as %s',
    async (firmware, media) => {
      const skip = bootcheckSkipReason(firmware);
      if (skip) return console.warn(`skipped: ${skip}`);
      const r = await bootcheck({ iso: dvd(), firmware, media });
      console.log(`dvd ${firmware}/${media}: ${r.ok ? 'BOOT-OK' : r.reason} in ${r.seconds} s`);
      expect(r.ok, r.tail).toBe(true);
      expect(r.firmwareSeen).toBe(firmware.toUpperCase());
      expect(r.cmdline).toContain('inst.stage2=hd:LABEL=Demo-9-9-x86_64-dvd');
    },
    180_000,
  );

  it('remasters byte-identical ISOs under SOURCE_DATE_EPOCH, even after compose files were touched', async () => {
    const before = { dvd: await sha256(dvd()), minimal: await sha256(minimal()) };
    // newer mtimes on grafted files are clamped to the epoch, so they must not show
    const rpm = join(
      compose(),
      'compose',
      'BaseOS',
      'x86_64',
      'os',
      'Packages',
      'b',
      'bash-5.1.8-1.el9.x86_64.rpm',
    );
    const now = Date.now() / 1000;
    await utimes(rpm, now, now);
    const again = summaryOf(
      (await lab.horno(['build-iso-extra', '--release', 'demo', '--arch', 'x86_64', '--force', '--json']))
        .stdout,
    );
    expect(again.ran.map((r) => r.key)).toEqual(['dvd-x86_64', 'minimal-x86_64']);
    expect({ dvd: await sha256(dvd()), minimal: await sha256(minimal()) }).toEqual(before);
    const skipped = summaryOf((await lab.horno(['build-iso-extra', '--release', 'demo', '--json'])).stdout);
    expect(skipped.ran).toEqual([]);
    expect(skipped.skipped).toHaveLength(4);
  });

  it('refuses a volume id lorax would rewrite, naming image and arch, before anything runs', async () => {
    const boot = join(compose(), 'work', 'lorax', 'x86_64', 'lorax', 'images', 'boot.iso');
    const relabelled = join(scratch, 'relabelled.iso');
    await run(
      [
        'xorriso',
        '-indev',
        boot,
        '-outdev',
        relabelled,
        '-boot_image',
        'any',
        'replay',
        '-volid',
        'Demo 9.9 x86_64',
      ],
      {
        logFile: join(scratch, 'xorriso.log'),
      },
    );
    await rename(boot, `${boot}.good`);
    await copyFile(relabelled, boot);
    const listing = async () =>
      (await readdir(isos('x86_64'))).map(
        async (n) => `${n}:${(await stat(join(isos('x86_64'), n))).mtimeMs}`,
      );
    const before = await Promise.all(await listing());
    try {
      const r = await lab.horno(['build-iso-extra', '--release', 'demo', '--image', 'dvd', '--force'], {
        okExitCodes: [2],
      });
      expect(r.stderrTail).toMatch(
        /volume id "Demo 9\.9 x86_64" for image dvd on x86_64 may only hold A-Z a-z 0-9 _ -/,
      );
      expect(await Promise.all(await listing())).toEqual(before);
    } finally {
      await rename(`${boot}.good`, boot);
    }
  });
});
