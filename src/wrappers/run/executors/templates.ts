// Where the executors' shipped templates live (the repository's templates/ folder) and how a config's relative
// template path is resolved against it. Read at run time, never at import.
import { readFile } from 'node:fs/promises';
import { UsageError } from '../../errors.ts';
import { templateFile } from '../../install.ts';

export { templateFile } from '../../install.ts';
export const MOCK_TEMPLATE = 'mock/horno-mock.cfg.tmpl';
export const JOB_TEMPLATE = 'kube/job.yaml.tmpl';

export async function readTemplate(rel: string): Promise<string> {
  const file = templateFile(rel);
  return readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`template ${rel}: cannot read ${file} (${e.code ?? e.message})`);
  });
}
