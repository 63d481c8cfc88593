// The phase runner: one run of a compose's phases in this process, under one session and one lock. Every selected
// phase is validated before any work (all problems at once, exit 2). Then the runner schedules units, not phases:
// consecutive per-arch phases run as one chain per arch, so an arch's pull-unpack-tree and build-iso-extra start as
// soon as its own build-iso unit is done while other arches still build; compose-wide phases wait for every chain.
// A failable arch's failure skips that arch's later units (recorded as skipped because of it); a required failure
// halts the run: running units finish, nothing new starts. Outcomes come back typed, per phase and unit.
import type { ComposeStatus } from './status.ts';
import { ProblemsError } from '../errors.ts';
import { interrupted } from '../run/cancel.ts';
import type { Phase, PlanContext, StepContext, UnitData } from '../steps/step.ts';
import {
  recordBlocked,
  runUnits,
  sortOutcome,
  statusOf,
  type UnitFailure,
  type UnitsOutcome,
} from '../steps/units.ts';

export interface PhaseOutcome extends UnitsOutcome {
  phase: string;
  title: string;
  /** Failures of this phase are reported, not fatal (repoclosure). */
  lenient: boolean;
  /** Whether any of its units was looked at (a halted run leaves later phases unopened). */
  opened: boolean;
}

export interface RunOutcome {
  phases: PhaseOutcome[];
  /** STATUS as the run leaves it: 'keep' while the compose is still being built. */
  status: ComposeStatus | 'keep';
  /** Why the run stopped early (a required unit failed). */
  halted?: string;
}

/** Every problem every phase sees before any work; throws them all at once (exit 2). */
export function validatePhases(plan: PlanContext, phases: readonly Phase[]): void {
  const problems = phases.flatMap((p) =>
    p.step.validate(plan, p.opts).map((x) => ({ phase: p.step.name as string, ...x })),
  );
  if (problems.length > 0) throw new ProblemsError(problems);
}

export async function runPhases(ctx: StepContext, phases: readonly Phase[]): Promise<RunOutcome> {
  const outcomes = phases.map((p): PhaseOutcome => ({
    phase: p.step.name,
    title: p.step.title,
    lenient: p.step.lenient?.(ctx, p.opts) ?? false,
    opened: false,
    status: 'FINISHED',
    ran: [],
    skipped: [],
    failed: [],
  }));
  const shared = new Map<Phase, Promise<unknown>>();
  const stop = new AbortController(); // a full disk stops every unit of every phase
  const blocked = new Map<string, string>(); // arch -> the `<step>/<key>` whose failure put it out
  let halted: string | undefined;
  const errors: unknown[] = [];
  const going = () => !halted && errors.length === 0 && !interrupted() && !stop.signal.aborted;

  const runPhase = async (i: number, arches: string[]): Promise<void> => {
    const p = phases[i]!;
    const { step } = p;
    const o = outcomes[i]!;
    if (!o.opened) {
      o.opened = true;
      ctx.log.info({ phase: step.name }, 'phase started');
      ctx.monitor.emit({ type: 'phase-start', phase: step.name, at: new Date().toISOString() });
    }
    let sh = shared.get(p);
    if (!sh) shared.set(p, (sh = step.prepare ? step.prepare(ctx, p.opts) : Promise.resolve(undefined)));
    const s = await sh;
    const units = ((await step.units(ctx, p.opts, arches, s)) as UnitData[]).map((u) => ({
      ...u,
      inputs: { stepVersion: step.version, ...(u.inputs as object) },
    }));
    const skip: UnitFailure[] = [];
    const todo = units.filter((u) => {
      const because = u.arch === undefined ? undefined : blocked.get(u.arch);
      if (because === undefined) return true;
      const error = `skipped: ${because} failed`;
      skip.push({ key: u.key, arch: u.arch, failable: true, error, blockedBy: because });
      return false;
    });
    if (skip.length > 0) {
      for (const f of skip) ctx.log.warn({ step: step.name, unit: f.key }, f.error);
      await recordBlocked(ctx.paths, step.name, skip);
    }
    const got = await runUnits({
      step: step.name,
      paths: ctx.paths,
      log: ctx.log,
      units: todo,
      limit: (u) => {
        const pool = step.pool(ctx, u);
        return ctx.limits.get(pool.name, pool.size);
      },
      failableArches: ctx.release.failable_arches,
      lenient: o.lenient,
      stop,
      monitor: ctx.monitor,
      force: p.force,
      run: (u, uc) => step.run(u, ctx, p.opts, uc, s),
    });
    o.ran.push(...got.ran);
    o.skipped.push(...got.skipped);
    o.failed.push(...got.failed, ...skip);
    sortOutcome(o);
    o.status = statusOf(o.failed, o.lenient);
    if (o.lenient) return;
    for (const f of got.failed)
      if (f.failable && f.arch !== undefined && !blocked.has(f.arch))
        blocked.set(f.arch, `${step.name}/${f.key}`);
    const required = got.failed.filter((f) => !f.failable);
    if (required.length > 0) halted ??= `${step.name}: ${required.map((f) => f.key).join(', ')} failed`;
  };

  // a chain catches its own error, so one arch's crash waits for the others to stop before it is thrown
  const guarded = async (fn: () => Promise<void>): Promise<void> => {
    try {
      await fn();
    } catch (err) {
      errors.push(err);
    }
  };

  try {
    for (const seg of segments(phases)) {
      if (!going()) break;
      if (phases[seg[0]!]!.step.scope === 'compose') {
        await guarded(() => runPhase(seg[0]!, ctx.arches));
      } else {
        await Promise.all(
          ctx.arches.map((arch) =>
            guarded(async () => {
              for (const i of seg) {
                if (!going()) return;
                await runPhase(i, [arch]);
              }
            }),
          ),
        );
      }
      for (const i of seg) {
        const o = outcomes[i]!;
        if (!o.opened) continue;
        const failed = o.failed.filter((f) => !f.failable).length;
        ctx.log.info(
          {
            phase: o.phase,
            ran: o.ran.length,
            skipped: o.skipped.length,
            failed: o.lenient ? 0 : failed,
            failedFailable: o.failed.length - failed,
            ...(o.lenient ? { lenientFailures: failed } : {}),
          },
          'phase finished',
        );
        ctx.monitor.emit({ type: 'phase-done', phase: o.phase, at: new Date().toISOString() });
      }
    }
  } finally {
    for (const [p, s] of shared) {
      if (!p.step.dispose) continue;
      await s.then(
        (v) => p.step.dispose!(v),
        () => undefined,
      );
    }
  }
  if (errors.length > 0) throw errors[0];

  let status: RunOutcome['status'] = 'keep';
  if (halted || stop.signal.aborted) status = 'DOOMED';
  else if (!interrupted()) {
    for (const [i, p] of phases.entries()) {
      if (!p.step.close || !outcomes[i]!.opened) continue;
      status = await p.step.close(ctx, p.opts, { phases: outcomes });
    }
  }
  return { phases: outcomes, status, halted };
}

/** Phase indexes grouped: a run of consecutive per-arch phases is one group, each compose-wide phase its own. */
function segments(phases: readonly Phase[]): number[][] {
  const out: number[][] = [];
  for (const [i, p] of phases.entries()) {
    const last = out.at(-1);
    if (p.step.scope === 'arch' && last && phases[last[0]!]!.step.scope === 'arch') last.push(i);
    else out.push([i]);
  }
  return out;
}
