// Runs the real `horno` command (node bin/horno.js) as a child process for integration tests, with a private
// config folder (a copy of the shipped release files plus a site.yaml pointing at a temp compose root).
import { copyFile, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type RunResult } from '../../src/wrappers/run/runner.ts';

const REPO = new URL('../../', import.meta.url).pathname;

export interface Lab {
  dir: string;
  configDir: string;
  composeRoot: string;
  env: Record<string, string>;
  horno(args: string[], opts?: { okExitCodes?: number[]; timeoutMs?: number }): Promise<RunResult>;
}

/** A temp folder with config/releases (shipped files + `extraReleases`) and a site.yaml for this lab. */
export async function createLab(opts: {
  upstream: string;
  /** site.yaml text for this lab, given its compose root (default: compose root + file store only). */
  site?: (composeRoot: string) => string;
  extraReleases?: Record<string, string>;
}): Promise<Lab> {
  const dir = await mkdtemp(join(tmpdir(), 'horno-lab-'));
  const configDir = join(dir, 'config');
  await mkdir(join(configDir, 'releases'), { recursive: true });
  for (const f of await readdir(join(REPO, 'config', 'releases'))) {
    await copyFile(join(REPO, 'config', 'releases', f), join(configDir, 'releases', f));
  }
  for (const [name, text] of Object.entries(opts.extraReleases ?? {})) {
    await writeFile(join(configDir, 'releases', `${name}.yaml`), text);
  }
  const composeRoot = join(dir, 'compose');
  await writeFile(
    join(configDir, 'site.yaml'),
    opts.site?.(composeRoot) ??
      `compose_root: ${composeRoot}\nstore: { url: 'file://${join(dir, 'store')}' }\n`,
  );
  const env = { HORNO_UPSTREAM: opts.upstream, HOME: join(dir, 'home') };
  return {
    dir,
    configDir,
    composeRoot,
    env,
    horno: (args, o = {}) =>
      run(['node', join(REPO, 'bin', 'horno.js'), ...args, '--config-dir', configDir], {
        env,
        captureStdout: true,
        okExitCodes: o.okExitCodes ?? [0],
        timeoutMs: o.timeoutMs ?? 120_000,
        logFile: join(dir, 'horno-commands.log'),
      }),
  };
}

/** The demo release with one more repo appended (e.g. the fixture's `plus`, which holds the unsigned package). */
export async function demoWithRepos(extraRepoLines: string): Promise<string> {
  const text = await readFile(join(REPO, 'config', 'releases', 'demo.yaml'), 'utf8');
  return text.replace(/^repos:\n/m, `repos:\n${extraRepoLines}`);
}
