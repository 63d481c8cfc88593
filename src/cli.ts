// The entry point: parses argv with yargs over the command table, sets up logging and signal handling, and is the
// only place that turns outcomes into exit codes (0 ok, 1 a required unit failed, 2 bad config or usage, 130
// interrupted). Its last resort catches what escaped everything else (an unhandled rejection, an uncaught exception): one line, running
// commands killed, open composes marked DOOMED and unlocked, exit 1.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yargs, { type Argv } from 'yargs';
import type { Command, CommandContext, GlobalArgs } from './scripts/command.ts';
import { commands, entryFor } from './scripts/index.ts';
import { fileSystemError, HornoError } from './wrappers/errors.ts';
import { INSTALL_ROOT } from './wrappers/install.ts';
import { createLogger } from './wrappers/log/logger.ts';
import { redactCredentials } from './wrappers/log/redact.ts';
import { cancelAll, installSignalHandlers, interrupted, INTERRUPTED_EXIT } from './wrappers/run/cancel.ts';

/** `quietStdout`: the caller (compose, running its phases) owns stdout; the command prints nothing there.
 * `ownProcess`: this is the process's entry (bin/horno.js): a crash is ours to report (not a test runner's). */
export async function main(
  argv: string[],
  opts: { quietStdout?: boolean; ownProcess?: boolean } = {},
): Promise<number> {
  if (opts.ownProcess) installLastResort();
  let exitCode = 0;
  let usageFailure: string | undefined;
  const parser = yargs(argv)
    .scriptName('horno')
    .usage('$0 <command> [options]')
    .option('verbose', {
      alias: 'v',
      type: 'boolean',
      default: false,
      describe: 'debug-level logs on the terminal',
    })
    .option('json', {
      type: 'boolean',
      default: false,
      describe: 'print a JSON summary on stdout; logs stay quiet',
    })
    .option('site', {
      type: 'string',
      describe: 'site config file (default: $HORNO_SITE, then config/site.yaml)',
    })
    .option('config-dir', { type: 'string', describe: 'folder holding releases/*.yaml (default: config/)' })
    .strict()
    .demandCommand(1, 'name a command')
    .recommendCommands()
    .version(versionLine())
    .help()
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .exitProcess(false)
    .fail((msg, err) => {
      usageFailure = redactCredentials(msg ?? err?.message ?? 'bad usage');
    }) as Argv<GlobalArgs>;

  const named = entryFor(argv);
  if (named) {
    const cmd = (await named.load()) as Command<unknown>;
    parser.command(
      named.usage,
      named.describe,
      (y) => (cmd.options ? cmd.options(y as Argv<GlobalArgs>) : y),
      async (args) => {
        if (usageFailure) return; // yargs reports a failed check through .fail() and still calls the handler
        exitCode = await runCommand(cmd, args as unknown as GlobalArgs, opts.quietStdout === true);
      },
    );
  } else {
    // no command named: help, --version or a usage error, for which names and descriptions are enough
    for (const c of commands) parser.command(c.usage, c.describe);
  }
  await parser.parseAsync();
  if (usageFailure) {
    process.stderr.write(`horno: ${usageFailure}\n(see horno --help)\n`);
    return 2;
  }
  return exitCode;
}

/** `0.1.0 (bundle)` or `0.1.0 (sources)`: which code bin/horno.js chose to run (HORNO_BUILD, set there). */
function versionLine(): string {
  const pkg = JSON.parse(readFileSync(join(INSTALL_ROOT, 'package.json'), 'utf8')) as { version: string };
  return `${pkg.version} (${process.env.HORNO_BUILD ?? 'sources'})`;
}

async function runCommand(cmd: Command<unknown>, args: GlobalArgs, quietStdout: boolean): Promise<number> {
  const logger = createLogger({ verbose: args.verbose, json: args.json });
  const { log } = logger;
  installSignalHandlers((sig) => log.warn({ signal: sig }, 'interrupt received: stopping running work'));
  const ctx: CommandContext = {
    log,
    logger,
    summary: (obj) => {
      if (args.json && !quietStdout) process.stdout.write(`${JSON.stringify(obj, null, 2)}\n`);
    },
    // with --json, stdout carries the summary object alone
    print: (text) => {
      if (!args.json && !quietStdout) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    },
  };
  const outer = currentLog;
  currentLog = log;
  let code: number;
  try {
    code = (await cmd.run(args, ctx)) ?? 0;
  } catch (err) {
    code = reportError(err, ctx);
  } finally {
    currentLog = outer;
    logger.flush();
  }
  return interrupted() ? INTERRUPTED_EXIT : code;
}

function reportError(caught: unknown, ctx: CommandContext): number {
  const err = fileSystemError(caught) ?? caught;
  if (err instanceof HornoError) {
    ctx.log.error({ code: err.code }, err.message);
    if (err.hint) ctx.log.info(`hint: ${err.hint}`);
    ctx.summary({ ok: false, code: err.code, error: err.message });
    return err.exitCode;
  }
  ctx.log.error({ err }, 'unexpected error (a bug in horno: please report it with the log)');
  ctx.summary({ ok: false, code: 'E_BUG', error: redactCredentials(String(err)) });
  return 1;
}

let lastResortInstalled = false;
/** The innermost running command's logger: where a crash's stack goes (the compose log, at debug level). */
let currentLog: CommandContext['log'] | undefined;

function installLastResort(): void {
  if (lastResortInstalled) return;
  lastResortInstalled = true;
  let crashing = false;
  const crash = (err: unknown) => {
    if (crashing) return; // a second failure while closing: the first one is being reported
    crashing = true;
    const e = fileSystemError(err) ?? err;
    const what = e instanceof HornoError ? e.message : `unexpected error (a bug in horno): ${String(e)}`;
    // stop what still runs (child process groups, downloads) before the locks go
    cancelAll(e instanceof Error ? e : new Error(String(e)));
    try {
      currentLog?.debug({ err: e }, 'crash');
    } catch {
      // the log file may be what failed
    }
    // loaded already whenever a compose is open; nothing to close otherwise
    const closing = import('./scripts/with-compose.ts').then((m) => m.closeOpenSessions());
    const timeout = new Promise<string[]>((r) => setTimeout(() => r([]), 10_000).unref());
    void Promise.race([closing, timeout])
      .catch(() => [] as string[])
      .then((ids) => {
        const doomed = ids.length ? ` (compose ${ids.join(', ')} marked DOOMED, lock released)` : '';
        // node's own trace would print the error's fields as they are (a URL with its token among them)
        process.stderr.write(`horno: ${redactCredentials(what.split('\n')[0]!)}${doomed}\n`);
      })
      .finally(() => process.exit(1));
  };
  process.on('unhandledRejection', crash);
  process.on('uncaughtException', crash);
}
