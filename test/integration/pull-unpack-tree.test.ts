// pull-unpack-tree end to end: the demo release synced from the fixture distro, lorax tarballs made by build-iso with
// the lorax stand-in in the lab's file store, then pulled: this compose's own build by default (a newer one of another
// compose is not taken), with --newest the newest by epoch (decoys that win on string order or sit under a sibling
// prefix are ignored), verified, unpacked, BaseOS made an install tree whose .treeinfo checks out,
// boot.iso staged with relative links and booting four ways; a corrupted download and a malicious tarball are
// refused with nothing written outside the work folder.
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTreeInfo } from '../../src/wrappers/iso/treeinfo.ts';
import { craftTarball } from '../../src/wrappers/iso/safe-tar-craft.ts';
import { FileStore } from '../../src/wrappers/store/index.ts';
import { ensureFixtureDistro } from '../fixtures/distro.ts';
import { type Served, serveDir } from '../fixtures/serve.ts';
import { ensureBootAssets } from '../helpers/boot-assets.ts';
import { bootcheck, bootcheckSkipReason, type Firmware, type Media } from '../helpers/bootcheck.ts';
import { createLab, type Lab } from '../helpers/horno.ts';
import { installLoraxStandIn } from '../stand-ins/lorax/install.ts';

const EPOCH = '1700000000';
let served: Served;
let lab: Lab;
let store: FileStore;

interface Summary {
  ok: boolean;
  ran: { key: string; summary: { key: string; iso: string; trees: string[]; downloaded: boolean } }[];
  skipped: { key: string }[];
  failed: { key: string; failable: boolean; error: string }[];
}
const summaryOf = (stdout: string) => JSON.parse(stdout) as Summary;
const compose = () => join(lab.composeRoot, '9', 'latest-Demo-9');
/** The compose id SOURCE_DATE_EPOCH gives the lab's one compose, as build-iso puts it in the store keys. */
const ID = 'Demo-9.9-20231114.0';
const sha256 = async (f: string) =>
  createHash('sha256')
    .update(await readFile(f))
    .digest('hex');

beforeAll(async () => {
  const distro = await ensureFixtureDistro();
  served = await serveDir(distro.upstream);
  const assets = await ensureBootAssets({ log: console.log });
  lab = await createLab({ upstream: served.url });
  lab.env.PATH = await installLoraxStandIn(join(lab.dir, 'bin'), { assets: assets.dir });
  lab.env.SOURCE_DATE_EPOCH = EPOCH;
  store = new FileStore(join(lab.dir, 'store'));
  await lab.horno(['sync-repos', '--release', 'demo', '--new', '--no-repoclosure'], { timeoutMs: 300_000 });
  await lab.horno(['build-iso', '--release', 'demo'], { timeoutMs: 300_000 });
}, 600_000);
afterAll(async () => {
  await served?.close();
  // a lab holds a compose with ISOs (~200 MB): not worth keeping once the file passed or failed
  if (lab) await rm(lab.dir, { recursive: true, force: true });
});

/** Every path under the lab with its size and mtime, except the compose's work/ and logs/ and what each command
 * writes by design (STATUS, the lab's command log); the escape targets the malicious tarball aims at are in it. */
async function outsideWork(): Promise<Map<string, string>> {
  const c = await readlink(compose()).then((id) => join(lab.composeRoot, '9', id));
  const skip = [join(c, 'work'), join(c, 'logs'), join(c, 'STATUS'), join(lab.dir, 'horno-commands.log')];
  const out = new Map<string, string>();
  for (const e of await readdir(lab.dir, { recursive: true, withFileTypes: true })) {
    const abs = join(e.parentPath, e.name);
    if (skip.some((s) => abs === s || abs.startsWith(`${s}/`))) continue;
    const st = await lstat(abs);
    // a folder's mtime moves with any rename in it (STATUS is replaced that way): its entries tell the story
    out.set(relative(lab.dir, abs), st.isDirectory() ? 'dir' : `${st.size}:${st.mtimeMs}`);
  }
  return out;
}

