// Repodata and tree files for a mirrored tree: createrepo_c (checksum from the release, comps via --groupfile,
// --update to reuse unchanged entries, also from upstream's metadata copy in work/ via --update-md-path when the
// checksum types agree, SOURCE_DATE_EPOCH or else upstream's revision for reproducible output, the tree's packages
// as a --pkglist), modules via modifyrepo_c, then .treeinfo, .discinfo and media.repo (productmd / pungi formats).
// Upstream comps and modules are streamed into work/ through the bounded decompressor before any package is
// mirrored. Commands run through the caller's exec (the step context's), dates come from the caller's clock.
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeToFile, tempSibling, writeFileAtomic } from '../../compose/atomic.ts';
import type { ReleaseConfig } from '../../config/release-schema.ts';
import { discTimestamp, serializeDiscInfo, serializeMediaRepo } from '../../iso/discinfo.ts';
import { serializeTreeInfo, type TreeVariant } from '../../iso/treeinfo.ts';
import {
  createrepoArgv,
  findRecord,
  metadataBytes,
  modifyrepoArgv,
  releaseDistroTag,
  type RepoMd,
} from '../../rpmmd/index.ts';
import { sha256File } from '../../metadata/digest.ts';
import type { TreeTarget } from './plan.ts';
import { hashFile } from './tree-state.ts';

/** The comps and modules files createrepo_c and modifyrepo_c are given, decompressed (absent: none upstream). */
export interface GroupAndModules {
  groupfile?: string;
  modules?: string;
}

/**
 * Decompresses the tree's upstream comps and modules (downloaded and verified under `local`) into work/. Each
 * streams to disk, and one that unpacks past its open-size or `maxBytes` fails the unit here, before packages
 * are mirrored and before anything of it could be published.
 */
export async function unpackGroupAndModules(
  t: TreeTarget,
  local: string,
  upstream: RepoMd,
  work: string,
  maxBytes: number,
): Promise<GroupAndModules> {
  const groupfile = t.comps
    ? await unpackTo(local, upstream, 'group', join(work, 'comps.xml'), maxBytes)
    : undefined;
  const modules = t.modules
    ? await unpackTo(local, upstream, 'modules', join(work, 'modules.yaml'), maxBytes)
    : undefined;
  return { groupfile, modules };
}

async function unpackTo(
  local: string,
  repomd: RepoMd,
  type: string,
  dest: string,
  maxBytes: number,
): Promise<string | undefined> {
  const rec = findRecord(repomd, type);
  if (!rec) return undefined;
  const tmp = tempSibling(dest);
  try {
    await pipeToFile(tmp, [Readable.from(metadataBytes(local, rec, { maxBytes }), { objectMode: false })]);
    await rename(tmp, dest);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return dest;
}

/** Reads upstream metadata files of these types through the bounded decompressor: throws if one is past its bounds. */
export async function checkUnpacked(
  local: string,
  upstream: RepoMd,
  types: readonly string[],
  maxBytes: number,
): Promise<void> {
  for (const rec of upstream.records.filter((r) => types.includes(r.type))) {
    for await (const _ of metadataBytes(local, rec, { maxBytes })) void _;
  }
}

export interface RepodataJob extends GroupAndModules {
  /** The tree's package files, relative to it (the mirror's final listing): createrepo_c indexes exactly these. */
  files: readonly string[];
  /** Upstream's repomd.xml (its revision stands in when no SOURCE_DATE_EPOCH is set). */
  upstream: RepoMd;
  work: string;
  workers: number;
  /** A repo whose primary/filelists/other entries createrepo_c may reuse for files of the same name, size, mtime. */
  updateMdPath: string | undefined;
  sourceDateEpoch: number | undefined;
  /** Runs one command to completion (throws when it fails), its output going to the unit's log. */
  exec: (argv: string[]) => Promise<unknown>;
}

export async function writeRepodata(t: TreeTarget, release: ReleaseConfig, job: RepodataJob): Promise<void> {
  const { files, upstream, work, workers, updateMdPath, groupfile, modules, exec } = job;
  const revision = job.sourceDateEpoch !== undefined ? String(job.sourceDateEpoch) : upstream.revision;
  // what createrepo_c's own walk would find, without its quadratic sorted insert
  const pkglist = join(work, 'pkglist');
  // createrepo_c builds into <tree>/.repodata/ and refuses to start while it exists ("Another createrepo process is
  // running?"): one killed mid-run left it. We hold the compose lock, so nothing else writes this tree.
  await rm(join(t.dir, '.repodata'), { recursive: true, force: true });
  await writeFile(pkglist, files.map((f) => `${f}\n`).join(''));
  await exec(
    createrepoArgv({
      dir: t.dir,
      checksum: release.checksum,
      update: true,
      updateMdPath,
      pkglist,
      workers,
      groupfile,
      revision,
      distroTag: releaseDistroTag(release),
    }),
  );
  if (t.modules) {
    if (modules) {
      await exec(modifyrepoArgv(modules, join(t.dir, 'repodata'), 'modules', release.checksum));
      // modifyrepo_c stamps its record with the current time; keep repomd.xml reproducible
      if (revision) await pinRepomdTimestamps(join(t.dir, 'repodata', 'repomd.xml'), revision);
    }
  }
}

async function pinRepomdTimestamps(repomd: string, revision: string): Promise<void> {
  if (!/^\d+$/.test(revision)) return;
  const xml = await readFile(repomd, 'utf8');
  await writeFileAtomic(
    repomd,
    xml.replace(/<timestamp>\d+<\/timestamp>/g, `<timestamp>${revision}</timestamp>`),
  );
}

/** .treeinfo, .discinfo and media.repo for a repo tree (os, debug or source), dated SOURCE_DATE_EPOCH or now. */
export async function writeTreeFiles(
  t: TreeTarget,
  release: ReleaseConfig,
  sourceDateEpoch: number | undefined,
): Promise<void> {
  const arch = t.kind === 'source' ? 'src' : t.arch;
  const paths: TreeVariant['paths'] =
    t.kind === 'source'
      ? { source_packages: 'Packages', source_repository: '.' }
      : t.kind === 'debug'
        ? { debug_packages: 'Packages', debug_repository: '.' }
        : { packages: 'Packages', repository: '.' };
  const stamp = discTimestamp(
    sourceDateEpoch === undefined ? {} : { SOURCE_DATE_EPOCH: String(sourceDateEpoch) },
  );
  const id = t.repo.replaceAll('-', '_');
  const repomd = join(t.dir, 'repodata', 'repomd.xml');
  const treeinfo = serializeTreeInfo({
    release: { name: release.name, short: release.short, version: release.version },
    tree: { arch, buildTimestamp: Math.trunc(Number(stamp)), platforms: [arch] },
    variants: [{ id, uid: id, name: t.repo, type: 'variant', paths }],
    checksums: { 'repodata/repomd.xml': [release.checksum, await hashFile(repomd, release.checksum)] },
    images: {},
  });
  const description = `${release.name} ${release.version}`;
  await writeFileAtomic(join(t.dir, '.treeinfo'), treeinfo);
  await writeFileAtomic(join(t.dir, '.discinfo'), serializeDiscInfo({ timestamp: stamp, description, arch }));
  await writeFileAtomic(join(t.dir, 'media.repo'), serializeMediaRepo(description, stamp));
}

export async function repomdOutput(t: TreeTarget): Promise<{ path: string; size: number; sha256: string }> {
  const path = join(t.dir, 'repodata', 'repomd.xml');
  const buf = await readFile(path);
  return { path, size: buf.length, sha256: await sha256File(path) };
}
