// What the ISO 9660 volume descriptors say before any tool touches the file: the volume id, whether an El Torito
// boot record is there, and whether a Joliet tree is. xorriso happily "loads" a random file as a blank image, so
// this is how iso-ks tells a non-ISO or an unbootable ISO from an installer one.
import { open } from 'node:fs/promises';

const SECTOR = 2048;
const FIRST = 16;
/** A file that has not ended its descriptor set by then is no ISO 9660 image. */
const MAX_DESCRIPTORS = 32;
const EL_TORITO = 'EL TORITO SPECIFICATION';
/** UCS-2 escape sequences of a Joliet supplementary descriptor (levels 1-3). */
const JOLIET_ESCAPES = ['%/@', '%/C', '%/E'];

export interface VolumeDescriptors {
  /** Primary volume id, trailing padding removed. */
  volumeId: string;
  elTorito: boolean;
  joliet: boolean;
  /** implantisomd5 left its marker in the primary descriptor's application-use area. */
  md5Implanted: boolean;
}

const MD5_MARKER = 'ISO MD5SUM = ';

/** The descriptors of an ISO 9660 image, or null when the file has none (too short, no CD001 at sector 16). */
export async function readVolumeDescriptors(path: string): Promise<VolumeDescriptors | null> {
  const fh = await open(path, 'r');
  try {
    let volumeId: string | undefined;
    let elTorito = false;
    let joliet = false;
    let md5Implanted = false;
    const buf = Buffer.alloc(SECTOR);
    for (let i = 0; i < MAX_DESCRIPTORS; i++) {
      const { bytesRead } = await fh.read(buf, 0, SECTOR, (FIRST + i) * SECTOR);
      if (bytesRead < SECTOR || buf.toString('latin1', 1, 6) !== 'CD001') return null;
      const type = buf[0];
      if (type === 255) return volumeId === undefined ? null : { volumeId, elTorito, joliet, md5Implanted };
      // a-characters padded with spaces: ECMA-119 8.4.6
      if (type === 1) {
        volumeId = buf.toString('latin1', 40, 72).replace(/[ \0]+$/, '');
        md5Implanted = buf.toString('latin1', 883, 883 + 512).includes(MD5_MARKER);
      }
      if (type === 0 && buf.toString('latin1', 7, 7 + EL_TORITO.length) === EL_TORITO) elTorito = true;
      if (type === 2 && JOLIET_ESCAPES.includes(buf.toString('latin1', 88, 91))) joliet = true;
    }
    return null;
  } finally {
    await fh.close();
  }
}
