// The registry's conformance: every step once, in pipeline order, each a complete descriptor, and no step reaching
// into another step's folder (shared rules live under iso/, metadata/, compose/, config/).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PHASE_ALIASES, STEPS } from './index.ts';

const HERE = new URL('.', import.meta.url).pathname;

describe('the step registry', () => {
  it('lists each step once, in pipeline order, each a complete descriptor', () => {
    expect(STEPS.map((s) => s.name)).toEqual([
      'sync-repos',
      'repoclosure',
      'build-iso',
      'pull-unpack-tree',
      'build-iso-extra',
      'finalize-media',
      'finalize-metadata',
    ]);
    for (const s of STEPS) {
      expect(Number.isInteger(s.version) && s.version > 0, s.name).toBe(true);
      expect(['arch', 'compose'], s.name).toContain(s.scope);
      expect(s.title.length, s.name).toBeGreaterThan(10);
      for (const fn of ['validate', 'units', 'run', 'pool', 'describe'] as const)
        expect(typeof s[fn], `${s.name}.${fn}`).toBe('function');
    }
    // the per-arch chain: boot tree, its unpacking and the discs made from it
    expect(STEPS.filter((s) => s.scope === 'arch').map((s) => s.name)).toEqual([
      'build-iso',
      'pull-unpack-tree',
      'build-iso-extra',
    ]);
    // only the last phase closes the compose
    expect(STEPS.filter((s) => s.close).map((s) => s.name)).toEqual(['finalize-metadata']);
    for (const steps of Object.values(PHASE_ALIASES))
      for (const n of steps) expect(STEPS.map((s) => s.name)).toContain(n);
  });

  it('no step imports another step', async () => {
    const folders = (await readdir(HERE, { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    for (const folder of folders) {
      for (const f of await readdir(join(HERE, folder), { recursive: true })) {
        if (!f.endsWith('.ts')) continue;
        const text = await readFile(join(HERE, folder, f), 'utf8');
        for (const other of folders.filter((o) => o !== folder))
          expect(text, `${folder}/${f} imports ${other}`).not.toMatch(new RegExp(`from '[./]*/${other}/`));
      }
    }
  });
});
