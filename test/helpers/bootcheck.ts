// Boots an ISO under QEMU (TCG: KVM hangs on these hosts) as CD or disk with BIOS or UEFI firmware and waits for
// the stand-in initramfs's `BOOT-OK fw=... cmdline=...` line on the serial console (shared/notes/host-rpm-iso.md
// section 6). The console goes to a log file as it comes; ANSI codes are stripped before matching; known dead ends
// (panic, no bootable device, the OVMF shell) fail at once. Boots on one host run one at a time (flock), since
// the test machines have two cores and a second TCG guest doubles both boot times.
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { createWriteStream, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnStream } from '../../src/wrappers/run/runner.ts';
import { findOnPath } from '../fixtures/distro/tools.ts';

export type Firmware = 'bios' | 'uefi';
export type Media = 'cdrom' | 'disk';

export interface BootcheckOptions {
  iso: string;
  firmware: Firmware;
  media: Media;
  /** From the first console byte (waiting for the QEMU slot is not counted). Default 120 s. */
  timeoutMs?: number;
  /** Where the console goes (default: a temp file, named in the result). */
  logFile?: string;
}

export interface BootResult {
  ok: boolean;
  /** First console byte to the marker (or to the failure). */
  seconds: number;
  /** From the marker line. */
  firmwareSeen?: 'BIOS' | 'UEFI';
  cmdline?: string;
  /** Which boot loader the console shows: ISOLINUX (BIOS) or GRUB's "Booting 'Install ..." (UEFI). */
  loader?: 'isolinux' | 'grub';
  /** Why it failed. */
  reason?: string;
  /** The last 40 stripped console lines. */
  tail: string;
  logFile: string;
}

export const OVMF = {
  /** Combined code+vars image: `-bios`. */
  bios: '/usr/share/ovmf/OVMF.fd',
  code: '/usr/share/OVMF/OVMF_CODE_4M.fd',
  vars: '/usr/share/OVMF/OVMF_VARS_4M.fd',
} as const;

const MARKER = /BOOT-OK fw=(BIOS|UEFI) cmdline=(.*)$/m;
const DEAD_ENDS: [RegExp, string][] = [
  [/Kernel panic/, 'kernel panic'],
  [/KVM internal error/, 'KVM internal error'],
  [/No bootable device/, 'no bootable device (firmware found nothing to boot)'],
  [/Shell> *$/m, 'OVMF dropped to its shell (nothing bootable for UEFI)'],
];
const SLOT_LOCK = join(tmpdir(), 'horno-qemu-slot.lock');
/** After the marker, QEMU should power off by itself; after this it is killed (the boot still counts). */
const POWEROFF_GRACE_MS = 15_000;
/** How long a boot may wait for another one on this host to finish. */
const SLOT_WAIT_MS = 20 * 60_000;

/** Why a boot check cannot run on this host, or undefined when it can. */
export function bootcheckSkipReason(firmware: Firmware = 'bios'): string | undefined {
  if (!findOnPath('qemu-system-x86_64'))
    return 'qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)';
  if (!findOnPath('flock')) return 'flock (util-linux) is not installed';
  if (firmware === 'uefi' && !existsSync(OVMF.bios) && !existsSync(OVMF.code))
    return `no OVMF firmware (${OVMF.bios} or ${OVMF.code}; apt-get install ovmf)`;
  return undefined;
}

/** A QEMU -drive/-cdrom file name: commas are the option separator and must be doubled. */
const qemuFile = (p: string) => p.replaceAll(',', ',,');

/** The QEMU command (without the flock prefix). `varsCopy` is a writable copy of OVMF_VARS for pflash. */
export function qemuArgv(o: {
  iso: string;
  firmware: Firmware;
  media: Media;
  ovmf?: { bios?: string; code?: string; varsCopy?: string };
}): string[] {
  const argv = ['qemu-system-x86_64', '-m', '512', '-smp', '1', '-accel', 'tcg', '-nographic'];
  argv.push('-serial', 'mon:stdio', '-no-reboot', '-nic', 'none');
  if (o.firmware === 'uefi') {
    if (o.ovmf?.bios) argv.push('-bios', o.ovmf.bios);
    else if (o.ovmf?.code && o.ovmf.varsCopy)
      argv.push(
        '-machine',
        'q35',
        '-drive',
        `if=pflash,format=raw,unit=0,readonly=on,file=${qemuFile(o.ovmf.code)}`,
        '-drive',
        `if=pflash,format=raw,unit=1,file=${qemuFile(o.ovmf.varsCopy)}`,
      );
    else throw new Error('qemuArgv: UEFI needs ovmf.bios, or ovmf.code with ovmf.varsCopy');
  }
  if (o.media === 'cdrom') argv.push('-cdrom', qemuFile(o.iso));
  // snapshot=on: the ISO is never written, and QEMU does not need it writable (readonly=on fails with IDE)
  else argv.push('-drive', `file=${qemuFile(o.iso)},format=raw,if=virtio,snapshot=on`);
  return argv;
}

