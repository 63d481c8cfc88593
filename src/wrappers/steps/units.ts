// Runs a step's units: skips those whose record exists and whose outputs still verify, fails those that cannot run
// with their reason, runs the rest in their pools, writes a record per finished unit (work/units/<id>.json), and
// sorts failures into required and failable (by the unit's arch), which decides DOOMED versus FINISHED_INCOMPLETE.
// A file system failure (full disk) stops the whole run, and the call returns only once no unit of it runs any more.
import { readFile, stat } from 'node:fs/promises';
import pLimit, { type LimitFunction } from 'p-limit';
import { writeFileAtomic } from '../compose/atomic.ts';
import type { ComposePaths } from '../compose/paths.ts';
import { FileSystemError, fileSystemError, HornoError, InterruptedError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import { cancelSignal, withUnitSignal } from '../run/cancel.ts';
import { sha256File } from '../metadata/digest.ts';
import { unitId } from './canonical.ts';
import type { Monitor } from '../compose/monitor.ts';
import type { UnitData, UnitRun } from './step.ts';

export { sha256File };

/** A unit as runUnits sees it: plain data, see UnitData in step.ts. */
export type Unit = UnitData;

export interface UnitOutput {
  path: string;
  size: number;
  sha256?: string;
}

export interface UnitRecord {
  id: string;
  step: string;
  key: string;
  arch?: string;
  inputs: unknown;
  outputs: UnitOutput[];
  logFile?: string;
  durationMs: number;
  startedAt?: string;
  finishedAt: string;
  /** Step-specific result summary (counts, bytes ...), shown again when the unit is skipped. */
  summary?: Record<string, unknown>;
}

export interface UnitResult {
  outputs: UnitOutput[];
  summary?: Record<string, unknown>;
}

export interface UnitFailure {
  key: string;
  arch?: string;
  failable: boolean;
  error: string;
  hint?: string;
  logFile?: string;
  /** Not run because this earlier unit (`<step>/<key>`) of the same arch failed. */
  blockedBy?: string;
  startedAt?: string;
  finishedAt?: string;
}

export interface UnitsOutcome {
  status: 'FINISHED' | 'FINISHED_INCOMPLETE' | 'DOOMED';
  ran: UnitRecord[];
  skipped: UnitRecord[];
  failed: UnitFailure[];
}

export interface RunUnitsOptions<U extends Unit> {
  step: string;
  paths: ComposePaths;
  log: Logger;
  units: U[];
  /** How many units may run at once (when `limit` gives no pool). */
  concurrency?: number;
  /** The pool a unit waits in (shared across steps: cpu, downloads, a host). */
  limit?: (unit: U) => LimitFunction;
  /** Arches whose failures do not fail the compose (release.failable_arches). */
  failableArches?: readonly string[];
  /** Failures are reported and recorded as lenient: they fail neither the step nor the compose. */
  lenient?: boolean;
  /** Stops the whole run (every step): a full disk aborts it. Default: this call's own. */
  stop?: AbortController;
  monitor?: Monitor;
  /** Redo units even when a record says they are done. */
  force?: boolean;
  /** Verify recorded outputs by sha256 (slow, thorough) or by size only. */
  verify?: 'size' | 'sha256';
  run(unit: U, ctx: UnitRun): Promise<UnitResult>;
}

export async function runUnits<U extends Unit>(opts: RunUnitsOptions<U>): Promise<UnitsOutcome> {
  const { step, paths, log, monitor } = opts;
  const own = pLimit(Math.max(1, opts.concurrency ?? 1));
  const limitFor = opts.limit ?? (() => own);
  const outcome: UnitsOutcome = { status: 'FINISHED', ran: [], skipped: [], failed: [] };
  // Stops every unit, started or queued: a full disk or a crash in here fails them all alike.
  const stop = opts.stop ?? new AbortController();
  let first: { key: string; code?: string } | undefined;
  const failableArch = (u: U) => u.arch !== undefined && (opts.failableArches ?? []).includes(u.arch);
  const done = (unit: U, verdict: 'done' | 'kept' | 'failed') =>
    monitor?.emit({ type: 'unit-done', phase: step, unit: unit.key, arch: unit.arch, verdict, at: now() });

  const failure = (u: U, failable: boolean, error: string, hint?: string, more: Partial<UnitFailure> = {}) =>
    outcome.failed.push({ key: u.key, arch: u.arch, failable, error, hint, ...more, finishedAt: now() });

  const one = async (unit: U): Promise<void> => {
    if (unit.cannotRun) {
      const failable = failableArch(unit);
      const { message, hint } = unit.cannotRun;
      failure(unit, failable, message, hint);
      log[failable || opts.lenient ? 'warn' : 'error'](
        { step, unit: unit.key, failable, hint },
        `unit failed: ${message}`,
      );
      done(unit, 'failed');
      return;
    }
    const id = unitId({ step, key: unit.key, inputs: unit.inputs });
    if (!opts.force) {
      const rec = await loadVerifiedRecord(paths, id, opts.verify ?? 'size');
      if (rec) {
        outcome.skipped.push(rec);
        log.info({ step, unit: unit.key, ...rec.summary }, 'unit already done, skipped');
        done(unit, 'kept');
        return;
      }
    }
    if (cancelSignal.aborted || stop.signal.aborted) {
      const why = cancelSignal.aborted
        ? 'interrupted before start'
        : `not started: ${first?.key ?? 'the run'} failed`;
      outcome.failed.push({ key: unit.key, arch: unit.arch, failable: false, error: why });
      return;
    }
    const logFile = paths.unitLog(step, unit.key);
    const started = performance.now();
    const startedAt = now();
    // the unit's own signal: its commands and downloads stop with the run, and any it left running when it
    // settled are stopped then, so nothing of it writes on after its verdict
    const settledCtl = new AbortController();
    const signal = AbortSignal.any([stop.signal, settledCtl.signal]);
    log.debug({ step, unit: unit.key }, 'unit started');
    monitor?.emit({ type: 'unit-start', phase: step, unit: unit.key, arch: unit.arch, at: startedAt });
    const progress = (n: number, total?: number) =>
      monitor?.emit({ type: 'unit-progress', phase: step, unit: unit.key, done: n, total });
    try {
      const res = await withUnitSignal(signal, () => opts.run(unit, { logFile, id, signal, progress }));
      const rec: UnitRecord = {
        id,
        step,
        key: unit.key,
        arch: unit.arch,
        inputs: unit.inputs,
        outputs: res.outputs,
        logFile,
        durationMs: Math.round(performance.now() - started),
        startedAt,
        finishedAt: now(),
        summary: res.summary,
      };
      await writeFileAtomic(paths.unitRecord(id), `${JSON.stringify(rec, null, 2)}\n`);
      outcome.ran.push(rec);
      log.info({ step, unit: unit.key, ms: rec.durationMs, ...res.summary }, 'unit done');
      done(unit, 'done');
    } catch (caught) {
      const err = fileSystemError(caught, paths.dir) ?? caught;
      const fatal = err instanceof FileSystemError;
      // stopped by the run's stop signal: an InterruptedError, or an AbortError from a stream that signal ended
      const aborted = err instanceof InterruptedError || (err as Error | undefined)?.name === 'AbortError';
      const stopped = aborted && stop.signal.aborted && !cancelSignal.aborted;
      const failable = failableArch(unit) && !fatal && !(err instanceof InterruptedError);
      const message = err instanceof Error ? err.message : String(err);
      const hint = err instanceof HornoError ? err.hint : undefined;
      failure(unit, failable, message, hint, { logFile, startedAt });
      const code = err instanceof HornoError ? err.code : undefined;
      // another arch's chain (its own runUnits call) may have stopped the run first: its failure was reported
      const earlier =
        first ??
        (stop.signal.aborted
          ? { key: 'another unit', code: (stop.signal.reason as { code?: string } | undefined)?.code }
          : undefined);
      if (earlier && (stopped || code === earlier.code)) {
        // the run is already stopping for the first failure, which was reported: one line says why, not N
        log.warn({ step, unit: unit.key, code }, `unit stopped: ${earlier.key} failed`);
      } else {
        const level = failable || opts.lenient ? 'warn' : 'error';
        log[level](
          { step, unit: unit.key, failable, logFile, ...(code ? { code } : { err }) },
          `unit failed: ${message}`,
        );
      }
      if (fatal && !first) {
        first = { key: unit.key, code };
        stop.abort(err);
      }
      done(unit, 'failed');
    } finally {
      settledCtl.abort(new InterruptedError(`unit ${unit.key} settled`));
    }
  };

  // allSettled, not all: a unit that throws (an unexpected bug, a log that cannot be written) must not return
  // control to the caller, who releases the compose lock, while other units still download or build
  const settled = await Promise.allSettled(
    opts.units.map((unit) =>
      limitFor(unit)(() =>
        one(unit).catch((err: unknown) => {
          first ??= { key: unit.key };
          stop.abort(err);
          throw err;
        }),
      ),
    ),
  );
  const crashed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (crashed) throw fileSystemError(crashed.reason, paths.dir) ?? crashed.reason;
  sortOutcome(outcome);
  outcome.status = statusOf(outcome.failed, opts.lenient);
  try {
    await updateLedger(paths, step, outcome, !!opts.lenient);
  } catch (err) {
    // the ledger only annotates: on a failed step (a full disk, most likely) the failure already said it all
    if (outcome.status !== 'DOOMED') throw fileSystemError(err, paths.stepLedger(step)) ?? err;
    log.debug({ step, err }, 'step ledger not updated');
  }
  return outcome;
}

const now = () => new Date().toISOString();

/** DOOMED when a required unit failed, FINISHED_INCOMPLETE when only failable (or lenient) ones did. */
export function statusOf(failed: readonly UnitFailure[], lenient?: boolean): UnitsOutcome['status'] {
  if (!lenient && failed.some((f) => !f.failable)) return 'DOOMED';
  return failed.length > 0 ? 'FINISHED_INCOMPLETE' : 'FINISHED';
}

/** Units in key order, so output and records read the same on every run. */
export function sortOutcome(o: UnitsOutcome): UnitsOutcome {
  const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  o.ran.sort(byKey);
  o.skipped.sort(byKey);
  o.failed.sort(byKey);
  return o;
}

/** Records units that did not run because an earlier unit of their arch failed (failable: the arch is out). */
export async function recordBlocked(paths: ComposePaths, step: string, failed: UnitFailure[]): Promise<void> {
  await updateLedger(paths, step, { status: 'FINISHED_INCOMPLETE', ran: [], skipped: [], failed }, false);
}

export interface LedgerEntry {
  verdict: 'done' | 'skipped' | 'failed';
  failable: boolean;
  /** A lenient step's failure (repoclosure): reported, it does not keep the compose from finishing. */
  lenient?: boolean;
  error?: string;
  at: string;
}

/** Reads a step's ledger: unit key -> its latest verdict. */
export async function readLedger(paths: ComposePaths, step: string): Promise<Record<string, LedgerEntry>> {
  try {
    return JSON.parse(await readFile(paths.stepLedger(step), 'utf8')) as Record<string, LedgerEntry>;
  } catch {
    return {};
  }
}

/** Merges this run's verdicts into the step's ledger (a run with --arch filters leaves other units' verdicts).
 * Arches run side by side, so writes of one step's ledger are queued, one after the other. */
function updateLedger(paths: ComposePaths, step: string, o: UnitsOutcome, lenient: boolean): Promise<void> {
  const file = paths.stepLedger(step);
  const next = (ledgerQueue.get(file) ?? Promise.resolve()).then(async () => {
    const ledger = await readLedger(paths, step);
    const at = now();
    const flag = { lenient };
    for (const r of o.ran) ledger[r.key] = { verdict: 'done', failable: false, at };
    for (const r of o.skipped) ledger[r.key] = { verdict: 'skipped', failable: false, at };
    for (const f of o.failed)
      ledger[f.key] = { verdict: 'failed', failable: f.failable, error: f.error, at, ...flag };
    const sorted = Object.fromEntries(Object.entries(ledger).sort(([a], [b]) => (a < b ? -1 : 1)));
    await writeFileAtomic(file, `${JSON.stringify(sorted, null, 2)}\n`);
  });
  ledgerQueue.set(
    file,
    next.catch(() => undefined),
  );
  return next;
}

const ledgerQueue = new Map<string, Promise<void>>();

async function loadVerifiedRecord(
  paths: ComposePaths,
  id: string,
  verify: 'size' | 'sha256',
): Promise<UnitRecord | undefined> {
  let rec: UnitRecord;
  try {
    rec = JSON.parse(await readFile(paths.unitRecord(id), 'utf8')) as UnitRecord;
  } catch {
    return undefined;
  }
  for (const out of rec.outputs) {
    const st = await stat(out.path).catch(() => undefined);
    if (!st || st.size !== out.size) return undefined;
    if (verify === 'sha256' && out.sha256 && (await sha256File(out.path)) !== out.sha256) return undefined;
  }
  return rec;
}
