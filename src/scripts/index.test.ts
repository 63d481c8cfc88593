import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { PHASE_ALIASES, STEPS } from '../wrappers/steps/index.ts';
import { commands, entryFor } from './index.ts';

describe('the command table', () => {
  it('lists every command once, in pipeline order, each loading a command module', async () => {
    const names = commands.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const c of commands) expect(typeof (await c.load()).run, c.name).toBe('function');
    // a step is its own command, or one phase of a command that runs several (finalize-compose)
    const commandOf = (step: string) =>
      Object.entries(PHASE_ALIASES).find(([, steps]) => steps.includes(step))?.[0] ?? step;
    const pipeline = [...new Set(STEPS.map((s) => commandOf(s.name)))];
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

  it('loads only the named command, and none when none is named', () => {
    expect(entryFor(['sync-repos', '--release', '9'])?.name).toBe('sync-repos');
    expect(entryFor(['iso-ks', 'load', 'x.iso'])?.usage).toBe('iso-ks <action> <iso>');
    expect(entryFor(['--help'])).toBeUndefined();
    // an option's value that names another command (README: `horno compose --skip build-iso`)
    expect(entryFor(['compose', '--release', '9', '--skip', 'build-iso'])?.name).toBe('compose');
    expect(entryFor(['--site', 'build-iso', 'compose', '--skip', 'sync-repos'])?.name).toBe('compose');
    expect(entryFor(['-v', '--config-dir=c', 'sync-repos'])?.name).toBe('sync-repos');
    expect(entryFor(['--release', '9', 'sync-repos'])?.name).toBe('sync-repos');
  });
});
