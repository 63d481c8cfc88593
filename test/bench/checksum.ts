// `npm run bench -- checksum` (or node bin/horno-dev.js test/bench/checksum.ts): finalize's checksum engine
// (streaming, worker pool bounded like site.limits.cpu) against `sha256sum` over the same generated files, both
// from the page cache (a warm-up read comes first); prints MiB/s of each and the ratio. A script, not a test.
import { randomFillSync } from 'node:crypto';
import { open, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { hashFiles } from '../../src/wrappers/metadata/checksum.ts';
import { run } from '../../src/wrappers/run/runner.ts';

const USAGE = 'usage: bench checksum [--mib 1024] [--files 4] [--rounds 3] [--workers N] [--dir PATH]';
const MiB = 1024 * 1024;
const say = (m: string) => process.stdout.write(`${m}\n`);

async function writeRandom(path: string, bytes: number): Promise<void> {
  const fh = await open(path, 'w');
  const chunk = Buffer.alloc(8 * MiB);
  try {
    for (let left = bytes; left > 0; left -= chunk.length) {
      randomFillSync(chunk);
      await fh.write(chunk, 0, Math.min(chunk.length, left));
    }
  } finally {
    await fh.close();
  }
}

async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await f();
  return { ms: performance.now() - t, value };
}

export async function main(argv: string[]): Promise<number> {
  let o;
  try {
    o = parseArgs({
      args: argv,
      options: {
        mib: { type: 'string', default: '1024' },
        files: { type: 'string', default: '4' },
        rounds: { type: 'string', default: '3' },
        workers: { type: 'string', default: String(availableParallelism()) },
        dir: { type: 'string' },
      },
    }).values;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const total = Number(o.mib) * MiB;
  const count = Number(o.files);
  const rounds = Number(o.rounds);
  const workers = Number(o.workers);
  const dir = await mkdtemp(join(o.dir ?? tmpdir(), 'horno-bench-checksum-'));
  try {
    const files = Array.from({ length: count }, (_, i) => join(dir, `image-${i}.iso`));
    const per = Math.floor(total / count);
    const gen = await timed(async () => {
      for (const f of files) await writeRandom(f, per);
    });
    const mib = (per * count) / MiB;
    say(
      `== checksum benchmark: ${count} files, ${mib.toFixed(0)} MiB in all (written in ${(gen.ms / 1000).toFixed(1)} s)`,
    );
    say(`   horno: worker pool of ${workers} (site.limits.cpu), sha256, 4 MiB reads with one read ahead`);
    say('   sha256sum: one process over the same files, through run()');

    // warm-up: both contenders read from the page cache after this
    await hashFiles(files, ['md5'], { concurrency: workers });
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const a = await timed(() => hashFiles(files, ['sha256'], { concurrency: workers }));
      const b = await timed(() => run(['sha256sum', ...files], { captureStdout: true }));
      ours.push(a.ms);
      theirs.push(b.ms);
      const gnu = new Map(
        b.value.stdout
          .trim()
          .split('\n')
          .map((l) => [l.slice(66), l.slice(0, 64)] as const),
      );
      for (const d of a.value) {
        if (gnu.get(d.path) !== d.digests.sha256)
          throw new Error(`digest of ${d.path} differs from sha256sum's`);
      }
      say(
        `   round ${r + 1}: horno ${(a.ms / 1000).toFixed(2)} s, sha256sum ${(b.ms / 1000).toFixed(2)} s (digests agree)`,
      );
    }
    const best = (xs: number[]) => Math.min(...xs);
    const rate = (ms: number) => mib / (ms / 1000);
    const h = rate(best(ours));
    const g = rate(best(theirs));
    say('');
    say(`   horno finalize checksums  ${h.toFixed(0).padStart(6)} MiB/s  (best of ${rounds})`);
    say(`   sha256sum                 ${g.toFixed(0).padStart(6)} MiB/s  (best of ${rounds})`);
    say(`   ratio                     ${(h / g).toFixed(2).padStart(6)} x`);
    return 0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
