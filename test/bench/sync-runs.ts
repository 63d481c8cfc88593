// The timed commands of the sync benchmark, each run once, with wall and CPU time: dnf reposync (argv as
// empanadas builds it) and dnf repoclosure in a dnf sandbox, horno sync-repos and horno repoclosure as the
// real CLI in a lab (the argv lab.horno() runs, under runTimed).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DnfSandbox } from '../helpers/dnf.ts';
import { parseRepoclosure } from '../helpers/dnf.ts';
import type { Lab } from '../helpers/horno.ts';
import { runTimed, type TimedResult } from './cpu-time.ts';
import { watchPeakRss, type PeakRss } from './peak-rss.ts';
import type { Measurement } from './sync-report.ts';

export interface Timed {
  seconds: number;
  cpuSeconds: number;
  /** A one-line account of what the run did, to show it did the work (packages, problems ...). */
  note: string;
}

const HORNO = new URL('../../bin/horno.js', import.meta.url).pathname;
const HOUR = 60 * 60_000;

export function horno(lab: Lab, args: string[], okExitCodes = [0]): Promise<TimedResult> {
  return runTimed(['node', HORNO, ...args, '--config-dir', lab.configDir], {
    env: lab.env,
    captureStdout: true,
    okExitCodes,
    timeoutMs: HOUR,
    logFile: join(lab.dir, 'horno-commands.log'),
  });
}

function dnf(box: DnfSandbox, args: string[], plugin: string, okExitCodes = [0]): Promise<TimedResult> {
  return runTimed(box.argv('x86_64', args, [plugin]), {
    env: box.env,
    captureStdout: true,
    okExitCodes,
    timeoutMs: HOUR,
    logFile: join(box.dir, 'commands.log'),
  });
}

/** Puts a timed run into its row as run number `run` and prints it as one aligned line. */
export function recordTimed(
  row: Measurement,
  run: number,
  label: string,
  t: Timed | undefined,
  say: (m: string) => void,
): void {
  if (!t) return;
  row.values[run] = t.seconds;
  row.cpu[run] = t.cpuSeconds;
  const times = `${t.seconds.toFixed(2).padStart(7)} [${t.cpuSeconds.toFixed(2).padStart(6)}]`;
  say(`${label.padEnd(38)} ${times}   ${t.note}`);
}

const timed = (r: TimedResult, note: string): Timed => ({
  seconds: r.durationMs / 1000,
  cpuSeconds: r.cpuSeconds,
  note,
});

export async function countRpms(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return entries.filter((e) => e.endsWith('.rpm')).length;
}

/** `dnf reposync --download-metadata --norepopath --remote-time -p DEST --repoid=bench` (no --gpgcheck). */
export async function dnfReposync(box: DnfSandbox, dest: string): Promise<Timed> {
  const args = [
    'reposync',
    '--download-metadata',
    '--norepopath',
    '--remote-time',
    '-p',
    dest,
    '--repoid=bench',
  ];
  return timed(await dnf(box, args, 'reposync'), `${await countRpms(dest)} rpms in target`);
}

interface SyncSummary {
  ran: { key: string; summary?: Record<string, number> }[];
  skipped: { key: string }[];
  failed: { key: string; error: string }[];
}

/** `horno sync-repos --release R --no-repoclosure --json [extra]`, optionally watching its peak memory. */
export async function hornoSync(
  lab: Lab,
  release: string,
  extra: string[],
  opts: { watchRss?: boolean } = {},
): Promise<Timed & { rss?: PeakRss }> {
  const watch = opts.watchRss ? watchPeakRss(lab.configDir) : undefined;
  let r: TimedResult;
  let rss: PeakRss | undefined;
  try {
    r = await horno(lab, ['sync-repos', '--release', release, '--no-repoclosure', '--json', ...extra]);
  } finally {
    rss = await watch?.stop();
  }
  const s = JSON.parse(r.stdout) as SyncSummary;
  if (s.failed.length) throw new Error(`horno sync-repos failed: ${JSON.stringify(s.failed)}`);
  const ran = s.ran.map((u) => u.summary ?? {});
  const sum = (k: string) => ran.reduce((n, u) => n + (u[k] ?? 0), 0);
  const note = s.ran.length
    ? `${sum('packages')} pkgs: ${sum('downloaded')} downloaded, ${sum('linked')} linked, ${sum('kept')} kept`
    : `${s.skipped.length} tree(s) unchanged, skipped`;
  return { ...timed(r, note), rss };
}

const closureNote = (problems: { deps: string[] }[]) =>
  `${problems.length} pkgs with unresolved deps: ${problems.flatMap((p) => p.deps).join(', ')}`;

/** `dnf repoclosure` of one repo against itself; give it a fresh sandbox, so dnf starts with a cold cache. */
export async function dnfRepoclosure(box: DnfSandbox, tree: string): Promise<Timed> {
  const args = ['repoclosure', `--repofrompath=bench,${tree}`, '--repo=bench', '--check=bench'];
  const r = await dnf(box, args, 'repoclosure', [0, 1]);
  return timed(r, closureNote(parseRepoclosure(r.stdout)));
}

/** `horno repoclosure --release R`: exit 1 is its answer when deps are unresolved (the planted ones). */
export async function hornoRepoclosure(lab: Lab, release: string): Promise<Timed> {
  const r = await horno(lab, ['repoclosure', '--release', release], [0, 1]);
  return timed(r, closureNote(parseRepoclosure(r.stdout)));
}
