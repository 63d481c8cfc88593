// Process-wide cancellation: the first SIGINT/SIGTERM aborts one AbortSignal that every running command and step
// watches; the runner then kills its children's process groups. A second signal exits at once. A unit of work
// also runs under its own signal (withUnitSignal), which every linkedSignal() made inside it follows: stopping
// one unit stops its commands and downloads without each step passing a signal down by hand.
import { AsyncLocalStorage } from 'node:async_hooks';

const controller = new AbortController();
let installed = false;
let bySignal = false;

/** 128 + SIGINT, as a shell reports a command Ctrl-C stopped. */
export const INTERRUPTED_EXIT = 130;

/** Whether the run was stopped by SIGINT/SIGTERM (TERMINATED, resumable), not by a crash's cancelAll (DOOMED). */
export function interrupted(): boolean {
  return bySignal;
}

export const cancelSignal: AbortSignal = controller.signal;

export function installSignalHandlers(onCancel?: (sig: NodeJS.Signals) => void): void {
  if (installed) return;
  installed = true;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (controller.signal.aborted) process.exit(INTERRUPTED_EXIT);
      bySignal = true;
      onCancel?.(sig);
      controller.abort(new Error(`interrupted by ${sig}`));
    });
  }
}

/** Aborts the process-wide signal: the last resort after a crash, so running commands are killed too. */
export function cancelAll(reason: Error): void {
  if (!controller.signal.aborted) controller.abort(reason);
}

const unitSignal = new AsyncLocalStorage<AbortSignal>();

/** Runs `fn` (one unit) so that every linkedSignal() called inside it, at any depth, also follows `signal`. */
export function withUnitSignal<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  return unitSignal.run(signal, fn);
}

/** The process-wide signal, the current unit's (if any) and the given ones, as one. */
export function linkedSignal(...signals: (AbortSignal | undefined)[]): AbortSignal {
  const all = [cancelSignal, unitSignal.getStore(), ...signals];
  return AbortSignal.any(all.filter((s): s is AbortSignal => s !== undefined));
}

/** Waits `ms`, or less when `signal` aborts first (it resolves either way: the caller checks the signal). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
