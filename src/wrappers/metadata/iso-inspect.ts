// What images.json says about an ISO, read from the ISO itself through iso/volume-descriptors.ts (the one
// descriptor reader): the volume id, whether an El Torito boot record is present, and the md5 implantisomd5 left
// (read back with `checkisomd5 --md5sumonly`, only when its marker is there, so plain ISOs cost no process).
import { readVolumeDescriptors } from '../iso/volume-descriptors.ts';
import { run } from '../run/runner.ts';

export interface IsoFacts {
  volumeId: string | null;
  bootable: boolean;
  /** implantisomd5 was run on it (its marker is in the application-use area). */
  md5Implanted: boolean;
}

/** The descriptors as images.json needs them; a file that is not ISO 9660 gives volumeId null, not bootable. */
export async function inspectIso(path: string): Promise<IsoFacts> {
  const d = await readVolumeDescriptors(path);
  if (!d) return { volumeId: null, bootable: false, md5Implanted: false };
  return { volumeId: d.volumeId || null, bootable: d.elTorito, md5Implanted: d.md5Implanted };
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
