// Installer ISOs for the iso-ks tests, all from one run of the lorax stand-in (test/stand-ins/lorax): its boot.iso
// (RHEL 8/9 layout: isolinux, EFI/BOOT/grub.cfg, images/efiboot.img as a file) and three shapes derived from it
// with xorriso: with a DVD's .treeinfo added (lorax's rewritten as productmd 1.2 with [checksums], as pungi does),
// with the ESP appended as partition 2 (the EL 10 way of carrying efiboot.img; BIOS stays isolinux here), and a data
// ISO without El Torito. About 2 s in all.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checksummedFiles } from '../../src/wrappers/iso/install-tree.ts';
import { parseLoraxTreeInfo, serializeTreeInfo } from '../../src/wrappers/iso/treeinfo.ts';
import { run } from '../../src/wrappers/run/runner.ts';
import { digestFiles } from '../../src/wrappers/metadata/digest.ts';
import { installLoraxStandIn } from '../stand-ins/lorax/install.ts';
import { ensureBootAssets } from './boot-assets.ts';

export interface InstallerIsos {
  dir: string;
  volid: string;
  /** lorax's images/boot.iso, md5 implanted. */
  boot: string;
  /** boot.iso with /.treeinfo (the file `treeinfo`), whose [checksums] list images/efiboot.img. */
  withTreeinfo: string;
  /** The DVD .treeinfo put into `withTreeinfo`: productmd 1.2, one variant, images and stage2 checksummed. */
  treeinfo: string;
  /** The same tree with efiboot.img appended as GPT partition 2 and El Torito's UEFI entry pointing into it. */
  appendedEsp: string;
  /** ISO 9660 with a file in it and no boot record. */
  plain: string;
}

const ESP_GUID = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';

export async function makeInstallerIsos(dir: string, opts: { volid?: string } = {}): Promise<InstallerIsos> {
  const volid = opts.volid ?? 'Horno-9-9-x86_64-boot';
  const assets = await ensureBootAssets({ log: console.log });
  const repo = join(dir, 'repo');
  await mkdir(join(repo, 'repodata'), { recursive: true });
  await writeFile(join(repo, 'repodata', 'repomd.xml'), '<repomd/>\n');
  const PATH = await installLoraxStandIn(join(dir, 'bin'), { assets: assets.dir });
  const tree = join(dir, 'lorax');
  const env = { PATH, SOURCE_DATE_EPOCH: '1700000000' };
  const log = join(dir, 'installer-iso.log');
  await run(
    [
      'lorax',
      ...['-p', 'Horno Demo Linux', '-v', '9.9', '-r', '9.9', '--nomacboot', '--volid', volid],
      ...['-s', `file://${repo}`, '--tmp', dir, '--logfile', join(dir, 'lorax.log'), tree],
    ],
    { env, logFile: log },
  );
  const boot = join(tree, 'images', 'boot.iso');

  const lorax = parseLoraxTreeInfo(await readFile(join(tree, '.treeinfo'), 'utf8'), join(tree, '.treeinfo'));
  const digests = await digestFiles(tree, checksummedFiles(lorax, [], false), 'sha256');
  const treeinfo = join(dir, 'dvd.treeinfo');
  await writeFile(
    treeinfo,
    serializeTreeInfo({
      ...lorax,
      release: { name: 'Horno Demo Linux', short: 'Horno', version: '9.9' },
      variants: [
        {
          id: 'BaseOS',
          uid: 'BaseOS',
          name: 'BaseOS',
          type: 'variant',
          paths: { packages: 'Packages', repository: '.' },
        },
      ],
      checksums: Object.fromEntries([...digests].map(([f, hex]) => [f, ['sha256', hex]])),
    }),
  );
  const withTreeinfo = join(dir, 'with-treeinfo.iso');
  await run(
    [
      'xorriso',
      ...['-indev', boot, '-outdev', withTreeinfo, '-boot_image', 'any', 'replay'],
      ...['-joliet', 'on', '-map', treeinfo, '/.treeinfo'],
    ],
    { env, logFile: log },
  );

  const appendedEsp = join(dir, 'appended-esp.iso');
  await run(
    [
      'xorriso',
      ...['-as', 'mkisofs', '-o', appendedEsp, '-R', '-J', '-joliet-long', '-V', volid],
      ...['-b', 'isolinux/isolinux.bin', '-c', 'isolinux/boot.cat', '-no-emul-boot', '-boot-load-size', '4'],
      ...[
        '-boot-info-table',
        '-eltorito-alt-boot',
        '-e',
        '--interval:appended_partition_2:all::',
        '-no-emul-boot',
      ],
      ...['-append_partition', '2', ESP_GUID, join(tree, 'images', 'efiboot.img')],
      ...['-isohybrid-mbr', join(assets.dir, 'isohdpfx.bin'), '-isohybrid-gpt-basdat'],
      ...['-m', 'boot.iso', '-m', 'efiboot.img', tree],
    ],
    { env, logFile: log },
  );

  const plainTree = join(dir, 'plain-tree');
  await mkdir(plainTree, { recursive: true });
  await writeFile(join(plainTree, 'README.txt'), 'a data disc, nothing to boot\n');
  const plain = join(dir, 'plain.iso');
  await run(['xorriso', '-as', 'mkisofs', '-o', plain, '-R', '-J', '-V', 'DATA', plainTree], {
    env,
    logFile: log,
  });
  return { dir, volid, boot, withTreeinfo, treeinfo, appendedEsp, plain };
}
