// The podman executor: one container per run through dockerode against the arch's podman API socket, in the
// pattern that works with podman 4.3 (notes/host-containers-s3.md): create, attach before start (no output lost),
// start, wait after start, then remove in `finally`, whatever happened. Output is demuxed into the unit's log file;
// a timeout or a cancel stops the container, and a non-zero exit is a CommandFailedError with the log's tail.
import Docker from 'dockerode';
import {
  CommandFailedError,
  HornoError,
  InterruptedError,
  ToolMissingError,
  UsageError,
  WorkError,
} from '../../errors.ts';
import { linkedSignal } from '../cancel.ts';
import type { ExecResult, ExecSpec, Executor } from './executor.ts';
import { readableName, uniqueName } from './names.ts';
import { containerOptions, dockerOptions } from './podman-spec.ts';
import { quoteForLog, UnitLog } from './unit-log.ts';

export interface PodmanExecutorOptions {
  socket: string;
  /** Used when the spec names none. */
  image?: string;
  /** Seconds podman waits after SIGTERM before SIGKILL when stopping. */
  stopGraceS?: number;
}

interface ApiError {
  statusCode?: number;
  code?: string;
  message?: string;
}

export class PodmanExecutor implements Executor {
  readonly kind = 'podman' as const;
  readonly docker: Docker;

  constructor(private readonly opts: PodmanExecutorOptions) {
    this.docker = new Docker(dockerOptions(opts.socket));
  }

  async run(spec: ExecSpec): Promise<ExecResult> {
    const image = spec.image ?? this.opts.image;
    if (!image)
      throw new UsageError(
        `no container image for ${spec.arch} on ${this.opts.socket}`,
        'set executors.<arch>.image or builder_images.<disttag> in the site config',
      );
    const signal = linkedSignal(spec.signal);
    if (signal.aborted) throw new InterruptedError(`not started, run interrupted: ${spec.argv[0]}`);
    const name = uniqueName(readableName(spec));
    const log = await UnitLog.open(spec.logFile);
    log.note(`$ ${spec.argv.map(quoteForLog).join(' ')}`);
    log.note(`# podman ${this.opts.socket} image=${image} container=${name}`);
    const started = performance.now();
    let container: Docker.Container | undefined;
    let stopped: 'timeout' | 'cancel' | undefined;
    let exitCode: number | null = null;
    let timer: NodeJS.Timeout | undefined;
    const stop = (why: 'timeout' | 'cancel') => {
      if (stopped) return;
      stopped = why;
      container?.stop({ t: this.opts.stopGraceS ?? 3 }).catch(() => {}); // 304/404: already stopped or gone
    };
    const onAbort = () => stop('cancel');
    try {
      container = await this.docker
        .createContainer(containerOptions(spec, { image, name }))
        .catch((e: unknown) => {
          throw this.apiError(e, image);
        });
      const stream = await container.attach({ stream: true, stdout: true, stderr: true });
      const ended = new Promise<void>((r) => {
        stream.once('end', r);
        stream.once('close', r);
        stream.once('error', () => r());
      });
      this.docker.modem.demuxStream(stream, log.output, log.output);
      signal.addEventListener('abort', onAbort, { once: true });
      if (spec.timeoutMs !== undefined) timer = setTimeout(() => stop('timeout'), spec.timeoutMs);
      if (signal.aborted) stopped = 'cancel';
      if (!stopped) {
        await container.start();
        // a stop that raced with start found nothing running yet
        if (stopped) await container.stop({ t: this.opts.stopGraceS ?? 3 }).catch(() => {});
        const res = (await container.wait()) as { StatusCode: number };
        exitCode = res.StatusCode;
        await Promise.race([ended, new Promise((r) => setTimeout(r, 5000).unref())]);
      }
    } catch (e) {
      if (e instanceof HornoError) throw e;
      // attach/start/wait failures (runc refusing a limit, the service going away) as a WorkError with podman's words
      throw new WorkError(
        `podman could not run container ${name}: ${(e as Error).message}`,
        `see ${spec.logFile}`,
      );
    } finally {
      if (timer) clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (container)
        await container.remove({ force: true, v: true }).catch((e: ApiError) => {
          if (e.statusCode !== 404) log.note(`# could not remove container ${name}: ${e.message}`);
        });
      const ms = Math.round(performance.now() - started);
      log.note(`# exit=${stopped ?? exitCode} ms=${ms}`);
      await log.close();
    }
    const durationMs = Math.round(performance.now() - started);
    if (stopped === 'cancel')
      throw new InterruptedError(`${spec.argv[0]} interrupted (container ${name} stopped)`);
    if (stopped === 'timeout' || exitCode !== 0) {
      let tail = log.tail();
      const mem = spec.resources?.memoryMb;
      if (exitCode === 137 && !stopped && mem !== undefined)
        // podman 4.3 on cgroup v1 never sets OOMKilled, so 137 under a memory limit is our best evidence
        tail += `\n(exit 137 under a ${mem} MiB memory limit: most likely killed for running out of memory)`;
      throw new CommandFailedError(spec.argv, exitCode, null, tail, spec.logFile, stopped === 'timeout');
    }
    return { exitCode: 0, durationMs };
  }

  private apiError(e: unknown, image: string): Error {
    const err = e as ApiError;
    if (err.statusCode === 404 && /image/i.test(err.message ?? ''))
      return new ToolMissingError(
        `image ${image} is not on the podman host ${this.opts.socket}`,
        'build it with `horno builder-image`, or name another image in the site config',
      );
    if (err.code === 'ECONNREFUSED' || err.code === 'ENOENT')
      return new WorkError(
        `cannot reach the podman API at ${this.opts.socket} (${err.code})`,
        'start it: podman system service --time=0 unix://<socket path>',
      );
    return e instanceof Error ? e : new Error(String(e));
  }
}
