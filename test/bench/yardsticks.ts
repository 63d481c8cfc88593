// Yardsticks that say where horno's time goes and what the host allows, printed beside the contest: node's own
// start, horno's bare startup, its closure code run in this process (repoclosure minus startup), and curl's time
// to fetch the same packages from the same server (the transfer floor on this host).
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadRepo, repoclosure } from '../../src/wrappers/rpmmd/index.ts';
import type { Lab } from '../helpers/horno.ts';
import { runTimed } from './cpu-time.ts';
import { countRpms, horno, type Timed } from './sync-runs.ts';

/** `horno --version`: what every horno command pays before doing anything. */
export async function hornoStartup(lab: Lab): Promise<Timed> {
  const r = await horno(lab, ['--version']);
  return { seconds: r.durationMs / 1000, cpuSeconds: r.cpuSeconds, note: `node + ${r.stdout.trim()}` };
}

/** `node -e ''`: the runtime's own start, below which no horno command can go. */
export async function nodeStartup(): Promise<Timed> {
  const r = await runTimed([process.execPath, '-e', ''], {});
  return { seconds: r.durationMs / 1000, cpuSeconds: r.cpuSeconds, note: process.version };
}

/** horno's closure code in this process: load primary + filelists, resolve. */
export async function closureInProcess(tree: string): Promise<Timed> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const repo = await loadRepo('bench', tree);
  const problems = await repoclosure({ check: [repo], arch: 'x86_64', checkArches: ['x86_64', 'noarch'] });
  const used = process.cpuUsage(cpu);
  return {
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: (used.user + used.system) / 1e6,
    note: `${repo.packages.length} pkgs loaded, ${problems.length} with unresolved deps`,
  };
}

/** curl, 8 transfers at a time, every package of `tree` from `baseUrl`; undefined without curl. */
export async function curlFloor(tree: string, baseUrl: string, dest: string): Promise<Timed | undefined> {
  const rpms = (await readdir(tree, { recursive: true })).filter((f) => f.endsWith('.rpm'));
  const cfgFile = `${dest}.curlrc`;
  await writeFile(cfgFile, rpms.map((f) => `url = "${baseUrl}${f}"\noutput = "${join(dest, f)}"\n`).join(''));
  try {
    const argv = ['curl', '--silent', '--fail', '--create-dirs', '--parallel', '--parallel-max', '8'];
    // under sh, a missing curl is exit 127 rather than ENOENT
    const r = await runTimed([...argv, '--config', cfgFile], {
      timeoutMs: 30 * 60_000,
      okExitCodes: [0, 127],
    });
    if (r.exitCode === 127) return undefined;
    const note = `${await countRpms(dest)} rpms fetched, no checksums`;
    return { seconds: r.durationMs / 1000, cpuSeconds: r.cpuSeconds, note };
  } finally {
    await rm(cfgFile, { force: true });
    await rm(dest, { recursive: true, force: true });
  }
}
