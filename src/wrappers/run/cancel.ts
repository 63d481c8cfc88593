// Process-wide cancellation: the first SIGINT/SIGTERM aborts one AbortSignal that every running command and step
// watches; the runner then kills its children's process groups. A second signal exits at once.

const controller = new AbortController();
let installed = false;

export const cancelSignal: AbortSignal = controller.signal;

export function installSignalHandlers(onCancel?: (sig: NodeJS.Signals) => void): void {
  if (installed) return;
  installed = true;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (controller.signal.aborted) process.exit(130);
      onCancel?.(sig);
      controller.abort(new Error(`interrupted by ${sig}`));
    });
  }
}

/** For tests: an independent signal, aborted by the process-wide one too. */
export function linkedSignal(...signals: (AbortSignal | undefined)[]): AbortSignal {
  return AbortSignal.any([cancelSignal, ...signals.filter((s): s is AbortSignal => s !== undefined)]);
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
