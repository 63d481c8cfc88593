// The podman executor against a real podman API socket and the real builder image: argv without a shell, env,
// workdir, bind mounts, limits and networks as asked; failures, timeouts and cancels reported as such; and no
// container left behind in any case (found by their horno.unit label).
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SiteConfig } from '../../src/wrappers/config/site-schema.ts';
import { CommandFailedError, InterruptedError, ToolMissingError } from '../../src/wrappers/errors.ts';
import { createExecutor } from '../../src/wrappers/run/executors/index.ts';
import { labelValue } from '../../src/wrappers/run/executors/names.ts';
import { PodmanExecutor } from '../../src/wrappers/run/executors/podman.ts';
import {
  ensureBuilderImage,
  ensurePodmanService,
  podmanSkipReason,
  type PodmanService,
} from '../helpers/podman.ts';

const skip = await podmanSkipReason();
if (skip) console.warn(`skipping podman executor tests: ${skip}`);

let svc: PodmanService;
let image: string;
let dir: string;
let ex: PodmanExecutor;

beforeAll(async () => {
  if (skip) return;
  svc = await ensurePodmanService();
  image = await ensureBuilderImage();
  dir = await mkdtemp(join(tmpdir(), 'horno-podman-it-'));
  ex = new PodmanExecutor({ socket: svc.socket, image, stopGraceS: 1 });
});
afterAll(async () => {
  await svc?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const uniq = (what: string) => `it-${what}-${randomBytes(3).toString('hex')}`;

/** Containers, running or not, that carry this unit's label. */
async function leftovers(name: string): Promise<string[]> {
  const docker = new Docker({ socketPath: svc.socket });
  const list = await docker.listContainers({
    all: true,
    filters: { label: [`horno.unit=${labelValue(name)}`] },
  });
  return list.map((c) => c.Names.join(','));
}

describe.skipIf(!!skip)('PodmanExecutor', () => {
  it('runs the argv as given, through the factory, with its output in the log file', async () => {
    const site = SiteConfig.parse({
      executors: { aarch64: { type: 'podman', socket: `unix://${svc.socket}` } },
      builder_images: { el9: image },
    });
    const pod = createExecutor(site, 'aarch64', { disttag: 'el9' });
    expect(pod.kind).toBe('podman');
    const name = uniq('argv');
    const logFile = join(dir, `${name}.log`);
    const r = await pod.run({
      argv: ['printf', '%s|', 'a b', '$HOME', ';id', "it's"],
      arch: 'aarch64',
      name,
      logFile,
    });
    expect(r.exitCode).toBe(0);
    const log = await readFile(logFile, 'utf8');
    expect(log).toContain("\na b|$HOME|;id|it's|\n# exit=0");
    expect(log).toMatch(
      /^\$ printf '%s\|' 'a b' '\$HOME' ';id' 'it'\\''s'\n# podman unix:\/\/\S+ image=\S+ container=horno-it-argv-/,
    );
    expect(log).toMatch(/\n# exit=0 ms=\d+\n$/);
    expect(await leftovers(name)).toEqual([]);
  });

  it('gives env, workdir, mounts, limits and no network', async () => {
    const rw = join(dir, 'rw');
    const ro = join(dir, 'ro');
    await mkdir(rw, { recursive: true });
    await mkdir(ro, { recursive: true });
    await writeFile(join(ro, 'input.txt'), 'from the host\n');
    const script = [
      'echo "env=$GREETING"',
      'echo "pwd=$(pwd)"',
      'cat /in/input.txt',
      'echo written > /out/result.txt',
      'if (echo x > /in/nope) 2>/dev/null; then echo ro=writable; else echo ro=refused; fi',
      'echo "net=$(ls /sys/class/net | tr "\\n" " ")"',
      'echo "mem=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)"',
      'echo "cpu=$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us)/$(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)"',
    ].join('; ');
    const name = uniq('env');
    const logFile = join(dir, `${name}.log`);
    await ex.run({
      argv: ['sh', '-c', script],
      arch: 'x86_64',
      name,
      logFile,
      env: { GREETING: 'hello there' },
      workdir: '/out',
      mounts: [
        { host: rw, target: '/out' },
        { host: ro, target: '/in', readonly: true },
      ],
      resources: { memoryMb: 256, cpus: 1.5 },
    });
    const log = await readFile(logFile, 'utf8');
    expect(log).toContain('env=hello there\npwd=/out\nfrom the host\nro=refused\nnet=lo \n');
    expect(log).toContain(`mem=${256 * 1024 * 1024}\n`);
    expect(log).toMatch(/cpu=150000\/100000\n/);
    expect(await readFile(join(rw, 'result.txt'), 'utf8')).toBe('written\n');
  });

  it('joins the bridge network when the unit must reach a mirror', async () => {
    const logFile = join(dir, 'bridge.log');
    await ex.run({ argv: ['ls', '/sys/class/net'], arch: 'x86_64', logFile, network: 'bridge' });
    expect(await readFile(logFile, 'utf8')).toMatch(/\neth0\n/);
  });

  it('fails with the exit code and the output tail, and removes the container', async () => {
    const name = uniq('fail');
    const logFile = join(dir, `${name}.log`);
    const err = await ex
      .run({
        argv: ['sh', '-c', 'echo working; echo "no kernel found" >&2; exit 3'],
        arch: 'x86_64',
        name,
        logFile,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandFailedError);
    const e = err as CommandFailedError;
    expect(e.exitCode_).toBe(3);
    expect(e.stderrTail).toBe('working\nno kernel found');
    expect(e.hint).toBe(`full output in ${logFile}`);
    expect(await leftovers(name)).toEqual([]);
  });

  it('reports exit 137 under a memory limit as a likely out-of-memory kill', async () => {
    const err = await ex
      .run({
        argv: ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=256M', 'count=1'],
        arch: 'x86_64',
        logFile: join(dir, 'oom.log'),
        resources: { memoryMb: 64 },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandFailedError);
    expect((err as CommandFailedError).exitCode_).toBe(137);
    expect((err as CommandFailedError).stderrTail).toMatch(
      /\(exit 137 under a 64 MiB memory limit: most likely killed for running out of memory\)$/,
    );
  });

  it('stops and removes a container that runs past its timeout', async () => {
    const name = uniq('timeout');
    const started = Date.now();
    const err = await ex
      .run({
        argv: ['sleep', '60'],
        arch: 'x86_64',
        name,
        logFile: join(dir, `${name}.log`),
        timeoutMs: 1500,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandFailedError);
    expect((err as CommandFailedError).timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await leftovers(name)).toEqual([]);
  });

  it('stops and removes a running container when cancelled', async () => {
    const name = uniq('cancel');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 1500);
    const started = Date.now();
    const err = await ex
      .run({
        argv: ['sleep', '60'],
        arch: 'x86_64',
        name,
        logFile: join(dir, `${name}.log`),
        signal: ac.signal,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterruptedError);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await leftovers(name)).toEqual([]);
  });

  it('runs two units at once under different names', async () => {
    const a = uniq('pair');
    const b = uniq('pair');
    const started = Date.now();
    await Promise.all(
      [a, b].map((name) =>
        ex.run({ argv: ['sleep', '2'], arch: 'x86_64', name, logFile: join(dir, `${name}.log`) }),
      ),
    );
    expect(Date.now() - started).toBeLessThan(4000 + 3000); // in parallel: well under 2 x (2 s + overhead)
    const header = async (n: string) =>
      /container=(\S+)/.exec(await readFile(join(dir, `${n}.log`), 'utf8'))![1];
    expect(await header(a)).not.toBe(await header(b));
  });

  it('says which image is missing, without leaving anything', async () => {
    const name = uniq('noimage');
    const err = await ex
      .run({
        argv: ['true'],
        arch: 'x86_64',
        name,
        image: 'localhost/horno-no-such-image:1',
        logFile: join(dir, 'x.log'),
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolMissingError);
    expect((err as Error).message).toBe(
      `image localhost/horno-no-such-image:1 is not on the podman host ${svc.socket}`,
    );
    expect(await leftovers(name)).toEqual([]);
  });
});
