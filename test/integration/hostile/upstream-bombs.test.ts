// sync-repos against an upstream on 127.0.0.1 whose metadata are decompression bombs (1 GiB each from 2 MiB or
// less stored, with checksums and sizes that verify): unterminated tags and attributes, a huge text node, open-size
// lies, no open-size past the ceiling, comps and modules bombs, in gzip, xz and zstd. Each is refused by name with
// exit 1, nothing of the tree is published, the horno process peaks under 300 MB (VmHWM, polled) and ends quickly.
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchPeakRss } from '../../bench/peak-rss.ts';
import { ensureFixtureDistro, type FixtureDistro } from '../../fixtures/distro.ts';
import { serveDir } from '../../fixtures/serve.ts';
import { type Bomb, plantBomb } from '../../helpers/bomb-repo.ts';
import { createLab } from '../../helpers/horno.ts';

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const RSS_LIMIT = 300 * MiB;
const WALL_LIMIT_MS = 90_000;
const PRIMARY_HEAD =
  '<?xml version="1.0" encoding="UTF-8"?>\n<metadata xmlns="http://linux.duke.edu/metadata/common" ' +
  'xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="1">\n<package type="rpm">';

let distro: FixtureDistro;
const labs: string[] = [];
beforeAll(async () => {
  distro = await ensureFixtureDistro();
});
afterAll(async () => {
  await Promise.all(labs.map((d) => rm(d, { recursive: true, force: true })));
});

const primary = (b: Partial<Bomb> & Pick<Bomb, 'head' | 'filler'>): Bomb => ({
  repo: 'BaseOS',
  type: 'primary',
  compression: 'gz',
  bytes: GiB,
  openSize: 'true',
  ...b,
});
const small = (type: 'group' | 'modules', b: Partial<Bomb> & Pick<Bomb, 'head' | 'filler'>): Bomb => ({
  repo: 'AppStream',
  type,
  compression: 'gz',
  bytes: GiB,
  openSize: 'true',
  ...b,
});

const CASES: [string, Bomb, RegExp][] = [
  [
    'a primary with an unterminated tag',
    primary({ head: `${PRIMARY_HEAD}<name`, filler: 'a' }),
    /not valid XML: tag longer than 4194304 characters/,
  ],
  [
    'a primary with an unterminated attribute',
    primary({ head: `${PRIMARY_HEAD}<name>x</name><location href="`, filler: 'A' }),
    /not valid XML: tag longer than 4194304 characters/,
  ],
  [
    'a primary with a huge text node',
    primary({ head: `${PRIMARY_HEAD}<name>`, filler: 'x' }),
    /not valid XML: text of <name> longer than 4194304 characters/,
  ],
  [
    'a primary that unpacks past its open-size',
    primary({ head: PRIMARY_HEAD, filler: '\n', tail: '</package></metadata>\n', openSize: 4000 }),
    /decompresses to more than its open-size in repomd\.xml \(4000 bytes\)/,
  ],
  [
    'a primary without open-size past the ceiling (limits.metadata_max_bytes: 64 MiB)',
    primary({ head: PRIMARY_HEAD, filler: '\n', tail: '</package></metadata>\n', openSize: 'absent' }),
    /decompresses to more than 64 MiB, the limit for a metadata file/,
  ],
  [
    'an xz primary with an unterminated attribute',
    primary({ compression: 'xz', head: `${PRIMARY_HEAD}<name>x</name><location href="`, filler: 'A' }),
    /not valid XML: tag longer than 4194304 characters/,
  ],
  [
    'a zstd primary without open-size past the ceiling',
    primary({ compression: 'zst', head: PRIMARY_HEAD, filler: ' ', openSize: 'absent' }),
    /decompresses to more than 64 MiB, the limit for a metadata file/,
  ],
  [
    'a comps that truly unpacks to 1 GiB (past limits.comps_modules_max_bytes, 64 MiB by default)',
    small('group', { head: '<?xml version="1.0"?>\n<comps>\n', filler: ' ', tail: '</comps>\n' }),
    /decompresses to more than 64 MiB, the limit for a metadata file/,
  ],
  [
    'a comps that unpacks past its open-size',
    small('group', { head: '<?xml version="1.0"?>\n<comps>\n', filler: ' ', openSize: 1000 }),
    /decompresses to more than its open-size in repomd\.xml \(1000 bytes\)/,
  ],
  [
    'a modules.yaml that truly unpacks to 1 GiB',
    small('modules', { head: '---\n', filler: '# padding\n' }),
    /decompresses to more than 64 MiB, the limit for a metadata file/,
  ],
  [
    'an xz modules.yaml without open-size',
    small('modules', { compression: 'xz', head: '---\n', filler: '# padding\n', openSize: 'absent' }),
    /decompresses to more than 64 MiB, the limit for a metadata file/,
  ],
];