describe('pull-unpack-tree', () => {
  it("pulls this compose's own tarball per arch, not a newer one another compose uploaded", async () => {
    // decoys: a 9-digit epoch is greater as a string, a sibling prefix must not be listed at all, another version
    // is not ours, and another compose's newer build must not be taken without --newest
    const junk = join(lab.dir, 'junk.tar.gz');
    await writeFile(junk, craftTarball([{ path: 'lorax/.treeinfo', body: 'decoy' }]));
    await store.put('buildiso-9-x86_64/999999999/lorax-9.9-x86_64.tar.gz', junk);
    await store.put('buildiso-9-x86_64-old/1800000000/lorax-9.9-x86_64.tar.gz', junk);
    await store.put('buildiso-9-x86_64/1800000000/lorax-9.8-x86_64.tar.gz', junk);
    const other = 'buildiso-9-x86_64/Demo-9.9-20231114.7/1750000000/lorax-9.9-x86_64.tar.gz';
    await store.put(other, junk);

    const s = summaryOf((await lab.horno(['pull-unpack-tree', '--release', 'demo', '--json'])).stdout);
    expect(s.failed).toEqual([]);
    expect(s.ran.map((r) => [r.key, r.summary.key, r.summary.iso, r.summary.trees])).toEqual([
      [
        'aarch64',
        `buildiso-9-aarch64/${ID}/${EPOCH}/lorax-9.9-aarch64.tar.gz`,
        'Demo-9.9-aarch64-boot.iso',
        ['BaseOS'],
      ],
      [
        'x86_64',
        `buildiso-9-x86_64/${ID}/${EPOCH}/lorax-9.9-x86_64.tar.gz`,
        'Demo-9.9-x86_64-boot.iso',
        ['BaseOS'],
      ],
    ]);

    const again = summaryOf((await lab.horno(['pull-unpack-tree', '--release', 'demo', '--json'])).stdout);
    expect(again.ran).toEqual([]);
    expect(again.skipped.map((r) => r.key)).toEqual(['aarch64', 'x86_64']);

    // --newest goes by the epoch in the key, across composes: the other compose's decoy wins and is refused
    const newest = await lab.horno(
      ['pull-unpack-tree', '--release', 'demo', '--arch', 'x86_64', '--newest', '--json'],
      { okExitCodes: [1] },
    );
    expect(summaryOf(newest.stdout).failed.map((f) => [f.key, f.error])).toEqual([
      ['x86_64', expect.stringContaining('entry "MANIFEST.sha256" is missing')],
    ]);
    await store.delete(other);
    const newestOwn = summaryOf(
      (await lab.horno(['pull-unpack-tree', '--release', 'demo', '--newest', '--json'])).stdout,
    );
    expect(newestOwn.failed).toEqual([]);
    expect([...newestOwn.ran, ...newestOwn.skipped].map((r) => r.key).sort()).toEqual(['aarch64', 'x86_64']);
  });

  it('makes BaseOS an install tree whose .treeinfo lists both variants and checksums that verify', async () => {
    const os = join(compose(), 'compose', 'BaseOS', 'x86_64', 'os');
    for (const f of [
      'images/pxeboot/vmlinuz',
      'images/install.img',
      'images/efiboot.img',
      'EFI/BOOT/BOOTX64.EFI',
    ])
      expect((await stat(join(os, f))).isFile()).toBe(true);
    // the repo stays sync-repos': its .discinfo and media.repo were not replaced by lorax's
    expect((await readFile(join(os, '.discinfo'), 'utf8')).split('\n')).toHaveLength(5);
    const t = parseTreeInfo(await readFile(join(os, '.treeinfo'), 'utf8'));
    expect(t.release).toEqual({ name: 'Horno Demo Linux', short: 'Demo', version: '9.9' });
    expect(t.tree).toEqual({ arch: 'x86_64', buildTimestamp: Number(EPOCH), platforms: ['x86_64', 'xen'] });
    expect(Object.fromEntries(t.variants.map((v) => [v.uid, v.paths]))).toEqual({
      BaseOS: { packages: 'Packages', repository: '.' },
      AppStream: {
        packages: '../../../AppStream/x86_64/os/Packages',
        repository: '../../../AppStream/x86_64/os',
      },
    });
    expect(t.stage2).toEqual({ mainimage: 'images/install.img', instimage: undefined });
    expect(t.images['x86_64']?.['boot.iso']).toBe('images/boot.iso');
    expect(Object.keys(t.checksums).sort()).toEqual([
      'images/boot.iso',
      'images/efiboot.img',
      'images/install.img',
      'images/pxeboot/initrd.img',
      'images/pxeboot/vmlinuz',
      'repodata/repomd.xml',
    ]);
    for (const [file, [alg, hex]] of Object.entries(t.checksums)) {
      expect(alg).toBe('sha256');
      expect(await sha256(join(os, file))).toBe(hex);
    }
  });

  it("stages boot.iso under the release's names with relative links and a sorted manifest", async () => {
    const dir = join(compose(), 'work', 'isos', 'x86_64');
    expect((await readdir(dir)).sort()).toEqual([
      'Demo-9-latest-x86_64-boot.iso',
      'Demo-9-latest-x86_64-boot.iso.manifest',
      'Demo-9.9-x86_64-boot.iso',
      'Demo-9.9-x86_64-boot.iso.manifest',
      'Demo-x86_64-boot.iso',
    ]);
    expect(await readlink(join(dir, 'Demo-x86_64-boot.iso'))).toBe('Demo-9.9-x86_64-boot.iso');
    expect(await readlink(join(dir, 'Demo-9-latest-x86_64-boot.iso'))).toBe('Demo-9.9-x86_64-boot.iso');
    const iso = join(dir, 'Demo-9.9-x86_64-boot.iso');
    expect(await sha256(iso)).toBe(
      await sha256(join(compose(), 'work', 'lorax', 'x86_64', 'lorax', 'images', 'boot.iso')),
    );
    const manifest = (await readFile(`${iso}.manifest`, 'utf8')).trimEnd().split('\n');
    expect(manifest).toEqual([...manifest].sort());
    expect(manifest).toEqual(
      expect.arrayContaining(['/.discinfo', '/isolinux/isolinux.bin', '/images/efiboot.img']),
    );
  });

  const modes: [Firmware, Media][] = [
    ['bios', 'cdrom'],
    ['bios', 'disk'],
    ['uefi', 'cdrom'],
    ['uefi', 'disk'],
  ];
  it.each(modes)(
    'the staged boot ISO boots with %s as %s',
    async (firmware, media) => {
      const skip = bootcheckSkipReason(firmware);
      if (skip) return console.warn(`skipped: ${skip}`);
      const iso = join(compose(), 'work', 'isos', 'x86_64', 'Demo-9.9-x86_64-boot.iso');
      const r = await bootcheck({ iso, firmware, media });
      console.log(`boot.iso ${firmware}/${media}: ${r.ok ? 'BOOT-OK' : r.reason} in ${r.seconds} s`);
      expect(r.ok, r.tail).toBe(true);
      expect(r.firmwareSeen).toBe(firmware.toUpperCase());
      expect(r.cmdline).toContain('inst.stage2=hd:LABEL=Demo-9-9-x86_64-dvd');
    },
    180_000,
  );

  it('refuses a download whose bytes do not match the recorded sha256', async () => {
    const key = `buildiso-9-aarch64/${ID}/${EPOCH}/lorax-9.9-aarch64.tar.gz`;
    const file = join(lab.dir, 'store', ...key.split('/'));
    const good = await readFile(file);
    const bad = Buffer.from(good);
    const mid = bad.length >> 1;
    bad[mid] = bad[mid]! ^ 0xff;
    await writeFile(file, bad);
    try {
      const r = await lab.horno(
        ['pull-unpack-tree', '--release', 'demo', '--arch', 'aarch64', '--force-download', '--json'],
        {
          okExitCodes: [0],
        },
      );
      // aarch64 is failable in the demo release: the compose goes on, the unit is reported failed
      const s = summaryOf(r.stdout);
      expect(s.failed.map((f) => [f.key, f.failable])).toEqual([['aarch64', true]]);
      expect(s.failed[0]!.error).toMatch(/sha256/);
    } finally {
      await writeFile(file, good);
    }
  });

  it('refuses a malicious tarball and writes nothing outside the work folder', async () => {
    await lab.horno(['pull-unpack-tree', '--release', 'demo', '--arch', 'x86_64']); // a good tree first (no-op if there)
    const evil = join(lab.dir, 'evil.tar.gz');
    await writeFile(
      evil,
      craftTarball([
        { path: 'MANIFEST.sha256', body: '' },
        { path: 'lorax/', type: 'Directory', mode: 0o755 },
        { path: 'lorax/.treeinfo', body: '[header]\n' },
        { path: 'lorax/images/evil', type: 'SymbolicLink', linkpath: '/etc' },
        { path: 'lorax/images/evil/passwd', body: 'pwned\n' },
        { path: 'lorax/../../../../../escaped', body: 'pwned\n' },
      ]),
    );
    const key = 'buildiso-9-x86_64/1800000000/lorax-9.9-x86_64.tar.gz';
    await store.put(key, evil);
    const treeinfo = join(compose(), 'work', 'lorax', 'x86_64', 'lorax', '.treeinfo');
    const before = await outsideWork();
    const treeBefore = await readFile(treeinfo, 'utf8');
    try {
      const r = await lab.horno(
        ['pull-unpack-tree', '--release', 'demo', '--arch', 'x86_64', '--newest', '--json'],
        { okExitCodes: [1] },
      );
      const s = summaryOf(r.stdout);
      expect(s.failed.map((f) => f.key)).toEqual(['x86_64']);
      // the header pass stops at the first bad entry it reads; links are judged once all headers are read
      expect(s.failed[0]!.error).toMatch(
        /refused, entry "lorax\/\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/escaped" has a "\.\." segment/,
      );
      const after = await outsideWork();
      const changed = [...new Set([...before.keys(), ...after.keys()])].filter(
        (k) => before.get(k) !== after.get(k),
      );
      expect(changed).toEqual([]);
      expect(await readFile('/etc/passwd', 'utf8')).not.toContain('pwned');
      // the tree from the good tarball is still there, untouched
      expect(await readFile(treeinfo, 'utf8')).toBe(treeBefore);
      const work = join(compose(), 'work', 'lorax', 'x86_64');
      expect((await readdir(work)).filter((n) => n.startsWith('.'))).toEqual([]);
    } finally {
      await store.delete(key);
    }
  });
});
