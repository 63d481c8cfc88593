// When a compose may be finalized and the STATUS it ends with, as pungi decides them: not while a required unit of
// an earlier step is still failed, and no new media into a FINISHED compose; FINISHED_INCOMPLETE when failable work
// failed, except that FINISHED is final. Then the latest link and work/finalize/outcome.json.
import { writeFileAtomic } from '../../compose/atomic.ts';
import { updateLatestLink } from '../../compose/session.ts';
import { type ComposeStatus, readStatus, writeStatus } from '../../compose/status.ts';
import { WorkError } from '../../errors.ts';
import type { RunSoFar, StepContext } from '../step.ts';
import { openFailures, type OpenFailure } from './earlier-failures.ts';
import { findMediaFolders, stagedNames } from './staging.ts';

/** The finalize phases, in order: their own earlier verdicts are not "earlier failures". */
export const FINALIZE_STEPS = ['finalize-media', 'finalize-metadata'] as const;

/** Throws when the compose must not be finalized now; returns the failable failures it will carry. */
export async function checkFinalizable(ctx: StepContext): Promise<OpenFailure[]> {
  const { paths, log } = ctx;
  const earlier = await openFailures(paths, FINALIZE_STEPS);
  const required = earlier.filter((f) => !f.failable);
  if (required.length > 0) {
    for (const f of required) log.error({ step: f.step, unit: f.unit }, `still failed: ${f.error}`);
    const names = required.map((f) => `${f.step}/${f.unit}`).join(', ');
    throw new WorkError(
      `not finalized: required units are still failed: ${names}`,
      'rerun the steps they belong to until they pass, then finalize again',
    );
  }
  if ((await readStatus(paths)) === 'FINISHED') {
    for (const f of await findMediaFolders(paths)) {
      if ((await stagedNames(f)).length > 0)
        throw new WorkError(
          `not finalized: compose is FINISHED and immutable, but ${f.staging} holds new media`,
          'start a new compose for them',
        );
    }
  }
  return earlier;
}

/** The close hook: STATUS from earlier failable failures and this run's media failures, the link, the record. */
export async function closeCompose(ctx: StepContext, run: RunSoFar): Promise<ComposeStatus> {
  const { paths, log } = ctx;
  const before = await readStatus(paths);
  const earlier = await openFailures(paths, FINALIZE_STEPS);
  const failed = run.phases.filter((p) => p.phase === FINALIZE_STEPS[0]).flatMap((p) => p.failed);
  let status: ComposeStatus = earlier.length > 0 || failed.length > 0 ? 'FINISHED_INCOMPLETE' : 'FINISHED';
  if (before === 'FINISHED' && status !== 'FINISHED') {
    // FINISHED is final (pungi): a later failure of failable work cannot take it back
    log.warn({ compose: paths.id }, 'compose stays FINISHED although failable units failed since');
    status = 'FINISHED';
  }
  await writeStatus(paths, status);
  const { short, version, profile } = ctx.release;
  const latest = await updateLatestLink(paths, { short, version, profile });
  await writeFileAtomic(paths.finalizeOutcome, `${JSON.stringify({ status, earlier, failed }, null, 2)}\n`);
  log.info({ compose: paths.id, status, latest }, 'compose finalized');
  return status;
}
