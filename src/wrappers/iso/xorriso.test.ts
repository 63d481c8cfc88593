import { describe, expect, it } from 'vitest';
import {
  dialogText,
  findArgv,
  implantisomd5Argv,
  optionsFromFileArgv,
  parseElToritoPlain,
  parseFindOutput,
  quoteWord,
  replayDialog,
  reportElToritoArgv,
  sorryLines,
  uuidTimestring,
} from './xorriso.ts';

const grafts = [
  { disk: '/w/dvd/.treeinfo', isoPath: '/.treeinfo' },
  { disk: '/w/dvd/.discinfo', isoPath: '/.discinfo', replace: true },
  { disk: '/c/BaseOS/x86_64/os/Packages', isoPath: '/BaseOS/Packages' },
];

describe('replayDialog', () => {
  it('replays boot.iso and grafts, as empanadas xorriso.tmpl.txt does', () => {
    const cmds = replayDialog({
      indev: '/w/lorax/images/boot.iso',
      outdev: '/w/isos/.dvd.tmp',
      volid: 'Rocky-9-7-x86_64-dvd',
      systemId: 'LINUX',
      grafts,
    });
    expect(dialogText(cmds)).toBe(
      [
        '-indev /w/lorax/images/boot.iso',
        '-outdev /w/isos/.dvd.tmp',
        '-boot_image any replay',
        '-joliet on',
        '-system_id LINUX',
        '-compliance joliet_long_names',
        '-volid Rocky-9-7-x86_64-dvd',
        '-map /w/dvd/.treeinfo /.treeinfo',
        '-update /w/dvd/.discinfo /.discinfo',
        '-map /c/BaseOS/x86_64/os/Packages /BaseOS/Packages',
        '-end',
        '',
      ].join('\n'),
    );
  });

  it('pins every date under SOURCE_DATE_EPOCH and clamps newer mtimes in batches', () => {
    const clamp = Array.from({ length: 65 }, (_, i) => `/BaseOS/Packages/p${i}.rpm`);
    const cmds = replayDialog({
      indev: 'b.iso',
      outdev: 'o.iso',
      volid: 'V',
      systemId: 'PPC',
      grafts: [],
      epoch: 1700000000,
      clamp,
    });
    expect(cmds.slice(7, 11)).toEqual([
      ['-volume_date', 'uuid', '2023111422132000'],
      ['-volume_date', 'all_file_dates', 'set_to_mtime'],
      ['-iso_nowtime', '=1700000000'],
      ['-boot_image', 'any', 'gpt_disk_guid=volume_date_uuid'],
    ]);
    expect(cmds[11]).toEqual(['-alter_date', 'm-c', '=1700000000', ...clamp.slice(0, 64), '--']);
    expect(cmds[12]).toEqual(['-alter_date', 'm-c', '=1700000000', clamp[64], '--']);
    expect(cmds.at(-1)).toEqual(['-end']);
    expect(uuidTimestring(0)).toBe('1970010100000000');
  });

  it('quotes words the way the dialog parser reads them, and refuses newlines', () => {
    expect(quoteWord('/plain/path-1.0_x+y=z')).toBe('/plain/path-1.0_x+y=z');
    expect(quoteWord('with space')).toBe("'with space'");
    expect(quoteWord("it's")).toBe(`'it'"'"'s'`);
    expect(quoteWord('')).toBe("''");
    expect(() => quoteWord('a\nb')).toThrow(/newline/);
  });
});

describe('argv builders', () => {
  it('are exact', () => {
    expect(optionsFromFileArgv('/w/x.txt')).toEqual(['xorriso', '-options_from_file', '/w/x.txt']);
    expect(findArgv('/i.iso')).toEqual(['xorriso', '-indev', '/i.iso', '-find', '/']);
    expect(reportElToritoArgv('/i.iso', 'as_mkisofs')).toEqual([
      'xorriso',
      '-indev',
      '/i.iso',
      '-report_el_torito',
      'as_mkisofs',
    ]);
    expect(implantisomd5Argv('/i.iso')).toEqual(['implantisomd5', '--supported-iso', '/i.iso']);
  });
});

describe('parsers', () => {
  it('turns -find output into the sorted manifest without the root', () => {
    const out = [
      "'/'",
      "'/isolinux'",
      "'/.treeinfo'",
      "'/EFI/BOOT/BOOTX64.EFI'",
      `'/it'"'"'s'`,
      "'/EFI'",
      '',
    ].join('\n');
    expect(parseFindOutput(out)).toEqual([
      '/.treeinfo',
      '/EFI',
      '/EFI/BOOT/BOOTX64.EFI',
      '/isolinux',
      "/it's",
    ]);
  });

  it('reads the El Torito entries and their paths from the plain report', () => {
    const report = `El Torito catalog  : 38  1
El Torito cat path : /isolinux/boot.cat
El Torito images   :   N  Pltf  B   Emul  Ld_seg  Hdpt  Ldsiz         LBA
El Torito boot img :   1  BIOS  y   none  0x0000  0x00      4         899
El Torito boot img :   2  UEFI  y   none  0x0000  0x00   3440          39
El Torito img path :   1  /isolinux/isolinux.bin
El Torito img opts :   1  boot-info-table isohybrid-suitable
El Torito img path :   2  /images/efiboot.img
`;
    expect(parseElToritoPlain(report)).toEqual([
      { n: 1, platform: 'BIOS', path: '/isolinux/isolinux.bin' },
      { n: 2, platform: 'UEFI', path: '/images/efiboot.img' },
    ]);
    expect(sorryLines(`-V 'X'\nxorriso : SORRY : Cannot enable EL Torito boot image\n`)).toEqual([
      'xorriso : SORRY : Cannot enable EL Torito boot image',
    ]);
  });
});
