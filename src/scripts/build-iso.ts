// horno build-iso: run lorax for each arch through its executor and put the packed tree in the artifact store.
import { buildIso } from '../wrappers/steps/build-iso/index.ts';
import { runStep } from '../wrappers/steps/step.ts';
import { splitList } from '../wrappers/config/arches.ts';
import { defineCommand, releaseOption } from './command.ts';
import { archOption, composeOption, reportOutcome, withCompose } from './with-compose.ts';

export default defineCommand({
  options: (y) =>
    archOption(composeOption(releaseOption(y)))
      .option('rc', {
        type: 'boolean',
        default: false,
        describe: 'release candidate: label gets the rc_level, lorax gets no --isfinal',
      })
      .option('upstream-sources', {
        type: 'boolean',
        default: false,
        describe: "lorax reads the upstream repos instead of the compose's synced trees",
      })
      .option('force', { type: 'boolean', default: false, describe: 'rebuild arches recorded as done' })
      .option('new', { type: 'boolean', default: false, describe: 'start a new compose first' }),
  async run(args, ctx) {
    return withCompose(args, ctx, 'build-iso', async (sctx) => {
      const outcome = await runStep(buildIso, sctx, {
        arches: splitList(args.arch),
        rc: args.rc,
        upstreamSources: args['upstream-sources'],
        force: args.force,
      });
      return reportOutcome(ctx, sctx, outcome, row, { done: 'built', skipped: 'already built' });
    });
  },
});

function row(arch: string, s: Record<string, unknown> | undefined, what: string): string {
  const mb = ((Number(s?.bytes) || 0) / 1e6).toFixed(1);
  return `${arch.padEnd(10)} ${what.padEnd(20)} ${mb.padStart(8)} MB  ${String(s?.store ?? '')}/${String(s?.key ?? '?')}`;
}
