// The one place that spawns processes. argv arrays only (shell: false), an environment allow-list, output streamed
// to the unit's log file, a timeout and cancellation that kill the whole process group, and a CommandFailedError
// carrying the argv, exit code and stderr tail. A log file that cannot be written (full disk) kills the command
// and fails the run with a readable FileSystemError instead of crashing node.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import {
  CommandFailedError,
  fileSystemError,
  InterruptedError,
  noSpaceInOutput,
  ToolMissingError,
} from '../errors.ts';
import { LineRedactor, redactCredentials } from '../log/redact.ts';
import { linkedSignal } from './cancel.ts';

/** Variables passed through from our own environment; everything else must be given explicitly. */
export const ENV_ALLOW = [
  'PATH',
  'HOME',
  'LANG',
  'LC_ALL',
  'TZ',
  'TMPDIR',
  'SOURCE_DATE_EPOCH',
  'USER',
] as const;

export interface RunOptions {
  cwd?: string;
  /** Added to (and overriding) the allow-listed environment. */
  env?: Record<string, string | undefined>;
  /** stdout and stderr are appended here as they come. */
  logFile?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Keep the whole stdout in the result (for tools whose output we parse). */
  captureStdout?: boolean;
  input?: string | Buffer;
  /** Exit codes that count as success; default [0]. */
  okExitCodes?: readonly number[];
  /** Time between SIGTERM and SIGKILL when killing. */
  killGraceMs?: number;
}

export interface RunResult {
  exitCode: number;
  durationMs: number;
  stdout: string;
  stderrTail: string;
}

const TAIL_LINES = 40;
const TAIL_BYTES = 16 * 1024;

export function buildEnv(extra: RunOptions['env'] = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of ENV_ALLOW) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Keeps the last bytes of a stream, for error messages. */
class Tail {
  private buf = '';
  push(chunk: Buffer): void {
    this.buf = (this.buf + chunk.toString('utf8')).slice(-TAIL_BYTES);
  }
  lines(): string {
    return this.buf.trimEnd().split('\n').slice(-TAIL_LINES).join('\n');
  }
}

/**
 * The unit's log file. A write that fails (a full disk, most often) must neither crash the process from an
 * unhandled 'error' event nor go unnoticed: the first error is kept, `onError` runs once (the caller kills the
 * command, which could not be logged any more), and later writes are dropped.
 */
class LogFile {
  error: Error | undefined;
  private constructor(
    private readonly path: string,
    private readonly out: WriteStream,
    onError: () => void,
  ) {
    out.on('error', (err) => {
      if (this.error) return;
      this.error = fileSystemError(err, path) ?? err;
      onError();
    });
  }

  static open(path: string | undefined, onError: () => void): LogFile | undefined {
    if (!path) return undefined;
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (err) {
      throw fileSystemError(err, path) ?? err;
    }
    return new LogFile(path, createWriteStream(path, { flags: 'a' }), onError);
  }

  write(chunk: string | Buffer): void {
    if (!this.error && !this.out.destroyed) this.out.write(chunk);
  }

  /** Ends the file; resolves once it is closed (or failed), never hangs on a stream that errored. */
  close(): Promise<void> {
    if (this.out.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.out.once('close', resolve);
      if (this.error || this.out.destroyed) this.out.destroy();
      else this.out.end();
    });
  }
}

const NL = Buffer.from('\n');

export async function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  if (argv.length === 0 || !argv[0]) throw new TypeError('run: empty argv');
  const signal = linkedSignal(opts.signal);
  if (signal.aborted) throw new InterruptedError(`not started, run interrupted: ${argv[0]}`);
  const started = performance.now();
  let killOnLogError = () => {};
  const log = LogFile.open(opts.logFile, () => killOnLogError());
  // the argv may hold a URL with credentials (lorax -s http://user:TOKEN@...): the log file gets it redacted
  log?.write(redactCredentials(`$ ${argv.map(quoteForLog).join(' ')}\n`));
  const child = spawn(argv[0], argv.slice(1), {
    cwd: opts.cwd,
    env: buildEnv(opts.env),
    shell: false,
    detached: true, // own process group, so a kill reaches grandchildren too
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  const errTail = new Tail();
  const outTail = new Tail();
  const outChunks: Buffer[] = [];
  // each stream on its own: a line of stdout and one of stderr must not be joined into one URL
  const outLog = new LineRedactor();
  const errLog = new LineRedactor();
  child.stdout!.on('data', (c: Buffer) => {
    log?.write(outLog.push(c));
    outTail.push(c);
    if (opts.captureStdout) outChunks.push(c);
  });
  child.stderr!.on('data', (c: Buffer) => {
    log?.write(errLog.push(c));
    errTail.push(c);
  });
  if (opts.input !== undefined) child.stdin!.end(opts.input);

  let timedOut = false;
  const { kill, cancel: cancelKill } = groupKiller(child, opts.killGraceMs);
  killOnLogError = kill;
  const timer =
    opts.timeoutMs !== undefined
      ? setTimeout(() => {
          timedOut = true;
          kill();
        }, opts.timeoutMs)
      : undefined;
  signal.addEventListener('abort', kill, { once: true });

  const [code, sig] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'ENOENT'
          ? new ToolMissingError(
              `${argv[0]}: command not found`,
              'run bin/setup to install the tools horno uses',
            )
          : err,
      ),
    );
    child.once('close', (c, s) => resolve([c, s]));
  }).finally(() => {
    if (timer) clearTimeout(timer);
    cancelKill();
    signal.removeEventListener('abort', kill);
  });
  const durationMs = Math.round(performance.now() - started);
  for (const rest of [outLog.end(), errLog.end()]) if (rest.length) log?.write(Buffer.concat([rest, NL]));
  log?.write(`# exit=${code ?? sig} ms=${durationMs}\n`);
  await log?.close();

  const stderrTail = errTail.lines() || outTail.lines();
  if (signal.aborted && !timedOut) throw new InterruptedError(`${argv[0]} interrupted`);
  // a log we could not write is the failure (the command was killed for it), whatever the exit code says
  if (log?.error) throw log.error;
  const ok = opts.okExitCodes ?? [0];
  if (code === null || !ok.includes(code)) {
    // a tool that ran out of space says so in its own words: the same readable error as ours
    throw (
      noSpaceInOutput(stderrTail, opts.cwd ?? (opts.logFile ? dirname(opts.logFile) : argv[0])) ??
      new CommandFailedError(argv, code, sig, stderrTail, opts.logFile, timedOut)
    );
  }
  return { exitCode: code, durationMs, stdout: Buffer.concat(outChunks).toString('utf8'), stderrTail };
}

