// The memory part of the sync benchmark: horno sync-repos of a repo whose primary.xml lists N packages, with
// the peak RSS (VmHWM) of horno's node process and, separately, of its createrepo_c child.
import { rm } from 'node:fs/promises';
import { serveDir } from '../fixtures/serve.ts';
import { createLab } from '../helpers/horno.ts';
import { ensureBigRepo } from './big-repo-gen.ts';
import { benchRelease } from './bench-release.ts';
import { measurement } from './sync-report.ts';
import { hornoSync } from './sync-runs.ts';

const MB = 1024 * 1024;

export function memoryRows(packages: number) {
  return {
    node: measurement(`horno sync peak RSS, ${packages}-pkg primary: node`, 'MB'),
    createrepo: measurement('  (info) its createrepo_c child (sampled)', 'MB'),
    time: measurement('  (info) horno sync-repos of that repo'),
  };
}
export type MemoryRows = ReturnType<typeof memoryRows>;

export async function runMemory(packages: number, rows: MemoryRows, say: (m: string) => void): Promise<void> {
  say(`-- memory: horno sync-repos of a ${packages}-package primary.xml`);
  const started = performance.now();
  const big = await ensureBigRepo({ packages, log: say });
  const bm = big.manifest;
  const took = big.built
    ? `generated in ${secs(performance.now() - started)}`
    : `cached (took ${secs(bm.generatedMs)})`;
  say(
    `${took}: primary.xml ${(bm.primaryBytes / MB).toFixed(0)} MB (${(bm.primaryGzBytes / MB).toFixed(1)} MB gz)`,
  );
  const served = await serveDir(big.upstream);
  const lab = await createLab({
    upstream: served.url,
    extraReleases: { 'bench-big': benchRelease('BenchBig', 'Big', false) },
  });
  try {
    const r = await hornoSync(lab, 'bench-big', ['--new'], { watchRss: true });
    rows.time.values[0] = r.seconds;
    rows.time.cpu[0] = r.cpuSeconds;
    rows.node.values[0] = (r.rss?.rootBytes ?? 0) / MB;
    rows.createrepo.values[0] = (r.rss?.children['createrepo_c'] ?? 0) / MB;
    const kids = Object.entries(r.rss?.children ?? {}).map(([k, v]) => `${k} ${(v / MB).toFixed(0)} MB`);
    say(`horno sync-repos: ${r.seconds.toFixed(1)} s [${r.cpuSeconds.toFixed(1)} cpu]   ${r.note}`);
    say(
      `peak RSS: node ${rows.node.values[0].toFixed(0)} MB; children: ${kids.join(', ') || 'none seen'}` +
        ` (${r.rss?.polls ?? 0} polls of /proc/<pid>/status VmHWM)`,
    );
  } finally {
    await served.close();
    await rm(lab.dir, { recursive: true, force: true });
  }
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
