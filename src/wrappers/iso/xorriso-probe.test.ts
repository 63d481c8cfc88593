import { describe, expect, it } from 'vitest';
import { parseInterval, parseProbe, PROBE_MARK, unquoteXorriso, xorrisoProbeArgv } from './xorriso-probe.ts';

// what xorriso 1.5.4 prints for the lorax stand-in's boot.iso (RHEL 9 layout: efiboot.img is a file)
const RHEL9 = `-V 'Rocky-9-x86_64-boot'
--modification-date='2026112202420000'
-isohybrid-mbr --interval:local_fs:0s-15s:zero_mbrpt,zero_gpt:'out/images/boot.iso'
-partition_cyl_align on
-c '/isolinux/boot.cat'
-b '/isolinux/isolinux.bin'
-no-emul-boot
-boot-load-size 4
-boot-info-table
-eltorito-alt-boot
-e '/images/efiboot.img'
-no-emul-boot
-boot-load-size 3440
-isohybrid-gpt-basdat
${PROBE_MARK}
'/.discinfo'
'/EFI/BOOT/grub.cfg'
'/images/efiboot.img'
'/isolinux/isolinux.cfg'
'/it'"'"'s here'
`;

// lorax >= 37.3 (EL 10): the ESP is appended as partition 2 and El Torito points into it
const EL10 = `-V 'EL10-test'
-append_partition 2 0xef --interval:local_fs:40960d-44399d::'el10.iso'
-part_like_isohybrid
-c '/isolinux/boot.cat'
-b '/isolinux/isolinux.bin'
-eltorito-alt-boot
-e '--interval:appended_partition_2_start_10240s_size_3440d:all::'
-no-emul-boot
${PROBE_MARK}
'/EFI/BOOT/grub.cfg'
`;

describe('xorriso probe', () => {
  it('builds the probe argv', () => {
    expect(xorrisoProbeArgv('/x/boot.iso')).toEqual([
      'xorriso',
      '-indev',
      '/x/boot.iso',
      '-report_el_torito',
      'as_mkisofs',
      '-print',
      PROBE_MARK,
      '-find',
      '/',
      '-type',
      'f',
    ]);
  });

  it('parses files, the BIOS image and an EFI image file', () => {
    const p = parseProbe(RHEL9);
    expect([...p.files]).toEqual([
      '/.discinfo',
      '/EFI/BOOT/grub.cfg',
      '/images/efiboot.img',
      '/isolinux/isolinux.cfg',
      "/it's here",
    ]);
    expect(p.bios).toBe('/isolinux/isolinux.bin');
    expect(p.efi).toEqual([{ kind: 'file', isoPath: '/images/efiboot.img' }]);
    expect(p.report).toHaveLength(14);
  });

  it('parses an appended EFI partition as byte range', () => {
    const p = parseProbe(EL10);
    expect(p.efi).toEqual([
      { kind: 'partition', number: 2, type: '0xef', offset: 40960 * 512, length: 3440 * 512 },
    ]);
  });

  it('gives an empty probe for output without the marker', () => {
    expect(parseProbe('')).toEqual({ files: new Set(), bios: undefined, efi: [], report: [] });
  });

  it('unquotes and reads intervals', () => {
    expect(unquoteXorriso(`'a'"'"'b'`)).toBe("a'b");
    expect(unquoteXorriso('plain')).toBe('plain');
    expect(parseInterval('0s-15s')).toEqual({ offset: 0, length: 16 * 2048 });
    expect(parseInterval('100-199')).toEqual({ offset: 100, length: 100 });
    expect(parseInterval('9d-1d')).toBeUndefined();
    expect(parseInterval('x')).toBeUndefined();
  });
});
