// The shape of one command: a name, its options (yargs), and a run function that calls steps. Commands hold no
// logic of their own; they map arguments to a step call and return an exit code.
import type { Argv } from 'yargs';
import type { HornoLogger, Logger } from '../wrappers/log/logger.ts';

export interface GlobalArgs {
  verbose: boolean;
  json: boolean;
  site?: string;
  configDir?: string;
}

export interface CommandContext {
  log: Logger;
  logger: HornoLogger;
  /** Print the machine-readable summary (stdout, with --json) or nothing. */
  summary(obj: unknown): void;
  /** Print plain output meant for the user (stdout). */
  print(text: string): void;
}

/** A command module's default export; its name and one-line description live in the table (index.ts). */
export interface Command<A = Record<string, unknown>> {
  options?: (y: Argv<GlobalArgs>) => Argv<GlobalArgs & A>;
  run(args: GlobalArgs & A, ctx: CommandContext): Promise<number | undefined>;
}

export function defineCommand<A>(c: Command<A>): Command<A> {
  return c;
}

/** Common option: the release config key (file name under config/releases without .yaml). */
export function releaseOption<T>(y: Argv<T>) {
  return y.option('release', {
    type: 'string',
    demandOption: true,
    describe: 'release to work on (config/releases/<release>.yaml)',
  });
}
