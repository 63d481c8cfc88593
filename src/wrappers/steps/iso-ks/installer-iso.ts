// Opening an installer ISO for iso-ks: refuse what is not one (no ISO 9660 descriptors, no El Torito record) with
// a UsageError naming the file, list its tree and boot equipment in one xorriso run, and extract files from it.
// iso-ks edits ISOs the user hands it, outside any compose, so this is a plain module rather than a unit step.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../../errors.ts';
import { xorrisoExtractArgv } from '../../iso/remaster-argv.ts';
import { type IsoProbe, parseProbe, xorrisoProbeArgv } from '../../iso/xorriso-probe.ts';
import { readVolumeDescriptors } from '../../iso/volume-descriptors.ts';
import type { BootConfigKind } from '../../iso/boot-config-edit.ts';
import { run } from '../../run/runner.ts';

/** The boot configs mkksiso edits, in the order `load` consults them. */
export const BOOT_CONFIGS: readonly { isoPath: string; kind: BootConfigKind }[] = [
  { isoPath: '/isolinux/isolinux.cfg', kind: 'isolinux' },
  { isoPath: '/EFI/BOOT/grub.cfg', kind: 'grub' },
  { isoPath: '/EFI/BOOT/BOOT.conf', kind: 'grub' },
  { isoPath: '/boot/grub2/grub.cfg', kind: 'grub' },
  { isoPath: '/boot/grub/grub.cfg', kind: 'grub' },
];

export interface InstallerIso {
  path: string;
  volid: string;
  bootable: boolean;
  joliet: boolean;
  probe: IsoProbe;
  /** The BOOT_CONFIGS entries present in this ISO. */
  configs: { isoPath: string; kind: BootConfigKind }[];
}

const TIMEOUT_MS = 10 * 60_000;

export async function openInstallerIso(
  path: string,
  opts: { requireBoot: boolean; signal?: AbortSignal },
): Promise<InstallerIso> {
  const st = await stat(path).catch(() => undefined);
  if (!st) throw new UsageError(`${path}: no such file`);
  if (!st.isFile()) throw new UsageError(`${path}: not a file (an ISO image is expected)`);
  const vd = await readVolumeDescriptors(path).catch((e: Error) => {
    throw new UsageError(`${path}: cannot be read: ${e.message}`);
  });
  if (!vd) throw new UsageError(`${path}: not an ISO 9660 image (no volume descriptors at sector 16)`);
  if (opts.requireBoot && !vd.elTorito)
    throw new UsageError(
      `${path}: has no El Torito boot record, so it is no bootable installer ISO`,
      'give the boot.iso or DVD that lorax/pungi made, not a data ISO',
    );
  const out = await run(xorrisoProbeArgv(path), {
    captureStdout: true,
    timeoutMs: TIMEOUT_MS,
    signal: opts.signal,
  });
  const probe = parseProbe(out.stdout);
  return {
    path,
    volid: vd.volumeId,
    bootable: vd.elTorito,
    joliet: vd.joliet,
    probe,
    configs: BOOT_CONFIGS.filter((c) => probe.files.has(c.isoPath)),
  };
}

/** Extracts ISO files into `dir` (flattened to numbered names) and returns isoPath -> local path. */
export async function extractFiles(
  iso: string,
  isoPaths: readonly string[],
  dir: string,
  signal?: AbortSignal,
): Promise<Map<string, string>> {
  const map = new Map(isoPaths.map((p, i) => [p, join(dir, `${i}-${p.split('/').pop()}`)]));
  if (map.size === 0) return map;
  const files = [...map].map(([isoPath, dest]) => ({ isoPath, dest }));
  await run(xorrisoExtractArgv(iso, files), { timeoutMs: TIMEOUT_MS, signal });
  return map;
}