/** Removes terminal escapes (SeaBIOS and GRUB draw menus with them) and carriage returns. */
export function stripAnsi(s: string): string {
  return s
    .replace(/\x1b\[[0-9;:?]*[ -/]*[@-~]/g, '')
    .replace(/\x1b[()][A-Za-z0-9]/g, '')
    .replace(/\x1b[=>c78DEHM]/g, '')
    .replace(/\r/g, '');
}

export async function bootcheck(opts: BootcheckOptions): Promise<BootResult> {
  const skip = bootcheckSkipReason(opts.firmware);
  if (skip) throw new Error(`bootcheck: ${skip}`);
  const scratch = await mkdtemp(join(tmpdir(), 'horno-boot-'));
  const logFile = opts.logFile ?? join(scratch, `${opts.firmware}-${opts.media}.log`);
  try {
    let ovmf: Parameters<typeof qemuArgv>[0]['ovmf'];
    if (opts.firmware === 'uefi') {
      if (existsSync(OVMF.bios)) ovmf = { bios: OVMF.bios };
      else {
        const varsCopy = join(scratch, 'OVMF_VARS.fd');
        await copyFile(OVMF.vars, varsCopy);
        ovmf = { code: OVMF.code, varsCopy };
      }
    }
    const argv = ['flock', SLOT_LOCK, ...qemuArgv({ ...opts, ovmf })];
    return await watch(argv, opts.timeoutMs ?? 120_000, logFile);
  } finally {
    // without a caller's log file, the scratch folder holds the log the result names: keep it
    if (opts.logFile) await rm(scratch, { recursive: true, force: true });
  }
}

async function watch(argv: string[], timeoutMs: number, logFile: string): Promise<BootResult> {
  const ac = new AbortController();
  const child = spawnStream(argv, { signal: ac.signal, killGraceMs: 2000 });
  const log = createWriteStream(logFile);
  log.write(`$ ${argv.join(' ')}\n`);
  let text = ''; // stripped console so far (a boot prints ~100 KB)
  let pending = ''; // raw bytes of an unfinished line: an escape code may be cut in two
  let firstByte: number | undefined;
  let result: Omit<BootResult, 'tail' | 'logFile'> | undefined;
  const since = () => (firstByte === undefined ? 0 : (performance.now() - firstByte) / 1000);
  const fail = (reason: string) => () => {
    result ??= { ok: false, seconds: since(), reason };
    ac.abort();
  };
  let timer = setTimeout(fail('no console output: QEMU never started (slot lock held?)'), SLOT_WAIT_MS);
  const finish = (r: Omit<BootResult, 'tail' | 'logFile'>, graceMs: number) => {
    result ??= r;
    clearTimeout(timer);
    timer = setTimeout(() => ac.abort(), graceMs);
  };

  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      log.write(chunk);
      if (firstByte === undefined) {
        firstByte = performance.now();
        clearTimeout(timer);
        timer = setTimeout(fail(`no marker within ${timeoutMs / 1000} s`), timeoutMs);
      }
      pending += chunk.toString('latin1');
      const cut = pending.lastIndexOf('\n');
      let fresh = '';
      if (cut >= 0) {
        fresh = stripAnsi(pending.slice(0, cut + 1));
        text += fresh;
        pending = pending.slice(cut + 1);
      }
      if (result) continue;
      const visible = fresh + stripAnsi(pending); // the OVMF prompt never ends its line
      const m = MARKER.exec(fresh);
      if (m) {
        const firmwareSeen = m[1] as 'BIOS' | 'UEFI';
        finish({ ok: true, seconds: since(), firmwareSeen, cmdline: m[2]!.trim() }, POWEROFF_GRACE_MS);
        continue;
      }
      const dead = DEAD_ENDS.find(([re]) => re.test(visible));
      if (dead) finish({ ok: false, seconds: since(), reason: dead[1] }, 0);
    }
  } catch {
    // stdout is destroyed by our own abort; the outcome is already recorded
  }
  clearTimeout(timer);
  const exit = await child.done.then(
    () => undefined,
    (e: Error) => e.message,
  );
  text += stripAnsi(pending);
  await new Promise<void>((r) => log.end(r));
  result ??= {
    ok: false,
    seconds: since(),
    reason: `QEMU ended without the marker${exit ? `: ${exit}` : ''}`,
  };
  const loader = /ISOLINUX/.test(text) ? 'isolinux' : /Booting .Install/.test(text) ? 'grub' : undefined;
  const tail = text.trimEnd().split('\n').slice(-40).join('\n');
  return { ...result, seconds: Math.round(result.seconds * 10) / 10, loader, tail, logFile };
}
