// The step descriptor (design.md section 6.2) and the context every step runs in. A step names itself and its
// version (part of every unit id: bump it when the step's output changes), says whether it works per arch (the
// runner then runs each arch's chain of such steps on its own, so one arch's ISOs are mastered while another still
// builds) or once for the compose, lists every problem it can see before any work (validate), fans out into units
// that are plain JSON data (a later issue ships them to remote workers) and runs one unit at a time.
import type { ReleaseConfig } from '../config/release-schema.ts';
import type { SiteConfig } from '../config/site-schema.ts';
import type { Clock } from '../compose/clock.ts';
import type { Monitor } from '../compose/monitor.ts';
import type { ComposePaths } from '../compose/paths.ts';
import type { ComposeStatus } from '../compose/status.ts';
import type { Logger } from '../log/logger.ts';
import type { Limits } from '../run/limits.ts';
import type { RunResult } from '../run/runner.ts';
import type { ExecResult, ExecSpec, Executor, MockContext } from '../run/executors/index.ts';
import type { ArtifactStore } from '../store/index.ts';
import type { UnitFailure, UnitResult, UnitsOutcome } from './units.ts';

/** What is known before a compose is found or opened: enough to validate, nothing to write with. */
export interface PlanContext {
  release: ReleaseConfig;
  site: SiteConfig;
  clock: Clock;
  /** The release arches this run works on (after --arch), in the release's order. */
  arches: string[];
}

/** One problem a step sees before any work: the message names the key, arch or option. */
export interface StepProblem {
  message: string;
  hint?: string;
}

/** An executor for an arch, as the site config names it, with the container image and host it lands on. */
export interface ArchExecutor {
  executor: Executor;
  image?: string;
  /** The machine the work occupies (for the per-host limit). */
  host: string;
}

/** A command on this host (no arch) or, with `on`, through an arch's executor. */
export type ExecRequest = Omit<ExecSpec, 'arch' | 'logFile'> & {
  logFile?: string;
  arch?: string;
  /** Keep stdout (host only: an executor's output goes to its log). */
  captureStdout?: boolean;
  input?: string | Buffer;
  okExitCodes?: readonly number[];
  on?: Executor;
};

export interface StepContext extends PlanContext {
  paths: ComposePaths;
  log: Logger;
  /** Aborts when the run is interrupted or stopped (a full disk); a unit's own signal follows it too. */
  signal: AbortSignal;
  monitor: Monitor;
  limits: Limits;
  /** The artifact store of the site config (opened on first use). */
  readonly store: ArtifactStore;
  /** The executor the site config names for `arch`; `mock` says what a mock root must hold. */
  executorFor(arch: string, mock?: MockContext): ArchExecutor;
  /** The one way a step runs a command: on this host, or through `on` (an arch's executor). */
  exec(req: ExecRequest): Promise<ExecResult & Partial<Pick<RunResult, 'stdout'>>>;
}

/** A unit: plain JSON data. Its arch (when it has one) decides whether its failure is failable. */
export interface UnitData {
  /** Human name, unique within the step: "BaseOS-x86_64-os". */
  key: string;
  /** The compose arch (or 'source') the unit works for; none for compose-wide units. */
  arch?: string;
  /** Everything the result depends on (options, input digests, tool versions); the step version is added. */
  inputs?: unknown;
  /** Why the unit cannot run (an upstream that cannot be read, an input that is missing): it fails with this,
   * unrun, and never matches a record, so the next run looks again. */
  cannotRun?: { message: string; hint?: string };
}

/** What a unit's run gets besides its data. */
export interface UnitRun {
  id: string;
  logFile: string;
  signal: AbortSignal;
  /** Reports progress (bytes, files) to the monitor. */
  progress(done: number, total?: number): void;
}

/** Where a unit waits its turn: a shared pool by name (cpu, downloads, host:<id>) or the step's own, sized. */
export interface Pool {
  name: string;
  size?: number;
}

/** What the run gave the close hook: every phase's outcome so far. */
export interface RunSoFar {
  phases: (UnitsOutcome & { phase: string })[];
}

export interface Step<O = unknown, U extends UnitData = UnitData, S = undefined> {
  name: string;
  version: number;
  /** 'arch': one chain per arch (the runner overlaps arches); 'compose': once, after every arch got here. */
  scope: 'arch' | 'compose';
  /** One line: what the step makes. */
  title: string;
  /** Every problem visible before any work: the runner validates all selected phases first (exit 2). */
  validate(ctx: PlanContext, opts: O): StepProblem[];
  /** Shared state made once per run, before the first units() (a keyring, fetched extra files, a hash pool). */
  prepare?(ctx: StepContext, opts: O): Promise<S>;
  /** Lets go of what prepare made. */
  dispose?(shared: S): Promise<void>;
  /** The units for these arches (one arch for an arch-scoped step, every selected one for a compose step). */
  units(ctx: StepContext, opts: O, arches: string[], shared: S): Promise<U[]>;
  /** Where a unit waits its turn. */
  pool(ctx: StepContext, unit: U): Pool;
  run(unit: U, ctx: StepContext, opts: O, uc: UnitRun, shared: S): Promise<UnitResult>;
  /** The outcome row's tail for a unit's summary ("412.3 MiB  Demo-9.9-x86_64-dvd.iso"). */
  describe(summary: Record<string, unknown> | undefined): string;
  /** Failures are reported but do not fail the compose (repoclosure, pungi's repoclosure_strictness lenient). */
  lenient?(ctx: PlanContext, opts: O): boolean;
  /** More about a failed unit for the terminal (repoclosure: its dnf-style report). */
  failureDetail?(f: UnitFailure): Promise<string | undefined>;
  /** After the phase, when it ended without a required failure: the compose's STATUS (finalize). */
  close?(ctx: StepContext, opts: O, run: RunSoFar): Promise<ComposeStatus>;
}

/** A step with its options, as a phase of a run. */
export interface Phase {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  step: Step<any, any, any>;
  opts: unknown;
  /** Redo units even when a record says they are done. */
  force?: boolean;
}

export function phase<O, U extends UnitData, S>(
  step: Step<O, U, S>,
  opts: O,
  run: { force?: boolean } = {},
): Phase {
  return { step, opts, force: run.force };
}
