// horno build-iso: run lorax for each arch through its executor and put the packed tree in the artifact store.
import { buildIso } from '../wrappers/steps/index.ts';
import { phase } from '../wrappers/steps/step.ts';
import { defineCommand, releaseOption } from './command.ts';
import { archOption, composeOption, runCompose } from './with-compose.ts';

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
    return runCompose(args, ctx, {
      command: 'build-iso',
      arch: args.arch,
      new: args.new,
      compose: args.compose,
      phases: () => [
        phase(buildIso, { rc: args.rc, upstreamSources: args['upstream-sources'] }, { force: args.force }),
      ],
    });
  },
});
