// Pure builders for the podman executor: dockerode connection options from a site socket setting, and the
// container create options for one ExecSpec. Kept apart from the I/O so unit tests assert them exactly.
import type Docker from 'dockerode';
import type { ExecSpec } from './executor.ts';
import { UNIT_LABEL, labelValue, readableName } from './names.ts';

/** `/run/podman.sock`, `unix:///run/podman.sock`, `tcp://host:port` or `ssh://user@host[:port]`. */
export function dockerOptions(socket: string): Docker.DockerOptions {
  if (socket.startsWith('/')) return { socketPath: socket };
  const url = new URL(socket);
  if (url.protocol === 'unix:') return { socketPath: url.pathname };
  if (url.protocol === 'tcp:') return { protocol: 'http', host: url.hostname, port: url.port || '2375' };
  if (url.protocol === 'ssh:')
    return {
      protocol: 'ssh',
      host: url.hostname,
      port: url.port || '22',
      username: url.username || undefined,
    };
  throw new TypeError(`unsupported podman socket ${socket}`);
}

export function containerOptions(
  spec: ExecSpec,
  o: { image: string; name: string },
): Docker.ContainerCreateOptions {
  const [cmd0, ...args] = spec.argv;
  const memory = spec.resources?.memoryMb;
  const cpus = spec.resources?.cpus;
  return {
    name: o.name,
    Image: o.image,
    // argv as given, whatever the image's entrypoint: no shell in between
    Entrypoint: [cmd0!],
    Cmd: args,
    Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(spec.workdir ? { WorkingDir: spec.workdir } : {}),
    // Tty:false keeps stdout and stderr framed for demuxStream (and podman echoes the attach body into a TTY)
    Tty: false,
    OpenStdin: false,
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    Labels: { [UNIT_LABEL]: labelValue(readableName(spec)), 'horno.arch': spec.arch },
    HostConfig: {
      // Mounts rather than Binds: a path holding ":" or "," cannot break the syntax (podman creates a missing
      // source folder either way, as Docker does for Binds)
      Mounts: (spec.mounts ?? []).map((m) => ({
        Type: 'bind' as const,
        Source: m.host,
        Target: m.target,
        ReadOnly: m.readonly === true,
      })),
      NetworkMode: spec.network ?? 'none',
      ...(memory !== undefined ? { Memory: memory * 1024 * 1024 } : {}),
      ...(cpus !== undefined ? { NanoCpus: Math.round(cpus * 1e9) } : {}),
      // No Ulimits: setting any makes podman 4.3 add its default nproc, above this host's hard limit, and runc
      // fails. No AutoRemove: with it podman reports StatusCode 0 for a failed container. We remove it ourselves.
    },
  };
}
