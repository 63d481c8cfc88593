// horno compose: the whole pipeline on one compose (a new one, or --resume the latest), every phase in this
// process under one lock: the step registry's order, minus --skip.
import { didYouMean } from '../wrappers/config/did-you-mean.ts';
import { LockedError, UsageError } from '../wrappers/errors.ts';
import type { ComposePaths } from '../wrappers/compose/paths.ts';
import { openSession } from '../wrappers/compose/session.ts';
import { readStatus } from '../wrappers/compose/status.ts';
import { interrupted } from '../wrappers/run/cancel.ts';
import { PHASE_ALIASES, STEPS } from '../wrappers/steps/index.ts';
import { phase, type Phase } from '../wrappers/steps/step.ts';
import { type CommandContext, defineCommand, releaseOption } from './command.ts';
import { runCompose } from './with-compose.ts';

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
    const resume = args.resume || args.compose !== undefined;
    const code = await runCompose(args, ctx, {
      command: 'compose',
      new: !resume,
      compose: args.compose,
      phases: () => composePhases(skip),
      before: async (paths) => {
        if ((await readStatus(paths)) !== 'FINISHED') {
          ctx.log.info({ compose: paths.id, resume }, resume ? 'resuming compose' : 'compose created');
          return undefined;
        }
        await tidyFinished(paths, ctx);
        ctx.print(`compose ${paths.id} is FINISHED: nothing to resume`);
        ctx.summary({ ok: true, compose: paths.id, dir: paths.dir, status: 'FINISHED', phases: [] });
        return 0;
      },
    });
    if (interrupted()) ctx.log.warn('interrupted: compose stopped, resume with --resume');
    return code;
  },
});

const PHASES = [...STEPS.map((s) => s.name), ...Object.keys(PHASE_ALIASES)];

/** The registry's steps minus the skipped ones, each with the options a whole compose gives it. */
export function composePhases(skip: readonly string[]): Phase[] {
  const out: Phase[] = [];
  for (const step of STEPS) {
    if (skip.includes(step.name)) continue;
    // with build-iso left out, this compose uploads no boot tree of its own: take the newest in the store
    const opts = step.name === 'pull-unpack-tree' ? { newest: skip.includes('build-iso') } : {};
    out.push(phase(step, step.name === 'finalize-media' ? { gnupgHome: process.env.GNUPGHOME } : opts));
  }
  return out;
}

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
  return [...new Set(names.flatMap((n) => PHASE_ALIASES[n] ?? [n]))];
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
