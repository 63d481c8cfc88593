// horno build-iso-extra: master the release's disc images (DVD, minimal) per arch from the unpacked boot tree.
import { buildIsoExtra } from '../wrappers/steps/build-iso-extra/index.ts';
import { runStep } from '../wrappers/steps/step.ts';
import { splitList } from '../wrappers/config/arches.ts';
import { defineCommand, releaseOption } from './command.ts';
import { archOption, composeOption, reportOutcome, withCompose } from './with-compose.ts';

export default defineCommand({
  options: (y) =>
    archOption(composeOption(releaseOption(y)))
      .option('image', { type: 'string', describe: 'only this image (an iso.images key, e.g. dvd)' })
      .option('rc', {
        type: 'boolean',
        default: false,
        describe: 'release candidate: ISO names get the rc_level',
      })
      .option('force', { type: 'boolean', default: false, describe: 'remaster discs recorded as done' }),
  async run(args, ctx) {
    return withCompose(args, ctx, 'build-iso-extra', async (sctx) => {
      const outcome = await runStep(buildIsoExtra, sctx, {
        arches: splitList(args.arch),
        image: args.image,
        rc: args.rc,
        force: args.force,
      });
      return reportOutcome(ctx, sctx, outcome, row, { done: 'made', skipped: 'already made' }, 16);
    });
  },
});

function row(key: string, s: Record<string, unknown> | undefined, what: string): string {
  const mb = ((Number(s?.bytes) || 0) / 1e6).toFixed(1);
  return `${key.padEnd(16)} ${what.padEnd(16)} ${mb.padStart(8)} MB  ${String(s?.iso ?? '?')}  label ${String(s?.volid ?? '?')}`;
}
