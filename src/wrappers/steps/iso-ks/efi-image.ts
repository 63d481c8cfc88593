// The GRUB configs inside the UEFI El Torito image (efiboot.img, a file in RHEL 8/9 trees or a partition appended
// after the ISO in EL 10 ones): UEFI firmware booting the ISO as a disk reads them, not the copy in the ISO tree
// (lorax #1046, PR #1290). Edited in place with mtools on a copy, so no loop mount and no root.
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CommandFailedError, UsageError } from '../../errors.ts';
import { type KickstartEdit, rewriteBootConfig } from '../../iso/boot-config-edit.ts';
import {
  MTOOLS_ENV,
  mcopyInArgv,
  mcopyOutArgv,
  mdirRecursiveArgv,
  parseMdirBare,
} from '../../iso/fat-image-argv.ts';
import type { EfiImage } from '../../iso/xorriso-probe.ts';
import { run } from '../../run/runner.ts';

export interface EditedEfiImage {
  image: EfiImage;
  /** The edited copy, to go back into the ISO. */
  src: string;
  configs: { path: string; entries: number }[];
}

const GRUB_CONFIG = /\/(?:grub\.cfg|BOOT\.conf)$/i;
const opts = (signal?: AbortSignal) => ({ env: MTOOLS_ENV, timeoutMs: 120_000, signal });

export function describeEfiImage(image: EfiImage): string {
  return image.kind === 'file' ? image.isoPath : `appended partition ${image.number}`;
}

/** A private, writable copy of the image: of the extracted file, or of the partition's bytes in the ISO. */
async function localCopy(iso: string, image: EfiImage, extracted: Map<string, string>, dest: string) {
  if (image.kind === 'file') {
    const shared = extracted.get(image.isoPath);
    if (!shared) throw new Error(`efi image ${image.isoPath} was not extracted`);
    await copyFile(shared, dest);
    await chmod(dest, 0o644); // osirrox keeps the ISO's modes, often read-only
    return dest;
  }
  const end = image.offset + image.length - 1;
  await pipeline(createReadStream(iso, { start: image.offset, end }), createWriteStream(dest));
  return dest;
}

/**
 * Edits every grub.cfg / BOOT.conf in a copy of one FAT image made in `work`; undefined when no config changed
 * (the ISO keeps its image). `extracted` holds the images that are files in the ISO, shared by every variant.
 */
export async function editEfiImage(
  iso: string,
  image: EfiImage,
  extracted: Map<string, string>,
  work: string,
  edit: KickstartEdit,
  signal?: AbortSignal,
): Promise<EditedEfiImage | undefined> {
  const tag = image.kind === 'file' ? 'file' : `part${image.number}`;
  const local = await localCopy(iso, image, extracted, join(work, `efi-${tag}.img`));
  let listing: string;
  try {
    listing = (await run(mdirRecursiveArgv(local), { ...opts(signal), captureStdout: true })).stdout;
  } catch (e) {
    if (!(e instanceof CommandFailedError)) throw e;
    throw new UsageError(
      `${iso}: the UEFI boot image (${describeEfiImage(image)}) is not a FAT file system: ${e.stderrTail}`,
    );
  }
  const configs: EditedEfiImage['configs'] = [];
  for (const [i, path] of parseMdirBare(listing)
    .filter((p) => GRUB_CONFIG.test(p))
    .entries()) {
    const copy = join(work, `efi-${tag}-${i}.cfg`);
    await run(mcopyOutArgv(local, path, copy), opts(signal));
    const before = await readFile(copy, 'latin1');
    const after = rewriteBootConfig('grub', before, edit);
    if (after.text === before) continue;
    await writeFile(copy, after.text, 'latin1');
    await run(mcopyInArgv(local, copy, path), opts(signal));
    configs.push({ path, entries: after.entries });
  }
  return configs.length ? { image, src: local, configs } : undefined;
}
