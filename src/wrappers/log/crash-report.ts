// The last word of a process that crashed (an error nobody caught, a promise nobody awaited): one fatal log line
// with the error's stack, through the logger, so it is redacted like every other line (node's own trace prints
// an error's fields as they are, a URL with its token among them) and lands in the compose's horno.log too.
import { inspect } from 'node:util';
import type { HornoLogger } from './logger.ts';
import { redactCredentials } from './redact.ts';

let current: HornoLogger | undefined;
let installed = false;

/** Report crashes through this logger from now on (the latest command's: compose runs its phases in-process). */
export function reportCrashesTo(logger: HornoLogger): void {
  current = logger;
}

/** Take over node's report of an uncaught error or rejection; only the process's own entry point does this. */
export function installCrashReport(): void {
  if (installed) return;
  installed = true;
  const crash = (err: unknown) => {
    try {
      if (current)
        current.log.fatal(
          { err },
          `horno crashed (a bug in horno: please report it with the log): ${String(err)}`,
        );
      // before any command set up its logger: no log yet, but the text is still redacted
      else process.stderr.write(`horno crashed: ${redactCredentials(inspect(err))}\n`);
      current?.flush();
    } finally {
      // as node itself ends on an uncaught error: nothing after this point can be trusted to finish
      process.exit(1);
    }
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
}
