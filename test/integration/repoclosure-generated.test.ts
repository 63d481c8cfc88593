// Our native repoclosure against the real `dnf repoclosure` at volume: seeded random repos of thousands of
// packages (test/fixtures/random-primary.ts) full of versioned, file, pre and rich requirements, a third or so of
// them broken, checked alone and as AppStream over a BaseOS lookaside, all versions and --newest. The two
// sets of (package, repo, unresolved dep) must be equal, and so must the package order.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRepo, repoclosure } from '../../src/wrappers/rpmmd/index.ts';
import { createDnfSandbox, type DnfSandbox, dnfProblemKeys, ourProblemKeys } from '../helpers/dnf.ts';
import { type RandomRepo, writeRandomRepo } from '../fixtures/random-primary.ts';

let work: string;
let sandbox: DnfSandbox;
let base: RandomRepo;
let app: RandomRepo;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'horno-repoclosure-gen-'));
  sandbox = await createDnfSandbox({ parent: work });
  base = await writeRandomRepo(join(work, 'BaseOS'), { packages: 3000, seed: 9, prefix: 'b' });
  app = await writeRandomRepo(join(work, 'AppStream'), {
    packages: 2000,
    seed: 42,
    prefix: 'a',
    lookaside: base.names,
  });
});
afterAll(async () => {
  await sandbox?.cleanup();
  await rm(work, { recursive: true, force: true });
});

describe('repoclosure vs dnf on generated repos of thousands of packages', () => {
  it.each([{ newest: false }, { newest: true }])(
    'BaseOS alone and AppStream over BaseOS agree with dnf (newest=$newest)',
    async ({ newest }) => {
      const baseRepo = await loadRepo('BaseOS', base.dir);
      const appRepo = await loadRepo('AppStream', app.dir);
      expect(baseRepo.packages.length).toBe(base.packages);
      for (const [check, lookaside] of [
        [[baseRepo], []],
        [[appRepo], [baseRepo]],
      ] as const) {
        const repos = [...check, ...lookaside].map((r) => ({ id: r.id, url: r.baseUrl }));
        const dnf = await sandbox.repoclosure({
          arch: 'x86_64',
          repos,
          check: check.map((r) => r.id),
          newest,
        });
        const ours = await repoclosure({
          check: [...check],
          lookaside: [...lookaside],
          arch: 'x86_64',
          newest,
        });
        expect(ourProblemKeys(ours)).toEqual(dnfProblemKeys(dnf));
        expect(ours.map((p) => p.package)).toEqual(dnf.map((p) => p.package));
        // a repo where nothing (or everything) breaks would prove little
        expect(dnf.length).toBeGreaterThan(check[0]!.packages.length / 20);
        expect(dnf.length).toBeLessThan(check[0]!.packages.length / 2);
      }
    },
  );
});
