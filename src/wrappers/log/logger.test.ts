import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';
import { terminalLines } from './terminal-lines.ts';

function capture() {
  const terminal = new PassThrough();
  let text = '';
  terminal.on('data', (c: Buffer) => (text += c.toString()));
  return { terminal, text: () => text };
}

describe('logger', () => {
  it('gives up a log file that stops taking writes (ENOSPC) once, saying so, and keeps logging to the terminal', async () => {
    const t = capture();
    const { log, addFile } = createLogger({ terminal: t.terminal, colorize: false });
    addFile('/dev/full'); // opens fine, refuses every write
    expect(() => {
      for (let i = 0; i < 5; i++) log.info({ i }, `line ${i}`);
    }).not.toThrow();
    await new Promise((r) => setImmediate(r));
    log.info('after');
    expect(t.text().match(/log file is no longer written/g)).toHaveLength(1);
    expect(t.text()).toMatch(/"errno":"ENOSPC"/);
    expect(t.text()).toMatch(/line 4[\s\S]*after/);
  });

  it('writes readable lines to the terminal and JSON to the compose log, secrets redacted in both', async () => {
    const t = capture();
    const dir = await mkdtemp(join(tmpdir(), 'horno-log-'));
    const file = join(dir, 'logs', 'horno.log');
    const { log, addFile, flush } = createLogger({ terminal: t.terminal, colorize: false });
    addFile(file);
    log.info(
      { step: 'sync-repos', s3: { secretAccessKey: 'SEKRET', bucket: 'b' }, token: 'T0K' },
      'unit done',
    );
    log.debug({ detail: 1 }, 'only in the file');
    flush();
    expect(t.text()).toMatch(/INFO.*unit done/);
    expect(t.text()).not.toContain('only in the file');
    const lines = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ msg: 'unit done', step: 'sync-repos', s3: { bucket: 'b' } });
    expect(lines[0].s3.secretAccessKey).toBe('[redacted]');
    expect(lines[0].token).toBe('[redacted]');
    expect(lines[1]).toMatchObject({ msg: 'only in the file', level: 20 });
    expect(t.text() + JSON.stringify(lines)).not.toMatch(/SEKRET|T0K/);
  });

  it('takes URL credentials out of messages, fields and error stacks, on the terminal and in the file', async () => {
    const t = capture();
    const dir = await mkdtemp(join(tmpdir(), 'horno-log-'));
    const file = join(dir, 'horno.log');
    const { log, addFile, flush } = createLogger({ terminal: t.terminal, colorize: false });
    addFile(file);
    const url = 'http://horno:T0P-SECRET@127.0.0.1:9/BaseOS/x86_64/os/';
    const err = Object.assign(new Error(`${url}repodata/repomd.xml: HTTP 401`), { url });
    log.error({ unit: 'BaseOS-x86_64-os', url, err }, `unit failed: ${err.message}`);
    flush();
    const written = `${t.text()}\n${await readFile(file, 'utf8')}`;
    expect(written).not.toContain('T0P-SECRET');
    expect(t.text()).toContain(
      'unit failed: http://horno:***@127.0.0.1:9/BaseOS/x86_64/os/repodata/repomd.xml',
    );
    expect(t.text()).toMatch(/ {4}Error: http:\/\/horno:\*\*\*@127/);
    const rec = JSON.parse((await readFile(file, 'utf8')).trim()) as { url: string; err: { url: string } };
    expect(rec.url).toBe('http://horno:***@127.0.0.1:9/BaseOS/x86_64/os/');
    expect(rec.err.url).toBe(rec.url);
  });

  it('shows debug lines with verbose and only warnings with json', () => {
    const v = capture();
    createLogger({ terminal: v.terminal, verbose: true, colorize: false }).log.debug('dbg');
    expect(v.text()).toContain('dbg');
    const j = capture();
    const { log } = createLogger({ terminal: j.terminal, json: true, colorize: false });
    log.info('quiet');
    log.warn('loud');
    expect(j.text()).not.toContain('quiet');
    expect(j.text()).toContain('loud');
  });
});

describe('terminal lines', () => {
  const lineOf = (rec: object, colour = false) => {
    let out = '';
    terminalLines({ write: (s: string) => (out += s) }, colour).write(JSON.stringify(rec));
    return out;
  };
  const time = new Date(2026, 10, 22, 7, 5, 9).getTime();

  it('prints time, level, message and the other fields, without pino bookkeeping', () => {
    expect(lineOf({ level: 40, time, pid: 1, hostname: 'h', msg: 'slow mirror', unit: 'BaseOS' })).toBe(
      '[07:05:09] WARN: slow mirror {"unit":"BaseOS"}\n',
    );
    expect(lineOf({ level: 30, time, msg: 'done' })).toBe('[07:05:09] INFO: done\n');
  });

  it('prints an error stack indented below its line', () => {
    const text = lineOf({ level: 50, time, msg: 'bug', err: { message: 'x', stack: 'Error: x\n    at f' } });
    expect(text).toBe('[07:05:09] ERROR: bug\n    Error: x\n        at f\n');
  });

  it('colours the level on a terminal only', () => {
    expect(lineOf({ level: 50, time, msg: 'm' }, true)).toBe('[07:05:09] \x1b[31mERROR:\x1b[0m m\n');
  });
});