/** SIGTERM to the child's process group now, SIGKILL after a grace period unless it exited by then. */
function groupKiller(child: ChildProcess, graceMs = 3000): { kill(): void; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  return {
    kill() {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      killGroup(child.pid, 'SIGTERM');
      timer = setTimeout(() => killGroup(child.pid!, 'SIGKILL'), graceMs);
      timer.unref();
    },
    cancel() {
      if (timer) clearTimeout(timer);
    },
  };
}

function killGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // already gone
  }
}

function quoteForLog(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`;
}

export interface StreamOptions {
  cwd?: string;
  env?: RunOptions['env'];
  signal?: AbortSignal;
  /** Piped into the child's stdin; an error in it kills the child and surfaces on `stdout`. */
  stdin?: Readable;
  killGraceMs?: number;
}

export interface StreamHandle {
  /** The child's stdout, to be consumed by the caller (decompressors, tar). */
  stdout: Readable;
  /** Resolves when the child exited 0; rejects with CommandFailedError (stderr tail) or InterruptedError. */
  done: Promise<void>;
}

/**
 * Like run(), but hands the child's stdout to the caller as a stream instead of a log file: for filters such as
 * `xz -dc` whose output we parse as it comes. Same rules: argv only, allow-listed env, own process group killed
 * on abort, and killed too when the caller stops reading early.
 */
export function spawnStream(argv: readonly string[], opts: StreamOptions = {}): StreamHandle {
  if (argv.length === 0 || !argv[0]) throw new TypeError('spawnStream: empty argv');
  const signal = linkedSignal(opts.signal);
  if (signal.aborted) throw new InterruptedError(`not started, run interrupted: ${argv[0]}`);
  const child = spawn(argv[0], argv.slice(1), {
    cwd: opts.cwd,
    env: buildEnv(opts.env),
    shell: false,
    detached: true,
    stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  const errTail = new Tail();
  child.stderr!.on('data', (c: Buffer) => errTail.push(c));
  const { kill, cancel: cancelKill } = groupKiller(child, opts.killGraceMs);
  signal.addEventListener('abort', kill, { once: true });
  const stdout = child.stdout!;
  let inputError: Error | undefined;
  if (opts.stdin) {
    const input = opts.stdin;
    const sink = child.stdin!;
    sink.on('error', () => {}); // EPIPE when the child exits first; its exit status tells the story
    input.on('error', (err) => {
      inputError = err;
      kill();
      stdout.destroy(err);
    });
    input.pipe(sink);
  }
  let exited = false;
  // a reader that stops early (break out of for-await) destroys stdout: the child has no one left to write to
  stdout.once('close', () => {
    if (!exited && !stdout.readableEnded) kill();
  });

  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      const e =
        err.code === 'ENOENT'
          ? new ToolMissingError(
              `${argv[0]}: command not found`,
              'run bin/setup to install the tools horno uses',
            )
          : err;
      stdout.destroy(e);
      reject(e);
    });
    child.once('close', (code, sig) => {
      exited = true;
      cancelKill();
      signal.removeEventListener('abort', kill);
      if (inputError) reject(inputError);
      else if (signal.aborted) reject(new InterruptedError(`${argv[0]} interrupted`));
      else if (code !== 0) reject(new CommandFailedError(argv, code, sig, errTail.lines(), undefined));
      else resolve();
    });
  });
  done.catch(() => {}); // callers that only read stdout must not crash the process with an unhandled rejection
  return { stdout, done };
}
