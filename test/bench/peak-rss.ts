// Peak memory of a process tree we did not spawn ourselves (run() keeps its child to itself): polls /proc for the
// process whose command line contains a marker (the lab's unique config dir), follows its descendants, and keeps
// each one's VmHWM, the kernel's own high-water mark, so a peak between two polls is not lost.
import { readdir, readFile } from 'node:fs/promises';

export interface PeakRss {
  /** The marked process itself (node running horno), in bytes. */
  rootBytes: number;
  /** Per descendant command name (createrepo_c, ...), the largest VmHWM of any process of that name. */
  children: Record<string, number>;
  polls: number;
}

export interface RssWatch {
  stop(): Promise<PeakRss>;
}

export function watchPeakRss(marker: string, intervalMs = 100): RssWatch {
  let root: number | undefined;
  const tree = new Map<number, string>(); // pid -> comm, for the root and its descendants
  const peak = new Map<number, number>();
  let polls = 0;
  let stopped = false;

  const poll = async () => {
    polls++;
    const procs = await listProcs();
    if (root === undefined) {
      for (const p of procs) {
        if (p.comm === 'node' && (await cmdline(p.pid)).includes(marker)) {
          root = p.pid;
          tree.set(p.pid, p.comm);
          break;
        }
      }
    }
    if (root === undefined) return;
    for (let grew = true; grew;) {
      grew = false;
      for (const p of procs) {
        if (!tree.has(p.pid) && tree.has(p.ppid)) {
          tree.set(p.pid, p.comm);
          grew = true;
        }
      }
    }
    for (const pid of tree.keys()) {
      const hwm = await vmHwm(pid);
      if (hwm !== undefined) peak.set(pid, Math.max(peak.get(pid) ?? 0, hwm));
    }
  };

  const loop = (async () => {
    while (!stopped) {
      await poll().catch(() => undefined);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();

  return {
    async stop() {
      stopped = true;
      await loop;
      const children: Record<string, number> = {};
      for (const [pid, comm] of tree) {
        if (pid === root) continue;
        children[comm] = Math.max(children[comm] ?? 0, peak.get(pid) ?? 0);
      }
      return { rootBytes: root === undefined ? 0 : (peak.get(root) ?? 0), children, polls };
    },
  };
}

async function listProcs(): Promise<{ pid: number; ppid: number; comm: string }[]> {
  const out: { pid: number; ppid: number; comm: string }[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    // "pid (comm) state ppid ...": comm may itself hold spaces and parentheses
    const close = stat.lastIndexOf(')');
    if (close < 0) continue;
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    out.push({ pid: Number(name), ppid, comm: stat.slice(stat.indexOf('(') + 1, close) });
  }
  return out;
}

async function cmdline(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ');
}

async function vmHwm(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
  return kb === undefined ? undefined : Number(kb) * 1024;
}
