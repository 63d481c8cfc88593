// The mock executor: each run gets its own mock root (unique name, basedir and config file in the compose's work
// folder, none of empanadas' shared /var/tmp files), is initialised with `mock --init`, runs the argv with
// `mock --chroot`, and is scrubbed in `finally`. The config is written 0600 because it carries the run's env.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InterruptedError } from '../../errors.ts';
import { linkedSignal } from '../cancel.ts';
import { run as realRun } from '../runner.ts';
import type { ExecResult, ExecSpec, Executor } from './executor.ts';
import { chrootArgv, initArgv, type MockRepo, renderMockConfig, scrubArgv } from './mock-config.ts';
import { readableName, uniqueName } from './names.ts';
import { MOCK_TEMPLATE, readTemplate } from './templates.ts';

/** What a mock root needs from the release and compose: the step that creates the executor passes it. */
export interface MockContext {
  /** This run's scratch folder (a step gives paths.workDir('mock', ...)); roots and configs go below it. */
  workDir: string;
  releasever: string;
  modulePlatformId: string;
  /** Repos the chroot installs from: usually the compose's synced os/ trees (see composeMockRepos). */
  repos: MockRepo[];
  /** Packages `mock --init` installs besides the base set. */
  packages?: string[];
}

export interface MockExecutorOptions extends MockContext {
  isolation: 'simple' | 'nspawn';
  /** Under templates/ (default mock/horno-mock.cfg.tmpl). */
  configTemplate?: string;
  /** For unit tests: records argv instead of spawning mock (which Debian does not have). */
  runner?: typeof realRun;
}

export const BASE_PACKAGES = ['bash', 'coreutils', 'findutils', 'tar', 'gzip', 'xz', 'cpio'];

export class MockExecutor implements Executor {
  readonly kind = 'mock' as const;

  constructor(private readonly opts: MockExecutorOptions) {}

  async run(spec: ExecSpec): Promise<ExecResult> {
    const o = this.opts;
    const exec = o.runner ?? realRun;
    const signal = linkedSignal(spec.signal);
    if (signal.aborted) throw new InterruptedError(`not started, run interrupted: ${spec.argv[0]}`);
    const root = uniqueName(readableName(spec));
    const cfgFile = join(o.workDir, `${root}.cfg`);
    const network = spec.network === 'bridge';
    const text = renderMockConfig(await readTemplate(o.configTemplate ?? MOCK_TEMPLATE), {
      root,
      basedir: join(o.workDir, 'roots'),
      cacheTopdir: join(o.workDir, 'cache'),
      arch: spec.arch,
      releasever: o.releasever,
      isolation: o.isolation,
      packages: [...BASE_PACKAGES, ...(o.packages ?? [])],
      network,
      env: spec.env ?? {},
      mounts: spec.mounts ?? [],
      modulePlatformId: o.modulePlatformId,
      repos: o.repos,
    });
    await mkdir(join(o.workDir, 'roots'), { recursive: true });
    await writeFile(cfgFile, text, { mode: 0o600 });
    const started = performance.now();
    const left = () =>
      spec.timeoutMs === undefined
        ? undefined
        : Math.max(1, spec.timeoutMs - Math.round(performance.now() - started));
    const ro = { logFile: spec.logFile, signal };
    try {
      await exec(initArgv(cfgFile, o.isolation, network), { ...ro, timeoutMs: left() });
      await exec(chrootArgv(cfgFile, o.isolation, spec.argv, { cwd: spec.workdir, network }), {
        ...ro,
        timeoutMs: left(),
      });
    } finally {
      // the root is ours alone and nobody else will clean it. After Ctrl-C run() refuses to start anything, so
      // an interrupted run leaves its root under <workDir>/roots, where removing the compose's work folder clears it
      await exec(scrubArgv(cfgFile, o.isolation), { logFile: spec.logFile, timeoutMs: 10 * 60_000 }).catch(
        () => {},
      );
      await rm(cfgFile, { force: true });
    }
    return { exitCode: 0, durationMs: Math.round(performance.now() - started) };
  }
}
