// horno sync-repos: mirror the release's upstream repos into the compose, then check their closure.
import { syncRepos } from '../wrappers/steps/sync-repos/index.ts';
import { runStep } from '../wrappers/steps/step.ts';
import { createProgress } from '../wrappers/log/progress.ts';
import { splitList } from '../wrappers/config/arches.ts';
import { defineCommand, releaseOption } from './command.ts';
import { composeOption, outcomeExit, withCompose } from './with-compose.ts';
import { runRepoclosureAfterSync } from './repoclosure.ts';

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
    return withCompose(args, ctx, 'sync-repos', async (sctx) => {
      const progress = createProgress('sync-repos');
      let outcome;
      try {
        outcome = await runStep(syncRepos, sctx, {
          repos: splitList(args.repo),
          arches: splitList(args.arch),
          delete: args.delete,
          newestOnly: args['newest-only'],
          enforceSignatures: args['enforce-signatures'],
          force: args.force,
          onBytes: progress.bytes,
        });
      } finally {
        progress.stop();
      }
      for (const r of [...outcome.ran, ...outcome.skipped])
        ctx.print(formatRow(r.key, r.summary, r.durationMs));
      for (const f of outcome.failed)
        ctx.print(`${f.key}: FAILED${f.failable ? ' (failable)' : ''}: ${f.error}`);
      const exit = outcomeExit(outcome);
      if (args.repoclosure && exit.exitCode === 0) {
        const closure = await runRepoclosureAfterSync(sctx, ctx, {
          arches: splitList(args.arch),
          repos: splitList(args.repo),
        });
        // lenient, as pungi's default repoclosure_strictness: the report above is a verdict, not a failed sync,
        // so the exit code and STATUS say what happened to the trees (`horno repoclosure` exits 1 as a check)
        if (closure !== 0)
          ctx.print('repoclosure: unresolved dependencies above (lenient: reported, the compose goes on)');
      }
      ctx.summary({ ok: exit.exitCode === 0, compose: sctx.paths.id, ...outcome });
      return exit;
    });
  },
});

function formatRow(key: string, s: Record<string, unknown> | undefined, ms: number): string {
  const mb = ((Number(s?.bytes) || 0) / 1e6).toFixed(1);
  return `${key.padEnd(28)} ${String(s?.packages ?? '?').padStart(6)} pkgs  ${mb.padStart(8)} MB new  ${(ms / 1000).toFixed(1).padStart(6)} s`;
}
