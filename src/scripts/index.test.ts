import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { COMPOSE_PIPELINE } from '../wrappers/steps/pipeline.ts';
import { commands, entriesFor } from './index.ts';

describe('the command table', () => {
  it('lists every command once, in pipeline order, each loading the module of that name', async () => {
    const names = commands.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const c of commands) expect((await c.load()).name.split(' ')[0]).toBe(c.name);
    const pipeline = COMPOSE_PIPELINE.map((p) => p.command);
    expect(pipeline.every((p) => names.includes(p))).toBe(true);
    expect(names.filter((n) => pipeline.includes(n))).toEqual(pipeline);
  });

  it('has an npm script per command that runs it through the one binary', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
      scripts: Record<string, string>;
      bin: Record<string, string>;
    };
    expect(pkg.bin.horno).toBe('bin/horno.js');
    for (const c of commands) expect(pkg.scripts[c.name], c.name).toBe(`node bin/horno.js ${c.name}`);
  });

  it('loads only the named command, or all of them when none is named', () => {
    expect(entriesFor(['sync-repos', '--release', '9']).map((c) => c.name)).toEqual(['sync-repos']);
    expect(entriesFor(['--help'])).toBe(commands);
  });
});
