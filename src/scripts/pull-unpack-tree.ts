// horno pull-unpack-tree: fetch each arch's lorax tarball from the store (the one this compose's build-iso uploaded,
// or with --newest the newest there), unpack it, make the boot image's repo an install tree and stage boot.iso under
// the release's names.
import { pullUnpackTree } from '../wrappers/steps/index.ts';
import { phase } from '../wrappers/steps/step.ts';
import { defineCommand, releaseOption } from './command.ts';
import { archOption, composeOption, runCompose } from './with-compose.ts';

export default defineCommand({
  options: (y) =>
    archOption(composeOption(releaseOption(y)))
      .option('rc', {
        type: 'boolean',
        default: false,
        describe: 'release candidate: ISO names get the rc_level',
      })
      .option('force-download', {
        type: 'boolean',
        default: false,
        describe: 'download the tarball again even when a verified copy is here',
      })
      .option('force-unpack', {
        type: 'boolean',
        default: false,
        describe: 'unpack and place the tree again even when it is recorded as done',
      })
      .option('newest', {
        type: 'boolean',
        default: false,
        describe:
          "take the newest tarball in the store (e.g. from launch-builds), not this compose's own build",
      }),
  async run(args, ctx) {
    const forceDownload = args['force-download'];
    const forceUnpack = args['force-unpack'];
    return runCompose(args, ctx, {
      command: 'pull-unpack-tree',
      arch: args.arch,
      compose: args.compose,
      phases: () => [
        phase(
          pullUnpackTree,
          {
            rc: args.rc,
            forceDownload,
            forceUnpack,
            newest: args.newest,
          },
          { force: forceDownload || forceUnpack },
        ),
      ],
    });
  },
});
