// The lorax stand-in as a command: lorax's arguments accepted and unknown ones refused the way argparse does, the
// output layout lorax writes (RHEL 9 isolinux style), lorax's old-style .treeinfo (no productmd header, no
// checksums) that our reader takes, failures injected per arch, and what changes for an arch other than x86_64.
// Booting is in bootcheck.test.ts.
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLoraxTreeInfo } from '../../src/wrappers/iso/treeinfo.ts';
import { CommandFailedError } from '../../src/wrappers/errors.ts';
import { run } from '../../src/wrappers/run/runner.ts';
import { type BootAssets, ensureBootAssets } from '../helpers/boot-assets.ts';
import { installLoraxStandIn } from '../stand-ins/lorax/install.ts';

let assets: BootAssets;
let dir: string;
let repo: string;
let path: string;

beforeAll(async () => {
  assets = await ensureBootAssets({ log: console.log });
  dir = await mkdtemp(join(tmpdir(), 'horno-standin-'));
  repo = join(dir, 'repo');
  await mkdir(join(repo, 'repodata'), { recursive: true });
  await writeFile(join(repo, 'repodata', 'repomd.xml'), '<repomd/>\n');
  path = await installLoraxStandIn(join(dir, 'bin'), { assets: assets.dir, failArches: ['ppc64le'] });
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const base = (out: string, extra: string[] = []) => [
  'lorax',
  '--product',
  'Horno Demo Linux',
  '--version',
  '9.9',
  '--release',
  '9.9',
  '--variant',
  'BaseOS',
  '--source',
  `file://${repo}`,
  '--nomacboot',
  ...extra,
  out,
];

async function lorax(argv: string[], ok = [0]) {
  try {
    return await run(argv, {
      // like lorax, the stand-in logs to ./lorax.log without --logfile: keep that out of the working tree
      cwd: dirname(argv.at(-1)!), // the output dir's parent: a test's temp folder
      env: { PATH: path, SOURCE_DATE_EPOCH: '1700000000' },
      captureStdout: true,
      okExitCodes: ok,
    });
  } catch (e) {
    if (e instanceof CommandFailedError)
      return { exitCode: e.exitCode_, stdout: '', stderrTail: e.stderrTail };
    throw e;
  }
}

async function files(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(root, { recursive: true, withFileTypes: true }))
    if (e.isFile()) out.push(relative(root, join(e.parentPath, e.name)));
  return out.sort();
}

describe('lorax stand-in', () => {
  it("writes lorax's output layout with .treeinfo, .discinfo and .buildstamp as lorax fills them", async () => {
    const out = join(dir, 'x86_64');
    const log = join(dir, 'logs', 'lorax.log');
    const r = await lorax(
      base(out, [
        '--isfinal',
        '--buildarch',
        'x86_64',
        '--volid',
        'Demo-9-9-x86_64-dvd',
        '--bugurl',
        'https://example.invalid/bugs',
        '--squashfs-only',
        '--rootfs-size=2',
        `--logfile=${log}`,
      ]),
    );
    expect(r.exitCode).toBe(0);
    expect(await files(out)).toEqual([
      '.discinfo',
      '.treeinfo',
      'EFI/BOOT/BOOTX64.EFI',
      'EFI/BOOT/grub.cfg',
      'README.stand-in.txt',
      'images/boot.iso',
      'images/efiboot.img',
      'images/install.img',
      'images/pxeboot/initrd.img',
      'images/pxeboot/vmlinuz',
      'isolinux/initrd.img',
      'isolinux/isolinux.bin',
      'isolinux/isolinux.cfg',
      'isolinux/ldlinux.c32',
      'isolinux/libcom32.c32',
      'isolinux/libutil.c32',
      'isolinux/vesamenu.c32',
      'isolinux/vmlinuz',
    ]);
    expect(await readFile(join(out, '.discinfo'), 'utf8')).toBe('1700000000\n9.9\nx86_64\n');
    // lorax's own .treeinfo: configparser's order and spacing, the images lorax 34.9's x86.tmpl lists
    const text = await readFile(join(out, '.treeinfo'), 'utf8');
    expect(text).toBe(
      [
        '[general]',
        'timestamp = 1700000000',
        'family = Horno Demo Linux',
        'version = 9.9',
        'name = Horno Demo Linux-9.9',
        'variant = BaseOS',
        'arch = x86_64',
        'packagedir = ',
        '',
        '[stage2]',
        'mainimage = images/install.img',
        '',
        '[images-x86_64]',
        'kernel = images/pxeboot/vmlinuz',
        'initrd = images/pxeboot/initrd.img',
        'efiboot.img = images/efiboot.img',
        'boot.iso = images/boot.iso',
        '',
        '[images-xen]',
        'kernel = images/pxeboot/vmlinuz',
        'initrd = images/pxeboot/initrd.img',
        '',
        '',
      ].join('\n'),
    );
    const ti = parseLoraxTreeInfo(text);
    expect(ti.tree).toEqual({ arch: 'x86_64', buildTimestamp: 1700000000, platforms: ['x86_64', 'xen'] });
    // every file it names is in the tree
    for (const p of [...Object.values(ti.images).flatMap(Object.values), ti.stage2!.mainimage!])
      expect((await stat(join(out, p))).isFile()).toBe(true);
    // boot menus carry the label and the serial console
    const args = 'inst.stage2=hd:LABEL=Demo-9-9-x86_64-dvd console=ttyS0,115200 panic=-1';
    expect(await readFile(join(out, 'isolinux', 'isolinux.cfg'), 'utf8')).toContain(args);
    const grub = await readFile(join(out, 'EFI', 'BOOT', 'grub.cfg'), 'utf8');
    expect(grub).toContain(`search --no-floppy --set=root -l 'Demo-9-9-x86_64-dvd'`);
    expect(grub).toContain(args);
    // the runtime image is a squashfs carrying .buildstamp
    const unsq = await run(['unsquashfs', '-cat', join(out, 'images', 'install.img'), '.buildstamp'], {
      captureStdout: true,
    });
    expect(unsq.stdout).toContain(
      'Product=Horno Demo Linux\nVersion=9.9\nBugURL=https://example.invalid/bugs\nIsFinal=True\nUUID=202311142213.x86_64\nVariant=BaseOS\n',
    );
    // the FAT image is labelled as lorax's mkefiboot labels it
    const fat = await run(['file', join(out, 'images', 'efiboot.img')], { captureStdout: true });
    expect(fat.stdout).toMatch(/label: "ANACONDA/);
    // the ISO's volume id
    const pvd = await run(['xorriso', '-indev', join(out, 'images', 'boot.iso'), '-pvd_info'], {
      captureStdout: true,
    });
    expect(pvd.stdout).toMatch(/Volume Id\s*: Demo-9-9-x86_64-dvd/);
    expect(await readFile(log, 'utf8')).toMatch(/SUCCESS/);
  });

  it('builds aarch64 with the x86_64 boot bits and says so', async () => {
    const out = join(dir, 'aarch64');
    expect(
      (await lorax(base(out, ['--buildarch', 'aarch64', '--logfile', join(dir, 'a.log')]))).exitCode,
    ).toBe(0);
    expect(await readFile(join(out, 'README.stand-in.txt'), 'utf8')).toMatch(/WITH x86_64 BOOT BITS/);
    const ti = parseLoraxTreeInfo(await readFile(join(out, '.treeinfo'), 'utf8'));
    expect(ti.tree).toEqual({ arch: 'aarch64', buildTimestamp: 1700000000, platforms: ['aarch64'] });
    // aarch64.tmpl lists efiboot.img as x86.tmpl does; no images-xen
    expect(ti.images).toEqual({
      aarch64: {
        kernel: 'images/pxeboot/vmlinuz',
        initrd: 'images/pxeboot/initrd.img',
        'efiboot.img': 'images/efiboot.img',
        'boot.iso': 'images/boot.iso',
      },
    });
    // lorax's default label when --volid is absent: <product>-<version>-<basearch>
    const pvd = await run(['xorriso', '-indev', join(out, 'images', 'boot.iso'), '-pvd_info'], {
      captureStdout: true,
    });
    expect(pvd.stdout).toMatch(/Volume Id\s*: Horno Demo Linux-9.9-aarch64/);
  });

  it('refuses what lorax refuses', async () => {
    const out = join(dir, 'refused');
    const unknown = await lorax([...base(out), '--no-such-option'], [2]);
    expect(unknown.stderrTail).toMatch(/lorax: error: unrecognized arguments: --no-such-option/);
    const missing = await lorax(['lorax', '--product', 'X', out], [2]);
    expect(missing.stderrTail).toMatch(/required: -v\/--version, -r\/--release/);
    await mkdir(join(dir, 'exists'));
    const exists = await lorax(base(join(dir, 'exists')), [2]);
    expect(exists.stderrTail).toMatch(/output directory should not exist/);
    const long = await lorax(base(out, ['--volid', 'X'.repeat(33)]), [1]);
    expect(long.stderrTail).toMatch(/cannot be longer than 32 characters/);
    const noRepo = await lorax([...base(out).slice(0, -1), '--source', 'file:///nonexistent', out], [1]);
    expect(noRepo.stderrTail).toMatch(/Problem adding source file:\/\/\/nonexistent/);
    await expect(stat(out)).rejects.toThrow();
  });

  it('fails on purpose for the arches the wrapper names, after writing its log', async () => {
    const log = join(dir, 'ppc.log');
    const r = await lorax(base(join(dir, 'ppc'), ['--buildarch', 'ppc64le', '--logfile', log]), [1]);
    expect(r.exitCode).toBe(1);
    expect(await readFile(log, 'utf8')).toMatch(/failure injected by HORNO_LORAX_FAIL_ARCHES/);
    await expect(stat(join(dir, 'ppc'))).rejects.toThrow();
  });
});
