// repoclosure over the compose's own trees: one unit per (checked repo, arch), resolving against the lookaside
// repos the release's repoclosure map names. A unit's id covers every repomd.xml it reads, so an unchanged
// compose is not checked twice; a tree it needs that is not there makes a unit that cannot run. Unresolved
// dependencies fail the unit and are written to its log in dnf's format, which failureDetail hands the command.
// Lenient unless asked to be strict (pungi's default repoclosure_strictness): the verdict does not fail a compose.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ReleaseConfig } from '../config/release-schema.ts';
import { didYouMean } from '../config/did-you-mean.ts';
import { UsageError, WorkError } from '../errors.ts';
import {
  type ClosureProblem,
  formatRepoclosure,
  loadRepo,
  type LoadedRepo,
  repoclosure,
} from '../rpmmd/index.ts';
import { treeDigest } from '../compose/tree-digest.ts';
import type { PlanContext, Step, StepProblem, UnitData } from './step.ts';

export interface RepoclosureOptions {
  /** Only these checked repos (keys of release.repoclosure.repos). */
  repos?: string[];
  newest?: boolean;
  /** Unresolved dependencies fail the run (`horno repoclosure`); otherwise they are reported only. */
  strict?: boolean;
}

export interface ClosureUnit extends UnitData {
  arch: string;
  repo: string;
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
  scope: 'compose',
  title: "check that every dependency in the compose's repos resolves",
  validate: (ctx, opts) => repoProblems(ctx.release, opts),
  async units(ctx, opts, arches) {
    if (Object.keys(ctx.release.repoclosure.repos).length === 0) return []; // nothing configured to check
    const [problem] = repoProblems(ctx.release, opts);
    if (problem) throw new UsageError(problem.message, problem.hint);
    const out: ClosureUnit[] = [];
    const byName = new Map(ctx.release.repos.map((r) => [r.name, r]));
    for (const [repo, lookaside] of Object.entries(ctx.release.repoclosure.repos)) {
      if (opts.repos?.length && !opts.repos.includes(repo)) continue;
      for (const arch of byName.get(repo)?.arches ?? []) {
        if (!arches.includes(arch)) continue;
        const key = `${repo}-${arch}`;
        const needed = [repo, ...lookaside];
        const digests = await Promise.all(needed.map((r) => treeDigest(ctx.paths.repoTree(r, arch))));
        const absent = needed.filter((_, i) => digests[i] === 'missing');
        if (absent.length) {
          out.push({
            key,
            arch,
            repo,
            lookaside,
            cannotRun: {
              message: `${key}: no ${arch} tree of ${absent.join(', ')} in this compose`,
              hint: 'run sync-repos for these repos first',
            },
          });
          continue;
        }
        out.push({
          key,
          arch,
          repo,
          lookaside,
          inputs: { repo, arch, lookaside, digests, newest: !!opts.newest, arches: checkArches(ctx, arch) },
        });
      }
    }
    return out;
  },
  pool: () => ({ name: 'cpu' }),
  async run(unit, ctx, opts, { logFile }) {
    const load = (r: string): Promise<LoadedRepo> => loadRepo(r, ctx.paths.repoTree(r, unit.arch).dir);
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
  describe: (s) => `${String(s?.packages ?? '?')} pkgs, ${String(s?.unresolved ?? '?')} unresolved`,
  lenient: (_ctx, opts) => !opts.strict,
  // the dnf-style report run() wrote; the error alone when there is none (the unit failed before writing it)
  failureDetail: async (f) => (f.logFile ? await readFile(f.logFile, 'utf8').catch(() => f.error) : f.error),
};

/** --repo names that are not checked repos of release.repoclosure.repos. */
function repoProblems(release: ReleaseConfig, opts: RepoclosureOptions): StepProblem[] {
  const checked = Object.keys(release.repoclosure.repos);
  return (opts.repos ?? [])
    .filter((r) => !checked.includes(r))
    .map((r) => ({
      message: `--repo ${r}: not a repo release.repoclosure.repos checks${didYouMean(r, checked)}`,
      hint: checked.length ? `checked repos: ${checked.join(', ')}` : 'release.repoclosure.repos is empty',
    }));
}

function checkArches(ctx: PlanContext, arch: string): string[] | undefined {
  return ctx.release.repoclosure.arches[arch as keyof typeof ctx.release.repoclosure.arches];
}
