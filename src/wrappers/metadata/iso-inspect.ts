// What images.json says about an ISO, read from the ISO itself: the volume id from the primary volume descriptor,
// whether an El Torito boot record is present, and the md5 implantisomd5 left in the application-use area (read
// back with `checkisomd5 --md5sumonly`, only when the marker is there, so plain ISOs cost no process).
import { open } from 'node:fs/promises';
import { run } from '../run/runner.ts';

const SECTOR = 2048;
const FIRST_DESCRIPTOR = 16;
/** Volume descriptors are few; a file that has not ended them by then is no ISO 9660 image. */
const MAX_DESCRIPTORS = 32;
const EL_TORITO = 'EL TORITO SPECIFICATION';
const MD5_MARKER = 'ISO MD5SUM = ';

export interface IsoFacts {
  volumeId: string | null;
  bootable: boolean;
  /** implantisomd5 was run on it (its marker is in the application-use area). */
  md5Implanted: boolean;
}

/** Reads the volume descriptors; a file that is not ISO 9660 gives volumeId null and bootable false. */
export async function inspectIso(path: string): Promise<IsoFacts> {
  const fh = await open(path, 'r');
  try {
    const facts: IsoFacts = { volumeId: null, bootable: false, md5Implanted: false };
    const buf = Buffer.alloc(SECTOR);
    for (let i = 0; i < MAX_DESCRIPTORS; i++) {
      const { bytesRead } = await fh.read(buf, 0, SECTOR, (FIRST_DESCRIPTOR + i) * SECTOR);
      if (bytesRead < SECTOR || buf.toString('latin1', 1, 6) !== 'CD001') break;
      const type = buf[0];
      if (type === 255) break; // set terminator
      if (type === 0 && buf.toString('latin1', 7, 7 + EL_TORITO.length) === EL_TORITO) facts.bootable = true;
      if (type === 1) {
        // d-characters padded with spaces: ECMA-119 8.4.6
        facts.volumeId = buf.toString('latin1', 40, 72).replace(/[ \0]+$/, '') || null;
        facts.md5Implanted = buf.toString('latin1', 883, 883 + 512).includes(MD5_MARKER);
      }
    }
    return facts;
  } finally {
    await fh.close();
  }
}

export function checkisomd5Argv(iso: string): string[] {
  return ['checkisomd5', '--md5sumonly', iso];
}

/** `<iso>:   <md5>` is the line checkisomd5 --md5sumonly prints. */
export function parseMd5sumOnly(stdout: string): string | null {
  const m = /:\s+([0-9a-f]{32})\s*$/m.exec(stdout);
  return m ? m[1]! : null;
}

/** The implanted md5 (32 hex digits) or null when none was implanted. */
export async function implantedMd5(iso: string, facts: IsoFacts, logFile?: string): Promise<string | null> {
  if (!facts.md5Implanted) return null;
  const r = await run(checkisomd5Argv(iso), { captureStdout: true, logFile, timeoutMs: 60_000 });
  return parseMd5sumOnly(r.stdout);
}
