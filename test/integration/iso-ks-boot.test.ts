// The "Show" of iso-ks: a kickstart ISO made by `horno iso-ks edit` boots under QEMU (TCG), BIOS and UEFI from
// the CD, and the kernel command line the stand-in initramfs prints carries the new inst.ks= and the new label.
// The EL 10 layout (ESP appended as a partition) is booted with UEFI too, since its El Torito entry points into
// the partition iso-ks replaced. Slow: three TCG boots, one at a time (bootcheck holds a host-wide slot).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/wrappers/run/runner.ts';
import { editIso } from '../../src/wrappers/steps/iso-ks/edit.ts';
import { bootcheck, bootcheckSkipReason, type Firmware } from '../helpers/bootcheck.ts';
import { type InstallerIsos, makeInstallerIsos } from '../helpers/installer-iso.ts';

const REPO = new URL('../../', import.meta.url).pathname;
const VOLID = 'Horno-KS-deptA';
const KS = `hd:LABEL=${VOLID}:/ks.cfg`;

let dir: string;
let isos: InstallerIsos;
let edited: string;
let editedAppended: string;

const skipBios = bootcheckSkipReason('bios');
const skipUefi = bootcheckSkipReason('uefi');
if (skipBios) console.warn(`iso-ks boot checks skipped: ${skipBios}`);
else if (skipUefi) console.warn(`iso-ks UEFI boot checks skipped: ${skipUefi}`);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'horno-iso-ks-boot-'));
  isos = await makeInstallerIsos(join(dir, 'isos'));
  const ks = join(dir, 'dept-a.ks');
  await writeFile(ks, '# department A\ntext\nreboot\n');
  edited = join(dir, 'dept-a.iso');
  // through the command, as a user runs it
  await run(
    [
      'node',
      join(REPO, 'bin', 'horno.js'),
      'iso-ks',
      'edit',
      isos.boot,
      '--ks',
      ks,
      '--volid',
      VOLID,
      '-o',
      edited,
    ],
    {
      timeoutMs: 120_000,
      logFile: join(dir, 'horno.log'),
    },
  );
  editedAppended = join(dir, 'dept-a-appended.iso');
  await editIso(
    { iso: isos.appendedEsp, ks, output: editedAppended, volid: VOLID },
    { log: pino({ level: 'silent' }) },
  );
});

// a run writes a dozen ISOs of ~23 MB: keep /tmp from filling up
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function boots(iso: string, firmware: Firmware) {
  const r = await bootcheck({
    iso,
    firmware,
    media: 'cdrom',
    logFile: join(dir, `${firmware}-${iso.split('/').pop()}.log`),
  });
  console.log(
    `iso-ks boot ${firmware} cdrom ${iso.split('/').pop()}: ${r.ok ? 'ok' : r.reason} in ${r.seconds} s`,
  );
  expect(r.ok, `${r.reason}\n${r.tail}`).toBe(true);
  expect(r.firmwareSeen).toBe(firmware === 'bios' ? 'BIOS' : 'UEFI');
  expect(r.loader).toBe(firmware === 'bios' ? 'isolinux' : 'grub');
  const args = r.cmdline!.split(/\s+/);
  expect(args.filter((a) => a.startsWith('inst.ks='))).toEqual([`inst.ks=${KS}`]);
  expect(args).toContain(`inst.stage2=hd:LABEL=${VOLID}`);
  return r;
}

describe('an edited kickstart ISO boots with the new inst.ks', () => {
  it.skipIf(skipBios)(
    'BIOS, as a CD (isolinux)',
    async () => {
      await boots(edited, 'bios');
    },
    240_000,
  );

  it.skipIf(skipUefi)(
    'UEFI, as a CD (GRUB)',
    async () => {
      await boots(edited, 'uefi');
    },
    240_000,
  );

  it.skipIf(skipUefi)(
    'UEFI, as a CD, with the ESP appended as a partition (EL 10 layout)',
    async () => {
      await boots(editedAppended, 'uefi');
    },
    240_000,
  );
});
