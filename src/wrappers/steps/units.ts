// Runs a step's units: skips those whose record exists and whose outputs still verify, runs the rest through one
// p-limit pool, writes a record per finished unit (work/units/<id>.json), and sorts failures into required and
// failable, which decides DOOMED versus FINISHED_INCOMPLETE. A file system failure (full disk) stops the whole
// step, and the call returns only once no unit of it runs any more.
import { readFile, stat } from 'node:fs/promises';
import pLimit from 'p-limit';
import { writeFileAtomic } from '../compose/atomic.ts';
import type { ComposePaths } from '../compose/paths.ts';
import { FileSystemError, fileSystemError, HornoError, InterruptedError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import { cancelSignal, withUnitSignal } from '../run/cancel.ts';
import { sha256File } from '../metadata/digest.ts';
import { unitId } from './canonical.ts';

export { sha256File };

export interface Unit {
  /** Human name, unique within the step: "BaseOS-x86_64-os". */
  key: string;
  /** Everything the result depends on (options, input digests, tool versions, step version). */
  inputs: unknown;
  failable?: boolean;
}

export interface UnitOutput {
  path: string;
  size: number;
  sha256?: string;
}

export interface UnitRecord {
  id: string;
  step: string;
  key: string;
  inputs: unknown;
  outputs: UnitOutput[];
  logFile?: string;
  durationMs: number;
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
  failable: boolean;
  error: string;
  logFile?: string;
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
  concurrency: number;
  /** Redo units even when a record says they are done. */
  force?: boolean;
  /** Verify recorded outputs by sha256 (slow, thorough) or by size only. */
  verify?: 'size' | 'sha256';
  run(unit: U, ctx: { logFile: string; id: string }): Promise<UnitResult>;
}

export async function runUnits<U extends Unit>(opts: RunUnitsOptions<U>): Promise<UnitsOutcome> {
  const { step, paths, log } = opts;
  const limit = pLimit(Math.max(1, opts.concurrency));
  const outcome: UnitsOutcome = { status: 'FINISHED', ran: [], skipped: [], failed: [] };
  // Stops every unit of the step, started or queued: a full disk or a crash in here fails them all alike.
  const stop = new AbortController();
  let first: { key: string; code?: string } | undefined;

  const one = async (unit: U): Promise<void> => {
    const id = unitId({ step, key: unit.key, inputs: unit.inputs });
    if (!opts.force) {
      const rec = await loadVerifiedRecord(paths, id, opts.verify ?? 'size');
      if (rec) {
        outcome.skipped.push(rec);
        log.info({ step, unit: unit.key, ...rec.summary }, 'unit already done, skipped');
        return;
      }
    }
    if (cancelSignal.aborted || stop.signal.aborted) {
      const why = cancelSignal.aborted ? 'interrupted before start' : `not started: ${first?.key} failed`;
      outcome.failed.push({ key: unit.key, failable: false, error: why });
      return;
    }
    const logFile = paths.unitLog(step, unit.key);
    const started = performance.now();
    // the unit's own signal: its commands and downloads stop with the step, and any it left running when it
    // settled are stopped then, so nothing of it writes on after its verdict
    const own = new AbortController();
    const signal = AbortSignal.any([stop.signal, own.signal]);
    log.debug({ step, unit: unit.key }, 'unit started');
    try {
      const res = await withUnitSignal(signal, () => opts.run(unit, { logFile, id }));
      const rec: UnitRecord = {
        id,
        step,
        key: unit.key,
        inputs: unit.inputs,
        outputs: res.outputs,
        logFile,
        durationMs: Math.round(performance.now() - started),
        finishedAt: new Date().toISOString(),
        summary: res.summary,
      };
      await writeFileAtomic(paths.unitRecord(id), `${JSON.stringify(rec, null, 2)}\n`);
      outcome.ran.push(rec);
      log.info({ step, unit: unit.key, ms: rec.durationMs, ...res.summary }, 'unit done');
    } catch (caught) {
      const err = fileSystemError(caught, paths.dir) ?? caught;
      const fatal = err instanceof FileSystemError;
      const stopped = err instanceof InterruptedError && stop.signal.aborted && !cancelSignal.aborted;
      const failable = unit.failable === true && !fatal && !(err instanceof InterruptedError);
      const message = err instanceof Error ? err.message : String(err);
      outcome.failed.push({ key: unit.key, failable, error: message, logFile });
      const code = err instanceof HornoError ? err.code : undefined;
      if (first && (stopped || code === first.code)) {
        // the step is already stopping for the first failure, which was reported: one line says why, not N
        log.warn({ step, unit: unit.key, code }, `unit stopped: ${first.key} failed`);
      } else {
        const level = failable ? 'warn' : 'error';
        log[level](
          { step, unit: unit.key, failable, logFile, ...(code ? { code } : { err }) },
          `unit failed: ${message}`,
        );
      }
      if (fatal && !first) {
        first = { key: unit.key, code };
        stop.abort(err);
      }
    } finally {
      own.abort(new InterruptedError(`unit ${unit.key} settled`));
    }
  };

  // allSettled, not all: a unit that throws (an unexpected bug, a log that cannot be written) must not return
  // control to the caller, who releases the compose lock, while other units still download or build
  const settled = await Promise.allSettled(
    opts.units.map((unit) =>
      limit(() =>
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
  const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  outcome.ran.sort(byKey);
  outcome.skipped.sort(byKey);
  outcome.failed.sort(byKey);
  if (outcome.failed.some((f) => !f.failable)) outcome.status = 'DOOMED';
  else if (outcome.failed.length > 0) outcome.status = 'FINISHED_INCOMPLETE';
  try {
    await updateLedger(paths, step, outcome);
  } catch (err) {
    // the ledger only annotates: on a failed step (a full disk, most likely) the failure already said it all
    if (outcome.status !== 'DOOMED') throw fileSystemError(err, paths.stepLedger(step)) ?? err;
    log.debug({ step, err }, 'step ledger not updated');
  }
  return outcome;
}

export interface LedgerEntry {
  verdict: 'done' | 'skipped' | 'failed';
  failable: boolean;
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

/** Merges this run's verdicts into the step's ledger (a run with --arch filters leaves other units' verdicts). */
async function updateLedger(paths: ComposePaths, step: string, o: UnitsOutcome): Promise<void> {
  const ledger = await readLedger(paths, step);
  const at = new Date().toISOString();
  for (const r of o.ran) ledger[r.key] = { verdict: 'done', failable: false, at };
  for (const r of o.skipped) ledger[r.key] = { verdict: 'skipped', failable: false, at };
  for (const f of o.failed) ledger[f.key] = { verdict: 'failed', failable: f.failable, error: f.error, at };
  const sorted = Object.fromEntries(Object.entries(ledger).sort(([a], [b]) => (a < b ? -1 : 1)));
  await writeFileAtomic(paths.stepLedger(step), `${JSON.stringify(sorted, null, 2)}\n`);
}

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
