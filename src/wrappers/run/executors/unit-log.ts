// A unit's log file as executors write it: the tool's output (container attach, pod logs) streamed in and also
// kept as a short tail for the CommandFailedError, and our own "$ argv" / "# ..." lines, which go to the file only.
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import { LineRedactor, redactCredentials } from '../../log/redact.ts';

const TAIL_LINES = 40;
const TAIL_BYTES = 16 * 1024;

export class UnitLog {
  private tailText = '';
  /** Whether the file's last byte is a newline (or the file is new): our lines must start on their own. */
  private atLineStart = true;
  private closed = false;
  private readonly redactor = new LineRedactor();
  /** Where the tool's output goes (e.g. both sides of dockerode's demuxStream). */
  readonly output: Writable;

  private constructor(private readonly file: WriteStream) {
    // a full disk must not crash the process from an unhandled 'error' event: the run's own outcome still counts
    file.on('error', () => {});
    this.output = new Writable({
      write: (chunk: Buffer, _enc, done) => {
        // a stream that outlived the run (attach not ended in time) must not write into a closed file
        if (this.closed) return done();
        this.tailText = (this.tailText + chunk.toString('utf8')).slice(-TAIL_BYTES);
        // the file stream buffers on its own; waiting on it here would stall the demuxer (it ignores backpressure)
        const text = this.redactor.push(chunk); // the tool echoes URLs it was given, credentials and all
        this.file.write(text, () => {});
        if (text.length) this.atLineStart = text[text.length - 1] === 0x0a;
        done();
      },
    });
  }

  static async open(path: string): Promise<UnitLog> {
    await mkdir(dirname(path), { recursive: true });
    return new UnitLog(createWriteStream(path, { flags: 'a' }));
  }

  /** One of our own lines (a command header, an exit line): in the file, not in the tail. */
  note(line: string): void {
    if (this.closed) return;
    const held = this.redactor.end(); // the tool's last line without its newline goes first
    if (held.length) {
      this.file.write(held);
      this.atLineStart = held[held.length - 1] === 0x0a;
    }
    // our lines show argv and URLs, which may hold credentials: the file gets them redacted
    this.file.write(`${this.atLineStart ? '' : '\n'}${redactCredentials(line)}\n`);
    this.atLineStart = true;
  }

  tail(): string {
    return this.tailText.trimEnd().split('\n').slice(-TAIL_LINES).join('\n');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const held = this.redactor.end();
    if (held.length) this.file.write(held);
    await new Promise<void>((r) => this.file.end(r));
  }
}

export function quoteForLog(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`;
}
