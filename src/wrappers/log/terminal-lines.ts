// The terminal side of the logger: turns pino's JSON lines into one readable line each,
// `[HH:MM:ss] LEVEL: message {"other":"fields"}`, coloured by level on a TTY. An `err` field is printed as its
// stack on the lines below. Written here rather than with pino-pretty, whose loading alone cost every command
// about 30 ms of start-up.

const LEVELS: Record<number, { name: string; colour: string }> = {
  10: { name: 'TRACE', colour: '90' },
  20: { name: 'DEBUG', colour: '34' },
  30: { name: 'INFO', colour: '32' },
  40: { name: 'WARN', colour: '33' },
  50: { name: 'ERROR', colour: '31' },
  60: { name: 'FATAL', colour: '35' },
};
/** pino's own fields, shown in the prefix or not at all. */
const OWN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'err']);

export interface LineSink {
  write(text: string): unknown;
}

/** A pino destination writing readable lines to `out` (synchronously, in order). */
export function terminalLines(out: LineSink, colour: boolean): { write(line: string): void } {
  const paint = (code: string, s: string) => (colour ? `\x1b[${code}m${s}\x1b[0m` : s);
  return {
    write(line: string) {
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(line) as Record<string, unknown>;
      } catch {
        out.write(line);
        return;
      }
      const level = LEVELS[rec.level as number] ?? { name: String(rec.level), colour: '0' };
      const extra = Object.fromEntries(Object.entries(rec).filter(([k]) => !OWN.has(k)));
      const fields = Object.keys(extra).length ? ` ${paint('90', JSON.stringify(extra))}` : '';
      let text = `[${clock(rec.time)}] ${paint(level.colour, `${level.name}:`)} ${String(rec.msg ?? '')}${fields}\n`;
      const err = rec.err as { stack?: string; message?: string } | undefined;
      if (err) text += `${indent(err.stack ?? err.message ?? JSON.stringify(err))}\n`;
      out.write(text);
    },
  };
}

function clock(time: unknown): string {
  const d = typeof time === 'number' ? new Date(time) : new Date();
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

const indent = (s: string) =>
  s
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
