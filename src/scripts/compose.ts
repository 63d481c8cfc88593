// horno compose: the whole pipeline on one compose (a new one, or --resume the latest), phase after phase.
import { didYouMean } from '../wrappers/config/did-you-mean.ts';
import { UsageError } from '../wrappers/errors.ts';
import { COMPOSE_PIPELINE } from '../wrappers/steps/pipeline.ts';
import { type CommandContext, defineCommand, releaseOption } from './command.ts';
import { composeRoot, identity, loadFor } from './with-compose.ts';
import { LockedError } from '../wrappers/errors.ts';
import type { ComposePaths } from '../wrappers/compose/paths.ts';
import { createCompose, findCompose, openSession, updateLatestLink } from '../wrappers/compose/session.ts';
import { readStatus } from '../wrappers/compose/status.ts';
import { interrupted, INTERRUPTED_EXIT } from '../wrappers/run/cancel.ts';

export default defineCommand({
  options: (y) =>
    releaseOption(y)
      .option('resume', {
        type: 'boolean',
        default: false,
        describe: 'continue the compose the latest link points at (finished units are skipped)',
      })
      .option('compose', { type: 'string', describe: 'continue this compose (id or folder)' })
      .option('skip', {
        type: 'string',
        array: true,
        describe: `phases to leave out (repeat or comma-separate), e.g. --skip build-iso; phases: ${PHASES.join(', ')}`,
      }),
  async run(args, ctx) {
    const skip = parseSkip(args.skip);
    const cfg = await loadFor(args);
    const root = composeRoot(cfg);
    const resume = args.resume || args.compose !== undefined;
    const paths = resume
      ? await findCompose(root, identity(cfg), args.compose)
      : await createCompose(root, identity(cfg));
    if (!resume) await updateLatestLink(paths, identity(cfg));
    if ((await readStatus(paths)) === 'FINISHED') {
      await tidyFinished(paths, ctx);
      ctx.print(`compose ${paths.id} is FINISHED: nothing to resume`);
      ctx.summary({ ok: true, compose: paths.id, dir: paths.dir, phases: [] });
      return 0;
    }
    ctx.log.info({ compose: paths.id, resume }, resume ? 'resuming compose' : 'compose created');
    const common = ['--release', args.release, '--compose', paths.dir];
    if (args.site) common.push('--site', args.site);
    if (args.configDir) common.push('--config-dir', args.configDir);
    if (args.verbose) common.push('--verbose');
    // the entry point, loaded here: it imports the command table this module is part of
    const { main } = await import('../cli.ts');
    const phases: { phase: string; exitCode: number; seconds: number }[] = [];
    for (const phase of COMPOSE_PIPELINE) {
      if (skip.includes(phase.command)) continue;
      if (interrupted()) {
        // interrupted: no further phase opens; the phase that was running marked the compose TERMINATED
        ctx.log.warn(
          { compose: paths.id, next: phase.command },
          'interrupted: compose stopped, resume with --resume',
        );
        ctx.summary({ ok: false, compose: paths.id, dir: paths.dir, status: 'TERMINATED', phases });
        return INTERRUPTED_EXIT;
      }
      const started = Date.now();
      ctx.log.info({ compose: paths.id, phase: phase.command }, 'phase started');
      // with build-iso left out, this compose uploads no boot tree of its own: take the newest in the store
      const newest = phase.command === 'pull-unpack-tree' && skip.includes('build-iso') ? ['--newest'] : [];
      const argv = [phase.command, ...common, ...phase.args, ...newest];
      const exitCode = await main(argv, { quietStdout: args.json });
      const seconds = (Date.now() - started) / 1000;
      phases.push({ phase: phase.command, exitCode, seconds });
      if (!phase.continueOn.includes(exitCode)) {
        ctx.log.error(
          { phase: phase.command, exitCode },
          'phase failed: the pipeline stops here; rerun with --resume',
        );
        ctx.summary({ ok: false, compose: paths.id, dir: paths.dir, phases });
        return exitCode;
      }
    }
    ctx.print(`compose ${paths.id} done: ${paths.dir}`);
    ctx.summary({ ok: true, compose: paths.id, dir: paths.dir, phases });
    return 0;
  },
});

const PHASES = COMPOSE_PIPELINE.map((p) => p.command);

/** `--skip a --skip b,c` -> [a, b, c]; a name that is no phase is a usage error, named, with a did-you-mean. */
export function parseSkip(values: readonly string[] | undefined): string[] {
  const names = (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  for (const n of names)
    if (!PHASES.includes(n))
      throw new UsageError(
        `--skip ${n}: not a phase of compose${didYouMean(n, PHASES)}`,
        `phases: ${PHASES.join(', ')}`,
      );
  return [...new Set(names)];
}

/**
 * A run killed after finalize wrote STATUS FINISHED left its lock (and maybe temp files): opening a session takes a
 * stale lock over and sweeps, closing leaves STATUS alone. A live holder keeps its lock; the compose is done anyway.
 */
async function tidyFinished(paths: ComposePaths, ctx: CommandContext): Promise<void> {
  try {
    await (await openSession(paths, 'compose', ctx.logger)).close('keep');
  } catch (err) {
    if (!(err instanceof LockedError)) throw err;
  }
}
