// The contest on one served repo, run `runs` times in fresh sandboxes: dnf reposync vs horno sync-repos (first
// sync, then a no-change re-sync), dnf repoclosure vs horno repoclosure, with the yardsticks in between. Prints
// each time as it comes and fills one Measurement row per command.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Served } from '../fixtures/serve.ts';
import { createDnfSandbox } from '../helpers/dnf.ts';
import { createLab } from '../helpers/horno.ts';
import { benchRelease, composeTree } from './bench-release.ts';
import { type Measurement, measurement } from './sync-report.ts';
import { BENCH_ARCH, BENCH_REPO } from './sync-repo-gen.ts';
import {
  dnfReposync,
  dnfRepoclosure,
  hornoRepoclosure,
  hornoSync,
  recordTimed,
  type Timed,
} from './sync-runs.ts';
import { closureInProcess, curlFloor, hornoStartup, nodeStartup } from './yardsticks.ts';

export function contestRows() {
  return {
    dnfFirst: measurement('dnf reposync, first sync'),
    hornoFirst: measurement('horno sync-repos, first sync'),
    curl: measurement('  (info) curl, 8 parallel, same files'),
    dnfAgain: measurement('dnf reposync, no-change re-sync'),
    hornoAgain: measurement('horno sync-repos, no-change re-sync'),
    hornoForce: measurement('  (info) horno sync-repos --force, no change'),
    startup: measurement('  (info) horno --version (startup alone)'),
    nodeStart: measurement("  (info) node -e '' (the runtime alone)"),
    dnfClosure: measurement('dnf repoclosure (cold cache)'),
    hornoClosure: measurement('horno repoclosure'),
    closureWork: measurement('  (info) horno closure code, in-process'),
  };
}
export type ContestRows = ReturnType<typeof contestRows>;

export async function runContest(
  served: Served,
  upstreamTree: string,
  runs: number,
  rows: ContestRows,
  say: (m: string) => void,
): Promise<void> {
  const repoUrl = `${served.url}/${BENCH_REPO}/${BENCH_ARCH}/os/`;
  const work = await mkdtemp(join(tmpdir(), 'horno-bench-'));
  try {
    for (let i = 0; i < runs; i++) {
      say(`-- run ${i + 1} of ${runs} (seconds: wall [cpu of the command and its children])`);
      const record = (row: Measurement, label: string, t: Timed | undefined) =>
        recordTimed(row, i, label, t, say);
      const dnf = await createDnfSandbox({
        parent: work,
        repos: [{ id: 'bench', baseurl: repoUrl, gpgcheck: false }],
      });
      const closureDnf = await createDnfSandbox({ parent: work });
      const lab = await createLab({
        upstream: served.url,
        extraReleases: {
          bench: benchRelease('Bench', BENCH_REPO, false),
          'bench-closure': benchRelease('Bench', BENCH_REPO, true),
        },
      });
      try {
        const mirror = join(dnf.dir, 'mirror');
        record(rows.dnfFirst, 'dnf reposync, first', await dnfReposync(dnf, mirror));
        record(rows.hornoFirst, 'horno sync-repos, first', await hornoSync(lab, 'bench', ['--new']));
        record(rows.curl, 'curl, 8 parallel', await curlFloor(upstreamTree, repoUrl, join(work, 'curl')));
        record(rows.dnfAgain, 'dnf reposync, no change', await dnfReposync(dnf, mirror));
        record(rows.hornoAgain, 'horno sync-repos, no change', await hornoSync(lab, 'bench', []));
        record(rows.hornoForce, 'horno sync-repos --force', await hornoSync(lab, 'bench', ['--force']));
        record(rows.startup, 'horno --version', await hornoStartup(lab));
        record(rows.nodeStart, "node -e ''", await nodeStartup());
        const tree = composeTree(lab, 'Bench', BENCH_REPO, BENCH_ARCH);
        record(rows.dnfClosure, 'dnf repoclosure', await dnfRepoclosure(closureDnf, tree));
        record(rows.hornoClosure, 'horno repoclosure', await hornoRepoclosure(lab, 'bench-closure'));
        record(rows.closureWork, 'horno closure code, in-process', await closureInProcess(tree));
      } finally {
        await dnf.cleanup();
        await closureDnf.cleanup();
        await rm(lab.dir, { recursive: true, force: true });
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
