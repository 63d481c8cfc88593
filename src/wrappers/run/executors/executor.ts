// The executor contract (design.md section 4): run one command for one arch somewhere (the host, a podman
// container on that arch's builder, a mock chroot, a Kubernetes Job) with the same inputs and the same outcome.
// Implementations live beside this file; steps only see this interface.

export interface Mount {
  host: string;
  /** Path inside the container/chroot; the same path on the local executor. */
  target: string;
  readonly?: boolean;
}

export interface ExecSpec {
  /** The command to run (argv, never a shell string built from config values). */
  argv: string[];
  arch: string;
  /** Container image (podman, kube); ignored by local and mock. */
  image?: string;
  mounts?: Mount[];
  env?: Record<string, string>;
  workdir?: string;
  /** stdout and stderr stream here as they come. */
  logFile: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  resources?: { memoryMb?: number; cpus?: number };
  /** A readable name for the container or Job (sanitised by the executor); unique per run. */
  name?: string;
  /** Container network: 'none' (the default: hermetic and faster) or 'bridge' when the unit must reach a mirror.
   * podman and mock (--enable-network) honour it; local and kube always have a network. */
  network?: 'none' | 'bridge';
}

export interface ExecResult {
  exitCode: number;
  durationMs: number;
}

export interface Executor {
  readonly kind: 'local' | 'podman' | 'mock' | 'kube';
  /** Runs to completion; throws CommandFailedError (with the log tail) when the command exits non-zero. */
  run(spec: ExecSpec): Promise<ExecResult>;
}
