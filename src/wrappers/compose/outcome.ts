// One outcome printer for every command: a row per unit (done, already done, failed with its log, skipped because
// an earlier unit of its arch failed), sizes in MiB, and the --json summary: per phase its units, the media made,
// the repoclosure verdicts and the final STATUS.
import type { Phase } from '../steps/step.ts';
import type { UnitRecord } from '../steps/units.ts';
import type { PhaseOutcome, RunOutcome } from './engine.ts';

/** Bytes as MiB with one decimal: the one unit every row uses. */
export function mib(bytes: unknown): string {
  return `${((Number(bytes) || 0) / 1048576).toFixed(1)} MiB`;
}

export async function outcomeLines(
  phases: readonly Phase[],
  run: RunOutcome,
  opts: { headers: boolean },
): Promise<string[]> {
  const lines: string[] = [];
  for (const [i, o] of run.phases.entries()) {
    if (!o.opened) continue;
    const step = phases[i]!.step;
    const keys = [...o.ran, ...o.skipped, ...o.failed].map((u) => u.key.length);
    const w = Math.max(10, ...keys);
    if (opts.headers) lines.push(`== ${o.phase}: ${o.title} ==`);
    const row = (r: UnitRecord, what: string) =>
      `${r.key.padEnd(w)} ${what.padEnd(16)} ${step.describe(r.summary)}`.trimEnd();
    for (const r of o.ran) lines.push(row(r, `done in ${(r.durationMs / 1000).toFixed(1)} s`));
    for (const r of o.skipped) lines.push(row(r, 'already done'));
    for (const f of o.failed) {
      if (f.blockedBy) {
        lines.push(`${f.key.padEnd(w)} ${f.error}`);
        continue;
      }
      const why = o.lenient
        ? ' (lenient: reported, the compose goes on)'
        : f.failable
          ? ' (failable arch: compose continues)'
          : '';
      lines.push(`${f.key.padEnd(w)} FAILED${why}: ${f.error}`);
      if (f.hint) lines.push(`${''.padEnd(w)} hint: ${f.hint}`);
      if (f.logFile) lines.push(`${''.padEnd(w)} log: ${f.logFile}`);
    }
    if (step.failureDetail)
      for (const f of o.failed.filter((x) => !x.blockedBy)) {
        const detail = await step.failureDetail(f);
        if (detail) lines.push(`== ${o.phase} ${f.key} ==`, detail.trimEnd());
      }
    if (o.lenient && o.failed.length > 0)
      lines.push(`${o.phase}: unresolved dependencies above (lenient: reported, the compose goes on)`);
  }
  return lines;
}

const unitRow = (r: UnitRecord) => ({
  key: r.key,
  arch: r.arch,
  durationMs: r.durationMs,
  startedAt: r.startedAt,
  finishedAt: r.finishedAt,
  logFile: r.logFile,
  summary: r.summary,
});

export function phaseSummary(o: PhaseOutcome) {
  return {
    phase: o.phase,
    status: o.status,
    lenient: o.lenient,
    opened: o.opened,
    ran: o.ran.map(unitRow),
    skipped: o.skipped.map(unitRow),
    failed: o.failed,
  };
}

/** The machine-readable summary of a run (--json). */
export function runSummary(run: RunOutcome, status: string | undefined) {
  const media = run.phases.flatMap((o) =>
    [...o.ran, ...o.skipped]
      .filter((r) => typeof r.summary?.iso === 'string')
      .map((r) => ({
        phase: o.phase,
        key: r.key,
        arch: r.arch,
        iso: r.summary!.iso,
        bytes: r.summary!.bytes,
      })),
  );
  const closure = run.phases.find((o) => o.phase === 'repoclosure' && o.opened);
  return {
    status,
    halted: run.halted,
    phases: run.phases.filter((o) => o.opened).map(phaseSummary),
    media,
    repoclosure: closure
      ? [
          ...[...closure.ran, ...closure.skipped].map((r) => ({ key: r.key, closed: true })),
          ...closure.failed.map((f) => ({ key: f.key, closed: false, error: f.error })),
        ]
      : undefined,
  };
}
