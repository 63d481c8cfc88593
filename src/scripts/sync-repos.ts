// horno sync-repos: mirror the release's upstream repos into the compose, then check their closure.
import { repoclosureStep, syncRepos } from '../wrappers/steps/index.ts';
import { phase, type Phase } from '../wrappers/steps/step.ts';
import { createProgress } from '../wrappers/log/progress.ts';
import { splitList } from '../wrappers/config/arches.ts';
import { defineCommand, releaseOption } from './command.ts';
import { composeOption, runCompose } from './with-compose.ts';

export default defineCommand({
  options: (y) =>
    composeOption(releaseOption(y))
      .option('repo', {
        type: 'string',
        array: true,
        describe: 'only these repos (repeat or comma-separate)',
      })
      .option('arch', {
        type: 'string',
        array: true,
        describe: 'only these arches; "source" for source trees',
      })
      .option('delete', { type: 'boolean', default: false, describe: 'remove packages no longer upstream' })
      .option('newest-only', {
        type: 'boolean',
        default: false,
        describe: 'only the newest version per name.arch',
      })
      .option('enforce-signatures', {
        type: 'boolean',
        describe: 'refuse unsigned or badly signed packages (default: the release config)',
      })
      .option('repoclosure', { type: 'boolean', default: true, describe: 'check closure after the sync' })
      .option('force', { type: 'boolean', default: false, describe: 'redo trees even when recorded as done' })
      .option('new', { type: 'boolean', default: false, describe: 'start a new compose first' }),
  async run(args, ctx) {
    const progress = createProgress('sync-repos');
    const repos = splitList(args.repo);
    const arches = splitList(args.arch);
    try {
      return await runCompose(args, ctx, {
        command: 'sync-repos',
        arch: args.arch,
        allowSource: true,
        new: args.new,
        compose: args.compose,
        phases: (cfg) => {
          const out: Phase[] = [
            phase(
              syncRepos,
              {
                repos,
                arches,
                delete: args.delete,
                newestOnly: args['newest-only'],
                enforceSignatures: args['enforce-signatures'],
                onBytes: progress.bytes,
              },
              { force: args.force },
            ),
          ];
          // lenient, as pungi's default repoclosure_strictness: its report is a verdict, not a failed sync
          // only the checked repos this sync touched; none of them checked: no closure to report
          const checked = repos?.filter((r) => r in cfg.release.repoclosure.repos);
          if (args.repoclosure && (!repos || checked!.length > 0))
            out.push(phase(repoclosureStep, { repos: checked }));
          return out;
        },
      });
    } finally {
      progress.stop();
    }
  },
});
