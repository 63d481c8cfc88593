// HTTP(S) GET on node:http with one keep-alive Agent per protocol for the whole process, so thousands of package
// downloads reuse a few sockets instead of paying fetch's per-request machinery. Follows a few redirects (only to
// hosts the caller's policy allows), turns a silent socket into a StallError and a request that outlives its
// deadline into a DeadlineError, and listens to the caller's abort signal once per request (removed on close).
import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import https from 'node:https';

const MAX_REDIRECTS = 5;

const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 8, scheduling: 'lifo' }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 8, scheduling: 'lifo' }),
};

/** Sockets per origin: match the download limit so requests never queue inside the agent. */
export function setMaxSockets(n: number): void {
  for (const a of Object.values(agents)) a.maxSockets = Math.max(1, n);
}

export class StallError extends Error {}
/** The whole request (headers and body, over every hop) took longer than its deadline. */
export class DeadlineError extends Error {}

const endedBy = new WeakMap<ClientRequest, StallError | DeadlineError>();
/**
 * Why this response ended early, when its socket went silent or its deadline passed (the body then fails with a
 * plain "aborted", so the cause has to be looked up).
 */
export const endReason = (res: IncomingMessage): StallError | DeadlineError | undefined => {
  const req = (res as IncomingMessage & { req?: ClientRequest }).req;
  return req === undefined ? undefined : endedBy.get(req);
};
/** Too many hops, a hop to a scheme we do not speak or to a host the policy does not allow: retrying will not help. */
export class RedirectError extends Error {}

/**
 * Where redirects may go. 'any': anywhere over http(s). Otherwise a hop keeps the first URL's scheme and goes to
 * its host (host:port) or one listed in `hosts`: a server we were sent to cannot send us on to a third one.
 */
export type RedirectPolicy = 'any' | { readonly hosts: readonly string[] };

export interface GetOptions {
  redirects?: RedirectPolicy;
  /** Epoch milliseconds by which the whole request, body included, must be done. */
  deadline?: number;
}

export interface Response {
  res: IncomingMessage;
  /** The final URL, after redirects. */
  url: string;
}

export async function httpGet(
  url: string,
  signal: AbortSignal,
  stallMs: number,
  opts: GetOptions = {},
): Promise<Response> {
  const first = new URL(url);
  let current = first;
  for (let hop = 0; ; hop++) {
    const res = await requestOnce(current, signal, stallMs, opts.deadline);
    const location = res.headers.location;
    if (!isRedirect(res.statusCode) || !location) return { res, url: current.href };
    res.resume(); // drain, so the socket goes back to the pool
    if (hop === MAX_REDIRECTS) throw new RedirectError(`more than ${MAX_REDIRECTS} redirects`);
    const next = new URL(location, current);
    if (!(next.protocol in agents)) throw new RedirectError(`redirected to ${next.protocol} URL`);
    const problem = redirectProblem(first, next, opts.redirects ?? 'any');
    if (problem) throw new RedirectError(`redirected to ${next.origin}: ${problem}`);
    current = next;
  }
}

function redirectProblem(first: URL, next: URL, policy: RedirectPolicy): string | undefined {
  if (policy === 'any') return undefined;
  if (next.protocol !== first.protocol) return `not the ${first.protocol} scheme of ${first.origin}`;
  if (next.host === first.host || policy.hosts.includes(next.host)) return undefined;
  return `another host than ${first.host}, and not one the release allows (upstream.allowed_redirect_hosts)`;
}

const isRedirect = (s = 0) => s === 301 || s === 302 || s === 303 || s === 307 || s === 308;

function requestOnce(
  url: URL,
  signal: AbortSignal,
  stallMs: number,
  deadline: number | undefined,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const proto = url.protocol === 'https:' ? https : http;
    const req: ClientRequest = proto.get(url, {
      agent: agents[url.protocol as keyof typeof agents],
      timeout: stallMs,
      headers: { 'accept-encoding': 'identity' },
    });
    const end = (err: StallError | DeadlineError) => {
      endedBy.set(req, err);
      req.destroy(err);
    };
    // Destroying the request also ends a response already being read, so one listener covers the body too;
    // the request closes only after its body ended, so the deadline timer also runs to the body's end.
    const onAbort = () => req.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    const timer =
      deadline === undefined
        ? undefined
        : setTimeout(
            () => end(new DeadlineError('not done by its deadline (too slow for the minimum rate)')),
            Math.max(0, deadline - Date.now()),
          );
    req.once('close', () => {
      signal.removeEventListener('abort', onAbort);
      clearTimeout(timer);
    });
    req.on('timeout', () => end(new StallError(`stalled for ${stallMs} ms`)));
    req.once('response', resolve);
    req.on('error', reject); // `on`: a late second error must not go unhandled
    if (signal.aborted) onAbort();
  });
}
