// Our own retry around whole transfers: the SDK retries single requests, but a body that breaks mid-stream (a reset
// connection during a GET, a part stream that errors) needs the transfer started again from the top.
import { InterruptedError } from '../errors.ts';

export interface RetryOptions {
  attempts?: number;
  backoffMs?: number;
  signal?: AbortSignal;
  retryable(err: unknown): boolean;
}

export async function withRetries<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const attempts = opts.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (opts.signal?.aborted) throw new InterruptedError('store transfer interrupted');
      if (attempt >= attempts || !opts.retryable(err)) throw err;
      const base = (opts.backoffMs ?? 500) * 2 ** (attempt - 1);
      await new Promise((r) => setTimeout(r, base / 2 + Math.random() * base));
    }
  }
}
