// Crashing horno on purpose: run a command as a child, watch the compose's JSON-lines log for a chosen event, and
// SIGKILL the whole process tree (horno and the tools it spawned in their own process groups, as a power cut or a
// container kill would), then describe what is left: a manifest of compose/, temp names, STATUS and the lock.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, open, readdir, readFile, readlink } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Lab } from './horno.ts';

const REPO = new URL('../../', import.meta.url).pathname;

export interface LogLine {
  msg?: string;
  step?: string;
  command?: string;
  unit?: string;
  arch?: string;
  [k: string]: unknown;
}

export interface KillPoint {
  name: string;
  /** The log event after which to kill (only lines the run itself wrote count). */
  when: (l: LogLine) => boolean;
  /** Wait this long after the event. */
  delayMs: number;
}

export interface CrashRun {
  /** true when the kill landed; false when the run ended first. */
  killed: boolean;
  exitCode: number | null;
  stderrTail: string;
  ms: number;
}

/** Runs `horno args` with the lab's env; kills it at `point` (when given) or lets it finish. */
export async function runUntil(
  lab: Lab,
  args: string[],
  logFile: string,
  point?: KillPoint,
  timeoutMs = 300_000,
): Promise<CrashRun> {
  const started = Date.now();
  let offset = (await lstat(logFile).catch(() => undefined))?.size ?? 0;
  const child = spawn('node', [join(REPO, 'bin', 'horno.js'), ...args, '--config-dir', lab.configDir], {
    env: { ...process.env, ...lab.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let done = false;
  void exited.then(() => (done = true));
  let killed = false;
  let pending = '';
  while (!done) {
    if (Date.now() - started > timeoutMs) {
      await killTree(child.pid!);
      throw new Error(`${args.join(' ')}: no end within ${timeoutMs} ms\n${stderr}`);
    }
    if (point) {
      const fresh = await readFrom(logFile, offset);
      offset += fresh.length;
      pending += fresh.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop()!;
      if (lines.some((l) => point.when(parse(l)))) {
        if (point.delayMs) await new Promise((r) => setTimeout(r, point.delayMs));
        if (!done) {
          await killTree(child.pid!);
          killed = true;
        }
        break;
      }
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15))]);
  }
  const exitCode = await exited;
  return { killed, exitCode, stderrTail: stderr, ms: Date.now() - started };
}

function parse(line: string): LogLine {
  try {
    return JSON.parse(line) as LogLine;
  } catch {
    return {};
  }
}

async function readFrom(file: string, offset: number): Promise<Buffer> {
  const fh = await open(file, 'r').catch(() => undefined);
  if (!fh) return Buffer.alloc(0);
  try {
    const { size } = await fh.stat();
    if (size <= offset) return Buffer.alloc(0);
    const buf = Buffer.alloc(size - offset);
    const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** pid -> parent pid of every process, from /proc. */
async function parents(): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (rest.length > 1) out.set(Number(name), Number(rest[1]));
  }
  return out;
}

/**
 * Stops `root` and every descendant (SIGSTOP, repeated until no new process appears, so nothing forks away), then
 * SIGKILLs them all and waits until they are gone: nothing of the killed run writes after this returns.
 */
export async function killTree(root: number): Promise<void> {
  const seen = new Set<number>([root]);
  const signal = (pid: number, sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // gone already
    }
  };
  signal(root, 'SIGSTOP');
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of await parents()) {
      if (seen.has(ppid) && !seen.has(pid)) {
        signal(pid, 'SIGSTOP');
        seen.add(pid);
        grew = true;
      }
    }
  }
  for (const pid of seen) signal(pid, 'SIGKILL');
  for (let i = 0; i < 500; i++) {
    const alive = [];
    for (const pid of seen) {
      const st = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
      if (st && st.slice(st.lastIndexOf(')') + 2, st.lastIndexOf(')') + 3) !== 'Z') alive.push(pid);
    }
    if (alive.length === 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`processes of the killed run still alive after 5 s`);
}

/** Every entry under `dir`: a file by mode and sha256, a link by its target, a folder by its mode. Sorted. */
export async function treeManifest(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const abs = join(e.parentPath, e.name);
    const rel = relative(dir, abs);
    const st = await lstat(abs);
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isSymbolicLink()) out.set(rel, `link ${await readlink(abs)}`);
    else if (st.isDirectory()) out.set(rel, `dir ${mode}`);
    else out.set(rel, `file ${mode} ${await sha256(abs)}`);
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

async function sha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(c as Buffer);
  return h.digest('hex');
}

/** Paths under `dir` whose name has a temp marker (`.tmp-`), files and folders alike. */
export async function tempNames(dir: string): Promise<string[]> {
  const all = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return all.map(String).filter((p) => p.split('/').some((s) => s.includes('.tmp-')));
}

/** What differs between two manifests, for a readable failure. */
export function manifestDiff(want: Map<string, string>, got: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of want)
    if (got.get(k) !== v) out.push(`${k}: want ${v}, got ${got.get(k) ?? 'nothing'}`);
  for (const [k, v] of got) if (!want.has(k)) out.push(`${k}: not in the clean run (${v})`);
  return out;
}
