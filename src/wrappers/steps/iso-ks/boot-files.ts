// The files a kickstart remaster reads once per input ISO, however many variants it makes: the boot configs
// (isolinux.cfg, GRUB), the UEFI images that are files in the tree, and .treeinfo. An ISO whose configs hold no
// kernel command line to point at a kickstart is refused here, before anything is written.
import { readFile } from 'node:fs/promises';
import { UsageError } from '../../errors.ts';
import { type BootConfigKind, kernelLines } from '../../iso/boot-config-edit.ts';
import { extractFiles, type InstallerIso } from './installer-iso.ts';

export interface BootConfigText {
  isoPath: string;
  kind: BootConfigKind;
  /** latin1, so every byte goes back unchanged. */
  text: string;
}

export interface BootFiles {
  configs: BootConfigText[];
  /** isoPath -> extracted copy, for UEFI images that are files in the tree. */
  efiFiles: Map<string, string>;
  treeinfo?: string;
}

export async function readBootFiles(
  source: InstallerIso,
  work: string,
  opts: { efi: boolean; signal?: AbortSignal },
): Promise<BootFiles> {
  if (source.configs.length === 0)
    throw new UsageError(
      `${source.path}: holds none of ${['isolinux/isolinux.cfg', 'EFI/BOOT/grub.cfg', 'boot/grub2/grub.cfg'].join(', ')}: no installer boot menu to edit or read`,
    );
  const efiPaths = opts.efi
    ? source.probe.efi.flatMap((e) =>
        e.kind === 'file' && source.probe.files.has(e.isoPath) ? [e.isoPath] : [],
      )
    : [];
  const treeinfo = opts.efi && source.probe.files.has('/.treeinfo') ? ['/.treeinfo'] : [];
  const paths = [...source.configs.map((c) => c.isoPath), ...efiPaths, ...treeinfo];
  const local = await extractFiles(source.path, paths, work, opts.signal);
  const configs = await Promise.all(
    source.configs.map(async (c) => ({ ...c, text: await readFile(local.get(c.isoPath)!, 'latin1') })),
  );
  return {
    configs,
    efiFiles: new Map(efiPaths.map((p) => [p, local.get(p)!])),
    treeinfo: treeinfo.length ? await readFile(local.get('/.treeinfo')!, 'latin1') : undefined,
  };
}

/** Refuses an ISO whose menus boot no Linux kernel: there would be nowhere to put inst.ks=. */
export function requireKernelLines(source: InstallerIso, files: BootFiles): void {
  if (files.configs.some((c) => kernelLines(c.kind, c.text).length > 0)) return;
  throw new UsageError(
    `${source.path}: no boot entry in ${files.configs.map((c) => c.isoPath.slice(1)).join(', ')} starts a kernel ` +
      '(no isolinux `append` or GRUB `linux`/`linuxefi` line), so there is nothing to point at a kickstart',
  );
}
