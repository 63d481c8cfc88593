import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { writeVerified } from './verified-write.ts';

describe('writeVerified', () => {
  it('leaves no temp file behind when the body fails before the file is even open', async () => {
    // the failure lands on the first read, ahead of createWriteStream's lazy open; the cleanup must still see
    // (and remove) the temp file that open creates
    const dir = await mkdtemp(join(tmpdir(), 'horno-verified-'));
    for (let i = 0; i < 20; i++) {
      const body = new Readable({
        read() {
          this.destroy(new Error('connection reset'));
        },
      });
      await expect(writeVerified(body, join(dir, `obj${i}`), { what: 'obj', verify: false })).rejects.toThrow(
        'connection reset',
      );
    }
    await sleep(50);
    expect(await readdir(dir)).toEqual([]);
  });

  it('renames into place only a body of the recorded size and sha256', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'horno-verified-'));
    const sha = '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824'; // "hello"
    const ok = await writeVerified(Readable.from([Buffer.from('hel'), Buffer.from('lo')]), join(dir, 'a'), {
      what: 'a',
      verify: true,
      sha256: sha,
      size: 5,
    });
    expect(ok).toEqual({ size: 5, sha256: sha });
    await expect(
      writeVerified(Readable.from([Buffer.from('hellO')]), join(dir, 'b'), {
        what: 'b',
        verify: true,
        sha256: sha,
      }),
    ).rejects.toThrow(/b: sha256 .* does not match/);
    await expect(
      writeVerified(Readable.from([Buffer.from('hell')]), join(dir, 'c'), {
        what: 'c',
        verify: false,
        size: 5,
      }),
    ).rejects.toThrow('c: got 4 bytes, the store says 5');
    expect(await readdir(dir)).toEqual(['a']);
  });

  it('sweeps the temp names a killed writer of the same object left, and keeps a live one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'horno-verified-'));
    // pids stay below pid_max: that number names no process, ever
    const dead = Number(await readFile('/proc/sys/kernel/pid_max', 'utf8'));
    const stale = `.obj.tmp-${dead}-abc1230`;
    const live = `.obj.tmp-${process.ppid}-abc1231`;
    await writeFile(join(dir, stale), 'half an upload');
    await writeFile(join(dir, live), 'another writer, still running');
    await writeVerified(Readable.from([Buffer.from('hello')]), join(dir, 'obj'), {
      what: 'obj',
      verify: false,
    });
    expect((await readdir(dir)).sort()).toEqual([live, 'obj'].sort());
  });
});
