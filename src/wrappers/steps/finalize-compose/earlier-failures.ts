// Which units of earlier steps are still failed: runUnits keeps a ledger per step (work/steps/<step>.json) with
// the latest verdict of every unit across runs, so a unit that failed once and succeeded on a rerun is not open.
// A lenient step's failures (repoclosure, as pungi's default repoclosure_strictness) report, they do not block the
// compose: the engine marks their entries lenient; ledgers written before it did know only repoclosure as such.
import { readdir } from 'node:fs/promises';
import type { ComposePaths } from '../../compose/paths.ts';
import { readLedger } from '../units.ts';

export interface OpenFailure {
  step: string;
  unit: string;
  failable: boolean;
  error: string;
  /** Epoch ms of the verdict. */
  time: number;
}

/** Lenient in ledgers that predate the flag. */
const LENIENT_STEPS = ['repoclosure'];

/** Units whose latest verdict is a failure, sorted by step and unit; `ignoreSteps` are left out. */
export async function openFailures(
  paths: ComposePaths,
  ignoreSteps: readonly string[],
): Promise<OpenFailure[]> {
  const files = await readdir(paths.stepLedgers).catch(() => [] as string[]);
  const out: OpenFailure[] = [];
  for (const f of files.filter((n) => n.endsWith('.json')).sort()) {
    const step = f.slice(0, -'.json'.length);
    if (ignoreSteps.includes(step)) continue;
    for (const [unit, e] of Object.entries(await readLedger(paths, step))) {
      if (e.verdict !== 'failed') continue;
      if (e.lenient ?? LENIENT_STEPS.includes(step)) continue;
      out.push({ step, unit, failable: e.failable, error: e.error ?? '', time: Date.parse(e.at) });
    }
  }
  return out;
}
