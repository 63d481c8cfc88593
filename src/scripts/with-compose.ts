// Glue every compose command shares: load and validate the config, find (or create) the compose, lock it, log
// into it, run the given work, and record the outcome in STATUS. Returns the exit code. Keeps the open sessions so
// that a crash can still mark them DOOMED and release their locks.
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
import type { ComposeStatus } from '../wrappers/compose/status.ts';
import type { StepContext } from '../wrappers/steps/step.ts';
import type { UnitsOutcome } from '../wrappers/steps/units.ts';
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

export interface ComposeWork {
  /** 'keep' leaves STATUS as it is (STARTED while the compose is still being built). */
  (sctx: StepContext): Promise<{ status: ComposeStatus | 'keep'; exitCode: number }>;
}

export async function withCompose(
  args: GlobalArgs & { release: string; compose?: string; new?: boolean },
  ctx: CommandContext,
  command: string,
  work: ComposeWork,
): Promise<number> {
  const cfg = await loadFor(args);
  // a usage error is found before the compose is touched: nothing is created, locked or logged for it
  if ('arch' in args)
    selectArches(cfg.release, splitList(args.arch as string[] | undefined), {
      allowSource: command === 'sync-repos',
    });
  const root = composeRoot(cfg);
  const paths = args.new
    ? await createCompose(root, identity(cfg))
    : await findCompose(root, identity(cfg), args.compose);
  if (args.new) await updateLatestLink(paths, identity(cfg));
  const session = await openSession(paths, command, ctx.logger);
  open.add(session);
  let r: Awaited<ReturnType<ComposeWork>>;
  try {
    r = await work({ release: cfg.release, site: cfg.site, paths, log: ctx.log });
  } catch (err) {
    open.delete(session);
    // while the work's own error is on its way out, closing must not replace it with a second one
    await session
      .close('DOOMED')
      .catch((e: unknown) => ctx.log.debug({ err: e }, 'closing the compose failed too'));
    throw err;
  }
  open.delete(session);
  await session.close(r.status);
  return r.exitCode;
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

/** How a step's outcome maps to STATUS (while the compose is still in progress) and an exit code. */
export function outcomeExit(outcome: UnitsOutcome): { status: ComposeStatus | 'keep'; exitCode: number } {
  if (outcome.status === 'DOOMED') return { status: 'DOOMED', exitCode: 1 };
  return { status: 'keep', exitCode: 0 };
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

/**
 * Prints one line per unit (done, already done, failed with its log), the --json summary, and returns the
 * STATUS/exit mapping: the common ending of every per-arch media command.
 */
export function reportOutcome(
  ctx: CommandContext,
  sctx: StepContext,
  outcome: UnitsOutcome,
  row: (key: string, summary: Record<string, unknown> | undefined, what: string) => string,
  verbs: { done: string; skipped: string },
  width = 10,
): { status: ComposeStatus | 'keep'; exitCode: number } {
  for (const r of outcome.ran)
    ctx.print(row(r.key, r.summary, `${verbs.done} in ${(r.durationMs / 1000).toFixed(1)} s`));
  for (const r of outcome.skipped) ctx.print(row(r.key, r.summary, verbs.skipped));
  for (const f of outcome.failed) {
    ctx.print(
      `${f.key.padEnd(width)} FAILED${f.failable ? ' (failable arch: compose continues)' : ''}: ${f.error}`,
    );
    if (f.logFile) ctx.print(`${''.padEnd(width)} log: ${f.logFile}`);
  }
  const exit = outcomeExit(outcome);
  ctx.summary({ ok: exit.exitCode === 0, compose: sctx.paths.id, ...outcome });
  return exit;
}