/** Every file under `dir` (none if it does not exist). */
async function filesUnder(dir: string): Promise<{ path: string; size: number }[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const out: { path: string; size: number }[] = [];
  for (const e of entries) {
    if (!e.isFile()) continue;
    const path = join(e.parentPath, e.name);
    out.push({ path, size: (await stat(path)).size });
  }
  return out;
}

interface Outcome {
  exitCode: number;
  failed: { key: string; error: string }[];
  peakRss: number;
  ms: number;
  compose: string;
  labDir: string;
}

async function syncFrom(upstream: string, repo: string): Promise<Outcome> {
  const served = await serveDir(upstream);
  const lab = await createLab({
    upstream: served.url,
    site: (root) =>
      `compose_root: ${root}\nstore: { url: 'file://${join(root, '..', 'store')}' }\n` +
      'limits: { metadata_max_bytes: 64 MiB }\n',
  });
  labs.push(lab.dir);
  const watch = watchPeakRss(lab.configDir, 50);
  const t = performance.now();
  try {
    const r = await lab.horno(
      [
        'sync-repos',
        '--release',
        'demo',
        '--repo',
        repo,
        '--arch',
        'x86_64',
        '--new',
        '--no-repoclosure',
        '--json',
      ],
      { okExitCodes: [0, 1], timeoutMs: WALL_LIMIT_MS },
    );
    const ms = performance.now() - t;
    const peak = await watch.stop();
    expect(peak.rootBytes, 'the horno process was seen by the RSS poller').toBeGreaterThan(0);
    const summary = JSON.parse(r.stdout) as { failed: { key: string; error: string }[] };
    return {
      exitCode: r.exitCode,
      failed: summary.failed,
      peakRss: peak.rootBytes,
      ms,
      compose: join(lab.composeRoot, '9', 'latest-Demo-9', 'compose'),
      labDir: lab.dir,
    };
  } finally {
    await watch.stop();
    await served.close();
  }
}

const mb = (n: number) => `${(n / MiB).toFixed(0)} MB`;

describe('sync-repos against metadata bombs', () => {
  it('syncs the unchanged upstream (the control: same harness, exit 0, comps and modules published)', async () => {
    const o = await syncFrom(distro.upstream, 'AppStream');
    console.log(`control: exit ${o.exitCode}, peak RSS ${mb(o.peakRss)}, ${(o.ms / 1000).toFixed(1)} s`);
    expect(o.exitCode).toBe(0);
    expect(o.failed).toEqual([]);
    const repodata = await readdir(join(o.compose, 'AppStream', 'x86_64', 'os', 'repodata'));
    expect(repodata.some((f) => f.endsWith('-comps.xml.gz'))).toBe(true);
    expect(repodata.some((f) => f.includes('modules.yaml'))).toBe(true);
    expect(o.peakRss).toBeLessThan(RSS_LIMIT);
  });

  it.each(CASES)('refuses %s', async (_, bomb, reason) => {
    const planted = await plantBomb(distro.upstream, bomb);
    try {
      expect(planted.storedBytes).toBeLessThan(3 * MiB);
      const o = await syncFrom(planted.dir, bomb.repo);
      console.log(
        `${bomb.type} ${bomb.compression} (${planted.storedBytes} bytes stored): exit ${o.exitCode}, ` +
          `peak RSS ${mb(o.peakRss)}, ${(o.ms / 1000).toFixed(1)} s`,
      );
      expect(o.exitCode).toBe(1);
      const key = `${bomb.repo}-x86_64-os`;
      expect(o.failed.map((f) => f.key)).toEqual([key]);
      // named by the file, and why
      expect(o.failed[0]!.error).toContain(planted.href);
      expect(o.failed[0]!.error).toMatch(reason);
      // nothing of the tree published, and nothing large left anywhere (work/ included)
      expect(await filesUnder(join(o.compose, bomb.repo, 'x86_64', 'os'))).toEqual([]);
      const big = (await filesUnder(o.labDir)).filter((f) => f.size > 8 * MiB);
      expect(big).toEqual([]);
      expect(o.peakRss).toBeLessThan(RSS_LIMIT);
      expect(o.ms).toBeLessThan(WALL_LIMIT_MS);
    } finally {
      await planted.cleanup();
    }
  });
});
