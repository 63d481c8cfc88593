// The release's extra files (EULA, LICENSE, GPG keys) gathered once into work/global/extra-files, from an http(s)
// URL (downloaded, retried) or from templates/. Every disc carries them at its root; their digests enter the
// units' ids, so a changed EULA rebuilds the discs.
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { templateFile } from '../../install.ts';
import type { ExtraFile } from '../../config/release-schema.ts';
import { WorkError } from '../../errors.ts';
import { download } from '../../net/download.ts';
import { digestFile } from '../../metadata/digest.ts';

export interface GatheredFile {
  /** Its name at the disc root. */
  name: string;
  path: string;
  sha256: string;
}

export async function gatherExtraFiles(files: readonly ExtraFile[], dir: string): Promise<GatheredFile[]> {
  await mkdir(dir, { recursive: true });
  const out: GatheredFile[] = [];
  for (const f of files) {
    const path = join(dir, f.dest);
    try {
      if (/^https?:\/\//.test(f.source)) await download(f.source, path);
      else await copyFile(templateFile(f.source), path);
    } catch (err) {
      throw new WorkError(
        `extra file ${f.source}: ${(err as Error).message}`,
        'fix extra_files in the release config',
      );
    }
    out.push({ name: f.dest, path, sha256: await digestFile(path, 'sha256') });
  }
  return out;
}
