// `iso-ks edit`: one new ISO with the kickstart at /ks.cfg and every boot entry (isolinux, GRUB in the tree, GRUB
// inside the UEFI image) pointing at it, boot records replayed from the input, md5 re-implanted. Everything is
// checked before anything is written; the ISO is written under a temp name beside the output and renamed at the end.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { tempSibling } from '../../compose/atomic.ts';
import { UsageError } from '../../errors.ts';
import { type KickstartEdit, rewriteBootConfig, udevEscape } from '../../iso/boot-config-edit.ts';
import { volidProblem } from '../../iso/iso-ks-volid.ts';
import {
  type AppendedPartition,
  implantIsoMd5Argv,
  type IsoUpdate,
  xorrisoReplayArgv,
} from '../../iso/remaster-argv.ts';
import { patchTreeinfoChecksum } from '../../iso/treeinfo-patch.ts';
import type { Logger } from '../../log/logger.ts';
import { run } from '../../run/runner.ts';
import { type BootFiles, readBootFiles, requireKernelLines } from './boot-files.ts';
import { describeEfiImage, editEfiImage } from './efi-image.ts';
import { type InstallerIso, openInstallerIso } from './installer-iso.ts';
import { kickstartProblem } from './kickstart-file.ts';

export const KS_ISO_PATH = '/ks.cfg';
const TOOL_TIMEOUT_MS = 30 * 60_000;

export interface EditRequest {
  iso: string;
  ks: string;
  output: string;
  /** New volume id; the input's is kept when absent. */
  volid?: string;
}

export interface EditOutcome {
  output: string;
  volid: string;
  previousVolid: string;
  /** The inst.ks= value every boot entry now carries. */
  instKs: string;
  /** Each edited config (`/isolinux/isolinux.cfg`, `/images/efiboot.img:/EFI/BOOT/grub.cfg`) and its entries. */
  configs: { path: string; entries: number }[];
  bytes: number;
  ms: number;
}

export interface EditContext {
  log: Logger;
  signal?: AbortSignal;
}

export type EditField = 'ks' | 'volid' | 'output';

/** Every problem with one request against an opened ISO, so a batch can report them all at once. */
export async function editProblems(
  source: InstallerIso,
  req: EditRequest,
): Promise<{ field: EditField; message: string }[]> {
  const problems: { field: EditField; message: string }[] = [];
  const ks = await kickstartProblem(req.ks);
  if (ks) problems.push({ field: 'ks', message: `kickstart ${req.ks}: ${ks}` });
  const volid = req.volid === undefined ? undefined : volidProblem(req.volid);
  if (volid) problems.push({ field: 'volid', message: `volume id ${volid}` });
  if (req.volid === undefined && source.volid === '')
    problems.push({
      field: 'volid',
      message: `${source.path} has no volume id for LABEL= to name: give one`,
    });
  const out = await outputProblem(source.path, req.output);
  if (out) problems.push({ field: 'output', message: `output ${req.output}: ${out}` });
  return problems;
}

async function outputProblem(iso: string, output: string): Promise<string | undefined> {
  const [inSt, outSt, parent] = await Promise.all([
    stat(iso).catch(() => undefined),
    stat(output).catch(() => undefined),
    stat(dirname(resolve(output))).catch(() => undefined),
  ]);
  if (resolve(output) === resolve(iso) || (inSt && outSt && inSt.dev === outSt.dev && inSt.ino === outSt.ino))
    return 'is the input ISO; write the new one to another file';
  if (outSt?.isDirectory()) return 'is a folder; name the new ISO file';
  if (parent && !parent.isDirectory()) return `${dirname(output)} is not a folder`;
  return undefined;
}

