// Our native repoclosure against the real `dnf repoclosure` on the fixture distro, the Rocky-9-shaped compose
// every integration test shares: BaseOS alone, AppStream over BaseOS and CRB over AppStream+BaseOS, on x86_64
// and aarch64, with and without --newest, compared as sets of (package, repo, unresolved dep).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoadedRepo, loadRepo, repoclosure } from '../../src/wrappers/rpmmd/index.ts';
import { ensureFixtureDistro, FIXTURE_BROKEN_DEP, type FixtureDistro } from '../fixtures/distro.ts';
import { createDnfSandbox, type DnfSandbox, dnfProblemKeys, ourProblemKeys } from '../helpers/dnf.ts';

let distro: FixtureDistro;
let sandbox: DnfSandbox;
beforeAll(async () => {
  distro = await ensureFixtureDistro();
  sandbox = await createDnfSandbox();
});
afterAll(async () => {
  await sandbox?.cleanup();
});

describe('repoclosure vs dnf on the fixture distro', () => {
  it.each(['x86_64', 'aarch64'])(
    'BaseOS, AppStream+BaseOS, CRB+AppStream+BaseOS agree with dnf (%s)',
    async (arch) => {
      const load = (id: string) => loadRepo(id, join(distro.upstream, id, arch, 'os'));
      const [base, app, crb] = await Promise.all(['BaseOS', 'AppStream', 'CRB'].map(load));
      const seen: string[] = [];
      for (const newest of [false, true]) {
        for (const [check, lookaside] of [
          [[base!], []],
          [[app!], [base!]],
          [[crb!], [app!, base!]],
        ] as [LoadedRepo[], LoadedRepo[]][]) {
          const repos = [...check, ...lookaside].map((r) => ({
            id: r.id,
            url: r.baseUrl,
          }));
          const dnf = await sandbox.repoclosure({
            arch,
            repos,
            check: check.map((r) => r.id),
            newest,
          });
          const ours = await repoclosure({ check, lookaside, arch, newest });
          expect(ourProblemKeys(ours), `${check[0]!.id} newest=${newest}`).toEqual(dnfProblemKeys(dnf));
          seen.push(...ourProblemKeys(ours));
        }
      }
      // the fixture plants one broken dependency; it must have shown up
      const { repo, dep } = FIXTURE_BROKEN_DEP;
      expect(seen.some((s) => s.startsWith('broken-thing-') && s.endsWith(` from ${repo}: ${dep}`))).toBe(
        true,
      );
    },
  );
});
