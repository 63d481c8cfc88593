// argv builders for createrepo_c and modifyrepo_c. Pure functions: the runner executes them, tests assert them.
// EL9 layout (no sqlite databases); --update reuses metadata of unchanged packages; a fixed revision plus
// --set-timestamp-to-revision keeps repodata reproducible. A --pkglist spares createrepo_c its own directory walk,
// which keeps the files in a sorted list by insertion (0.17: about 20 s of strcmp at 50,000 packages).

export interface CreaterepoOptions {
  dir: string;
  checksum: string;
  groupfile?: string;
  revision?: string;
  distroTag?: { cpeid?: string; name: string };
  contentTags?: string[];
  update?: boolean;
  /** With `update`: another repo whose entries may be reused for files of the same name, size and mtime. */
  updateMdPath?: string;
  /** A file listing the packages to index, one path relative to `dir` per line, instead of a directory walk. */
  pkglist?: string;
  workers?: number;
  compressType?: 'gz' | 'xz' | 'bz2';
}

/** The repomd <distro> tag of a release: "cpe:/o:<short>:<short>:<major>" and "<name> <major>". */
export function releaseDistroTag(r: { short: string; name: string; major: string | number }): {
  cpeid: string;
  name: string;
} {
  const short = r.short.toLowerCase();
  return { cpeid: `cpe:/o:${short}:${short}:${r.major}`, name: `${r.name} ${r.major}` };
}

export function createrepoArgv(o: CreaterepoOptions): string[] {
  const argv = ['createrepo_c', '--quiet', '--no-database', '--checksum', o.checksum];
  if (o.update) argv.push('--update');
  if (o.update && o.updateMdPath) argv.push('--update-md-path', o.updateMdPath);
  if (o.pkglist) argv.push('--pkglist', o.pkglist);
  if (o.workers) argv.push('--workers', String(o.workers));
  if (o.compressType) argv.push('--general-compress-type', o.compressType);
  if (o.groupfile) argv.push('--groupfile', o.groupfile);
  if (o.revision) argv.push('--revision', o.revision, '--set-timestamp-to-revision');
  if (o.distroTag)
    argv.push('--distro', o.distroTag.cpeid ? `${o.distroTag.cpeid},${o.distroTag.name}` : o.distroTag.name);
  for (const c of o.contentTags ?? []) argv.push('--content', c);
  argv.push(o.dir);
  return argv;
}

export function modifyrepoArgv(
  file: string,
  repodataDir: string,
  mdtype: string,
  checksum: string,
): string[] {
  return ['modifyrepo_c', `--mdtype=${mdtype}`, `--checksum=${checksum}`, file, repodataDir];
}
