// The memory part of the sync benchmark: horno sync-repos of a repo whose primary.xml lists N packages, with
// the peak RSS (VmHWM) of horno's node process and, separately, of its createrepo_c child. Then, on the same
// upstream metadata, dnf repoclosure against horno's closure code: the closure contest at a size where start-up
// no longer counts (the synced copy cannot serve: its RPMs are hardlinks of a few tiny ones, so createrepo_c
// lists their headers, not the generated dependencies).
import { rm } from 'node:fs/promises';
import { serveDir } from '../fixtures/serve.ts';
import { join } from 'node:path';
import { createDnfSandbox } from '../helpers/dnf.ts';
import { createLab } from '../helpers/horno.ts';
import { BIG_ARCH, BIG_REPO, ensureBigRepo } from './big-repo-gen.ts';
import { benchRelease } from './bench-release.ts';
import { measurement } from './sync-report.ts';
import { dnfRepoclosure, hornoSync, recordTimed } from './sync-runs.ts';
import { closureInProcess } from './yardsticks.ts';

const MB = 1024 * 1024;

export function memoryRows(packages: number) {
  return {
    node: measurement(`horno sync peak RSS, ${packages}-pkg primary: node`, 'MB'),
    createrepo: measurement('  (info) its createrepo_c child (sampled)', 'MB'),
    time: measurement('  (info) horno sync-repos of that repo'),
    dnfClosure: measurement('  (info) dnf repoclosure of that repo'),
    closureWork: measurement('  (info) horno closure code of it, in-process'),
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
    recordTimed(rows.time, 0, 'horno sync-repos', r, say);
    rows.node.values[0] = (r.rss?.rootBytes ?? 0) / MB;
    rows.createrepo.values[0] = (r.rss?.children['createrepo_c'] ?? 0) / MB;
    const kids = Object.entries(r.rss?.children ?? {}).map(([k, v]) => `${k} ${(v / MB).toFixed(0)} MB`);
    say(
      `peak RSS: node ${rows.node.values[0].toFixed(0)} MB; children: ${kids.join(', ') || 'none seen'}` +
        ` (${r.rss?.polls ?? 0} polls of /proc/<pid>/status VmHWM)`,
    );
  } finally {
    await served.close();
    await rm(lab.dir, { recursive: true, force: true });
  }
  const tree = join(big.upstream, BIG_REPO, BIG_ARCH, 'os');
  const box = await createDnfSandbox();
  try {
    recordTimed(rows.dnfClosure, 0, 'dnf repoclosure', await dnfRepoclosure(box, tree), say);
  } finally {
    await box.cleanup();
  }
  recordTimed(rows.closureWork, 0, 'horno closure code, in-process', await closureInProcess(tree), say);
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
