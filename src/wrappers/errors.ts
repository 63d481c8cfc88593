// Error classes shared by every layer. Each carries a code, a hint and the exit code the entry point maps it to:
// 0 ok, 1 a required unit failed, 2 bad config or usage. Only src/cli.ts turns them into process exit codes.
// A message never carries URL credentials: they are redacted here, before the stack is taken from it, and an
// error printed whole (node's trace of an uncaught error, console.log) shows its fields (url, argv) redacted too.
import { inspect, type InspectOptions } from 'node:util';
import { redactCredentials } from './log/redact.ts';

export abstract class HornoError extends Error {
  abstract readonly code: string;
  readonly hint?: string;
  abstract readonly exitCode: 1 | 2;
  constructor(message: string, hint?: string) {
    super(redactCredentials(message));
    this.hint = hint === undefined ? undefined : redactCredentials(hint);
    this.name = new.target.name;
  }

  [inspect.custom](_depth: number, options: InspectOptions): string {
    return redactCredentials(inspect(this, { ...options, customInspect: false }));
  }
}

/** Bad input: config, arguments, files the user handed us. Exit 2, and nothing is written. */
export class UsageError extends HornoError {
  readonly code: string = 'E_USAGE';
  readonly exitCode = 2 as const;
}

/** One problem found while validating input: where (file and dotted path) and what. */
export interface Problem {
  file: string;
  path: string;
  message: string;
}

export class ConfigError extends UsageError {
  override readonly code = 'E_CONFIG';
  constructor(readonly problems: Problem[]) {
    super(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in the configuration:\n` +
        problems.map((p) => `  ${p.file}: ${p.path || '(top level)'}: ${p.message}`).join('\n'),
      'fix every line above, then run `horno validate-config` again',
    );
  }
}

/** A required unit of work failed (a tool exited non-zero, a download did not verify). Exit 1. */
export class WorkError extends HornoError {
  readonly code: string = 'E_WORK';
  readonly exitCode = 1 as const;
}

export class CommandFailedError extends WorkError {
  override readonly code = 'E_COMMAND';
  constructor(
    readonly argv: readonly string[],
    readonly exitCode_: number | null,
    readonly signal: NodeJS.Signals | null,
    readonly stderrTail: string,
    readonly logFile: string | undefined,
    readonly timedOut = false,
  ) {
    const how = timedOut ? 'timed out' : signal ? `was killed by ${signal}` : `exited with ${exitCode_}`;
    super(
      `${argv[0]} ${how}` + (stderrTail ? `:\n${indent(stderrTail)}` : ''),
      logFile ? `full output in ${logFile}` : undefined,
    );
  }
}

export class ToolMissingError extends WorkError {
  override readonly code = 'E_TOOL_MISSING';
}

/** The run was cancelled (Ctrl-C, SIGTERM). */
export class InterruptedError extends WorkError {
  override readonly code = 'E_INTERRUPTED';
}

export class LockedError extends WorkError {
  override readonly code = 'E_LOCKED';
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
