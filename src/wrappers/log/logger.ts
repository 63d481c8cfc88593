// The pino logger every command uses: readable lines on the terminal (stderr), JSON lines to the compose's log
// file once a compose is known, secrets redacted in both. --verbose lowers the terminal level to debug; --json
// keeps the terminal quiet (warnings only) so stdout carries nothing but the summary object. Credentials in URLs
// are taken out of every finished line (message, fields and error stacks alike) on its way to either side.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pino, { type Logger, type StreamEntry } from 'pino';
import { redactCredentials } from './redact.ts';
import { terminalLines } from './terminal-lines.ts';

export type { Logger };

/** Keys whose values never reach a log line, at any depth we log at. */
export const REDACT_PATHS = [
  'password',
  'secret',
  'token',
  'secretAccessKey',
  'accessKeyId',
  'sessionToken',
  'authorization',
  'credentials',
  '*.password',
  '*.secret',
  '*.token',
  '*.secretAccessKey',
  '*.accessKeyId',
  '*.sessionToken',
  '*.authorization',
  '*.credentials',
  '*.*.secretAccessKey',
  '*.*.accessKeyId',
  '*.*.password',
  'env.AWS_SECRET_ACCESS_KEY',
  'env.AWS_ACCESS_KEY_ID',
];

export interface LoggerOptions {
  verbose?: boolean;
  json?: boolean;
  /** Where terminal lines go; stderr by default (tests pass a buffer). */
  terminal?: NodeJS.WritableStream;
  colorize?: boolean;
}

export interface HornoLogger {
  log: Logger;
  /** Start writing JSON lines to this file as well (the compose's log). */
  addFile(path: string): void;
  flush(): void;
}

export function createLogger(opts: LoggerOptions = {}): HornoLogger {
  const term = opts.terminal ?? process.stderr;
  const termLevel = opts.json ? 'warn' : opts.verbose ? 'debug' : 'info';
  const colour = opts.colorize ?? ((term as NodeJS.WriteStream).isTTY === true && !process.env.NO_COLOR);
  const streams: StreamEntry[] = [{ level: termLevel, stream: redacting(terminalLines(term, colour)) }];
  const multi = pino.multistream(streams);
  const log = pino({ level: 'debug', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, multi);
  const files = new Set<string>();
  return {
    log,
    addFile(path) {
      if (files.has(path)) return;
      files.add(path);
      mkdirSync(dirname(path), { recursive: true });
      multi.add({ level: 'debug', stream: redacting(guardedFile(path, log)) });
    },
    flush() {
      log.flush?.();
    },
  };
}

interface Destination {
  write(line: string): unknown;
  flushSync?(): void;
  end?(): void;
}

/** A destination that gets each line with URL credentials redacted. The key paths above cover fields we name;
 * this covers what we cannot name: a URL inside a message, an error's stack, a field of a thrown error. */
function redacting(dest: Destination): Destination {
  return {
    write: (line) => dest.write(redactCredentials(line)),
    ...(dest.flushSync ? { flushSync: () => dest.flushSync!() } : {}),
    ...(dest.end ? { end: () => dest.end!() } : {}),
  };
}

/**
 * A JSON-lines file destination that survives its disk filling up. sonic-boom in sync mode emits 'error' from
 * inside the write, so with no listener every log call would throw (ENOSPC out of a log.info() in the middle of
 * a unit). The first error is said once on the terminal and the file is given up; the terminal goes on.
 */
function guardedFile(path: string, log: Logger): { write(line: string): void } {
  const dest = pino.destination({ dest: path, sync: true, append: true });
  let failed = false;
  dest.on('error', (err: NodeJS.ErrnoException) => {
    if (failed) return;
    failed = true;
    // after the current write returns: logging from inside pino's own write would recurse into this stream
    queueMicrotask(() => log.warn({ file: path, errno: err.code }, 'log file is no longer written'));
  });
  return {
    write(line) {
      if (!failed) dest.write(line);
    },
  };
}
