// `horno iso-ks` end to end with the real tools (xorriso, mtools, implantisomd5/checkisomd5) on installer ISOs
// from the lorax stand-in: edit then load gives the new kickstart back, both El Torito entries survive, every
// boot config (isolinux, GRUB in the tree, GRUB in the ESP) carries one inst.ks=, labels follow --volid, batches
// make one ISO per variant, and bad input exits 2 leaving nothing behind. The command runs as a child process where
// its output and exit code are the point; elsewhere the step is called directly (a CLI start costs ~3 s here).
// Booting is in iso-ks-boot.test.ts.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/wrappers/errors.ts';
import { runBatch } from '../../src/wrappers/steps/iso-ks/batch.ts';
import { editIso } from '../../src/wrappers/steps/iso-ks/edit.ts';
import { loadKickstart } from '../../src/wrappers/steps/iso-ks/load.ts';
import { readVolumeDescriptors } from '../../src/wrappers/iso/volume-descriptors.ts';
import { parseInterval } from '../../src/wrappers/iso/xorriso-probe.ts';
import { run } from '../../src/wrappers/run/runner.ts';
import { type InstallerIsos, makeInstallerIsos } from '../helpers/installer-iso.ts';

const REPO = new URL('../../', import.meta.url).pathname;
const KS_A = '# department A\ntext\nlang en_US.UTF-8\nrootpw --lock\nreboot\n';
const KS_B = '# department B\ngraphical\nkeyboard --xlayouts=de\nreboot\n';

let dir: string;
let isos: InstallerIsos;
let ksA: string;
let ksB: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'horno-iso-ks-'));
  isos = await makeInstallerIsos(join(dir, 'isos'));
  ksA = join(dir, 'a.ks');
  ksB = join(dir, 'b.ks');
  await writeFile(ksA, KS_A);
  await writeFile(ksB, KS_B);
});

// a run writes a dozen ISOs of ~23 MB: keep /tmp from filling up
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function horno(args: string[], env: Record<string, string> = {}) {
  return run(['node', join(REPO, 'bin', 'horno.js'), ...args], {
    captureStdout: true,
    okExitCodes: [0, 1, 2],
    timeoutMs: 120_000,
    env,
    logFile: join(dir, 'horno.log'),
  });
}

async function extract(iso: string, isoPath: string): Promise<string> {
  const dest = join(await mkdtemp(join(dir, 'x-')), 'file');
  await run(['xorriso', '-osirrox', 'on', '-indev', iso, '-extract', isoPath, dest]);
  return readFile(dest, 'latin1');
}

async function fatFile(image: string, path: string): Promise<string> {
  const r = await run(['mtype', '-i', image, `::${path}`], {
    captureStdout: true,
    env: { MTOOLS_SKIP_CHECK: '1' },
  });
  return r.stdout;
}

async function elTorito(iso: string): Promise<string> {
  const r = await run(['xorriso', '-indev', iso, '-report_el_torito', 'as_mkisofs'], { captureStdout: true });
  return `${r.stdout}\n${r.stderrTail}`;
}

/** Every kernel line of a config, with how many inst.ks= it holds. */
function kernelLines(text: string): string[] {
  return text.split('\n').filter((l) => /^\s*(append|linux|linuxefi|linux16)\s/i.test(l));
}

function expectOneKsEach(text: string, volid: string) {
  const lines = kernelLines(text);
  expect(lines.length).toBeGreaterThan(0);
  for (const l of lines) {
    expect(l.match(/inst\.ks=/g)).toHaveLength(1);
    expect(l).toContain(` inst.ks=hd:LABEL=${volid}:/ks.cfg`);
  }
}

const log = pino({ level: 'silent' });
const edit = (iso: string, ks: string, output: string, volid?: string) =>
  editIso({ iso, ks, output, volid }, { log });
const load = async (iso: string) => (await loadKickstart(iso, { log })).text;

const sha256 = async (f: string) =>
  createHash('sha256')
    .update(await readFile(f))
    .digest('hex');

