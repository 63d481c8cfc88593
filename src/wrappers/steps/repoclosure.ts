// repoclosure over the compose's own trees: one unit per (checked repo, arch), resolving against the lookaside
// repos the release's repoclosure map names. A unit's id covers every repomd.xml it reads, so an unchanged
// compose is not checked twice. Unresolved dependencies fail the unit and are written to its log in dnf's format.
import { writeFile } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { WorkError } from '../errors.ts';
import {
  type ClosureProblem,
  formatRepoclosure,
  loadRepo,
  type LoadedRepo,
  repoclosure,
} from '../rpmmd/index.ts';
import { treeDigest } from '../compose/tree-digest.ts';
import type { Step, StepContext } from './step.ts';
import type { Unit } from './units.ts';

export interface RepoclosureOptions {
  repos?: string[];
  arches?: string[];
  newest?: boolean;
}

export interface ClosureUnit extends Unit {
  repo: string;
  arch: string;
  lookaside: string[];
}

export class UnresolvedDepsError extends WorkError {
  override readonly code = 'E_REPOCLOSURE';
  constructor(
    readonly unit: string,
    readonly problems: ClosureProblem[],
  ) {
    const deps = problems.reduce((n, p) => n + p.unresolved.length, 0);
    super(`${unit}: ${deps} unresolved dependencies across ${problems.length} packages`);
  }
}

export const repoclosureStep: Step<RepoclosureOptions, ClosureUnit> = {
  name: 'repoclosure',
  version: 1,
  concurrency: (ctx) => ctx.site.limits.cpu,
  async units(ctx, opts) {
    const out: ClosureUnit[] = [];
    const byName = new Map(ctx.release.repos.map((r) => [r.name, r]));
    for (const [repo, lookaside] of Object.entries(ctx.release.repoclosure.repos)) {
      if (opts.repos?.length && !opts.repos.includes(repo)) continue;
      for (const arch of byName.get(repo)?.arches ?? []) {
        if (opts.arches?.length && !opts.arches.includes(arch)) continue;
        const digests = await Promise.all(
          [repo, ...lookaside].map((r) => treeDigest(ctx.paths.repoTree(r, arch))),
        );
        out.push({
          key: `${repo}-${arch}`,
          repo,
          arch,
          lookaside,
          failable: ctx.release.failable_arches.includes(arch as never),
          inputs: { repo, arch, lookaside, digests, newest: !!opts.newest, arches: checkArches(ctx, arch) },
        });
      }
    }
    return out;
  },
  async run(unit, ctx, opts, { logFile }) {
    const load = (r: string): Promise<LoadedRepo> => loadRepo(r, ctx.paths.tree(r, unit.arch, 'os'));
    const [check, ...lookaside] = await Promise.all([unit.repo, ...unit.lookaside].map(load));
    const problems = await repoclosure({
      check: [check!],
      lookaside,
      arch: unit.arch,
      checkArches: checkArches(ctx, unit.arch),
      newest: opts.newest,
    });
    await mkdir(dirname(logFile), { recursive: true });
    await writeFile(logFile, problems.length ? formatRepoclosure(problems) : 'no unresolved dependencies\n');
    if (problems.length) throw new UnresolvedDepsError(unit.key, problems);
    return { outputs: [], summary: { packages: check!.packages.length, unresolved: 0 } };
  },
};

function checkArches(ctx: StepContext, arch: string): string[] | undefined {
  return ctx.release.repoclosure.arches[arch as keyof typeof ctx.release.repoclosure.arches];
}
