// `npm run bench -- iso-extra`: build-iso-extra's DVD against a bare xorriso run over the same tree. The bare run
// replays the very dialog horno wrote (only the output path changes), so the difference is horno's own work:
// planning, implantisomd5, the El Torito checks and the manifest.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/wrappers/run/runner.ts';
import { ensureFixtureDistro } from '../fixtures/distro.ts';
import { serveDir } from '../fixtures/serve.ts';
import { ensureBootAssets } from '../helpers/boot-assets.ts';
import { createLab } from '../helpers/horno.ts';
import { installLoraxStandIn } from '../stand-ins/lorax/install.ts';

const ROUNDS = 3;

export async function main(_args: string[]): Promise<number> {
  const distro = await ensureFixtureDistro();
  const assets = await ensureBootAssets();
  const scratch = await mkdtemp(join(tmpdir(), 'horno-bench-iso-'));
  process.env.PATH = await installLoraxStandIn(join(scratch, 'bin'), { assets: assets.dir });
  const served = await serveDir(distro.upstream);
  try {
    const lab = await createLab({ upstream: served.url });
    process.stderr.write('preparing a demo compose up to pull-unpack-tree ...\n');
    await lab.horno(
      ['compose', '--release', 'demo', '--skip', 'build-iso-extra', '--skip', 'finalize-compose'],
      {
        timeoutMs: 600_000,
      },
    );
    const extra = [
      'build-iso-extra',
      '--release',
      'demo',
      '--arch',
      'x86_64',
      '--image',
      'dvd',
      '--force',
      '--json',
    ];
    const horno: number[] = [];
    const units: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t = performance.now();
      const r = await lab.horno(extra);
      horno.push((performance.now() - t) / 1000);
      const s = JSON.parse(r.stdout) as { ran?: { durationMs: number }[] };
      units.push((s.ran?.[0]?.durationMs ?? Number.NaN) / 1000);
    }
    const compose = join(lab.composeRoot, '9', 'latest-Demo-9');
    const dialogFile = join(compose, 'work', 'lorax', 'x86_64', 'xorriso-dvd-x86_64.txt');
    const out = join(scratch, 'bare.iso');
    const dialog = (await readFile(dialogFile, 'utf8')).replace(/^-outdev .*$/m, `-outdev ${out}`);
    await writeFile(join(scratch, 'dialog.txt'), dialog);
    const bare: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      await rm(out, { force: true });
      const t = performance.now();
      await run(['xorriso', '-options_from_file', join(scratch, 'dialog.txt')]);
      bare.push((performance.now() - t) / 1000);
    }
    const best = (xs: number[]) => Math.min(...xs);
    const row = (name: string, xs: number[]) =>
      `${name.padEnd(44)} best ${best(xs).toFixed(2)} s   (${xs.map((x) => x.toFixed(2)).join(', ')})`;
    process.stdout.write(
      [
        'build-iso-extra benchmark: the demo DVD (x86_64), same tree and dialog',
        row('horno build-iso-extra (whole command)', horno),
        row('horno DVD unit (mastering, md5, checks)', units),
        row('bare xorriso -options_from_file', bare),
        `ratio unit / bare xorriso: ${(best(units) / best(bare)).toFixed(2)}x`,
        `ratio command / bare xorriso: ${(best(horno) / best(bare)).toFixed(2)}x (includes node start-up)`,
      ].join('\n') + '\n',
    );
    return 0;
  } finally {
    await served.close();
    await rm(scratch, { recursive: true, force: true });
  }
}
