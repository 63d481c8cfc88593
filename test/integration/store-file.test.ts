// The file:// store end to end through openStore: objects with sha256 sidecars, atomic replacement, tampering
// and missing sidecars refused with nothing left behind, and the listing walking only the prefix.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/wrappers/errors.ts';
import { IntegrityError, openStore, type ArtifactStore } from '../../src/wrappers/store/index.ts';

let dir: string;
let store: ArtifactStore;
const hex = (s: string) => createHash('sha256').update(s).digest('hex');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'horno-store-file-'));
  store = openStore({ store: { url: `file://${join(dir, 'store')}` } });
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function keys(prefix: string) {
  const out: string[] = [];
  for await (const o of store.list(prefix)) out.push(o.key);
  return out;
}

describe('FileStore via openStore', () => {
  it('stores an object with a sha256sum sidecar and gets it back', async () => {
    const src = join(dir, 'a.txt');
    await writeFile(src, 'alpha\n');
    const put = await store.put('buildiso-9-x86_64/1732200000/lorax.tar.gz', src);
    expect(put).toMatchObject({ size: 6, sha256: hex('alpha\n') });
    const obj = join(dir, 'store', 'buildiso-9-x86_64', '1732200000', 'lorax.tar.gz');
    expect(await readFile(obj, 'utf8')).toBe('alpha\n');
    expect(await readFile(`${obj}.sha256`, 'utf8')).toBe(`${hex('alpha\n')}  lorax.tar.gz\n`);
    expect(await readdir(join(dir, 'store', 'buildiso-9-x86_64', '1732200000'))).toEqual([
      'lorax.tar.gz',
      'lorax.tar.gz.sha256',
    ]);
    const head = await store.head('buildiso-9-x86_64/1732200000/lorax.tar.gz');
    expect(head).toMatchObject({ size: 6, sha256: hex('alpha\n') });
    expect(head?.lastModified).toBeInstanceOf(Date);

    const dest = join(dir, 'out', 'x.tar.gz');
    expect(await store.get('buildiso-9-x86_64/1732200000/lorax.tar.gz', dest)).toMatchObject({ size: 6 });
    expect(await readFile(dest, 'utf8')).toBe('alpha\n');

    // replacing keeps object and sidecar in step
    await writeFile(src, 'beta, longer\n');
    await store.put('buildiso-9-x86_64/1732200000/lorax.tar.gz', src);
    await store.get('buildiso-9-x86_64/1732200000/lorax.tar.gz', dest);
    expect(await readFile(dest, 'utf8')).toBe('beta, longer\n');
  });

  it('refuses tampered bytes and a missing sidecar, leaving no file', async () => {
    const src = join(dir, 't.txt');
    await writeFile(src, 'original\n');
    await store.put('t/obj', src);
    const obj = join(dir, 'store', 't', 'obj');
    await writeFile(obj, 'Original\n');
    const out = join(dir, 'tamper-out');
    await expect(store.get('t/obj', join(out, 'obj'))).rejects.toThrow(IntegrityError);
    await rm(`${obj}.sha256`);
    await expect(store.get('t/obj', join(out, 'obj'))).rejects.toThrow(/no sha256 was recorded/);
    expect(await readdir(out)).toEqual([]);
    await store.get('t/obj', join(out, 'obj'), { verify: false });
    expect(await readFile(join(out, 'obj'), 'utf8')).toBe('Original\n');
  });

  it('lists only under the prefix, in key order, without sidecars or temp files', async () => {
    const src = join(dir, 'l.txt');
    await writeFile(src, 'l');
    for (const k of ['l/b', 'l/a/2', 'l/a/1', 'l-x', 'lz/1', 'm/1']) await store.put(k, src);
    await writeFile(join(dir, 'store', 'l', '.b.tmp-123-abcd'), 'half');
    expect(await keys('l/')).toEqual(['l/a/1', 'l/a/2', 'l/b']);
    expect(await keys('l')).toEqual(['l-x', 'l/a/1', 'l/a/2', 'l/b', 'lz/1']);
    expect(await keys('l/a/')).toEqual(['l/a/1', 'l/a/2']);
    expect(await keys('nothing/')).toEqual([]);
    await store.delete('l/b');
    expect(await keys('l/')).toEqual(['l/a/1', 'l/a/2']);
    expect(await readdir(join(dir, 'store', 'l'))).toEqual(['.b.tmp-123-abcd', 'a']);
  });

  it('refuses keys that could escape the folder or clash with sidecars', async () => {
    const src = join(dir, 'a.txt');
    await expect(store.put('../outside', src)).rejects.toThrow(UsageError);
    await expect(store.put('/etc/x', src)).rejects.toThrow(UsageError);
    await expect(store.put('x.sha256', src)).rejects.toThrow(/names the file store's checksums/);
  });
});
