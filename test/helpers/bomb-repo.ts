// Decompression bombs planted in a copy of the fixture upstream: one metadata record of one tree's repomd.xml is
// pointed at a file a few KiB to a MiB long that unpacks to gigabytes. Built fast and small as concatenated members
// (gzip, xz and zstd all read a file of several compressed members as one stream): a head, one compressed MiB of
// filler repeated, a tail. The record's checksum and size are the bomb's own, so only unpacking can tell.
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { run } from '../../src/wrappers/run/runner.ts';

export type BombCompression = 'gz' | 'xz' | 'zst';

export interface Bomb {
  /** The tree whose repomd.xml is changed: `<repo>/x86_64/os`. */
  repo: string;
  /** The repomd record replaced. */
  type: 'primary' | 'group' | 'modules';
  compression: BombCompression;
  head: string;
  /** Repeated until the content is `bytes` long (head and tail included). */
  filler: string;
  bytes: number;
  tail?: string;
  /** The record's open-size: the true one, none at all, or a lie. */
  openSize: 'true' | 'absent' | number;
}

export interface PlantedBomb {
  /** The upstream copy (serve it); remove with cleanup(). */
  dir: string;
  /** The bomb's href in repomd.xml. */
  href: string;
  /** Its size on disk. */
  storedBytes: number;
  cleanup(): Promise<void>;
}

const MiB = 2 ** 20;

export async function plantBomb(upstream: string, bomb: Bomb): Promise<PlantedBomb> {
  const root = await mkdtemp(join(tmpdir(), 'horno-bomb-'));
  const dir = join(root, 'upstream');
  await cp(upstream, dir, { recursive: true });
  const tree = join(dir, bomb.repo, 'x86_64', 'os');
  const tail = bomb.tail ?? '';
  const unit = bomb.filler.repeat(Math.ceil(MiB / bomb.filler.length)).slice(0, MiB);
  const fill = bomb.bytes - bomb.head.length - tail.length;
  const whole = Math.floor(fill / MiB);
  const parts = [
    await compress(root, bomb.compression, bomb.head),
    ...Array<Buffer>(whole).fill(await compress(root, bomb.compression, unit)),
    await compress(root, bomb.compression, unit.slice(0, fill - whole * MiB) + tail),
  ];
  const body = Buffer.concat(parts);
  const name = { primary: 'primary.xml', group: 'comps.xml', modules: 'modules.yaml' }[bomb.type];
  const href = `repodata/bomb-${name}.${bomb.compression}`;
  await writeFile(join(tree, href), body);
  const repomdFile = join(tree, 'repodata', 'repomd.xml');
  const repomd = await readFile(repomdFile, 'utf8');
  const sha = createHash('sha256').update(body).digest('hex');
  const openSize =
    bomb.openSize === 'absent'
      ? ''
      : `<open-size>${bomb.openSize === 'true' ? bomb.bytes : bomb.openSize}</open-size>`;
  const record =
    `<data type="${bomb.type}"><checksum type="sha256">${sha}</checksum>` +
    `<location href="${href}"/><timestamp>1700000000</timestamp><size>${body.length}</size>${openSize}</data>`;
  const re = new RegExp(`<data type="${bomb.type}">[^]*?</data>`);
  if (!re.test(repomd)) throw new Error(`${repomdFile} has no ${bomb.type} record`);
  await writeFile(repomdFile, repomd.replace(re, record));
  return {
    dir,
    href,
    storedBytes: body.length,
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

async function compress(scratch: string, c: BombCompression, text: string): Promise<Buffer> {
  if (c === 'gz') return gzipSync(text, { level: 9 });
  const file = join(scratch, 'member');
  await writeFile(file, text);
  const out = `${file}.${c}`;
  await run(c === 'xz' ? ['xz', '-9', '-k', '-f', file] : ['zstd', '-19', '-q', '-f', file, '-o', out]);
  const buf = await readFile(out);
  await rm(out);
  return buf;
}
