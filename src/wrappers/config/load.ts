// Loads a release config and the site config, validates both completely and returns them typed, or throws one
// ConfigError listing every problem in both files. Releases live in <configDir>/releases/<release>.yaml; the site
// file is --site, else $HORNO_SITE, else <configDir>/site.yaml. Relative site paths resolve against the cwd.
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError, type Problem } from '../errors.ts';
import { CONFIG_DIR } from '../install.ts';
import { ReleaseCheckContext } from './check-context.ts';
import { type Env, type FileResult, validateFile } from './config-file.ts';
import { didYouMean } from './did-you-mean.ts';
import { formatPath, isPlainObject } from './dotted-path.ts';
import { checkRelease } from './release-checks.ts';
import { ReleaseConfig } from './release-schema.ts';
import { checkLiteralSecrets, checkReleaseSecrets, checkSiteForRelease, checkStore } from './site-checks.ts';
import { SiteConfig } from './site-schema.ts';

/** The repository's config/ folder, wherever horno is run from. */
export const DEFAULT_CONFIG_DIR = CONFIG_DIR;

export interface LoadOptions {
  /** The release key: the file name under <configDir>/releases/ without .yaml. */
  release: string;
  configDir?: string;
  siteFile?: string;
  /** Source of ${VAR} values and $HORNO_SITE (default: process.env). */
  env?: Env;
  /** Where relative paths resolve (default: process.cwd()). */
  cwd?: string;
}

export interface LoadedConfig {
  release: ReleaseConfig;
  site: SiteConfig;
  files: { release: string; site: string };
}

export async function loadConfig(opts: LoadOptions): Promise<LoadedConfig> {
  const [{ release, site, files }] = (await loadReleases({ ...opts, releases: [opts.release] })) as [
    LoadedRelease,
  ];
  return { release, site, files };
}

/** One release of loadReleases: also its key (the file name without .yaml). */
export type LoadedRelease = LoadedConfig & { name: string };

/** Loads several releases (default: all of them) against one site file, reporting every problem at once. */
export async function loadReleases(
  opts: Omit<LoadOptions, 'release'> & { releases?: string[] },
): Promise<LoadedRelease[]> {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const configDir = resolve(cwd, opts.configDir ?? DEFAULT_CONFIG_DIR);
  const named = opts.siteFile ?? (env.HORNO_SITE || undefined);
  const siteFile = resolve(cwd, named ?? join(configDir, 'site.yaml'));
  const available = await listReleases(configDir);
  const names = opts.releases ?? available;

  // a site file named by --site or $HORNO_SITE is the user's choice; the default one must be in the folder
  const site = await loadSite(siteFile, env, cwd, named === undefined ? configDir : undefined);
  // Release problems first, then the site's (read once, whatever the number of releases), then the two together.
  const problems: Problem[] = [];
  const crossProblems: Problem[] = [];
  if (names.length === 0)
    problems.push({
      file: join(configDir, 'releases'),
      path: '',
      message: 'no release files (*.yaml) found',
    });
  const loaded: LoadedRelease[] = [];
  for (const name of names) {
    const file = name ? releaseFile(configDir, name) : join(configDir, 'releases');
    if (!available.includes(name)) {
      problems.push({ file, path: '', message: unknownRelease(name, available) });
      continue;
    }
    const release = await validateFile(file, ReleaseConfig, env, {
      raw: checkReleaseSecrets,
      data: releaseChecks,
      within: configDir,
    });
    problems.push(...release.problems);
    if (!release.value || !site.value) continue;
    const cross = checkSiteForRelease(site.value, release.value, name);
    crossProblems.push(
      ...cross.map((p) => ({ file: siteFile, path: formatPath(p.path), message: p.message })),
    );
    loaded.push({ name, release: release.value, site: site.value, files: { release: file, site: siteFile } });
  }
  problems.push(...site.problems, ...crossProblems);
  if (problems.length) throw new ConfigError(problems);
  return loaded;
}

/** Release keys found in <configDir>/releases, in natural order (8, 9, 10, demo). */
export async function listReleases(configDir: string = DEFAULT_CONFIG_DIR): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(join(configDir, 'releases'));
  } catch {
    return [];
  }
  return entries
    .filter((f) => f.endsWith('.yaml') && !f.startsWith('.'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

function releaseFile(configDir: string, name: string): string {
  return join(configDir, 'releases', `${name}.yaml`);
}

function unknownRelease(name: string, available: string[]): string {
  // Callers are typed, but argv is not: a missing --release must read as a config problem, not crash.
  if (!name) return `no release named (available: ${available.join(', ')})`;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name))
    return `"${name}" is not a release name (a file name under releases/ without .yaml)`;
  const list = available.length ? available.join(', ') : 'none';
  return `no such release "${name}" (available: ${list})${didYouMean(name, available)}`;
}

function releaseChecks(data: unknown) {
  if (!isPlainObject(data)) return [];
  const ctx = new ReleaseCheckContext(data);
  checkRelease(ctx);
  return ctx.out;
}

async function loadSite(
  file: string,
  env: Env,
  cwd: string,
  within: string | undefined,
): Promise<FileResult<SiteConfig>> {
  const result = await validateFile(file, SiteConfig, env, {
    raw: checkLiteralSecrets,
    data: (data) => checkStore(data, env),
    within,
  });
  if (!result.value) return result;
  const site = result.value;
  const store = site.store.url.startsWith('file://')
    ? { ...site.store, url: `file://${resolve(cwd, site.store.url.slice('file://'.length))}` }
    : site.store;
  return { ...result, value: { ...site, compose_root: resolve(cwd, site.compose_root), store } };
}
