// horno finalize-compose: publish the staged media with checksums (optionally signed), write the productmd
// metadata, mark the compose FINISHED (or FINISHED_INCOMPLETE) and point the latest link at it.
import { finalizeMedia, finalizeMetadata } from '../wrappers/steps/index.ts';
import { phase } from '../wrappers/steps/step.ts';
import { defineCommand, releaseOption } from './command.ts';
import { composeOption, runCompose } from './with-compose.ts';

export default defineCommand({
  options: (y) =>
    composeOption(releaseOption(y))
      .option('sign-key', {
        type: 'string',
        describe: 'gpg key (id, fingerprint or user id) to sign CHECKSUM files with; keyring from $GNUPGHOME',
      })
      .option('force', {
        type: 'boolean',
        default: false,
        describe: 'redo units even when recorded as done',
      }),
  async run(args, ctx) {
    return runCompose(args, ctx, {
      command: 'finalize-compose',
      printStatus: true,
      compose: args.compose,
      phases: () => [
        phase(
          finalizeMedia,
          { signKey: args['sign-key'], gnupgHome: process.env.GNUPGHOME },
          { force: args.force },
        ),
        phase(finalizeMetadata, {}, { force: args.force }),
      ],
    });
  },
});
