// HTTP(S) GET on node:http with one keep-alive Agent per protocol for the whole process, so thousands of package
// downloads reuse a few sockets instead of paying fetch's per-request machinery. Follows a few redirects, turns a
// silent socket into a StallError, and listens to the caller's abort signal once per request (removed on close).
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

const stalledRequests = new WeakSet<ClientRequest>();
/** Did this response end because its socket went silent (the body then fails with a plain "aborted")? */
export const stalled = (res: IncomingMessage): boolean => {
  const req = (res as IncomingMessage & { req?: ClientRequest }).req;
  return req !== undefined && stalledRequests.has(req);
};
/** Too many hops or a hop to a scheme we do not speak: retrying will not help. */
export class RedirectError extends Error {}

export interface Response {
  res: IncomingMessage;
  /** The final URL, after redirects. */
  url: string;
}

export async function httpGet(url: string, signal: AbortSignal, stallMs: number): Promise<Response> {
  let current = new URL(url);
  for (let hop = 0; ; hop++) {
    const res = await requestOnce(current, signal, stallMs);
    const location = res.headers.location;
    if (!isRedirect(res.statusCode) || !location) return { res, url: current.href };
    res.resume(); // drain, so the socket goes back to the pool
    if (hop === MAX_REDIRECTS) throw new RedirectError(`more than ${MAX_REDIRECTS} redirects`);
    current = new URL(location, current);
    if (!(current.protocol in agents)) throw new RedirectError(`redirected to ${current.protocol} URL`);
  }
}

const isRedirect = (s = 0) => s === 301 || s === 302 || s === 303 || s === 307 || s === 308;

function requestOnce(url: URL, signal: AbortSignal, stallMs: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const proto = url.protocol === 'https:' ? https : http;
    const req: ClientRequest = proto.get(url, {
      agent: agents[url.protocol as keyof typeof agents],
      timeout: stallMs,
      headers: { 'accept-encoding': 'identity' },
    });
    // Destroying the request also ends a response already being read, so one listener covers the body too.
    const onAbort = () => req.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    req.once('close', () => signal.removeEventListener('abort', onAbort));
    req.on('timeout', () => {
      stalledRequests.add(req);
      req.destroy(new StallError(`stalled for ${stallMs} ms`));
    });
    req.once('response', resolve);
    req.on('error', reject); // `on`: a late second error must not go unhandled
    if (signal.aborted) onAbort();
  });
}
