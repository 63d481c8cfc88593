import { describe, expect, it } from 'vitest';
import { locateKickstart } from './kickstart-location.ts';

describe('locateKickstart', () => {
  const on = (v: string, volid = 'Rocky-9') => locateKickstart(v, volid);

  it('finds kickstarts on this ISO', () => {
    expect(on('hd:LABEL=Rocky-9:/ks.cfg')).toEqual({ on: 'iso', path: '/ks.cfg' });
    expect(on('hd:CDLABEL=Rocky-9:/ks/../ks/a.cfg')).toEqual({ on: 'iso', path: '/ks/a.cfg' });
    expect(on('hd:LABEL=Rocky\\x209:/ks.cfg', 'Rocky 9')).toEqual({ on: 'iso', path: '/ks.cfg' });
    expect(on('cdrom:/ks.cfg')).toEqual({ on: 'iso', path: '/ks.cfg' });
    expect(on('cdrom:/dev/sr0:/x/ks.cfg')).toEqual({ on: 'iso', path: '/x/ks.cfg' });
    expect(on('hd:sr0:/ks.cfg')).toEqual({ on: 'iso', path: '/ks.cfg' });
  });

  it('explains kickstarts that are elsewhere', () => {
    const where = (v: string) => {
      const l = on(v);
      return l.on === 'elsewhere' ? l.where : `on iso ${l.path}`;
    };
    expect(where('http://ks.example.com/a.ks')).toBe('the network (http://ks.example.com/a.ks)');
    expect(where('nfs:server:/ks.cfg')).toBe('the network (nfs:server:/ks.cfg)');
    expect(where('')).toMatch(/^the network \(a bare inst.ks/);
    expect(where('file:/ks.cfg')).toBe("the installer's initrd (file:/ks.cfg)");
    expect(where('hd:LABEL=OEMDRV:/ks.cfg')).toBe(
      'the volume labelled OEMDRV, not this ISO (volume id Rocky-9): hd:LABEL=OEMDRV:/ks.cfg',
    );
    expect(where('hd:sdb1:/ks.cfg')).toBe('device sdb1, not this ISO (volume id Rocky-9): hd:sdb1:/ks.cfg');
    expect(where('hd:LABEL=Rocky-9')).toBe('an unreadable hd: location (hd:LABEL=Rocky-9)');
    expect(where('cdrom:/')).toBe('an unreadable cdrom location (cdrom:/)');
    expect(where('bd:sdb:/ks.cfg')).toBe('a location horno cannot read from the ISO (bd:sdb:/ks.cfg)');
  });
});
