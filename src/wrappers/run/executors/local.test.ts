import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CommandFailedError, UsageError } from '../../errors.ts';
import { LocalExecutor } from './local.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('LocalExecutor', () => {
  it('runs on the host with env and workdir, output in the log file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'horno-local-'));
    dirs.push(dir);
    const logFile = join(dir, 'u.log');
    const r = await new LocalExecutor().run({
      argv: ['sh', '-c', 'echo "$GREETING from $(pwd)"'],
      arch: 'x86_64',
      env: { GREETING: 'hello' },
      workdir: dir,
      logFile,
      mounts: [{ host: dir, target: dir }],
    });
    expect(r.exitCode).toBe(0);
    expect(await readFile(logFile, 'utf8')).toContain(`hello from ${dir}\n`);
    const err = await new LocalExecutor()
      .run({ argv: ['sh', '-c', 'echo bad >&2; exit 4'], arch: 'x86_64', logFile })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandFailedError);
    expect((err as CommandFailedError).exitCode_).toBe(4);
    expect((err as CommandFailedError).stderrTail).toBe('bad');
  });

  it('refuses a mount it would have to move', async () => {
    await expect(
      new LocalExecutor().run({
        argv: ['true'],
        arch: 'x86_64',
        logFile: '/nonexistent/never-written.log',
        mounts: [{ host: '/srv/compose', target: '/compose' }],
      }),
    ).rejects.toThrow(UsageError);
  });
});
