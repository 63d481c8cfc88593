// `iso-ks load`: the kickstart an installer ISO boots with, found the way Anaconda finds it: the inst.ks= on the
// boot entries' kernel command lines (isolinux first, then GRUB), resolved to a file on this ISO and read out.
// A ks on the network, in the initrd or on another disk is explained rather than guessed at.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../errors.ts';
import { kernelLines, kickstartArgs } from '../../iso/boot-config-edit.ts';
import { locateKickstart } from '../../iso/kickstart-location.ts';
import type { Logger } from '../../log/logger.ts';
import { readBootFiles } from './boot-files.ts';
import { extractFiles, openInstallerIso } from './installer-iso.ts';

export interface KickstartRef {
  /** The inst.ks= value as written. */
  instKs: string;
  /** The config it came from (`/isolinux/isolinux.cfg`). */
  from: string;
}

export interface LoadedKickstart extends KickstartRef {
  iso: string;
  volid: string;
  /** Path of the kickstart in the ISO. */
  path: string;
  text: string;
  /** Every distinct inst.ks= in the menus, the one read first. */
  refs: KickstartRef[];
}

export async function loadKickstart(
  iso: string,
  ctx: { log: Logger; signal?: AbortSignal },
): Promise<LoadedKickstart> {
  const source = await openInstallerIso(iso, { requireBoot: false, signal: ctx.signal });
  const work = await mkdtemp(join(tmpdir(), 'horno-iso-ks-'));
  try {
    const files = await readBootFiles(source, work, { efi: false, signal: ctx.signal });
    const refs: KickstartRef[] = [];
    for (const c of files.configs) {
      for (const { args } of kernelLines(c.kind, c.text)) {
        for (const instKs of kickstartArgs(args)) {
          if (!refs.some((r) => r.instKs === instKs)) refs.push({ instKs, from: c.isoPath });
        }
      }
    }
    const first = refs[0];
    if (!first)
      throw new UsageError(
        `${iso}: carries no kickstart: no boot entry in ${files.configs.map((c) => c.isoPath.slice(1)).join(', ')} has inst.ks=`,
        'add one with `horno iso-ks edit <iso> --ks file.ks -o out.iso`',
      );
    if (refs.length > 1)
      ctx.log.warn({ iso, refs }, 'boot entries name different kickstarts; printing the first one');
    const where = locateKickstart(first.instKs, source.volid);
    if (where.on === 'elsewhere')
      throw new UsageError(`${iso}: its boot entries (${first.from}) read the kickstart from ${where.where}`);
    if (!source.probe.files.has(where.path))
      throw new UsageError(
        `${iso}: inst.ks=${first.instKs} (${first.from}) names ${where.path}, which is not in the ISO`,
      );
    const local = await extractFiles(iso, [where.path], work, ctx.signal);
    const text = await readFile(local.get(where.path)!, 'utf8');
    return { ...first, iso, volid: source.volid, path: where.path, text, refs };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