/** Validates, then writes the one ISO. */
export async function editIso(req: EditRequest, ctx: EditContext): Promise<EditOutcome> {
  const source = await openInstallerIso(req.iso, { requireBoot: true, signal: ctx.signal });
  const problems = await editProblems(source, req);
  if (problems.length) throw new UsageError(problems.map((p) => p.message).join('\n'));
  const work = await mkdtemp(join(tmpdir(), 'horno-iso-ks-'));
  try {
    const files = await readBootFiles(source, work, { efi: true, signal: ctx.signal });
    requireKernelLines(source, files);
    return await writeEditedIso(source, files, req, work, ctx);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Writes one variant; `files` come from readBootFiles and may be shared by variants running at once. */
export async function writeEditedIso(
  source: InstallerIso,
  files: BootFiles,
  req: EditRequest,
  work: string,
  ctx: EditContext,
): Promise<EditOutcome> {
  const started = performance.now();
  const volid = req.volid ?? source.volid;
  const edit: KickstartEdit = {
    ks: `hd:LABEL=${udevEscape(volid)}:${KS_ISO_PATH}`,
    oldVolid: source.volid,
    newVolid: volid,
  };
  const dir = await mkdtemp(join(work, 'variant-'));
  const updates: IsoUpdate[] = [];
  const partitions: AppendedPartition[] = [];
  const configs: EditOutcome['configs'] = [];

  for (const c of files.configs) {
    const r = rewriteBootConfig(c.kind, c.text, edit);
    if (r.text === c.text) continue;
    const local = join(dir, `${updates.length}-${basename(c.isoPath)}`);
    await writeFile(local, r.text, 'latin1');
    updates.push({ src: local, isoPath: c.isoPath });
    configs.push({ path: c.isoPath, entries: r.entries });
  }
  let treeinfo = files.treeinfo;
  for (const image of source.probe.efi) {
    if (image.kind === 'file' && !files.efiFiles.has(image.isoPath)) continue;
    const e = await editEfiImage(source.path, image, files.efiFiles, dir, edit, ctx.signal);
    if (!e) continue;
    configs.push(
      ...e.configs.map((c) => ({ path: `${describeEfiImage(image)}:${c.path}`, entries: c.entries })),
    );
    if (image.kind === 'partition') {
      partitions.push({ number: image.number, type: image.type, src: e.src });
      continue;
    }
    updates.push({ src: e.src, isoPath: image.isoPath });
    if (treeinfo) treeinfo = await patchChecksum(treeinfo, image.isoPath.slice(1), e.src);
  }
  if (treeinfo !== undefined && treeinfo !== files.treeinfo) {
    const local = join(dir, 'treeinfo');
    await writeFile(local, treeinfo, 'latin1');
    updates.push({ src: local, isoPath: '/.treeinfo' });
  }
  const ks = join(dir, 'ks.cfg');
  await copyFile(req.ks, ks); // a private copy: its time may be pinned without touching the user's file
  updates.push({ src: ks, isoPath: KS_ISO_PATH });
  await pinTimes(updates.map((u) => u.src));

  await mkdir(dirname(resolve(req.output)), { recursive: true });
  const tmp = tempSibling(resolve(req.output));
  try {
    const argv = xorrisoReplayArgv({
      indev: source.path,
      outdev: tmp,
      volid: volid === source.volid ? undefined : volid,
      joliet: source.joliet,
      updates,
      partitions,
    });
    await run(argv, { timeoutMs: TOOL_TIMEOUT_MS, signal: ctx.signal });
    await run(implantIsoMd5Argv(tmp), { timeoutMs: TOOL_TIMEOUT_MS, signal: ctx.signal });
    await rename(tmp, req.output);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  const outcome: EditOutcome = {
    output: req.output,
    volid,
    previousVolid: source.volid,
    instKs: edit.ks,
    configs,
    bytes: (await stat(req.output)).size,
    ms: Math.round(performance.now() - started),
  };
  ctx.log.info(
    { output: req.output, volid, entries: configs.reduce((n, c) => n + c.entries, 0), ms: outcome.ms },
    'kickstart ISO written',
  );
  return outcome;
}

async function patchChecksum(treeinfo: string, relPath: string, file: string): Promise<string> {
  const data = await readFile(file);
  return patchTreeinfoChecksum(treeinfo, relPath, (algo) => {
    try {
      return createHash(algo).update(data).digest('hex');
    } catch {
      return undefined; // an algorithm node does not know: the line stays as it was
    }
  }).text;
}

/** Under SOURCE_DATE_EPOCH, files put into the ISO carry that time, so two runs give the same bytes. */
async function pinTimes(paths: string[]): Promise<void> {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (!epoch || !/^\d+$/.test(epoch)) return;
  for (const p of paths) await utimes(p, Number(epoch), Number(epoch));
}
