// `npm run bench -- sync`: dnf reposync / dnf repoclosure against horno sync-repos / horno repoclosure on the
// same generated repo served over HTTP (first sync, no-change re-sync, closure), then horno's peak memory while
// syncing a 50,000-package primary.xml; prints every time, the ratios and the targets (ok / MISSED).
// A script, not a test: it exits 0 whenever it measured, targets met or not; only a broken run fails.
import { parseArgs } from 'node:util';
import { serveDir } from '../fixtures/serve.ts';
import { contestRows, runContest } from './sync-contest.ts';
import { memoryRows, runMemory } from './sync-memory.ts';
import { best, type BoundSection, ratio, renderTable, type Target } from './sync-report.ts';
import { ensureSyncRepo } from './sync-repo-gen.ts';

const USAGE = 'usage: bench sync [--runs N] [--packages N] [--payload-kb N] [--big N (0 skips)]';
const MB = 1024 * 1024;
const say = (m: string) => process.stdout.write(`${m}\n`);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export async function main(argv: string[]): Promise<number> {
  let o;
  try {
    o = parseArgs({
      args: argv,
      options: {
        runs: { type: 'string', default: '2' },
        packages: { type: 'string', default: '2000' },
        'payload-kb': { type: 'string', default: '150' },
        big: { type: 'string', default: '50000' },
      },
    }).values;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const [runs, packages, payloadKb, bigPackages] = [o.runs, o.packages, o['payload-kb'], o.big].map(Number);
  if ([runs, packages, payloadKb, bigPackages].some((n) => !Number.isInteger(n) || n! < 0)) {
    process.stderr.write(`every option takes a whole number\n${USAGE}\n`);
    return 2;
  }

  say('== sync benchmark: dnf reposync / repoclosure vs horno sync-repos / repoclosure ==');
  say(
    'dnf reposync runs without --gpgcheck (the bench repo is unsigned); horno with enforce_signatures: false.',
  );
  const genStarted = performance.now();
  const repo = await ensureSyncRepo({ packages: packages!, payloadBytes: payloadKb! * 1024, log: say });
  const m = repo.manifest;
  say(
    repo.built
      ? `generated in ${secs(performance.now() - genStarted)} (rpmbuild ${secs(m.rpmbuildMs)}, createrepo_c ${secs(m.createrepoMs)})`
      : `cached: ${repo.upstream} (generating it took ${secs(m.generatedMs)})`,
  );
  say(
    `repo: ${m.packages} packages (${m.noarch} noarch), ${(m.bytes / MB).toFixed(0)} MB; planted: ${m.planted.join(', ')}`,
  );

  const rows = contestRows();
  const served = await serveDir(repo.upstream);
  try {
    await runContest(served, repo.tree, runs!, rows, say);
  } finally {
    await served.close();
  }
  const mem = memoryRows(bigPackages!);
  if (bigPackages! > 0) await runMemory(bigPackages!, mem, say);

  const targets: Target[] = [
    {
      label: 'dnf reposync / horno first sync',
      unit: 'x',
      value: ratio(rows.dnfFirst, rows.hornoFirst),
      cpuValue: ratio(rows.dnfFirst, rows.hornoFirst, 'cpu'),
      goal: '>= 4x',
      met: (v) => v >= 4,
    },
    {
      label: 'horno no-change re-sync',
      unit: 's',
      value: best(rows.hornoAgain),
      cpuValue: best(rows.hornoAgain, 'cpu'),
      goal: '< 2 s',
      met: (v) => v < 2,
    },
    {
      label: 'dnf repoclosure / horno repoclosure',
      unit: 'x',
      value: ratio(rows.dnfClosure, rows.hornoClosure),
      cpuValue: ratio(rows.dnfClosure, rows.hornoClosure, 'cpu'),
      goal: '>= 3x',
      met: (v) => v >= 3,
    },
    {
      label: 'horno sync peak RSS (node)',
      unit: 'MB',
      value: best(mem.node),
      goal: '< 300 MB',
      met: (v) => v < 300,
    },
  ];
  say('');
  const memRows = bigPackages! > 0 ? Object.values(mem) : [];
  const hostBounds = [
    {
      label: 'dnf reposync / curl (no checksums)',
      value: ratio(rows.dnfFirst, rows.curl),
      why: 'the first-sync ratio a client as fast as curl would reach',
    },
    {
      label: "dnf repoclosure / node -e ''",
      value: ratio(rows.dnfClosure, rows.nodeStart),
      why: 'the closure ratio of a node program that did nothing after starting',
    },
  ];
  const sections: BoundSection[] = [
    { heading: 'what this host allows at best (wall)', bounds: hostBounds },
    {
      heading: 'at scale (wall)',
      bounds:
        bigPackages! > 0
          ? [
              {
                label: `dnf repoclosure / horno closure, ${bigPackages}`,
                value: ratio(mem.dnfClosure, mem.closureWork),
                why: 'the closure ratio once start-up no longer counts (horno in-process, without its ~0.2 s start)',
              },
            ]
          : [],
    },
  ];
  process.stdout.write(renderTable([...Object.values(rows), ...memRows], targets, sections));
  return 0;
}
