// Where horno is installed: the folder holding its package.json, with the shipped config/ and templates/ beside it.
// Found by walking up from this module, so it holds both for the TypeScript sources (src/wrappers/) and for the
// bundle bin/setup builds (dist/), which flattens every module into a few files.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from './errors.ts';

function findInstallRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'templates'))) return dir;
    if (dirname(dir) === dir) throw new Error(`horno: no package.json with templates/ above ${from}`);
  }
}

export const INSTALL_ROOT = findInstallRoot(dirname(fileURLToPath(import.meta.url)));
/** The shipped config/ folder (releases/*.yaml, site.yaml). */
export const CONFIG_DIR = join(INSTALL_ROOT, 'config');
/** The shipped templates/ folder (package lists, kickstarts, READMEs, executor templates). */
export const TEMPLATES_DIR = join(INSTALL_ROOT, 'templates');

/** A file under templates/, given as a config writes it: relative, never leaving the folder. */
export function templateFile(rel: string): string {
  if (rel.startsWith('/') || rel.split('/').includes('..'))
    throw new UsageError(`template ${rel}: must be a relative path under templates/`);
  return join(TEMPLATES_DIR, ...rel.split('/'));
}
