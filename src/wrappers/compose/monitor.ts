// The run's progress events (osbuild's Monitor): a phase starts, a unit starts, reports progress, ends, a phase
// ends. The terminal output, the log and (later) a remote worker's status stream all listen to the same events.

export type MonitorEvent =
  | { type: 'phase-start'; phase: string; at: string }
  | { type: 'unit-start'; phase: string; unit: string; arch?: string; at: string }
  | { type: 'unit-progress'; phase: string; unit: string; done: number; total?: number }
  | {
      type: 'unit-done';
      phase: string;
      unit: string;
      arch?: string;
      verdict: 'done' | 'kept' | 'failed' | 'skipped';
      at: string;
    }
  | { type: 'phase-done'; phase: string; at: string };

export interface Monitor {
  emit(e: MonitorEvent): void;
  on(listener: (e: MonitorEvent) => void): () => void;
}

export function createMonitor(): Monitor {
  const listeners = new Set<(e: MonitorEvent) => void>();
  return {
    emit(e) {
      for (const l of listeners) {
        try {
          l(e);
        } catch {
          // a listener (a progress bar) must never fail the unit it reports on
        }
      }
    },
    on(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
}
