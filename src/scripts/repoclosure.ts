// horno repoclosure: check that every dependency in the compose's repos resolves, as `dnf repoclosure` would.
import { repoclosureStep } from '../wrappers/steps/index.ts';
import { phase } from '../wrappers/steps/step.ts';
import { splitList } from '../wrappers/config/arches.ts';
import { defineCommand, releaseOption } from './command.ts';
import { composeOption, runCompose } from './with-compose.ts';

export default defineCommand({
  options: (y) =>
    composeOption(releaseOption(y))
      .option('repo', { type: 'string', array: true, describe: 'only these checked repos' })
      .option('arch', { type: 'string', array: true, describe: 'only these arches' })
      .option('newest', {
        type: 'boolean',
        default: false,
        describe: 'only the newest version of each name.arch',
      }),
  async run(args, ctx) {
    // a check: unresolved dependencies exit 1, though the compose's STATUS is left as it is (lenient)
    return runCompose(args, ctx, {
      command: 'repoclosure',
      arch: args.arch,
      compose: args.compose,
      strictExit: true,
      phases: () => [phase(repoclosureStep, { repos: splitList(args.repo), newest: args.newest })],
    });
  },
});
