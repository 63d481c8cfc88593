// Progress of long work on a terminal: one status line on stderr, redrawn at most four times a second (bytes,
// rate). Off the terminal it prints nothing: the logs already say what finished.

export interface Progress {
  bytes(n: number): void;
  stop(): void;
}

export function createProgress(label: string, out: NodeJS.WriteStream = process.stderr): Progress {
  if (!out.isTTY) return { bytes: () => undefined, stop: () => undefined };
  const started = Date.now();
  let total = 0;
  let dirty = false;
  const draw = () => {
    if (!dirty) return;
    dirty = false;
    const s = (Date.now() - started) / 1000;
    const line = `${label}: ${(total / 1e6).toFixed(1)} MB in ${s.toFixed(0)} s (${(total / 1e6 / Math.max(s, 0.001)).toFixed(1)} MB/s)`;
    out.write(`\r${line.slice(0, (out.columns ?? 80) - 1)}\x1b[K`);
  };
  const timer = setInterval(draw, 250);
  timer.unref();
  return {
    bytes(n) {
      total += n;
      dirty = true;
    },
    stop() {
      clearInterval(timer);
      draw();
      out.write('\r\x1b[K');
    },
  };
}
