// How long a download attempt may take: a hard deadline of max(floor, size / minimum rate) from the start, and,
// past the floor, a guard that ends the body once its average rate falls below the minimum, so that neither a body
// that drips nor a size claimed in hostile metadata can hold a sync for long.

/** Defaults of both (site limits override them). */
export const MIN_RATE = 64 << 10;
export const DEADLINE_FLOOR_MS = 60_000;

export interface RateLimits {
  size?: number;
  maxBytes?: number;
  /** Bytes per second. */
  minRate?: number;
  deadlineFloorMs?: number;
}

/**
 * Ends a body whose average rate since `start` fell below minRate once the floor has passed: the deadline moves to
 * max(floor, bytes so far / minRate), so a dripping body ends near the floor whatever size its metadata claims.
 */
export function rateGuard(start: number, opts: RateLimits, bytes: () => number, end: (ms: number) => void) {
  const floor = opts.deadlineFloorMs ?? DEADLINE_FLOOR_MS;
  const rate = opts.minRate ?? MIN_RATE;
  let timer: NodeJS.Timeout;
  const check = () => {
    const now = Date.now();
    const due = start + Math.max(floor, (bytes() / rate) * 1000);
    if (now >= due) end(now - start);
    else timer = setTimeout(check, Math.max(due - now, 1000)); // at most one wake-up a second
  };
  timer = setTimeout(check, Math.max(0, start + floor - Date.now()));
  return { stop: () => clearTimeout(timer) };
}

/** How long one attempt may take in all: max(floor, bytes / minRate), when the body's size is bounded. */
export function attemptDeadline(opts: RateLimits): number | undefined {
  const bytes = opts.size ?? opts.maxBytes;
  if (bytes === undefined) return undefined;
  const floor = opts.deadlineFloorMs ?? DEADLINE_FLOOR_MS;
  return Math.max(floor, Math.ceil((bytes / (opts.minRate ?? MIN_RATE)) * 1000));
}
