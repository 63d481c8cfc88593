// podman for integration tests: a private `podman system service` on a temp socket (started here when no socket
// given in $HORNO_PODMAN_SOCKET answers /_ping, and stopped by the caller), the builder image made through the
// real `horno builder-image` command, and the one reason to skip: podman cannot run a container on this host.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/wrappers/run/runner.ts';
import { DEFAULT_BUILDER_IMAGE } from '../../src/wrappers/run/executors/builder-image.ts';

const REPO = new URL('../../', import.meta.url).pathname;

export interface PodmanService {
  socket: string;
  stop(): Promise<void>;
}

/** GET /_ping over the unix socket; true on "OK". */
export function ping(socket: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path: '/_ping', timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(res.statusCode === 200 && body.trim() === 'OK'));
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

export async function ensurePodmanService(): Promise<PodmanService> {
  const given = process.env.HORNO_PODMAN_SOCKET;
  if (given && (await ping(given))) return { socket: given, stop: async () => {} };
  const dir = await mkdtemp(join(tmpdir(), 'horno-podman-'));
  const socket = join(dir, 'podman.sock');
  // its own process group, so stop() reaches conmon children the service forks; its own cwd, where conmon
  // drops an `oom` marker file when a container is killed for memory
  const child = spawn('podman', ['system', 'service', '--time=0', `unix://${socket}`], {
    cwd: dir,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  for (let i = 0; i < 100; i++) {
    if (await ping(socket, 500)) {
      return {
        socket,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) {
            try {
              process.kill(-child.pid!, 'SIGTERM');
            } catch {
              // already gone
            }
            await exited;
          }
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
  await rm(dir, { recursive: true, force: true });
  throw new Error(`podman system service did not answer on ${socket}:\n${stderr}`);
}

/** Why podman cannot be used here, or undefined when it can run a container. */
export async function podmanSkipReason(): Promise<string | undefined> {
  try {
    await run(['podman', 'info', '--format', '{{.Host.OCIRuntime.Name}}'], { timeoutMs: 60_000 });
    return undefined;
  } catch (e) {
    return `podman cannot run on this host: ${(e as Error).message.split('\n')[0]}`;
  }
}

/** Makes the builder image through the real command (idempotent: about 0.1 s once it exists). */
export async function ensureBuilderImage(image = DEFAULT_BUILDER_IMAGE): Promise<string> {
  const r = await run(['node', join(REPO, 'bin', 'horno.js'), 'builder-image', '--json', '--image', image], {
    captureStdout: true,
    timeoutMs: 20 * 60_000,
    env: { HORNO_CACHE: process.env.HORNO_CACHE },
  });
  return (JSON.parse(r.stdout) as { image: string }).image;
}
