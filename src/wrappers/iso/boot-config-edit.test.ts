import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  kernelLines,
  kickstartArgs,
  relabelArgs,
  relabelSearch,
  rewriteBootConfig,
  setKickstartArg,
  udevEscape,
  udevUnescape,
} from './boot-config-edit.ts';

const golden = (name: string) => readFile(new URL(`../../../test/golden/${name}`, import.meta.url), 'latin1');
const relabel = {
  ks: 'hd:LABEL=Rocky-9-4-deptA:/ks.cfg',
  oldVolid: 'Rocky-9-4-x86_64-dvd',
  newVolid: 'Rocky-9-4-deptA',
};

describe('boot config rewriting (golden files)', () => {
  it('isolinux.cfg: every append line gets one inst.ks, labels move, titles and longer labels stay', async () => {
    const r = rewriteBootConfig('isolinux', await golden('iso-ks-isolinux.cfg'), relabel);
    expect(r.text).toBe(await golden('iso-ks-isolinux.edited.cfg'));
    expect(r.entries).toBe(6);
  });

  it('grub.cfg: linuxefi, linux and linux16 lines, search -l and --label, CDLABEL=', async () => {
    const r = rewriteBootConfig('grub', await golden('iso-ks-grub.cfg'), relabel);
    expect(r.text).toBe(await golden('iso-ks-grub.edited.cfg'));
    expect(r.entries).toBe(6);
  });

  it('is idempotent: editing the edited config again changes nothing', async () => {
    for (const [file, kind] of [
      ['iso-ks-isolinux.edited.cfg', 'isolinux'],
      ['iso-ks-grub.edited.cfg', 'grub'],
    ] as const) {
      const text = await golden(file);
      const again = { ...relabel, oldVolid: relabel.newVolid };
      expect(rewriteBootConfig(kind, text, again).text).toBe(text);
    }
  });

  it('keeps CRLF line endings and matches an udev-escaped label', async () => {
    const r = rewriteBootConfig('isolinux', await golden('iso-ks-isolinux-crlf.cfg'), {
      ks: 'hd:LABEL=Rocky-9-DVD:/ks.cfg',
      oldVolid: 'Rocky 9 DVD',
      newVolid: 'Rocky-9-DVD',
    });
    expect(r.text).toBe(
      'label linux\r\n  kernel vmlinuz\r\n' +
        '  append initrd=initrd.img inst.stage2=hd:LABEL=Rocky-9-DVD inst.ks=hd:LABEL=Rocky-9-DVD:/ks.cfg\r\n',
    );
  });

  it('keeps the volume id when it is not changed, label look-alikes included', () => {
    const text = "search --no-floppy --set=root -l 'X'\n\tlinux /vmlinuz inst.stage2=hd:LABEL=X quiet\n";
    const r = rewriteBootConfig('grub', text, { ks: 'hd:LABEL=X:/ks.cfg', oldVolid: 'X', newVolid: 'X' });
    expect(r.text).toBe(
      "search --no-floppy --set=root -l 'X'\n\tlinux /vmlinuz inst.stage2=hd:LABEL=X quiet inst.ks=hd:LABEL=X:/ks.cfg\n",
    );
  });
});

describe('kernel argument helpers', () => {
  it('setKickstartArg appends, replaces in place, and drops extra ks arguments', () => {
    expect(setKickstartArg(' a b', 'K')).toBe(' a b inst.ks=K');
    expect(setKickstartArg('', 'K')).toBe(' inst.ks=K');
    expect(setKickstartArg(' a b  ', 'K')).toBe(' a b inst.ks=K');
    expect(setKickstartArg(' a inst.ks=old b', 'K')).toBe(' a inst.ks=K b');
    expect(setKickstartArg(' ks=x a\tinst.ks=y b inst.ks', 'K')).toBe(' inst.ks=K a b');
    // look-alikes are not kickstart arguments
    expect(setKickstartArg(' inst.ksdevice=eth0 myks=1', 'K')).toBe(' inst.ksdevice=eth0 myks=1 inst.ks=K');
  });

  it('kickstartArgs lists inst.ks and legacy ks values in order', () => {
    expect(kickstartArgs(' a inst.ks=hd:LABEL=X:/ks.cfg ks=cdrom:/k inst.ks inst.ksdevice=x')).toEqual([
      'hd:LABEL=X:/ks.cfg',
      'cdrom:/k',
      '',
    ]);
  });

  it('relabelArgs moves LABEL= and CDLABEL= only when the whole label matches', () => {
    expect(relabelArgs('a=hd:LABEL=OLD b=LABEL=OLD:/x c=CDLABEL=OLD d=LABEL=OLDER', 'OLD', 'NEW')).toBe(
      'a=hd:LABEL=NEW b=LABEL=NEW:/x c=CDLABEL=NEW d=LABEL=OLDER',
    );
    expect(relabelArgs('inst.stage2=hd:LABEL=My\\x20Disc', 'My Disc', 'My Disc 2')).toBe(
      'inst.stage2=hd:LABEL=My\\x20Disc\\x202',
    );
  });

  it('relabelSearch follows -l / --label / search.fs_label and keeps the quoting', () => {
    expect(relabelSearch("search --no-floppy --set=root -l 'OLD'", 'OLD', 'NEW')).toBe(
      "search --no-floppy --set=root -l 'NEW'",
    );
    expect(relabelSearch('search -l --set=root "OLD"', 'OLD', 'NEW')).toBe('search -l --set=root "NEW"');
    expect(relabelSearch('search.fs_label OLD root', 'OLD', 'NEW')).toBe('search.fs_label NEW root');
    // a file search is not a label search
    expect(relabelSearch('search --file /OLD', 'OLD', 'NEW')).toBe('search --file /OLD');
    expect(relabelSearch('echo OLD', 'OLD', 'NEW')).toBe('echo OLD');
  });

  it('udevEscape matches lorax, and udevUnescape undoes it', () => {
    expect(udevEscape('Rocky-9.4 x86_64/dvd')).toBe('Rocky-9.4\\x20x86_64\\x2fdvd');
    expect(udevUnescape('Rocky-9.4\\x20x86_64\\x2fdvd')).toBe('Rocky-9.4 x86_64/dvd');
  });

  it('kernelLines finds append (any case) and linux* lines only', () => {
    expect(kernelLines('isolinux', 'kernel vmlinuz\n  APPEND a\nappend\nappendix x\n')).toEqual([
      { line: 1, args: ' a' },
      { line: 2, args: '' },
    ]);
    expect(
      kernelLines('grub', '\tlinuxefi /v a\n linux /v\n linux16 /v b\n initrd /i\n linux_x y\n'),
    ).toEqual([
      { line: 0, args: ' a' },
      { line: 1, args: '' },
      { line: 2, args: ' b' },
    ]);
  });
});