describe('iso-ks edit and load', () => {
  it('embeds the kickstart, points every boot entry at it, keeps both boot records and a valid md5', async () => {
    const out = join(dir, 'out', 'a.iso');
    const before = await sha256(isos.boot);
    const edit = await horno(['iso-ks', 'edit', isos.boot, '--ks', ksA, '-o', out]);
    expect(edit.exitCode, edit.stderrTail).toBe(0);
    expect(edit.stdout).toMatch(
      `wrote ${out}: volume id ${isos.volid}, inst.ks=hd:LABEL=${isos.volid}:/ks.cfg on 6 boot entries in 3 configs`,
    );

    const load = await horno(['iso-ks', 'load', out]);
    expect(load.exitCode, load.stderrTail).toBe(0);
    expect(load.stdout).toBe(KS_A);

    const report = await elTorito(out);
    expect(report).not.toMatch(/SORRY/);
    expect(report).toMatch(/^-b '\/isolinux\/isolinux.bin'$/m);
    expect(report).toMatch(/^-e '\/images\/efiboot.img'$/m);
    expect(report).toMatch(/^-isohybrid-gpt-basdat$/m);
    const check = await run(['checkisomd5', out], { okExitCodes: [0, 1] });
    expect(check.exitCode, check.stderrTail).toBe(0);
    expect(check.stderrTail).toMatch(/PASS/);

    expect((await readVolumeDescriptors(out))!).toEqual({
      volumeId: isos.volid,
      elTorito: true,
      joliet: true,
      md5Implanted: true,
    });
    expectOneKsEach(await extract(out, '/isolinux/isolinux.cfg'), isos.volid);
    expectOneKsEach(await extract(out, '/EFI/BOOT/grub.cfg'), isos.volid);
    const esp = join(dir, 'a-efiboot.img');
    await writeFile(esp, await extract(out, '/images/efiboot.img'), 'latin1');
    expectOneKsEach(await fatFile(esp, '/EFI/BOOT/grub.cfg'), isos.volid);
    expect(await sha256(isos.boot)).toBe(before); // the input is never touched
  });

  it('replaces an existing kickstart instead of adding a second, and moves every label with --volid', async () => {
    const first = join(dir, 'out', 'first.iso');
    const second = join(dir, 'out', 'second.iso');
    await edit(isos.boot, ksA, first);
    const r = await horno(['iso-ks', 'edit', first, '--ks', ksB, '--volid', 'Horno-9-deptB', '-o', second]);
    expect(r.exitCode, r.stderrTail).toBe(0);
    expect(await load(second)).toBe(KS_B);
    expect((await readVolumeDescriptors(second))!.volumeId).toBe('Horno-9-deptB');

    const esp = join(dir, 'second-efiboot.img');
    await writeFile(esp, await extract(second, '/images/efiboot.img'), 'latin1');
    const configs = [
      await extract(second, '/isolinux/isolinux.cfg'),
      await extract(second, '/EFI/BOOT/grub.cfg'),
      await fatFile(esp, '/EFI/BOOT/grub.cfg'),
    ];
    for (const text of configs) {
      expectOneKsEach(text, 'Horno-9-deptB');
      expect(text).not.toContain(isos.volid);
      for (const l of kernelLines(text)) expect(l).toContain('inst.stage2=hd:LABEL=Horno-9-deptB ');
    }
    expect(configs[1]).toContain("search --no-floppy --set=root -l 'Horno-9-deptB'");
    expect(configs[2]).toContain("search --no-floppy --set=root -l 'Horno-9-deptB'");
    expect((await run(['checkisomd5', second], { okExitCodes: [0, 1] })).exitCode).toBe(0);
  });

  it('keeps .treeinfo [checksums] true for the edited efiboot.img', async () => {
    const out = join(dir, 'out', 'treeinfo.iso');
    await edit(isos.withTreeinfo, ksA, out);
    const treeinfo = await extract(out, '/.treeinfo');
    const esp = join(dir, 'treeinfo-efiboot.img');
    await writeFile(esp, await extract(out, '/images/efiboot.img'), 'latin1');
    expect(treeinfo).toContain(`images/efiboot.img = sha256:${await sha256(esp)}`);
    // the other entries are as the DVD's .treeinfo had them
    const original = await readFile(isos.treeinfo, 'latin1');
    const others = (t: string) => t.split('\n').filter((l) => !l.startsWith('images/efiboot.img = '));
    expect(others(treeinfo)).toEqual(others(original));
  });

  it('edits the GRUB config in an ESP appended as a partition (EL 10 layout)', async () => {
    const out = join(dir, 'out', 'appended.iso');
    const r = await edit(isos.appendedEsp, ksA, out);
    expect(r.configs).toEqual([
      { path: '/isolinux/isolinux.cfg', entries: 2 },
      { path: '/EFI/BOOT/grub.cfg', entries: 2 },
      { path: 'appended partition 2:/EFI/BOOT/grub.cfg', entries: 2 },
    ]);
    const report = await elTorito(out);
    expect(report).not.toMatch(/SORRY/);
    expect(report).toMatch(/^-b '\/isolinux\/isolinux.bin'$/m);
    expect(report).toMatch(/^-e '--interval:appended_partition_2_start_\d+s_size_\d+d:all::'$/m);
    const interval = /^-append_partition 2 0xef --interval:local_fs:([^:]+):/m.exec(report)![1]!;
    const { offset, length } = parseInterval(interval)!;
    const fh = await open(out, 'r');
    const esp = join(dir, 'appended-esp.img');
    try {
      const buf = Buffer.alloc(length);
      await fh.read(buf, 0, length, offset);
      await writeFile(esp, buf);
    } finally {
      await fh.close();
    }
    expectOneKsEach(await fatFile(esp, '/EFI/BOOT/grub.cfg'), isos.volid);
    expect(await load(out)).toBe(KS_A);
    expect((await run(['checkisomd5', out], { okExitCodes: [0, 1] })).exitCode).toBe(0);
  });

  it('writes byte-identical ISOs under SOURCE_DATE_EPOCH', async () => {
    const one = join(dir, 'out', 'repro-1.iso');
    const two = join(dir, 'out', 'repro-2.iso');
    const saved = process.env.SOURCE_DATE_EPOCH;
    process.env.SOURCE_DATE_EPOCH = '1700000000'; // the runner hands it on to xorriso and mtools
    try {
      await edit(isos.boot, ksA, one, 'Horno-9-repro');
      await new Promise((r) => setTimeout(r, 1100)); // a clock that leaked in would now differ
      await edit(isos.boot, ksA, two, 'Horno-9-repro');
    } finally {
      if (saved === undefined) delete process.env.SOURCE_DATE_EPOCH;
      else process.env.SOURCE_DATE_EPOCH = saved;
    }
    expect(await sha256(one)).toBe(await sha256(two));
  });
});

