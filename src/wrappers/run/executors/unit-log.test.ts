import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { quoteForLog, UnitLog } from './unit-log.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('UnitLog', () => {
  it('keeps tool output in file and tail, our notes in the file only, each on its own line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'horno-unitlog-'));
    dirs.push(dir);
    const file = join(dir, 'sub', 'u.log');
    const log = await UnitLog.open(file);
    log.note('$ tool');
    log.output.write('partial line without newline');
    log.note('# exit=0');
    for (let i = 1; i <= 50; i++) log.output.write(`line ${i}\n`);
    await log.close();
    log.output.write('late output after the run\n'); // ignored, not a crash
    log.note('# late note');
    const text = await readFile(file, 'utf8');
    expect(text.startsWith('$ tool\npartial line without newline\n# exit=0\nline 1\n')).toBe(true);
    expect(text.endsWith('line 50\n')).toBe(true);
    const tail = log.tail().split('\n');
    expect(tail).toHaveLength(40);
    expect(tail[0]).toBe('line 11');
    expect(tail.at(-1)).toBe('line 50');
    expect(log.tail()).not.toContain('# exit=0');
  });

  it('quotes argv for the log like a shell would read it', () => {
    expect(['lorax', '--volid', 'Rocky-9', 'a b', "it's", '$X'].map(quoteForLog).join(' ')).toBe(
      "lorax --volid Rocky-9 'a b' 'it'\\''s' '$X'",
    );
  });
});
