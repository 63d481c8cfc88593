// Glue every compose command shares: load and validate the config and the phases, find (or create) the compose,
// lock it once, log into it, run the phases in process, record the outcome in STATUS and print it. Returns the exit
// code. Keeps the open sessions so that a crash can still mark them DOOMED and release their locks.
import { resolve } from 'node:path';
import { selectArches, splitList } from '../wrappers/config/arches.ts';
import { loadConfig, type LoadedConfig } from '../wrappers/config/load.ts';
import {
  type ComposeSession,
  createCompose,
  findCompose,
  openSession,
  updateLatestLink,
} from '../wrappers/compose/session.ts';
import { readStatus } from '../wrappers/compose/status.ts';
import { clockFromEnv } from '../wrappers/compose/clock.ts';
import { createStepContext } from '../wrappers/compose/context.ts';
import { runPhases, type RunOutcome, validatePhases } from '../wrappers/compose/engine.ts';
import { outcomeLines, phaseSummary, runSummary } from '../wrappers/compose/outcome.ts';
import type { ComposePaths } from '../wrappers/compose/paths.ts';
import { interrupted, INTERRUPTED_EXIT } from '../wrappers/run/cancel.ts';
import type { Phase } from '../wrappers/steps/step.ts';
import type { CommandContext, GlobalArgs } from './command.ts';

export async function loadFor(args: GlobalArgs & { release: string }): Promise<LoadedConfig> {
  return loadConfig({ release: args.release, configDir: args.configDir, siteFile: args.site });
}

export function composeRoot(cfg: LoadedConfig): string {
  return resolve(cfg.site.compose_root, cfg.release.major);
}

export function identity(cfg: LoadedConfig) {
  return { short: cfg.release.short, version: cfg.release.version, profile: cfg.release.profile };
}

/** What a command asks the runner for: its phases, the --arch words, and which compose to work on. */
export interface RunRequest {
  /** The lock holder's name (the command). */
  command: string;
  phases(cfg: LoadedConfig): Phase[];
  /** --arch as given (repeat or comma-separate); `source` is valid where allowSource. */
  arch?: string[];
  allowSource?: boolean;
  /** Start a new compose (and point the latest link at it) instead of finding one. */
  new?: boolean;
  /** A compose id or folder; default the latest link. */
  compose?: string;
  /** Exit 1 when a lenient phase reports failures (`horno repoclosure` is a check). */
  strictExit?: boolean;
  /** End with `<compose>: <STATUS>` (finalize-compose, whose close writes it). */
  printStatus?: boolean;
  /** Before the session opens: a FINISHED compose, say, may need nothing done (return an exit code to stop). */
  before?(paths: ComposePaths, cfg: LoadedConfig): Promise<number | undefined>;
}

/**
 * The one way a command runs: load the config, check the arches and validate every phase (nothing is touched
 * before that), find or create the compose, hold it in one session for all phases, run them, record STATUS,
 * print the outcome, and return the exit code.
 */
export async function runCompose(
  args: GlobalArgs & { release: string },
  ctx: CommandContext,
  req: RunRequest,
): Promise<number> {
  const cfg = await loadFor(args);
  const clock = clockFromEnv();
  // a usage error is found before the compose is touched: nothing is created, locked or logged for it
  const arches = selectArches(cfg.release, splitList(req.arch), { allowSource: req.allowSource });
  const phases = req.phases(cfg);
  const plan = { release: cfg.release, site: cfg.site, clock, arches };
  validatePhases(plan, phases);
  const root = composeRoot(cfg);
  const paths = req.new
    ? await createCompose(root, identity(cfg))
    : await findCompose(root, identity(cfg), req.compose);
  if (req.new) await updateLatestLink(paths, identity(cfg));
  const early = await req.before?.(paths, cfg);
  if (early !== undefined) return early;
  const session = await openSession(paths, req.command, ctx.logger);
  open.add(session);
  let run: RunOutcome;
  try {
    run = await runPhases(createStepContext(plan, paths, ctx.log), phases);
  } catch (err) {
    open.delete(session);
    // while the work's own error is on its way out, closing must not replace it with a second one
    await session
      .close('DOOMED')
      .catch((e: unknown) => ctx.log.debug({ err: e }, 'closing the compose failed too'));
    throw err;
  }
  open.delete(session);
  await session.close(run.status);
  const status = await readStatus(paths);
  for (const line of await outcomeLines(phases, run, { headers: phases.length > 1 })) ctx.print(line);
  const lenientFailed = run.phases.some((o) => o.lenient && o.failed.length > 0);
  const failed = run.status === 'DOOMED' || (req.strictExit === true && lenientFailed);
  if (run.halted) ctx.print(`stopped: ${run.halted}; rerun to resume`);
  if (req.printStatus) ctx.print(`${paths.id}: ${status ?? 'no STATUS'}`);
  const main = run.phases.length === 1 ? phaseSummary(run.phases[0]!) : {};
  ctx.summary({
    ok: !failed && !interrupted(),
    compose: paths.id,
    dir: paths.dir,
    ...main,
    ...runSummary(run, status),
  });
  if (interrupted()) return INTERRUPTED_EXIT;
  return failed ? 1 : 0;
}

/** Sessions of commands still running, for the last resort after a crash (src/cli.ts). */
const open = new Set<ComposeSession>();

/**
 * Marks every compose still open DOOMED and lets go of its lock: for a crash (an uncaught exception) that never
 * reaches withCompose's own ending. Errors are swallowed: the process is on its way out.
 */
export async function closeOpenSessions(): Promise<string[]> {
  const ids: string[] = [];
  for (const s of [...open]) {
    open.delete(s);
    await s.close('DOOMED').catch(() => undefined);
    ids.push(s.paths.id);
  }
  return ids;
}

export function composeOption<T>(y: import('yargs').Argv<T>) {
  return y.option('compose', {
    type: 'string',
    describe: 'compose id or folder to work on (default: the latest-<Short>-<profile> link)',
  });
}

export function archOption<T>(y: import('yargs').Argv<T>) {
  return y.option('arch', {
    type: 'string',
    array: true,
    describe: 'only these arches (repeat or comma-separate)',
  });
}
