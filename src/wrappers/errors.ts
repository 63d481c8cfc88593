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

/**
 * A file system call failed for a reason of the host's, not of the input: a full disk, a quota, a read-only mount,
 * permissions, I/O. It says which path, since node's own message ("ENOSPC: no space left on device, write") does
 * not, and it is fatal to the whole step: every other unit writes to the same disks.
 */
export class FileSystemError extends WorkError {
  override readonly code: string;
  constructor(
    code: string,
    readonly path: string,
    readonly errno: string,
    message: string,
    hint?: string,
  ) {
    super(message, hint);
    this.code = code;
  }
}

const ERRNO: Record<string, { code: string; say: (path: string) => string; hint: string }> = {
  ENOSPC: {
    code: 'E_NO_SPACE',
    say: (p) => `no space left on ${p}`,
    hint: 'free space there (or point compose_root elsewhere), then rerun with --resume',
  },
  EDQUOT: {
    code: 'E_NO_SPACE',
    say: (p) => `no space left on ${p} (disk quota exceeded)`,
    hint: 'free space there (or raise the quota), then rerun with --resume',
  },
  EROFS: { code: 'E_READ_ONLY', say: (p) => `read-only file system: ${p}`, hint: 'mount it read-write' },
  EACCES: { code: 'E_PERMISSION', say: (p) => `permission denied: ${p}`, hint: 'check owner and mode' },
  EPERM: { code: 'E_PERMISSION', say: (p) => `operation not permitted: ${p}`, hint: 'check owner and mode' },
  EIO: { code: 'E_IO', say: (p) => `I/O error on ${p}`, hint: 'check the disk (dmesg)' },
  EMFILE: { code: 'E_TOO_MANY_FILES', say: (p) => `too many open files (at ${p})`, hint: 'raise ulimit -n' },
  ENFILE: { code: 'E_TOO_MANY_FILES', say: (p) => `too many open files (at ${p})`, hint: 'raise ulimit -n' },
};

/**
 * The readable error for a node errno error (fs calls, streams), or undefined when `err` is not one we map.
 * `where` stands in for the path when node gives none (write(2) errors never carry one).
 */
export function fileSystemError(err: unknown, where?: string): FileSystemError | undefined {
  if (err instanceof FileSystemError) return err;
  if (err instanceof HornoError || !(err instanceof Error)) return undefined;
  const e = err as NodeJS.ErrnoException & { dest?: string };
  const known = e.code ? ERRNO[e.code] : undefined;
  if (!known) return undefined;
  const path = e.path ?? e.dest ?? where ?? 'an unknown path';
  return new FileSystemError(known.code, path, e.code!, known.say(path), known.hint);
}

/** A tool said "No space left on device": the same error as our own ENOSPC, on the path it named if any. */
export function noSpaceInOutput(text: string, where: string): FileSystemError | undefined {
  const line = text.split('\n').find((l) => /no space left on device/i.test(l));
  if (!line) return undefined;
  const named =
    /['"\u2018\u201c](\/[^'"\u2019\u201d]+)['"\u2019\u201d]/.exec(line)?.[1] ??
    /(\/[^\s:'"]+)/.exec(line)?.[1];
  const err = Object.assign(new Error(line.trim()), { code: 'ENOSPC', path: named ?? where });
  return fileSystemError(err);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

/** Problems the steps of a run found before any work: every one at once, as config validation reports. */
export class ProblemsError extends UsageError {
  override readonly code = 'E_INVALID';
  constructor(readonly problems: { phase: string; message: string; hint?: string }[]) {
    super(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} found before any work:\n` +
        problems.map((p) => `  ${p.phase}: ${p.message}${p.hint ? `\n    (${p.hint})` : ''}`).join('\n'),
    );
  }
}
