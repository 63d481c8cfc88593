// horno generate-compose: create the next dated compose and point the latest link at it.
import { readStatus } from '../wrappers/compose/status.ts';
import { defineCommand, releaseOption } from './command.ts';
import { composeRoot, identity, loadFor } from './with-compose.ts';
import { createCompose, updateLatestLink } from '../wrappers/compose/session.ts';

export default defineCommand({
  options: (y) =>
    releaseOption(y).option('symlink', {
      type: 'boolean',
      default: true,
      describe: 'point the latest link at the new compose (--no-symlink to leave it)',
    }),
  async run(args, ctx) {
    const cfg = await loadFor(args);
    const paths = await createCompose(composeRoot(cfg), identity(cfg));
    const link = args.symlink ? await updateLatestLink(paths, identity(cfg)) : undefined;
    ctx.logger.addFile(paths.mainLog);
    ctx.log.info({ compose: paths.id, dir: paths.dir, latest: link }, 'compose created');
    ctx.print(paths.dir);
    ctx.summary({
      ok: true,
      compose: paths.id,
      dir: paths.dir,
      latest: link,
      status: await readStatus(paths),
    });
    return 0;
  },
});