describe('iso-ks edit --batch', () => {
  it('makes one ISO per variant, each with its own kickstart and volume id', async () => {
    const batch = join(dir, 'batch');
    await mkdir(join(batch, 'ks'), { recursive: true });
    await writeFile(join(batch, 'ks', 'a.ks'), KS_A);
    await writeFile(join(batch, 'ks', 'b.ks'), KS_B);
    await writeFile(
      join(batch, 'variants.yaml'),
      '- name: deptA\n  ks: ks/a.ks\n- name: deptB\n  ks: ks/b.ks\n  volid: Horno-9-deptB\n  output: dept-b.iso\n',
    );
    const outdir = join(dir, 'batch-out');
    const r = await horno([
      'iso-ks',
      'edit',
      isos.boot,
      '--batch',
      join(batch, 'variants.yaml'),
      '-o',
      outdir,
    ]);
    expect(r.exitCode, r.stderrTail).toBe(0);
    expect((await readdir(outdir)).sort()).toEqual(['boot-deptA.iso', 'dept-b.iso']);
    const a = join(outdir, 'boot-deptA.iso');
    const b = join(outdir, 'dept-b.iso');
    expect(r.stdout).toMatch(/^deptA: wrote .*boot-deptA\.iso/m);
    expect(r.stdout).toMatch(/^deptB: wrote .*dept-b\.iso: volume id Horno-9-deptB \(was /m);
    expect(await load(a)).toBe(KS_A);
    expect(await load(b)).toBe(KS_B);
    expect((await readVolumeDescriptors(a))!.volumeId).toBe(isos.volid);
    expect((await readVolumeDescriptors(b))!.volumeId).toBe('Horno-9-deptB');
    for (const iso of [a, b])
      expect((await run(['checkisomd5', iso], { okExitCodes: [0, 1] })).exitCode).toBe(0);
  });
});

describe('bad input: exit 2, a message naming the file, nothing written', () => {
  let outdir: string;
  let notIso: string;

  beforeAll(async () => {
    outdir = join(dir, 'bad-out');
    await mkdir(outdir, { recursive: true });
    notIso = join(dir, 'not-an-iso.iso');
    await writeFile(notIso, 'hello\n'.repeat(20_000));
  });

  /** The step refuses with a UsageError (exit 2 at the entry point) and leaves the output folder empty. */
  async function refused(work: Promise<unknown>, message: string | RegExp) {
    const err = await work.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(message);
    expect(await readdir(outdir)).toEqual([]);
  }

  it('exits 2 from the command line, with the message on stderr', async () => {
    const r = await horno(['iso-ks', 'edit', notIso, '--ks', ksA, '-o', join(outdir, 'x.iso')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderrTail).toContain(`${notIso}: not an ISO 9660 image`);
    const l = await horno(['iso-ks', 'load', isos.boot]);
    expect(l.exitCode).toBe(2);
    expect(l.stdout).toBe('');
    expect(l.stderrTail).toContain(`${isos.boot}: carries no kickstart`);
    const u = await horno(['iso-ks', 'edit', isos.boot, '--ks', ksA]);
    expect(u.exitCode).toBe(2);
    expect(u.stderrTail).toContain('iso-ks edit --ks needs -o <new ISO>');
    expect(await readdir(outdir)).toEqual([]);
  });

  it('refuses what is not a bootable installer ISO', async () => {
    const out = join(outdir, 'x.iso');
    await refused(edit(notIso, ksA, out), `${notIso}: not an ISO 9660 image`);
    await refused(edit(isos.plain, ksA, out), `${isos.plain}: has no El Torito boot record`);
    await refused(edit(join(dir, 'missing.iso'), ksA, out), 'missing.iso: no such file');
    await refused(edit(dir, ksA, out), `${dir}: not a file`);
    await refused(loadKickstart(notIso, { log }), `${notIso}: not an ISO 9660 image`);
    await refused(loadKickstart(isos.boot, { log }), `${isos.boot}: carries no kickstart`);
    await refused(loadKickstart(isos.plain, { log }), `${isos.plain}: holds none of isolinux/isolinux.cfg`);
  });

  it('refuses a missing or binary kickstart, a bad volume id and the input as output', async () => {
    const out = join(outdir, 'x.iso');
    await refused(edit(isos.boot, join(dir, 'nope.ks'), out), /kickstart .*nope\.ks: no such file/);
    await refused(edit(isos.boot, isos.plain, out), /plain\.iso: is not a text file/);
    await refused(
      edit(isos.boot, ksA, out, 'Horno-9-department-A-with-long-name'),
      'is 35 characters; an ISO volume id holds at most 32',
    );
    await refused(edit(isos.boot, ksA, out, 'Dept A'), 'has characters outside');
    await refused(edit(isos.boot, ksA, isos.boot), 'is the input ISO');
    await refused(edit(isos.boot, ksA, outdir), 'is a folder');
  });

  it('lists every problem of a bad variants.yaml with its dotted path', async () => {
    const file = join(dir, 'bad-variants.yaml');
    await writeFile(
      file,
      [
        '- name: deptA',
        '  ks: a.ks',
        '- name: deptA',
        '  ks: missing.ks',
        '- name: dept C',
        '  ks: b.ks',
        '  volid: Horno-9-department-C-with-long-name',
        '',
      ].join('\n'),
    );
    const r = await horno(['iso-ks', 'edit', isos.boot, '--batch', file, '-o', outdir]);
    expect(r.exitCode, r.stderrTail).toBe(2);
    expect(r.stderrTail).toContain(`4 problems in ${file}:`);
    expect(r.stderrTail).toContain(`${file}: [1].name: "deptA" is already the name of variant [0]`);
    expect(r.stderrTail).toMatch(/\[1\]\.ks: kickstart .*missing\.ks: no such file/);
    expect(r.stderrTail).toContain('[2].name: must be a plain name');
    expect(r.stderrTail).toContain('[2].volid: "Horno-9-department-C-with-long-name" is 35 characters');
    expect(await readdir(outdir)).toEqual([]);
    // a variants file that is no list, and one whose ISO is not bootable
    await writeFile(file, 'name: deptA\nks: a.ks\n');
    await refused(
      runBatch({ iso: isos.boot, variantsFile: file, outdir }, { log }),
      '(top level): expected a list',
    );
    await writeFile(file, '- name: deptA\n  ks: a.ks\n');
    await refused(
      runBatch({ iso: isos.plain, variantsFile: file, outdir }, { log }),
      'has no El Torito boot record',
    );
  });
});
