// The step descriptor (design.md section 6.2): a name, a version that enters every unit id (bump it when the
// step's output changes), units() to fan out, and run(unit) to do one. runStep drives it through runUnits.
import type { ReleaseConfig } from '../config/release-schema.ts';
import type { SiteConfig } from '../config/site-schema.ts';
import type { ComposePaths } from '../compose/paths.ts';
import type { Logger } from '../log/logger.ts';
import { runUnits, type Unit, type UnitResult, type UnitsOutcome } from './units.ts';

export interface StepContext {
  release: ReleaseConfig;
  site: SiteConfig;
  paths: ComposePaths;
  log: Logger;
}

export interface Step<O, U extends Unit = Unit> {
  name: string;
  version: number;
  /** How many units may run at once. */
  concurrency(ctx: StepContext, opts: O): number;
  units(ctx: StepContext, opts: O): Promise<U[]>;
  run(unit: U, ctx: StepContext, opts: O, unitCtx: { logFile: string; id: string }): Promise<UnitResult>;
}

export async function runStep<O, U extends Unit>(
  step: Step<O, U>,
  ctx: StepContext,
  opts: O & { force?: boolean },
): Promise<UnitsOutcome> {
  const units = await step.units(ctx, opts);
  ctx.log.info({ step: step.name, units: units.length }, 'step started');
  const versioned = units.map((u) => ({
    ...u,
    inputs: { stepVersion: step.version, ...(u.inputs as object) },
  }));
  const outcome = await runUnits({
    step: step.name,
    paths: ctx.paths,
    log: ctx.log,
    units: versioned,
    concurrency: step.concurrency(ctx, opts),
    force: opts.force,
    run: (u, uc) => step.run(u, ctx, opts, uc),
  });
  ctx.log.info(
    {
      step: step.name,
      ran: outcome.ran.length,
      skipped: outcome.skipped.length,
      failed: outcome.failed.filter((f) => !f.failable).length,
      failedFailable: outcome.failed.filter((f) => f.failable).length,
    },
    'step finished',
  );
  return outcome;
}
