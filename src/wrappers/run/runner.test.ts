import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandFailedError, FileSystemError, InterruptedError } from '../errors.ts';
import { buildEnv, run } from './runner.ts';

const tmp = () => mkdtemp(join(tmpdir(), 'horno-runner-'));

describe('run', () => {
  it('returns exit code, duration and captured stdout', async () => {
    const r = await run(['sh', '-c', 'echo hello; echo warn >&2'], { captureStdout: true });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('hello\n');
    expect(r.stderrTail).toBe('warn');
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('throws CommandFailedError with argv, exit code, stderr tail and log file', async () => {
    const dir = await tmp();
    const logFile = join(dir, 'unit.log');
    const err = await run(['sh', '-c', 'for i in $(seq 1 100); do echo line$i >&2; done; exit 3'], {
      logFile,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandFailedError);
    const e = err as CommandFailedError;
    expect(e.exitCode_).toBe(3);
    expect(e.argv[0]).toBe('sh');
    expect(e.exitCode).toBe(1); // process exit code horno maps it to
    const tail = e.stderrTail.split('\n');
    expect(tail).toHaveLength(40);
    expect(tail.at(-1)).toBe('line100');
    expect(e.hint).toContain(logFile);
    const log = await readFile(logFile, 'utf8');
    expect(log).toContain('line1\n');
    expect(log).toContain('# exit=3');
  });

  it('kills the command and fails readably when its log file cannot be written (a full disk), without crashing', async () => {
    // /dev/full opens fine and refuses every write with ENOSPC: an unheard 'error' event would kill the process
    const t0 = Date.now();
    const err = await run(['sleep', '30'], { logFile: '/dev/full', killGraceMs: 200 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FileSystemError);
    expect((err as FileSystemError).message).toBe('no space left on /dev/full');
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it("reports a tool's own 'No space left on device' as the same error, on the path it named", async () => {
    const err = await run(['cp', '/etc/hostname', '/dev/full']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileSystemError);
    expect((err as FileSystemError).message).toBe('no space left on /dev/full');
  });

  it('accepts extra ok exit codes', async () => {
    const r = await run(['sh', '-c', 'exit 1'], { okExitCodes: [0, 1] });
    expect(r.exitCode).toBe(1);
  });

  it('kills the whole process group on timeout', async () => {
    const dir = await tmp();
    const marker = join(dir, 'grandchild-survived');
    const started = Date.now();
    const err = await run(['sh', '-c', `(sleep 2; touch ${marker}) & sleep 30`], {
      timeoutMs: 300,
      killGraceMs: 200,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandFailedError);
    expect((err as CommandFailedError).timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
    await new Promise((r) => setTimeout(r, 2500));
    await expect(readFile(marker)).rejects.toThrow(/ENOENT/);
  });

  it('escalates to SIGKILL when SIGTERM is ignored', async () => {
    const err = await run(['sh', '-c', "trap '' TERM; sleep 30"], { timeoutMs: 200, killGraceMs: 300 }).catch(
      (e: unknown) => e,
    );
    expect((err as CommandFailedError).signal).toBe('SIGKILL');
  });

  it('cancels on abort and reports an interruption', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const err = await run(['sleep', '30'], { signal: ac.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterruptedError);
  });

  it('passes only allow-listed environment plus explicit additions', async () => {
    process.env.HORNO_TEST_SECRET = 'leak';
    try {
      const r = await run(['env'], { captureStdout: true, env: { EXTRA: '1' } });
      expect(r.stdout).not.toContain('HORNO_TEST_SECRET');
      expect(r.stdout).toContain('EXTRA=1');
      expect(r.stdout).toContain('PATH=');
    } finally {
      delete process.env.HORNO_TEST_SECRET;
    }
    expect(buildEnv({ PATH: undefined }).PATH).toBeUndefined();
  });

  it('never goes through a shell', async () => {
    const r = await run(['echo', '$(id) ; rm -rf /'], { captureStdout: true });
    expect(r.stdout).toBe('$(id) ; rm -rf /\n');
  });

  it('feeds stdin', async () => {
    const r = await run(['cat'], { input: 'abc', captureStdout: true });
    expect(r.stdout).toBe('abc');
  });

  it("writes a tool's output into the log with URL credentials redacted, even when a URL spans two writes", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'horno-run-'));
    const logFile = join(dir, 'unit.log');
    // two writes 100 ms apart reach us as two chunks; the last line has no newline
    const script =
      "printf 'get http://horno:tok'; sleep 0.1; printf 'en42@127.0.0.1/x\\n'; " +
      "printf 'err https://tokenonly@h/\\n' >&2; printf 'tail'";
    await run(['sh', '-c', script], { logFile });
    const log = await readFile(logFile, 'utf8');
    expect(log).not.toMatch(/token42|tokenonly/);
    expect(log).toContain('get http://horno:***@127.0.0.1/x\n');
    expect(log).toContain('err https://***@h/\n');
    expect(log).toMatch(/^tail\n# exit=0 /m);
  });
});

describe('run, missing tool', () => {
  it('says which command is missing', async () => {
    await expect(run(['horno-no-such-tool'])).rejects.toThrow(/horno-no-such-tool: command not found/);
  });
});
