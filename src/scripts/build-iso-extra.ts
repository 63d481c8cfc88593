// horno build-iso-extra: master the release's disc images (DVD, minimal) per arch from the unpacked boot tree.
import { buildIsoExtra } from '../wrappers/steps/build-iso-extra/index.ts';
import { runStep } from '../wrappers/steps/step.ts';
import { defineCommand, releaseOption } from './command.ts';
import { composeOption, outcomeExit, withCompose } from './with-compose.ts';

const list = (v: string[] | undefined) => v?.flatMap((s) => s.split(',')).filter(Boolean);

export default defineCommand({
  name: 'build-iso-extra',
  describe: "master the disc images (DVD, minimal) of each arch from boot.iso and the compose's repos",
  options: (y) =>
    composeOption(releaseOption(y))
      .option('arch', {
        type: 'string',
        array: true,
        describe: 'only these arches (repeat or comma-separate)',
      })
      .option('image', { type: 'string', describe: 'only this image (an iso.images key, e.g. dvd)' })
      .option('rc', {
        type: 'boolean',
        default: false,
        describe: 'release candidate: ISO names get the rc_level',
      })
      .option('force', { type: 'boolean', default: false, describe: 'remaster discs recorded as done' }),
  async run(args, ctx) {
    return withCompose(args, ctx, 'build-iso-extra', async (sctx) => {
      const outcome = await runStep(buildIsoExtra, sctx, {
        arches: list(args.arch),
        image: args.image,
        rc: args.rc,
        force: args.force,
      });
      for (const r of outcome.ran)
        ctx.print(row(r.key, r.summary, `made in ${(r.durationMs / 1000).toFixed(1)} s`));
      for (const r of outcome.skipped) ctx.print(row(r.key, r.summary, 'already made'));
      for (const f of outcome.failed) {
        ctx.print(
          `${f.key.padEnd(16)} FAILED${f.failable ? ' (failable arch: compose continues)' : ''}: ${f.error}`,
        );
        if (f.logFile) ctx.print(`${''.padEnd(16)} log: ${f.logFile}`);
      }
      const exit = outcomeExit(outcome);
      ctx.summary({ ok: exit.exitCode === 0, compose: sctx.paths.id, ...outcome });
      return exit;
    });
  },
});

function row(key: string, s: Record<string, unknown> | undefined, what: string): string {
  const mb = ((Number(s?.bytes) || 0) / 1e6).toFixed(1);
  return `${key.padEnd(16)} ${what.padEnd(16)} ${mb.padStart(8)} MB  ${String(s?.iso ?? '?')}  label ${String(s?.volid ?? '?')}`;
}
