// The package set of a package_list disc (the minimal ISO): the list expanded with the repos' comps, solved natively
// over the compose's os/ trees, laid out per repo as a fresh createrepo_c repo of just those packages (hard links,
// the repo's own comps and modules carried), and proven closed with the native repoclosure before mastering.
import { constants } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { tempSibling, writeFileAtomic } from '../../compose/atomic.ts';
import type { ReleaseConfig } from '../../config/release-schema.ts';
import { WorkError } from '../../errors.ts';
import { linkAtomic } from '../../iso/publish.ts';
import {
  createrepoArgv,
  depsolve,
  findRecord,
  formatRepoclosure,
  loadRepo,
  type LoadedRepo,
  metadataText,
  modifyrepoArgv,
  releaseDistroTag,
  repoclosure,
} from '../../rpmmd/index.ts';
import { run } from '../../run/runner.ts';
import { emptyComps, expandList, type ListEntry, parseComps } from './package-list.ts';

export interface SubsetJob {
  arch: string;
  /** Repo name -> its os/ tree in the compose, in the image's order (earlier repos win ties). */
  sources: { repo: string; dir: string }[];
  list: { file: string; entries: ListEntry[] };
  /** Where `<Repo>/{Packages,repodata}` are made; `meta` holds comps and modules inputs. */
  outDir: string;
  meta: string;
  release: ReleaseConfig;
  logFile: string;
  /** SOURCE_DATE_EPOCH, when set: clamps package mtimes and is the repodata revision. */
  epoch?: number;
}

export interface SubsetRepo {
  repo: string;
  dir: string;
  packages: number;
}

export async function buildSubsetRepos(j: SubsetJob): Promise<SubsetRepo[]> {
  const loaded = await Promise.all(j.sources.map((s) => loadRepo(s.repo, s.dir)));
  const comps = emptyComps();
  const compsText = new Map<string, string>();
  for (const r of loaded) {
    const text = await recordText(r, 'group');
    if (text === undefined) continue;
    compsText.set(r.id, text);
    parseComps(text, `${r.baseUrl} comps`, comps);
  }
  const request = expandList(j.list.entries, comps, j.list.file);
  const solved = await depsolve(request, { repos: loaded, arch: j.arch });
  if (solved.problems.length) {
    const lines = solved.problems
      .slice(0, 20)
      .map((p) => `  ${p.package}: nothing provides ${p.requirement}`);
    throw new WorkError(
      `the package list ${j.list.file} cannot be closed on ${j.arch} (${solved.problems.length} problems):\n${lines.join('\n')}`,
      'fix the list or the repos it draws from',
    );
  }

  const out: SubsetRepo[] = [];
  await rm(j.meta, { recursive: true, force: true });
  await mkdir(j.meta, { recursive: true });
  for (const src of loaded) {
    const dir = join(j.outDir, src.id);
    await rm(dir, { recursive: true, force: true });
    await mkdir(join(dir, 'Packages'), { recursive: true });
    const mine = solved.packages.filter((p) => p.repo === src.id);
    for (const { pkg } of mine) {
      const href = pkg.location.href;
      if (href.startsWith('/') || href.split('/').includes('..') || pkg.location.base)
        throw new WorkError(`${src.baseUrl}: package location "${href}" is not inside the repo`);
      await placePackage(join(src.baseUrl, href), join(dir, href), j.epoch);
    }
    await writeRepodata(j, src, dir, compsText.get(src.id));
    out.push({ repo: src.id, dir, packages: mine.length });
  }
  await checkClosed(out, j.arch);
  return out;
}

/**
 * Hard links the package, unless SOURCE_DATE_EPOCH is set and the file is newer: createrepo_c records the file's
 * mtime in primary.xml, so such a file is copied (reflinked where the filesystem can) with its mtime clamped.
 */
async function placePackage(src: string, dest: string, epoch: number | undefined): Promise<void> {
  if (epoch === undefined || (await stat(src)).mtimeMs <= epoch * 1000) return linkAtomic(src, dest);
  await mkdir(dirname(dest), { recursive: true });
  const tmp = tempSibling(dest);
  try {
    await copyFile(src, tmp, constants.COPYFILE_FICLONE);
    await utimes(tmp, epoch, epoch);
    await rename(tmp, dest);
  } finally {
    await rm(tmp, { force: true });
  }
}

async function recordText(repo: LoadedRepo, type: string): Promise<string | undefined> {
  const rec = findRecord(repo.repomd, type);
  if (!rec) return undefined;
  let text = '';
  for await (const chunk of metadataText(repo.baseUrl, rec)) text += chunk;
  return text;
}

/** createrepo_c as sync-repos runs it (same checksum, distro tag, revision), then the source's modules. */
async function writeRepodata(
  j: SubsetJob,
  src: LoadedRepo,
  dir: string,
  comps: string | undefined,
): Promise<void> {
  const r = j.release;
  let groupfile: string | undefined;
  if (comps !== undefined) {
    // createrepo_c names the record after the file: <digest>-comps.xml, as in every repo
    groupfile = join(j.meta, src.id, 'comps.xml');
    await mkdir(dirname(groupfile), { recursive: true });
    await writeFile(groupfile, comps);
  }
  const revision = j.epoch !== undefined ? String(j.epoch) : src.repomd.revision;
  await run(
    createrepoArgv({
      dir,
      checksum: r.checksum,
      groupfile,
      revision,
      distroTag: releaseDistroTag(r),
    }),
    { logFile: j.logFile },
  );
  const modules = await recordText(src, 'modules');
  if (modules === undefined) return;
  const file = join(j.meta, src.id, 'modules.yaml');
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, modules);
  await run(modifyrepoArgv(file, join(dir, 'repodata'), 'modules', r.checksum), { logFile: j.logFile });
  // modifyrepo_c stamps its record with the current time
  if (revision && /^\d+$/.test(revision)) {
    const repomd = join(dir, 'repodata', 'repomd.xml');
    const xml = await readFile(repomd, 'utf8');
    await writeFileAtomic(
      repomd,
      xml.replace(/<timestamp>\d+<\/timestamp>/g, `<timestamp>${revision}</timestamp>`),
    );
  }
}

/** The fresh repos together must need nothing from outside: the disc is all the installer has. */
async function checkClosed(repos: readonly SubsetRepo[], arch: string): Promise<void> {
  const loaded = await Promise.all(repos.map((r) => loadRepo(r.repo, r.dir)));
  const problems = await repoclosure({ check: loaded, arch });
  if (problems.length)
    throw new WorkError(
      `the package subset for ${arch} is not closed:\n${formatRepoclosure(problems)}`,
      'the native depsolve and repoclosure disagree: report this as a horno bug',
    );
}
