// Where an inst.ks= value says the kickstart lives, as Anaconda reads it: on this ISO (`hd:LABEL=<volid>:/ks.cfg`,
// `cdrom:/ks.cfg`, `hd:sr0:/ks.cfg`) or somewhere a tool holding only the ISO cannot read (network, initrd, another
// disk). `iso-ks load` extracts the first kind and explains the second.
import { posix } from 'node:path';
import { udevUnescape } from './boot-config-edit.ts';

export type KickstartLocation = { on: 'iso'; path: string } | { on: 'elsewhere'; where: string };

const CD_DEVICES = /^(?:\/dev\/)?(?:sr\d+|cdrom\d*)$/;

/** Normalised absolute path inside the ISO, or undefined when the text is no usable path. */
function isoPath(text: string): string | undefined {
  if (!text.startsWith('/')) return undefined;
  const p = posix.normalize(text);
  return p === '/' || p.endsWith('/') ? undefined : p;
}

/** Splits `<device>:<path>`; the path starts at the first `:/` so a device such as /dev/sr0 may hold slashes. */
function deviceAndPath(rest: string): [string, string] | undefined {
  const at = rest.indexOf(':/');
  if (at >= 0) return [rest.slice(0, at), rest.slice(at + 1)];
  return undefined;
}

export function locateKickstart(value: string, volid: string): KickstartLocation {
  if (value === '')
    return { on: 'elsewhere', where: 'the network (a bare inst.ks asks DHCP for the location)' };
  if (/^(?:https?|ftp|nfs):/.test(value)) return { on: 'elsewhere', where: `the network (${value})` };
  if (value.startsWith('file:')) return { on: 'elsewhere', where: `the installer's initrd (${value})` };
  if (value.startsWith('cdrom:')) {
    const rest = value.slice('cdrom:'.length);
    const path = isoPath(deviceAndPath(rest)?.[1] ?? rest);
    return path ? { on: 'iso', path } : { on: 'elsewhere', where: `an unreadable cdrom location (${value})` };
  }
  if (value.startsWith('hd:')) {
    const split = deviceAndPath(value.slice('hd:'.length));
    const path = split && isoPath(split[1]);
    if (!split || !path) return { on: 'elsewhere', where: `an unreadable hd: location (${value})` };
    const [device] = split;
    const label = /^(?:CD)?LABEL=(.*)$/.exec(device)?.[1];
    if (label !== undefined && udevUnescape(label) === volid) return { on: 'iso', path };
    if (CD_DEVICES.test(device)) return { on: 'iso', path };
    const what = label !== undefined ? `the volume labelled ${udevUnescape(label)}` : `device ${device}`;
    return { on: 'elsewhere', where: `${what}, not this ISO (volume id ${volid}): ${value}` };
  }
  return { on: 'elsewhere', where: `a location horno cannot read from the ISO (${value})` };
}
