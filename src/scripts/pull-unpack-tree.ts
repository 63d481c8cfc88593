// horno pull-unpack-tree: fetch each arch's lorax tarball from the store (the one this compose's build-iso uploaded,
// or with --newest the newest there), unpack it, make the boot image's repo an install tree and stage boot.iso under
// the release's names.
import { pullUnpackTree } from '../wrappers/steps/pull-unpack-tree/index.ts';
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
    return withCompose(args, ctx, 'pull-unpack-tree', async (sctx) => {
      const forceDownload = args['force-download'];
      const forceUnpack = args['force-unpack'];
      const outcome = await runStep(pullUnpackTree, sctx, {
        arches: splitList(args.arch),
        rc: args.rc,
        forceDownload,
        forceUnpack,
        newest: args.newest,
        force: forceDownload || forceUnpack,
      });
      return reportOutcome(ctx, sctx, outcome, row, { done: 'done', skipped: 'already done' });
    });
  },
});

function row(arch: string, s: Record<string, unknown> | undefined, what: string): string {
  const trees = Array.isArray(s?.trees) ? (s.trees as string[]).join(',') : '';
  return `${arch.padEnd(10)} ${what.padEnd(16)} ${String(s?.iso ?? '?')}  trees: ${trees}  from ${String(s?.key ?? '?')}`;
}
