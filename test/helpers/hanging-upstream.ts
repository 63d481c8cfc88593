// A proxy on 127.0.0.1 in front of a served fixture upstream whose package responses hang: a sync is caught
// mid-download (by a signal, a crash) while its metadata still comes at once. Counts the package requests.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HangingUpstream {
  url: string;
  /** Package requests seen so far. */
  gets(): number;
  close(): void;
}

export async function hangingUpstream(
  upstream: string,
  opts: { hangMs: number; onPackage?: () => Promise<unknown> },
): Promise<HangingUpstream> {
  let gets = 0;
  const server = createServer(async (req, res) => {
    if (req.url?.endsWith('.rpm')) {
      gets++;
      await opts.onPackage?.();
      await new Promise((r) => setTimeout(r, opts.hangMs));
    }
    const up = await fetch(`${upstream}${req.url}`).catch(() => undefined);
    if (!up) return res.destroy();
    const body = Buffer.from(await up.arrayBuffer());
    res.writeHead(up.status, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    gets: () => gets,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
