// The boot bits the lorax stand-in (test/stand-ins/lorax) assembles into a tree: a Debian kernel, a busybox
// initramfs whose /init prints `BOOT-OK fw=... cmdline=...` and powers off, isolinux, a GRUB EFI image and mtools.
// Prepared once per set of host package versions under ${HORNO_CACHE:-~/.cache/horno}/boot-assets/<hash> (temp dir,
// then rename), never committed: the kernel .deb alone is 70 MB. Recipe: shared/notes/host-rpm-iso.md section 4.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, copyFile, mkdir, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { ToolMissingError } from '../../src/wrappers/errors.ts';
import { run, spawnStream } from '../../src/wrappers/run/runner.ts';
import { cleanStale, publish, tempDirFor } from '../fixtures/distro/cache.ts';
import { findOnPath } from '../fixtures/distro/tools.ts';

export interface BootAssets {
  /** The folder to hand the stand-in as HORNO_BOOT_ASSETS. */
  dir: string;
  /** e.g. linux-image-6.1.0-56-amd64 */
  kernelPackage: string;
  /** The init script's marker line starts with this. */
  marker: 'BOOT-OK';
}

/** The files every assets folder holds (relative paths); manifest.json is written last and marks it complete. */
export const BOOT_ASSET_FILES = [
  'vmlinuz',
  'initrd.img',
  'BOOTX64.EFI',
  'isohdpfx.bin',
  'isolinux/isolinux.bin',
  'isolinux/ldlinux.c32',
  'isolinux/libcom32.c32',
  'isolinux/libutil.c32',
  'isolinux/vesamenu.c32',
  'bin/mtools',
] as const;

const INIT = `#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc; /bin/busybox mount -t sysfs sys /sys; /bin/busybox mount -t devtmpfs dev /dev
if [ -d /sys/firmware/efi ]; then FW=UEFI; else FW=BIOS; fi
echo "BOOT-OK fw=$FW cmdline=$(/bin/busybox cat /proc/cmdline)"
/bin/busybox poweroff -f
`;

// Finds the ISO 9660 file system by a file every lorax tree has instead of by label, so one BOOTX64.EFI serves
// every volume id; the menu (EFI/BOOT/grub.cfg on the ISO) then searches by label as lorax's does.
const GRUB_EMBED = `search --no-floppy --set=root --file /.discinfo
set prefix=($root)/EFI/BOOT
configfile ($root)/EFI/BOOT/grub.cfg
`;
const GRUB_MODULES =
  'part_gpt part_msdos iso9660 fat search search_label search_fs_file configfile normal linux linuxefi serial terminal echo test';

const HOST_FILES = {
  busybox: '/bin/busybox',
  isolinux: '/usr/lib/ISOLINUX/isolinux.bin',
  isohdpfx: '/usr/lib/ISOLINUX/isohdpfx.bin',
  c32: '/usr/lib/syslinux/modules/bios',
  mtools: '/usr/bin/mtools',
};
const HOST_PACKAGES = ['busybox-static', 'grub-efi-amd64-bin', 'isolinux', 'syslinux-common', 'mtools'];
const TOOLS = ['apt-get', 'apt-cache', 'dpkg-deb', 'dpkg-query', 'tar', 'cpio', 'grub-mkstandalone'];
/** Fixed file times inside the initramfs, so two preparations give the same bytes. */
const FIXED_TIME = 1_700_000_000;

export function bootAssetsBase(): string {
  const root = process.env.HORNO_CACHE || join(process.env.HOME || homedir(), '.cache', 'horno');
  return join(root, 'boot-assets');
}

const inFlight = new Map<string, Promise<BootAssets>>();

/** The cached assets for this host's packages, preparing them first when the cache has none (~3 s cold). */
export async function ensureBootAssets(opts: { log?: (m: string) => void } = {}): Promise<BootAssets> {
  for (const t of TOOLS) {
    if (!findOnPath(t)) throw new ToolMissingError(`boot assets: '${t}' is not installed`, 'run bin/setup');
  }
  const base = bootAssetsBase();
  const final = join(base, await assetsHash());
  const existing = await readManifest(final);
  if (existing) return existing;
  let p = inFlight.get(final);
  if (!p) {
    p = prepare(base, final, opts.log ?? (() => {}));
    inFlight.set(final, p);
    p.finally(() => inFlight.delete(final)).catch(() => {});
  }
  return p;
}

async function assetsHash(): Promise<string> {
  const versions = await run(['dpkg-query', '-W', '-f', '${Package} ${Version}\\n', ...HOST_PACKAGES], {
    captureStdout: true,
  });
  const source = await readFile(fileURLToPath(import.meta.url));
  return createHash('sha256')
    .update(JSON.stringify({ versions: versions.stdout, source: sha256(source) }))
    .digest('hex')
    .slice(0, 16);
}

async function readManifest(dir: string): Promise<BootAssets | undefined> {
  try {
    const m = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Omit<BootAssets, 'dir'>;
    return { ...m, dir };
  } catch {
    return undefined;
  }
}

