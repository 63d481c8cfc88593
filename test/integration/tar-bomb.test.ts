// A lorax tarball whose tree holds a 2 GiB zero-filled member (9 MB of gzip): pull-unpack-tree's unpacker, run
// in a child process whose peak RSS (VmHWM) is measured, extracts it with flat memory under the default ceiling
// and refuses it, naming the member and writing nothing, under a ceiling below its size.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { craftTarballFile } from '../../src/wrappers/iso/safe-tar-craft.ts';

const GIB = 2 ** 30;
const CHILD = join(import.meta.dirname, '..', 'helpers', 'unpack-child.ts');
/** `head -c 2G /dev/zero | sha256sum` */
const ZEROS_2G = 'a7c744c13cc101ed66c29f672f92455547889cc586ce6d44fe76ae824958ea51';
const TREEINFO = '[header]\n';
const TREEINFO_SHA = 'b92364274832ea84d4d3d58afb356c2507594d2b501fcc4a806d9f9303736015';
/** Peak RSS allowed to the unpacking process (node itself takes about 100 MB). */
const MAX_RSS_KIB = 300 * 1024;

let dir: string;
let tarball: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'horno-tar-bomb-'));
  tarball = join(dir, 'lorax-9.9-x86_64.tar.gz');
  await craftTarballFile(tarball, [
    {
      path: 'MANIFEST.sha256',
      body: `${TREEINFO_SHA}  lorax/.treeinfo\n${ZEROS_2G}  lorax/images/zero.img\n`,
    },
    { path: 'lorax/', type: 'Directory', mode: 0o755 },
    { path: 'lorax/.treeinfo', body: TREEINFO },
    { path: 'lorax/images/', type: 'Directory', mode: 0o755 },
    { path: 'lorax/images/zero.img', zeros: 2 * GIB },
  ]);
}, 120_000);
const children = new Set<ChildProcess>();
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

interface ChildResult {
  ok: boolean;
  error?: string;
  hwmKiB: number;
  ms: number;
}

async function unpackInChild(tree: string, maxBytes?: number): Promise<ChildResult> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CHILD, tarball, tree, ...(maxBytes ? [String(maxBytes)] : [])],
    { stdio: ['ignore', 'pipe', 'inherit'], timeout: 150_000, killSignal: 'SIGKILL' },
  );
  children.add(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  children.delete(child);
  expect(code).toBe(0);
  return JSON.parse(out) as ChildResult;
}

it('extracts a 2 GiB zero member under the default ceiling with flat memory, as holes', async () => {
  expect((await stat(tarball)).size).toBeLessThan(16 * 2 ** 20);
  const tree = join(dir, 'lorax');
  const r = await unpackInChild(tree);
  console.log(`tar bomb, 2 GiB member extracted: peak RSS ${Math.round(r.hwmKiB / 1024)} MiB, ${r.ms} ms`);
  expect(r.error).toBeUndefined();
  expect(r.hwmKiB).toBeLessThan(MAX_RSS_KIB);
  const img = await stat(join(tree, 'images', 'zero.img'));
  expect(img.size).toBe(2 * GIB);
  expect(img.blocks * 512).toBeLessThan(64 * 2 ** 20);
  expect(await readFile(join(tree, '.treeinfo'), 'utf8')).toBe(TREEINFO);
  expect((await readdir(dir)).sort()).toEqual(['MANIFEST.sha256', 'lorax', 'lorax-9.9-x86_64.tar.gz']);
}, 180_000);

it('refuses it under a 1 GiB ceiling at its header, naming the member, and changes nothing', async () => {
  const tree = join(dir, 'lorax');
  const before = await stat(join(tree, 'images', 'zero.img')).catch(() => undefined);
  const r = await unpackInChild(tree, GIB);
  console.log(`tar bomb, 1 GiB ceiling: refused in ${r.ms} ms, peak RSS ${Math.round(r.hwmKiB / 1024)} MiB`);
  expect(r.error).toMatch(
    /refused, entry "lorax\/images\/zero\.img" declares 2147483648 bytes, which brings the content past 1073741824 bytes \(the limit, 1 GiB\)/,
  );
  expect(r.hwmKiB).toBeLessThan(MAX_RSS_KIB);
  // the header pass stops at the member's header: its 2 GiB are never inflated
  expect(r.ms).toBeLessThan(1500);
  expect((await readdir(dir)).filter((n) => n.startsWith('.'))).toEqual([]);
  expect((await stat(join(tree, 'images', 'zero.img')).catch(() => undefined))?.ino).toBe(before?.ino);
}, 60_000);
