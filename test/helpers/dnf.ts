// A dnf sandbox for tests (notes §3, §5.8): private dnf.conf, repos.d, cache/log/persist dirs and an
// installroot whose rpmdb holds the imported key. Builds the argv every dnf call needs and runs repoclosure
// and install. HOME points into the sandbox, whose ~/.rpmmacros puts the rpmdb at <root>/var/lib/rpm: nothing
// touches ~/.rpmdb.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClosureProblem } from '../../src/wrappers/rpmmd/index.ts';
import { run, type RunOptions, type RunResult } from '../../src/wrappers/run/runner.ts';

export interface DnfRepo {
  id: string;
  /** May contain $basearch / $releasever. */
  baseurl: string;
  enabled?: boolean;
  gpgcheck?: boolean;
}

export interface RepoclosureProblem {
  /** NEVRA as dnf prints it: broken-thing-1.0-1.el9.noarch. */
  package: string;
  repo: string;
  deps: string[];
}

export interface DnfSandbox {
  dir: string;
  root: string;
  conf: string;
  reposdir: string;
  env: Record<string, string>;
  /**
   * Full dnf argv: dnf -c conf --setopt=reposdir=.. --installroot=R --releasever=9 --forcearch=ARCH -y
   * --disableplugin=* [--enableplugin=P...] ...args
   */
  argv(arch: string, args: readonly string[], plugins?: readonly string[]): string[];
  /** Runs dnf in the sandbox; `plugins` are the only dnf plugins loaded (e.g. ['repoclosure']). */
  dnf(
    arch: string,
    args: readonly string[],
    opts?: RunOptions & { plugins?: readonly string[] },
  ): Promise<RunResult>;
  /** Runs rpm --root R ... in the sandbox. */
  rpm(args: readonly string[], opts?: RunOptions): Promise<RunResult>;
  repoclosure(opts: {
    arch: string;
    /** id -> path or URL, in lookup order. */
    repos: { id: string; url: string }[];
    check?: string[];
    newest?: boolean;
  }): Promise<RepoclosureProblem[]>;
  /** dnf install; exit 1 counts as success only with allowFailure (the result then tells what happened). */
  install(opts: { arch: string; packages: string[]; allowFailure?: boolean }): Promise<RunResult>;
  cleanup(): Promise<void>;
}

export function dnfConf(dir: string): string {
  return [
    '[main]',
    'gpgcheck=1',
    'best=False',
    'skip_if_unavailable=False',
    `cachedir=${join(dir, 'cache')}`,
    `logdir=${join(dir, 'log')}`,
    `persistdir=${join(dir, 'persist')}`,
    `reposdir=${join(dir, 'repos.d')}`,
    'keepcache=0',
    'install_weak_deps=False',
    'module_platform_id=platform:el9',
    '',
  ].join('\n');
}

export function repoFile(repos: readonly DnfRepo[], keyFile?: string): string {
  return repos
    .map((r) =>
      [
        `[${r.id}]`,
        `name=${r.id}`,
        `baseurl=${r.baseurl}`,
        `enabled=${r.enabled === false ? 0 : 1}`,
        `gpgcheck=${r.gpgcheck === false ? 0 : 1}`,
        ...(keyFile ? [`gpgkey=file://${keyFile}`] : []),
        'metadata_expire=0',
        '',
      ].join('\n'),
    )
    .join('\n');
}

/** dnf's and our repoclosure answers as sorted "PACKAGE from REPO: DEP" lines, to compare as sets. */
const problemKey = (p: { package: string; repo: string }, dep: string) =>
  `${p.package} from ${p.repo}: ${dep}`;
export const dnfProblemKeys = (ps: readonly RepoclosureProblem[]): string[] =>
  ps.flatMap((p) => p.deps.map((d) => problemKey(p, d))).sort();
export const ourProblemKeys = (ps: readonly ClosureProblem[]): string[] =>
  ps.flatMap((p) => p.unresolved.map((d) => problemKey(p, d))).sort();