async function prepare(base: string, final: string, log: (m: string) => void): Promise<BootAssets> {
  await mkdir(base, { recursive: true });
  await cleanStale(base);
  const tmp = tempDirFor(base);
  const started = performance.now();
  try {
    await mkdir(join(tmp, 'isolinux'), { recursive: true });
    await mkdir(join(tmp, 'bin'));
    const [kernelPackage] = await Promise.all([
      fetchKernel(tmp),
      makeInitrd(tmp),
      makeGrubEfi(tmp),
      copyHostFiles(tmp),
    ]);
    const manifest: Omit<BootAssets, 'dir'> & { files: Record<string, string> } = {
      kernelPackage,
      marker: 'BOOT-OK',
      files: {},
    };
    for (const f of BOOT_ASSET_FILES) manifest.files[f] = sha256(await readFile(join(tmp, f)));
    await writeFile(join(tmp, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    await publish(tmp, final, async (d) => (await readManifest(d)) !== undefined);
    log(`boot assets ready in ${((performance.now() - started) / 1000).toFixed(1)} s: ${final}`);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  return (await readManifest(final))!;
}

/** `apt-get download` of the kernel the linux-image-amd64 metapackage points at; only /boot/vmlinuz-* is kept. */
async function fetchKernel(dir: string): Promise<string> {
  const deps = await run(['apt-cache', 'depends', 'linux-image-amd64'], { captureStdout: true });
  const pkg = /Depends: (linux-image-[\w.+-]+-amd64)/.exec(deps.stdout)?.[1];
  if (!pkg)
    throw new Error(
      `boot assets: no kernel package in 'apt-cache depends linux-image-amd64':\n${deps.stdout}`,
    );
  const dl = join(dir, '.deb');
  await mkdir(dl);
  await run(['apt-get', 'download', pkg], { cwd: dl, logFile: join(dl, 'apt.log') });
  const abi = pkg.slice('linux-image-'.length);
  const name = (await readdir(dl)).find((f) => f.endsWith('.deb'));
  if (!name)
    throw new Error(`boot assets: apt-get download ${pkg} left no .deb (see ${join(dl, 'apt.log')})`);
  const deb = join(dl, name);
  // The kernel is the fifth member of data.tar; --occurrence stops tar there instead of inflating 390 MB of
  // modules (0.1 s instead of 6 s). dpkg-deb then dies of the closed pipe, which is expected.
  const producer = spawnStream(['dpkg-deb', '--fsys-tarfile', deb]);
  const consumer = spawnStream(['tar', '-x', '--occurrence=1', '-C', dl, `./boot/vmlinuz-${abi}`], {
    stdin: producer.stdout,
  });
  consumer.stdout.resume();
  try {
    await consumer.done;
  } finally {
    producer.stdout.destroy();
    await producer.done.catch(() => {});
  }
  await copyFile(join(dl, 'boot', `vmlinuz-${abi}`), join(dir, 'vmlinuz'));
  await rm(dl, { recursive: true, force: true });
  return pkg;
}

/** busybox-static plus /init, as a gzip'd newc cpio with fixed times and sorted entries. */
async function makeInitrd(dir: string): Promise<void> {
  const root = join(dir, '.initrd-root');
  for (const d of ['bin', 'dev', 'proc', 'sys']) await mkdir(join(root, d), { recursive: true });
  await copyFile(HOST_FILES.busybox, join(root, 'bin', 'busybox'));
  await chmod(join(root, 'bin', 'busybox'), 0o755);
  await writeFile(join(root, 'init'), INIT, { mode: 0o755 });
  const entries = ['.', './bin', './bin/busybox', './dev', './init', './proc', './sys'];
  for (const e of entries) await utimes(join(root, e), FIXED_TIME, FIXED_TIME);
  const cpio = spawnStream(['cpio', '--null', '-o', '-H', 'newc', '--quiet', '--reproducible'], {
    cwd: root,
    stdin: Readable.from([Buffer.from(entries.map((e) => `${e}\0`).join(''))]),
  });
  await Promise.all([
    pipeline(cpio.stdout, createGzip({ level: 9 }), createWriteStream(join(dir, 'initrd.img'))),
    cpio.done,
  ]);
  await rm(root, { recursive: true, force: true });
}

async function makeGrubEfi(dir: string): Promise<void> {
  const embed = join(dir, '.grub-embed.cfg');
  await writeFile(embed, GRUB_EMBED);
  await run([
    'grub-mkstandalone',
    '-O',
    'x86_64-efi',
    '-o',
    join(dir, 'BOOTX64.EFI'),
    `--modules=${GRUB_MODULES}`,
    `--install-modules=${GRUB_MODULES} all_video efi_gop efi_uga gzio`,
    '--locales=',
    '--fonts=',
    '--themes=',
    `boot/grub/grub.cfg=${embed}`,
  ]);
  await rm(embed);
}

/** isolinux from the host, and mtools (libc only) for build roots without it, such as the podman builder image. */
async function copyHostFiles(dir: string): Promise<void> {
  await copyFile(HOST_FILES.isolinux, join(dir, 'isolinux', 'isolinux.bin'));
  await copyFile(HOST_FILES.isohdpfx, join(dir, 'isohdpfx.bin'));
  for (const m of ['ldlinux', 'libcom32', 'libutil', 'vesamenu']) {
    await copyFile(join(HOST_FILES.c32, `${m}.c32`), join(dir, 'isolinux', `${m}.c32`));
  }
  await copyFile(HOST_FILES.mtools, join(dir, 'bin', 'mtools'));
  await chmod(join(dir, 'bin', 'mtools'), 0o755);
  for (const name of ['mformat', 'mmd', 'mcopy', 'mdir']) await symlink('mtools', join(dir, 'bin', name));
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}
