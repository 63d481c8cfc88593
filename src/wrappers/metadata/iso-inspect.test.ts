import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../run/runner.ts';
import { checkisomd5Argv, implantedMd5, inspectIso, parseMd5sumOnly } from './iso-inspect.ts';

/** A small real ISO from xorriso; `boot` adds a no-emulation El Torito entry. */
async function masterIso(dir: string, name: string, volid: string, boot = false): Promise<string> {
  const tree = join(dir, `${name}.tree`);
  await mkdir(join(tree, 'images'), { recursive: true });
  await writeFile(join(tree, 'README'), `${volid}\n`);
  if (boot) await writeFile(join(tree, 'images', 'boot.img'), Buffer.alloc(4096, 1));
  const iso = join(dir, name);
  const bootArgs = boot ? ['-b', 'images/boot.img', '-no-emul-boot', '-c', 'boot.cat'] : [];
  await run(['xorriso', '-as', 'mkisofs', '-quiet', '-o', iso, '-R', '-J', '-V', volid, ...bootArgs, tree]);
  return iso;
}

describe('ISO facts', () => {
  it('reads the volume id and El Torito from the descriptors, and the implanted md5 through checkisomd5', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'horno-iso-'));
    const plain = await masterIso(dir, 'plain.iso', 'Demo-9-9-x86_64-dvd');
    const boot = await masterIso(dir, 'boot.iso', 'DEMO BOOT', true);
    expect(await inspectIso(plain)).toEqual({
      volumeId: 'Demo-9-9-x86_64-dvd',
      bootable: false,
      md5Implanted: false,
    });
    expect(await inspectIso(boot)).toMatchObject({
      volumeId: 'DEMO BOOT',
      bootable: true,
      md5Implanted: false,
    });
    expect(await implantedMd5(boot, await inspectIso(boot))).toBeNull();

    const out = await run(['implantisomd5', boot], { captureStdout: true });
    const facts = await inspectIso(boot);
    expect(facts.md5Implanted).toBe(true);
    const md5 = await implantedMd5(boot, facts);
    expect(md5).toMatch(/^[0-9a-f]{32}$/);
    expect(out.stdout).toContain(md5);
  });

  it('says nothing about a file that is not ISO 9660', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'horno-iso-'));
    const f = join(dir, 'disk.qcow2');
    await writeFile(f, Buffer.alloc(40000, 7));
    expect(await inspectIso(f)).toEqual({ volumeId: null, bootable: false, md5Implanted: false });
  });

  it('builds the checkisomd5 argv and parses its output', () => {
    expect(checkisomd5Argv('/c/x.iso')).toEqual(['checkisomd5', '--md5sumonly', '/c/x.iso']);
    const out = '/c/x.iso:   cd5a31642d377b9b2072b65ecffd8068\nFragment sums: 53f9;FRAGMENT COUNT = 20\n';
    expect(parseMd5sumOnly(out)).toBe('cd5a31642d377b9b2072b65ecffd8068');
    expect(parseMd5sumOnly('')).toBeNull();
  });
});
