import { describe, expect, it } from 'vitest';
import { mcopyInArgv, mcopyOutArgv, mdirRecursiveArgv, parseMdirBare } from './fat-image-argv.ts';
import { implantIsoMd5Argv, xorrisoExtractArgv, xorrisoReplayArgv } from './remaster-argv.ts';

describe('remaster argv', () => {
  it('extracts several files in one osirrox run', () => {
    expect(
      xorrisoExtractArgv('in.iso', [
        { isoPath: '/isolinux/isolinux.cfg', dest: '/w/0-isolinux.cfg' },
        { isoPath: '/EFI/BOOT/grub.cfg', dest: '/w/1-grub.cfg' },
      ]),
    ).toEqual([
      'xorriso',
      '-osirrox',
      'on',
      '-indev',
      'in.iso',
      '-extract',
      '/isolinux/isolinux.cfg',
      '/w/0-isolinux.cfg',
      '-extract',
      '/EFI/BOOT/grub.cfg',
      '/w/1-grub.cfg',
    ]);
  });

  it('replays the boot records and updates files, keeping the volume id', () => {
    expect(
      xorrisoReplayArgv({
        indev: 'in.iso',
        outdev: '.out.iso.tmp',
        joliet: false,
        updates: [
          { src: '/w/0-isolinux.cfg', isoPath: '/isolinux/isolinux.cfg' },
          { src: '/w/ks.cfg', isoPath: '/ks.cfg' },
        ],
      }),
    ).toEqual([
      'xorriso',
      '-indev',
      'in.iso',
      '-outdev',
      '.out.iso.tmp',
      '-boot_image',
      'any',
      'replay',
      '-update',
      '/w/0-isolinux.cfg',
      '/isolinux/isolinux.cfg',
      '-update',
      '/w/ks.cfg',
      '/ks.cfg',
    ]);
  });

  it('keeps Joliet, sets a new volume id and swaps an appended ESP after the replay', () => {
    expect(
      xorrisoReplayArgv({
        indev: 'in.iso',
        outdev: 'o',
        volid: 'NEW',
        joliet: true,
        updates: [{ src: '/w/ks.cfg', isoPath: '/ks.cfg' }],
        partitions: [{ number: 2, type: '0xef', src: '/w/efi-part2.img' }],
      }),
    ).toEqual([
      'xorriso',
      '-indev',
      'in.iso',
      '-outdev',
      'o',
      '-boot_image',
      'any',
      'replay',
      '-joliet',
      'on',
      '-compliance',
      'joliet_long_names',
      '-volid',
      'NEW',
      '-append_partition',
      '2',
      '0xef',
      '/w/efi-part2.img',
      '-update',
      '/w/ks.cfg',
      '/ks.cfg',
    ]);
  });

  it('forces the md5 implant over the input one', () => {
    expect(implantIsoMd5Argv('o.iso')).toEqual(['implantisomd5', '--force', 'o.iso']);
  });
});

describe('FAT image argv (mtools)', () => {
  it('lists, copies out and copies back', () => {
    expect(mdirRecursiveArgv('/w/efi.img')).toEqual(['mdir', '-b', '-/', '-i', '/w/efi.img', '::/']);
    expect(mcopyOutArgv('/w/efi.img', '/EFI/BOOT/grub.cfg', '/w/g')).toEqual([
      'mcopy',
      '-n',
      '-i',
      '/w/efi.img',
      '::/EFI/BOOT/grub.cfg',
      '/w/g',
    ]);
    expect(mcopyInArgv('/w/efi.img', '/w/g', '/EFI/BOOT/grub.cfg')).toEqual([
      'mcopy',
      '-o',
      '-i',
      '/w/efi.img',
      '/w/g',
      '::/EFI/BOOT/grub.cfg',
    ]);
  });

  it('parses mdir -b -/ into file paths', () => {
    const out = '::/EFI/\n::/EFI/BOOT/\n::/EFI/BOOT/BOOTX64.EFI\n::/EFI/BOOT/grub.cfg\n';
    expect(parseMdirBare(out)).toEqual(['/EFI/BOOT/BOOTX64.EFI', '/EFI/BOOT/grub.cfg']);
  });
});
