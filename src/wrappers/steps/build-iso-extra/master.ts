// Mastering one disc (empanadas' buildExtraImage.tmpl.sh, checked where it only hoped): the xorriso dialog that
// replays boot.iso's boot records with the grafts and implantisomd5, both through the arch's executor; then, on this
// host, the El Torito report refused on SORRY or on a lost boot entry, the sorted manifest, and the ISO renamed into
// work/isos/<arch> with its links.
import { lstat, readdir, rm } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { tempSibling, writeFileAtomic } from '../../compose/atomic.ts';
import { WorkError } from '../../errors.ts';
import { stageIso, type IsoNames, type StagedIso } from '../../iso/publish.ts';
import {
  dialogText,
  findArgv,
  type Graft,
  implantisomd5Argv,
  optionsFromFileArgv,
  parseElToritoPlain,
  parseFindOutput,
  replayDialog,
  reportElToritoArgv,
  sorryLines,
} from '../../iso/xorriso.ts';
import { run } from '../../run/runner.ts';
import type { MasteringRunner } from './executor.ts';

export interface MasterJob {
  bootIso: string;
  /** work/isos/<arch> */
  stagingDir: string;
  names: IsoNames;
  volid: string;
  systemId: string;
  grafts: readonly Graft[];
  /** SOURCE_DATE_EPOCH, when set. */
  epoch?: number;
  dialogFile: string;
  logFile: string;
  /** Runs xorriso and implantisomd5 (the reports and the listing are read on this host). */
  runner: MasteringRunner;
  arch: string;
}

export interface Mastered extends StagedIso {
  bootPlatforms: string[];
  files: number;
}

const TIMEOUT_MS = 3600_000;

export async function masterDisc(j: MasterJob): Promise<Mastered> {
  const expected = await bootPlatforms(j.bootIso, j.logFile);
  const tmp = tempSibling(join(j.stagingDir, j.names.iso));
  const clamp = j.epoch === undefined ? [] : await newerThan(j.grafts, j.epoch);
  const dialog = replayDialog({
    indev: j.bootIso,
    outdev: tmp,
    volid: j.volid,
    systemId: j.systemId,
    grafts: j.grafts,
    epoch: j.epoch,
    clamp,
  });
  await writeFileAtomic(j.dialogFile, dialogText(dialog));
  try {
    const exec = (argv: string[], name: string) =>
      j.runner.executor.run({
        argv,
        arch: j.arch,
        mounts: j.runner.mounts,
        logFile: j.logFile,
        timeoutMs: TIMEOUT_MS,
        name,
        ...(j.epoch !== undefined ? { env: { SOURCE_DATE_EPOCH: String(j.epoch) } } : {}),
      });
    await exec(optionsFromFileArgv(j.dialogFile), `xorriso-${j.names.iso}`);
    await exec(implantisomd5Argv(tmp), `implantisomd5-${j.names.iso}`);
    const mk = await run(reportElToritoArgv(tmp, 'as_mkisofs'), { logFile: j.logFile, captureStdout: true });
    const sorry = sorryLines(`${mk.stdout}\n${mk.stderrTail}`);
    if (sorry.length)
      throw new WorkError(
        `xorriso cannot describe the boot records of the new disc:\n  ${sorry.join('\n  ')}`,
      );
    const got = await bootPlatforms(tmp, j.logFile);
    if (got.join(',') !== expected.join(','))
      throw new WorkError(
        `the disc lost boot entries in the replay: boot.iso has ${expected.join(', ')}, the disc ${got.join(', ') || 'none'}`,
      );
    const listing = await run(findArgv(tmp), { captureStdout: true, logFile: j.logFile });
    const manifest = parseFindOutput(listing.stdout);
    const staged = await stageIso(j.stagingDir, tmp, j.names, manifest, { move: true });
    return { ...staged, bootPlatforms: got, files: manifest.length };
  } finally {
    await rm(tmp, { force: true });
  }
}

/** "BIOS", "UEFI" ... of each El Torito entry, in catalog order. */
async function bootPlatforms(iso: string, logFile: string): Promise<string[]> {
  const r = await run(reportElToritoArgv(iso, 'plain'), { captureStdout: true, logFile });
  return parseElToritoPlain(r.stdout).map((e) => e.platform);
}

/**
 * ISO paths whose mtime is clamped to `epoch`: grafted files and folders modified after it, and every folder a graft
 * creates on its way (xorriso gives those the times of the disk folder above the source, which changes freely).
 */
export async function newerThan(grafts: readonly Graft[], epoch: number): Promise<string[]> {
  const limit = epoch * 1000;
  const out = new Set<string>();
  for (const g of grafts) {
    const parts = g.isoPath.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) out.add(`/${parts.slice(0, i).join('/')}`);
    const st = await lstat(g.disk);
    if (st.mtimeMs > limit) out.add(g.isoPath);
    if (!st.isDirectory()) continue;
    for (const e of await readdir(g.disk, { recursive: true, withFileTypes: true })) {
      const abs = join(e.parentPath, e.name);
      if ((await lstat(abs)).mtimeMs > limit)
        out.add(`${g.isoPath}/${relative(g.disk, abs).split(sep).join('/')}`);
    }
  }
  return [...out].sort();
}
