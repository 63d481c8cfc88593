// The mock executor's run sequence against a recording runner: mock is not packaged for Debian, so these check
// the argv and the config mock would get, exactly, and that the root is scrubbed whatever happens.
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CommandFailedError } from '../../errors.ts';
import type { RunOptions, RunResult } from '../runner.ts';
import { MockExecutor } from './mock.ts';
import { renderMockConfig } from './mock-config.ts';
import { MOCK_TEMPLATE, templateFile } from './templates.ts';

interface Call {
  argv: string[];
  opts: RunOptions;
  cfg?: string;
  cfgMode?: number;
}

function recorder(failOn?: string) {
  const calls: Call[] = [];
  const runner = async (argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> => {
    const cfgFile = argv[2]!;
    const cfg = await readFile(cfgFile, 'utf8').catch(() => undefined);
    const cfgMode = cfg === undefined ? undefined : (await stat(cfgFile)).mode & 0o777;
    calls.push({ argv: [...argv], opts, cfg, cfgMode });
    if (failOn && argv.includes(failOn))
      throw new CommandFailedError(argv, 30, null, 'mock: chroot command failed', opts.logFile);
    return { exitCode: 0, durationMs: 1, stdout: '', stderrTail: '' };
  };
  return { calls, runner: runner as never };
}

async function setup(failOn?: string) {
  const workDir = await mkdtemp(join(tmpdir(), 'horno-mock-'));
  dirs.push(workDir);
  const rec = recorder(failOn);
  const ex = new MockExecutor({
    workDir,
    releasever: '9',
    modulePlatformId: 'platform:el9',
    repos: [{ name: 'BaseOS', baseurl: 'file:///c/BaseOS/x86_64/os' }],
    packages: ['lorax'],
    isolation: 'simple',
    runner: rec.runner,
  });
  return { workDir, ex, calls: rec.calls };
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('MockExecutor', () => {
  it('inits, runs in the chroot and scrubs a root of its own, with the config written 0600', async () => {
    const { workDir, ex, calls } = await setup();
    const logFile = join(workDir, 'unit.log');
    await ex.run({
      argv: ['lorax', '--product', 'Rocky Linux'],
      arch: 'x86_64',
      name: 'build-iso x86_64',
      env: { AWS_SECRET_ACCESS_KEY: 'from-env' },
      workdir: '/builddir',
      logFile,
      timeoutMs: 60_000,
    });
    expect(calls).toHaveLength(3);
    const cfgFile = calls[0]!.argv[2]!;
    expect(cfgFile).toMatch(new RegExp(`^${workDir}/horno-build-iso-x86-64-[0-9a-f]{8}\\.cfg$`));
    const root = cfgFile.slice(workDir.length + 1, -'.cfg'.length);
    expect(calls.map((c) => c.argv)).toEqual([
      ['mock', '-r', cfgFile, '--isolation=simple', '--init'],
      [
        'mock',
        '-r',
        cfgFile,
        '--isolation=simple',
        '--no-clean',
        '--cwd=/builddir',
        '--chroot',
        '--',
        '/usr/bin/env',
        '--',
        'lorax',
        '--product',
        'Rocky Linux',
      ],
      ['mock', '-r', cfgFile, '--isolation=simple', '--scrub=all'],
    ]);
    expect(calls[0]!.opts.logFile).toBe(logFile);
    expect(calls[1]!.opts.timeoutMs).toBeLessThanOrEqual(60_000);
    expect(calls[1]!.cfgMode).toBe(0o600);
    const template = await readFile(templateFile(MOCK_TEMPLATE), 'utf8');
    expect(calls[1]!.cfg).toBe(
      renderMockConfig(template, {
        root,
        basedir: join(workDir, 'roots'),
        cacheTopdir: join(workDir, 'cache'),
        arch: 'x86_64',
        releasever: '9',
        isolation: 'simple',
        packages: ['bash', 'coreutils', 'findutils', 'tar', 'gzip', 'xz', 'cpio', 'lorax'],
        network: false,
        env: { AWS_SECRET_ACCESS_KEY: 'from-env' },
        mounts: [],
        modulePlatformId: 'platform:el9',
        repos: [{ name: 'BaseOS', baseurl: 'file:///c/BaseOS/x86_64/os' }],
      }),
    );
    // the config (it holds the env) is gone once the run is over
    expect((await readdir(workDir)).filter((f) => f.endsWith('.cfg'))).toEqual([]);
  });

  it('still scrubs when the command fails, and reports the failure', async () => {
    const { workDir, ex, calls } = await setup('--chroot');
    const err = await ex
      .run({ argv: ['false'], arch: 'aarch64', logFile: join(workDir, 'u.log') })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandFailedError);
    expect(calls.map((c) => c.argv.at(-1))).toEqual(['--init', 'false', '--scrub=all']);
    expect((await readdir(workDir)).filter((f) => f.endsWith('.cfg'))).toEqual([]);
  });

  it('gives two runs of the same unit two roots', async () => {
    const { workDir, ex, calls } = await setup();
    await ex.run({ argv: ['true'], arch: 'x86_64', name: 'same', logFile: join(workDir, 'a.log') });
    await ex.run({ argv: ['true'], arch: 'x86_64', name: 'same', logFile: join(workDir, 'b.log') });
    expect(calls[0]!.argv[2]).not.toBe(calls[3]!.argv[2]);
  });
});