/** Parses `dnf repoclosure` output: "package: N from REPO" / "unresolved deps (n):" / indented deps. */
export function parseRepoclosure(output: string): RepoclosureProblem[] {
  const out: RepoclosureProblem[] = [];
  let cur: RepoclosureProblem | undefined;
  let inDeps = false;
  for (const line of output.split('\n')) {
    const pkg = /^package: (\S+) from (\S+)\s*$/.exec(line);
    if (pkg) {
      cur = { package: pkg[1]!, repo: pkg[2]!, deps: [] };
      out.push(cur);
      inDeps = false;
    } else if (cur && /^\s+unresolved deps/.test(line)) {
      inDeps = true;
    } else if (cur && inDeps && /^\s{4,}\S/.test(line)) {
      cur.deps.push(line.trim());
    } else {
      inDeps = false;
    }
  }
  return out;
}

export async function createDnfSandbox(
  opts: { keyFile?: string; repos?: DnfRepo[]; parent?: string } = {},
): Promise<DnfSandbox> {
  const dir = await mkdtemp(join(opts.parent ?? tmpdir(), 'horno-dnf-'));
  const root = join(dir, 'root');
  const home = join(dir, 'home');
  const conf = join(dir, 'dnf.conf');
  const reposdir = join(dir, 'repos.d');
  for (const d of [root, home, reposdir]) await mkdir(d, { recursive: true });
  // A real system's rpmdb location, under --root / --installroot; read by rpm and by dnf's librpm alike.
  await writeFile(join(home, '.rpmmacros'), '%_dbpath /var/lib/rpm\n');
  await writeFile(conf, dnfConf(dir));
  await writeFile(join(reposdir, 'fixture.repo'), repoFile(opts.repos ?? [], opts.keyFile));
  const env = { HOME: home, LC_ALL: 'C.UTF-8', TZ: 'UTC' };
  const logFile = join(dir, 'commands.log');

  const rpm = (args: readonly string[], o: RunOptions = {}) =>
    run(['rpm', '--root', root, ...args], { env, logFile, ...o });
  await rpm(['--initdb']);
  if (opts.keyFile) await rpm(['--import', opts.keyFile]);

  // Host plugins stay off: Debian enables dnf's `local` plugin, which copies every installed package into the
  // host's /var/lib/dnf/plugins/local (installroot or not), and versionlock reads the host's lock list.
  const argv = (arch: string, args: readonly string[], plugins: readonly string[] = []) => [
    'dnf',
    '-c',
    conf,
    `--setopt=reposdir=${reposdir}`,
    `--installroot=${root}`,
    '--releasever=9',
    `--forcearch=${arch}`,
    '-y',
    '--disableplugin=*',
    ...plugins.map((p) => `--enableplugin=${p}`),
    ...args,
  ];
  const dnf = (
    arch: string,
    args: readonly string[],
    o: RunOptions & { plugins?: readonly string[] } = {},
  ) => {
    const { plugins, ...runOpts } = o;
    return run(argv(arch, args, plugins), { env, logFile, timeoutMs: 120_000, ...runOpts });
  };

  return {
    dir,
    root,
    conf,
    reposdir,
    env,
    argv,
    dnf,
    rpm,
    async repoclosure({ arch, repos, check, newest }) {
      const args = ['repoclosure'];
      if (newest) args.push('--newest');
      for (const r of repos) args.push(`--repofrompath=${r.id},${r.url}`);
      for (const r of repos) args.push(`--repo=${r.id}`);
      for (const c of check ?? repos.map((r) => r.id)) args.push(`--check=${c}`);
      // Exit 1 is the expected answer when deps are unresolved; anything else exiting 1 is a real failure.
      const r = await dnf(arch, args, { captureStdout: true, okExitCodes: [0, 1], plugins: ['repoclosure'] });
      const problems = parseRepoclosure(r.stdout);
      if (r.exitCode === 1 && problems.length === 0) {
        throw new Error(`dnf repoclosure failed without reporting deps:\n${r.stderrTail}`);
      }
      return problems;
    },
    install({ arch, packages, allowFailure }) {
      return dnf(arch, ['install', ...packages], {
        captureStdout: true,
        okExitCodes: allowFailure ? [0, 1] : [0],
      });
    },
    async cleanup() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}
