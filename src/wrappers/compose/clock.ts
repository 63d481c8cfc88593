// The compose's clock: SOURCE_DATE_EPOCH read and checked once, when a run starts, and handed to every step through
// its context. Under it every date a step writes (tarball times, ISO dates, repodata revisions, productmd mtimes) is
// that epoch, so two runs of the same inputs give the same bytes; without it, now.
import { UsageError } from '../errors.ts';

export interface Clock {
  /** SOURCE_DATE_EPOCH when set, else undefined. */
  readonly sourceDateEpoch: number | undefined;
  /** Seconds since 1970: SOURCE_DATE_EPOCH when set, else now. */
  epoch(): number;
  /** Now, as a Date (log and record times: always the real time). */
  now(): Date;
  /** The environment a child must get for the same dates: { SOURCE_DATE_EPOCH } or nothing. */
  env(): Record<string, string>;
}

export function makeClock(sourceDateEpoch: number | undefined): Clock {
  return {
    sourceDateEpoch,
    epoch: () => sourceDateEpoch ?? Math.floor(Date.now() / 1000),
    now: () => new Date(),
    env: (): Record<string, string> =>
      sourceDateEpoch === undefined ? {} : { SOURCE_DATE_EPOCH: String(sourceDateEpoch) },
  };
}

/** The clock the environment sets; a SOURCE_DATE_EPOCH that is not whole seconds since 1970 is a usage error. */
export function clockFromEnv(env: Record<string, string | undefined> = process.env): Clock {
  const raw = env.SOURCE_DATE_EPOCH;
  if (raw === undefined || raw === '') return makeClock(undefined);
  if (!/^\d{1,11}$/.test(raw))
    throw new UsageError(
      `SOURCE_DATE_EPOCH=${JSON.stringify(raw.slice(0, 40))}: not whole seconds since 1970`,
      'set it to an integer such as $(git log -1 --format=%ct), or unset it',
    );
  return makeClock(Number(raw));
}
