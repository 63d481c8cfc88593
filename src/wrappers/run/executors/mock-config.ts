// Pure parts of the mock executor: the mock config rendered from templates/mock/horno-mock.cfg.tmpl (values as
// quoted Python literals, repo sections as checked INI lines) and the mock argv for each phase of a run. Nothing
// from config reaches a shell: mock gets argv, and the command inside the chroot runs without one (see chrootArgv).
import { pathToFileURL } from 'node:url';
import type { ComposePaths } from '../../compose/paths.ts';
import type { Arch } from '../../config/common-schema.ts';
import type { ReleaseConfig } from '../../config/release-schema.ts';
import { UsageError } from '../../errors.ts';
import type { Mount } from './executor.ts';

export interface MockRepo {
  /** The section name: letters, digits and _ . : - */
  name: string;
  baseurl: string;
  priority?: number;
}

/** The compose's synced os/ trees for an arch, as the repos a mock root installs from. */
export function composeMockRepos(
  release: Pick<ReleaseConfig, 'repos'>,
  paths: Pick<ComposePaths, 'tree'>,
  arch: Arch,
): MockRepo[] {
  return release.repos
    .filter((r) => r.arches.includes(arch))
    .map((r) => ({ name: r.name, baseurl: pathToFileURL(paths.tree(r.name, arch, 'os')).href }));
}

export interface MockConfigInput {
  /** Unique per run: mock's chroot lives at <basedir>/<root>. */
  root: string;
  basedir: string;
  /** mock's caches (dnf, root cache), beside the roots instead of the host-wide /var/cache/mock. */
  cacheTopdir: string;
  arch: string;
  releasever: string;
  isolation: 'simple' | 'nspawn';
  /** Installed by `mock --init` (chroot_setup_cmd). */
  packages: string[];
  network: boolean;
  env: Record<string, string>;
  /** mock's bind_mount plugin takes (host, chroot) pairs only: readonly cannot be enforced there. */
  mounts: Mount[];
  modulePlatformId: string;
  repos: MockRepo[];
}

/** A Python string literal that means exactly `s`. */
export function pyStr(s: string): string {
  let out = "'";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\' || ch === "'") out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}'`;
}

const REPO_NAME = /^[A-Za-z0-9_.:-]+$/;
const INI_VALUE = /^[^\s"\\]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PACKAGE = /^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/;

function check(ok: boolean, what: string): void {
  if (!ok) throw new UsageError(`mock config: ${what}`);
}

function repoSections(repos: MockRepo[]): string {
  return repos
    .map((r) => {
      check(
        REPO_NAME.test(r.name),
        `repo name ${JSON.stringify(r.name)} must be letters, digits and _ . : -`,
      );
      check(
        INI_VALUE.test(r.baseurl),
        `repo ${r.name}: baseurl ${JSON.stringify(r.baseurl)} must be one word`,
      );
      const prio = r.priority === undefined ? [] : [`priority=${Math.trunc(r.priority)}`];
      return [
        `[${r.name}]`,
        `name=${r.name}`,
        `baseurl=${r.baseurl}`,
        'enabled=1',
        'gpgcheck=0',
        ...prio,
      ].join('\n');
    })
    .join('\n\n');
}

export function renderMockConfig(template: string, input: MockConfigInput): string {
  check(
    INI_VALUE.test(input.modulePlatformId),
    `module_platform_id ${JSON.stringify(input.modulePlatformId)}`,
  );
  for (const p of input.packages) check(PACKAGE.test(p), `package name ${JSON.stringify(p)}`);
  for (const k of Object.keys(input.env))
    check(ENV_NAME.test(k), `environment variable name ${JSON.stringify(k)}`);
  const values: Record<string, string> = {
    root: pyStr(input.root),
    basedir: pyStr(input.basedir),
    cache_topdir: pyStr(input.cacheTopdir),
    arch: pyStr(input.arch),
    releasever: pyStr(input.releasever),
    isolation: pyStr(input.isolation),
    chroot_setup_cmd: pyStr(['install', ...input.packages].join(' ')),
    network: input.network ? 'True' : 'False',
    environment: `{${Object.entries(input.env)
      .map(([k, v]) => `${pyStr(k)}: ${pyStr(v)}`)
      .join(', ')}}`,
    bind_mounts: `[${input.mounts.map((m) => `(${pyStr(m.host)}, ${pyStr(m.target)})`).join(', ')}]`,
    module_platform_id: input.modulePlatformId,
    repos: repoSections(input.repos),
  };
  const used = new Set<string>();
  const out = template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
    const v = values[name];
    if (v === undefined) throw new UsageError(`mock config template: unknown placeholder ${whole}`);
    used.add(name);
    return v;
  });
  const missing = ['root', 'basedir', 'cache_topdir', 'repos'].filter((n) => !used.has(n));
  if (missing.length)
    throw new UsageError(`mock config template: must use ${missing.map((m) => `{{${m}}}`).join(' ')}`);
  return out;
}

/** The argv prefix every phase shares: the rendered config and the isolation from the site config. */
export function mockBase(cfgFile: string, isolation: string): string[] {
  return ['mock', '-r', cfgFile, `--isolation=${isolation}`];
}

export function initArgv(cfgFile: string, isolation: string, network: boolean): string[] {
  return [...mockBase(cfgFile, isolation), ...(network ? ['--enable-network'] : []), '--init'];
}

/**
 * The command inside the chroot. mock runs a single --chroot argument through a shell and several as an argv,
 * so /usr/bin/env always goes first: even a one-word command is then exec'd, never parsed by a shell.
 */
export function chrootArgv(
  cfgFile: string,
  isolation: string,
  argv: readonly string[],
  opts: { cwd?: string; network: boolean },
): string[] {
  return [
    ...mockBase(cfgFile, isolation),
    ...(opts.network ? ['--enable-network'] : []),
    '--no-clean',
    ...(opts.cwd ? [`--cwd=${opts.cwd}`] : []),
    '--chroot',
    '--',
    '/usr/bin/env',
    '--',
    ...argv,
  ];
}

export function scrubArgv(cfgFile: string, isolation: string): string[] {
  return [...mockBase(cfgFile, isolation), '--scrub=all'];
}
