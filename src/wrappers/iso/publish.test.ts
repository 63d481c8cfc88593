import { link, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renameOver } from '../compose/atomic.ts';
import { linkAtomic } from './publish.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'horno-publish-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('linkAtomic', () => {
  it('links a file in, replacing another file, and leaves no temp name', async () => {
    await writeFile(join(dir, 'new'), 'new');
    await mkdir(join(dir, 'os'));
    await writeFile(join(dir, 'os', 'vmlinuz'), 'old');
    await linkAtomic(join(dir, 'new'), join(dir, 'os', 'vmlinuz'));
    expect(await readFile(join(dir, 'os', 'vmlinuz'), 'utf8')).toBe('new');
    expect((await stat(join(dir, 'os', 'vmlinuz'))).ino).toBe((await stat(join(dir, 'new'))).ino);
    expect(await readdir(join(dir, 'os'))).toEqual(['vmlinuz']);
  });

  it('placing the same file again leaves no temp name (rename(2) of a link onto its own inode does nothing)', async () => {
    await writeFile(join(dir, 'src'), 'kernel');
    await mkdir(join(dir, 'os'));
    for (let i = 0; i < 3; i++) await linkAtomic(join(dir, 'src'), join(dir, 'os', 'vmlinuz'));
    expect(await readdir(join(dir, 'os'))).toEqual(['vmlinuz']);
  });
});

describe('renameOver', () => {
  it('moves a file over another and, when both were one inode, removes the source name too', async () => {
    await writeFile(join(dir, 'a'), 'a');
    await writeFile(join(dir, 'b'), 'b');
    await renameOver(join(dir, 'a'), join(dir, 'b'));
    expect(await readdir(dir)).toEqual(['b']);
    await link(join(dir, 'b'), join(dir, 'c'));
    await renameOver(join(dir, 'c'), join(dir, 'b'));
    expect(await readdir(dir)).toEqual(['b']);
    expect(await readFile(join(dir, 'b'), 'utf8')).toBe('a');
  });
});
