// The sync benchmark's closing table: every measurement per run as wall seconds [CPU seconds], and its best
// (the run least disturbed by other work on a shared host), then the issue's targets computed from the best
// wall times, each marked ok or MISSED, with the same ratio by CPU time beside it.

export interface Measurement {
  label: string;
  unit: 's' | 'MB';
  /** One value per run (wall seconds or MB); undefined when that run did not measure it. */
  values: (number | undefined)[];
  /** CPU seconds per run, for 's' rows. */
  cpu: (number | undefined)[];
}

export interface Target {
  label: string;
  unit: 'x' | 's' | 'MB';
  /** From the best wall times (what the target is judged on) and from the best CPU times. */
  value: number | undefined;
  cpuValue?: number;
  goal: string;
  met: (v: number) => boolean;
}

export function measurement(label: string, unit: 's' | 'MB' = 's'): Measurement {
  return { label, unit, values: [], cpu: [] };
}

const defined = (vs: (number | undefined)[]) =>
  vs.filter((v): v is number => v !== undefined && !Number.isNaN(v));

/** Seconds: the fastest run; memory: the largest (the worst run is the honest one). */
export function best(m: Measurement, which: 'values' | 'cpu' = 'values'): number | undefined {
  const vs = defined(m[which]);
  if (vs.length === 0) return undefined;
  return m.unit === 'MB' ? Math.max(...vs) : Math.min(...vs);
}

export function ratio(
  a: Measurement,
  b: Measurement,
  which: 'values' | 'cpu' = 'values',
): number | undefined {
  const x = best(a, which);
  const y = best(b, which);
  return x !== undefined && y ? x / y : undefined;
}

const num = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

function cell(m: Measurement, wall: number | undefined, cpu: number | undefined): string {
  if (wall === undefined) return '-';
  if (m.unit === 'MB') return `${num(wall)} MB`;
  return cpu === undefined || Number.isNaN(cpu) ? num(wall) : `${num(wall)} [${num(cpu)}]`;
}

const fmtTarget = (v: number | undefined, unit: Target['unit']) =>
  v === undefined ? '-' : `${num(v)}${unit === 'x' ? 'x' : ` ${unit}`}`;

/** A ratio printed under the targets with what it tells: e.g. dnf's time over a floor no client can go below. */
export interface Bound {
  label: string;
  value: number | undefined;
  why: string;
}

/** A headed list of such ratios. */
export interface BoundSection {
  heading: string;
  bounds: readonly Bound[];
}

export function renderTable(
  measurements: readonly Measurement[],
  targets: readonly Target[],
  sections: readonly BoundSection[] = [],
): string {
  const runs = Math.max(1, ...measurements.map((m) => m.values.length));
  const w = Math.max(...measurements.map((m) => m.label.length), ...targets.map((t) => t.label.length)) + 2;
  const col = 17;
  const head = Array.from({ length: runs }, (_, i) => `run ${i + 1}`.padStart(col)).join('');
  const lines = [`${'seconds: wall [cpu]'.padEnd(w)}${head}${'best'.padStart(col)}`];
  for (const m of measurements) {
    const cells = Array.from({ length: runs }, (_, i) => cell(m, m.values[i], m.cpu[i]).padStart(col));
    lines.push(`${m.label.padEnd(w)}${cells.join('')}${cell(m, best(m), best(m, 'cpu')).padStart(col)}`);
  }
  lines.push(
    '',
    `${'target (from best times)'.padEnd(w)}${'wall'.padStart(col)}${'cpu'.padStart(col)}   goal`,
  );
  for (const t of targets) {
    const verdict = t.value === undefined ? 'not measured' : t.met(t.value) ? 'ok' : 'MISSED';
    lines.push(
      `${t.label.padEnd(w)}${fmtTarget(t.value, t.unit).padStart(col)}${fmtTarget(t.cpuValue, t.unit).padStart(col)}   ${t.goal.padEnd(9)} ${verdict}`,
    );
  }
  for (const { heading, bounds } of sections.filter((s) => s.bounds.length)) {
    lines.push('', heading);
    for (const b of bounds)
      lines.push(`${b.label.padEnd(w)}${fmtTarget(b.value, 'x').padStart(col)}   ${b.why}`);
  }
  return `${lines.join('\n')}\n`;
}
