// horno build-iso-extra: master the release's disc images (DVD, minimal) per arch from the unpacked boot tree.
import { buildIsoExtra } from '../wrappers/steps/index.ts';
import { phase } from '../wrappers/steps/step.ts';
import { defineCommand, releaseOption } from './command.ts';
import { archOption, composeOption, runCompose } from './with-compose.ts';

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
    return runCompose(args, ctx, {
      command: 'build-iso-extra',
      arch: args.arch,
      compose: args.compose,
      phases: () => [phase(buildIsoExtra, { image: args.image, rc: args.rc }, { force: args.force })],
    });
  },
});
