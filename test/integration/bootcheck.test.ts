// The QEMU boot check against the lorax stand-in's boot.iso: BIOS and UEFI, as CD and as disk, each to the
// initramfs marker with the boot loader the firmware should use; a non-bootable ISO fails fast instead of waiting
// for the timeout. The ISO's El Torito records and implanted md5 are checked with the real tools too. Slow (about
// 40 s of TCG); boots run one after another.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/wrappers/run/runner.ts';
import { ensureBootAssets } from '../helpers/boot-assets.ts';
import {
  bootcheck,
  bootcheckSkipReason,
  type Firmware,
  type Media,
  qemuArgv,
  stripAnsi,
} from '../helpers/bootcheck.ts';
import { installLoraxStandIn } from '../stand-ins/lorax/install.ts';

const VOLID = 'Demo-9-9-x86_64-dvd';
let dir: string;
let iso: string;

beforeAll(async () => {
  const assets = await ensureBootAssets({ log: console.log });
  dir = await mkdtemp(join(tmpdir(), 'horno-bootcheck-'));
  const repo = join(dir, 'repo');
  await mkdir(join(repo, 'repodata'), { recursive: true });
  await writeFile(join(repo, 'repodata', 'repomd.xml'), '<repomd/>\n');
  const PATH = await installLoraxStandIn(join(dir, 'bin'), { assets: assets.dir });
  const out = join(dir, 'tree');
  await run(
    [
      'lorax',
      '-p',
      'Horno Demo Linux',
      '-v',
      '9.9',
      '-r',
      '9.9',
      '-t',
      'BaseOS',
      '-s',
      `file://${repo}`,
      '--isfinal',
      '--nomacboot',
      '--buildarch',
      'x86_64',
      '--volid',
      VOLID,
      '--logfile',
      join(dir, 'lorax.log'),
      out,
    ],
    { env: { PATH } },
  );
  iso = join(out, 'images', 'boot.iso');
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('qemuArgv', () => {
  it('builds the TCG command for each firmware and medium', () => {
    const common = [
      'qemu-system-x86_64',
      '-m',
      '512',
      '-smp',
      '1',
      '-accel',
      'tcg',
      '-nographic',
      '-serial',
      'mon:stdio',
      '-no-reboot',
      '-nic',
      'none',
    ];
    expect(qemuArgv({ iso: '/i/a,b.iso', firmware: 'bios', media: 'cdrom' })).toEqual([
      ...common,
      '-cdrom',
      '/i/a,,b.iso',
    ]);
    expect(
      qemuArgv({ iso: '/x.iso', firmware: 'uefi', media: 'disk', ovmf: { bios: '/o/OVMF.fd' } }),
    ).toEqual([...common, '-bios', '/o/OVMF.fd', '-drive', 'file=/x.iso,format=raw,if=virtio,snapshot=on']);
    expect(
      qemuArgv({
        iso: '/x.iso',
        firmware: 'uefi',
        media: 'cdrom',
        ovmf: { code: '/c.fd', varsCopy: '/v.fd' },
      }),
    ).toEqual([
      ...common,
      '-machine',
      'q35',
      '-drive',
      'if=pflash,format=raw,unit=0,readonly=on,file=/c.fd',
      '-drive',
      'if=pflash,format=raw,unit=1,file=/v.fd',
      '-cdrom',
      '/x.iso',
    ]);
  });

  it('strips the escapes firmware menus are drawn with', () => {
    expect(stripAnsi('\x1b[2J\x1b[01;01H\x1b[05;:0HBooting `Install\r\n\x1b(BShell> ')).toBe(
      'Booting `Install\nShell> ',
    );
  });
});

describe('the stand-in boot.iso', () => {
  it('carries a BIOS and a UEFI El Torito record and a valid implanted md5', async () => {
    const r = await run(['xorriso', '-indev', iso, '-report_el_torito', 'as_mkisofs'], {
      captureStdout: true,
    });
    expect(r.stdout).not.toMatch(/SORRY/);
    expect(r.stdout).toMatch(/^-b '\/isolinux\/isolinux.bin'$/m);
    expect(r.stdout).toMatch(/^-e '\/images\/efiboot.img'$/m);
    expect(r.stdout).toMatch(/-isohybrid-gpt-basdat/);
    await run(['checkisomd5', iso]);
  });

  const modes: [Firmware, Media][] = [
    ['bios', 'cdrom'],
    ['bios', 'disk'],
    ['uefi', 'cdrom'],
    ['uefi', 'disk'],
  ];
  for (const [firmware, media] of modes) {
    const skip = bootcheckSkipReason(firmware);
    it.skipIf(skip)(
      `boots ${firmware.toUpperCase()} from ${media} to the marker${skip ? ` (skipped: ${skip})` : ''}`,
      async () => {
        const r = await bootcheck({
          iso,
          firmware,
          media,
          timeoutMs: 120_000,
          logFile: join(dir, `${firmware}-${media}.log`),
        });
        console.log(`boot ${firmware} ${media}: ${r.ok ? 'ok' : r.reason} in ${r.seconds} s`);
        expect(r, r.tail).toMatchObject({ ok: true, firmwareSeen: firmware.toUpperCase() });
        expect(r.cmdline).toContain(`inst.stage2=hd:LABEL=${VOLID} console=ttyS0,115200 panic=-1`);
        if (firmware === 'bios') {
          expect(r.loader).toBe('isolinux');
          expect(r.cmdline).toMatch(/^BOOT_IMAGE=vmlinuz initrd=initrd.img /);
        } else {
          expect(r.loader).toBe('grub');
          expect(r.cmdline).toMatch(/^BOOT_IMAGE=\/images\/pxeboot\/vmlinuz /);
        }
      },
      300_000,
    );
  }

  it.skipIf(bootcheckSkipReason('bios'))(
    'fails fast on an ISO nothing can boot',
    async () => {
      const plain = join(dir, 'plain.iso');
      await run(['xorriso', '-as', 'mkisofs', '-o', plain, '-V', 'PLAIN', join(dir, 'repo')]);
      const r = await bootcheck({
        iso: plain,
        firmware: 'bios',
        media: 'cdrom',
        timeoutMs: 120_000,
        logFile: join(dir, 'plain.log'),
      });
      expect(r.ok).toBe(false);
      // the reason itself shows it ended on the BIOS message, not on the 120 s timeout (that reason is
      // 'no marker within ...'); no wall-clock bound: a loaded CI box once took 43 s to get there
      expect(r.reason, `console tail:\n${r.tail}`).toMatch(/no bootable device/);
    },
    300_000,
  );
});
