// Where the executors' shipped templates live (the repository's templates/ folder) and how a config's relative
// template path is resolved against it. Read at run time, never at import.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../errors.ts';

export const TEMPLATES_DIR = fileURLToPath(new URL('../../../../templates/', import.meta.url));
export const MOCK_TEMPLATE = 'mock/horno-mock.cfg.tmpl';
export const JOB_TEMPLATE = 'kube/job.yaml.tmpl';

export function templateFile(rel: string): string {
  if (rel.startsWith('/') || rel.split('/').includes('..'))
    throw new UsageError(`template ${rel}: must be a relative path under templates/`);
  return join(TEMPLATES_DIR, rel);
}

export async function readTemplate(rel: string): Promise<string> {
  const file = templateFile(rel);
  return readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`template ${rel}: cannot read ${file} (${e.code ?? e.message})`);
  });
}
