// finalize-compose: close a compose the way pungi does. Refuse while a required unit of an earlier step is still
// failed; move and checksum the media (finalize-media), write the productmd metadata (finalize-metadata), then
// STATUS (FINISHED, or FINISHED_INCOMPLETE when failable units failed) and the latest link, in that order.
import { writeFileAtomic } from '../../compose/atomic.ts';
import { type ComposeIdentity, updateLatestLink } from '../../compose/session.ts';
import { type ComposeStatus, readStatus, writeStatus } from '../../compose/status.ts';
import { createHasher } from '../../metadata/checksum.ts';
import { runStep, type StepContext } from '../step.ts';
import type { UnitsOutcome } from '../units.ts';
import { openFailures, type OpenFailure } from './earlier-failures.ts';
import { finalizeMedia } from './media-step.ts';
import { finalizeMetadata } from './metadata-step.ts';
import { findMediaFolders, stagedNames } from './staging.ts';

export { finalizeMedia } from './media-step.ts';
export { finalizeMetadata } from './metadata-step.ts';
export type { OpenFailure } from './earlier-failures.ts';

export interface FinalizeOptions {
  signKey?: string;
  gnupgHome?: string;
  sourceDateEpoch?: number;
  force?: boolean;
}

export interface FinalizeResult {
  /** What STATUS says now; 'keep' when finalize left it alone (refused). */
  status: ComposeStatus | 'keep';
  /** Why nothing was finalized, when so. */
  refused?: string;
  /** Earlier units whose last outcome is a failure. */
  earlier: OpenFailure[];
  media?: UnitsOutcome;
  metadata?: UnitsOutcome;
  latestLink?: string;
}

export const FINALIZE_STEPS = [finalizeMedia.name, finalizeMetadata.name];

export async function finalizeCompose(
  ctx: StepContext,
  ident: ComposeIdentity,
  opts: FinalizeOptions,
): Promise<FinalizeResult> {
  const { paths, log } = ctx;
  const before = await readStatus(paths);
  const earlier = await openFailures(paths, FINALIZE_STEPS);
  const required = earlier.filter((f) => !f.failable);
  if (required.length > 0) {
    for (const f of required) log.error({ step: f.step, unit: f.unit }, `still failed: ${f.error}`);
    const names = required.map((f) => `${f.step}/${f.unit}`).join(', ');
    return { status: 'DOOMED', refused: `required units are still failed: ${names}`, earlier };
  }
  if (before === 'FINISHED') {
    for (const f of await findMediaFolders(paths)) {
      if ((await stagedNames(f)).length > 0) {
        const why = `compose is FINISHED and immutable, but ${f.staging} holds new media`;
        return { status: 'keep', refused: `${why}; start a new compose for them`, earlier };
      }
    }
  }

  const hasher = createHasher({ concurrency: ctx.site.limits.cpu });
  let media: UnitsOutcome;
  try {
    media = await runStep(finalizeMedia, ctx, {
      hasher,
      signKey: opts.signKey,
      gnupgHome: opts.gnupgHome,
      force: opts.force,
    });
  } finally {
    await hasher.close();
  }
  if (media.status === 'DOOMED') return { status: 'DOOMED', earlier, media };
  const metadata = await runStep(finalizeMetadata, ctx, {
    sourceDateEpoch: opts.sourceDateEpoch,
    force: opts.force,
  });
  if (metadata.status === 'DOOMED') return { status: 'DOOMED', earlier, media, metadata };

  const incomplete = earlier.length > 0 || media.failed.length > 0;
  let status: ComposeStatus = incomplete ? 'FINISHED_INCOMPLETE' : 'FINISHED';
  if (before === 'FINISHED' && status !== 'FINISHED') {
    // FINISHED is final (pungi): a later failure of failable work cannot take it back
    log.warn({ compose: paths.id }, 'compose stays FINISHED although failable units failed since');
    status = 'FINISHED';
  }
  await writeStatus(paths, status);
  const latestLink = await updateLatestLink(paths, ident);
  await writeFileAtomic(
    paths.finalizeOutcome,
    `${JSON.stringify({ status, earlier, failed: media.failed }, null, 2)}\n`,
  );
  log.info({ compose: paths.id, status, latest: latestLink }, 'compose finalized');
  return { status, earlier, media, metadata, latestLink };
}
