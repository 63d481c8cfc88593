// Wall time and CPU time of one command. On a shared 2-core host the wall time of a run swings with everyone
// else's load; the CPU seconds the command and its children burnt barely move, so the bench reports both. The
// command runs under `sh -c '"$@"; times'`: the argv is passed as positional parameters, never spliced into the
// script, and the shell's `times` (children's user and system time) goes to stderr after the command's own output.
import { run, type RunOptions, type RunResult } from '../../src/wrappers/run/runner.ts';

const SCRIPT = '"$@"; rc=$?; times >&2; exit $rc';

export interface TimedResult extends RunResult {
  /** User + system seconds of the command and everything it waited for. */
  cpuSeconds: number;
}

export async function runTimed(argv: readonly string[], opts: RunOptions = {}): Promise<TimedResult> {
  const r = await run(['sh', '-c', SCRIPT, 'sh', ...argv], opts);
  return { ...r, cpuSeconds: parseTimes(r.stderrTail) };
}

/** The children's line of `times` (the last one): "0m1.230s 0m0.450s" -> 1.68. NaN if absent. */
export function parseTimes(stderr: string): number {
  const lines = stderr.trimEnd().split('\n');
  const m = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(lines[lines.length - 1]?.trim() ?? '');
  if (!m) return Number.NaN;
  return Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]);
}
