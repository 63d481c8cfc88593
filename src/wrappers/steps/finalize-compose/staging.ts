// Media folders and the move out of staging: builders leave finished images in work/<kind>/<arch>, finalize
// renames them into compose/<kind>/<arch> (same filesystem, so a reader sees a whole file or none, and the
// staged copy is gone the moment the published one exists). Which files are payload, and which are ours.
import { lstat, mkdir, readdir, readlink, rm } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import {
  CHECKSUM_FILE,
  CHECKSUM_SUFFIX,
  type ComposePaths,
  MEDIA_KINDS,
  type MediaKind,
  SIGNATURE_SUFFIX,
} from '../../compose/paths.ts';
import { renameOver, symlinkAtomic } from '../../compose/atomic.ts';
import { WorkError } from '../../errors.ts';

export interface MediaFolder {
  kind: MediaKind;
  arch: string;
  /** work/<kind>/<arch> */
  staging: string;
  /** compose/<kind>/<arch> */
  dir: string;
}

/** What a unit's id covers about one payload file: enough to tell a rebuilt image from the one we hashed. */
export interface PayloadFile {
  name: string;
  size: number;
  mtimeMs: number;
  link?: string;
}

export function folderKey(f: Pick<MediaFolder, 'kind' | 'arch'>): string {
  return `${f.kind}-${f.arch}`;
}

/**
 * Files that get a checksum record. Not: our own CHECKSUM outputs and signatures, ISO manifests and READMEs
 * (descriptions of the images, not images), and dot files (a builder's partial writes).
 */
export function isPayload(name: string): boolean {
  if (name.startsWith('.')) return false;
  if (name === CHECKSUM_FILE || name.endsWith(CHECKSUM_SUFFIX)) return false;
  if (name.endsWith(SIGNATURE_SUFFIX) || name.endsWith('.manifest')) return false;
  return !/^README/.test(name);
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Every <kind>/<arch> that has something staged or published. */
export async function findMediaFolders(paths: ComposePaths): Promise<MediaFolder[]> {
  const out: MediaFolder[] = [];
  for (const kind of MEDIA_KINDS) {
    const arches = new Set([
      ...(await listDir(paths.mediaStaging(kind))),
      ...(await listDir(paths.media(kind))),
    ]);
    for (const arch of [...arches].sort()) {
      if (arch.startsWith('.')) continue;
      const f = { kind, arch, staging: paths.mediaStaging(kind, arch), dir: paths.media(kind, arch) };
      if ((await stagedNames(f)).length || (await payloadNames(f.dir)).length) out.push(f);
    }
  }
  return out;
}

/** Everything waiting in staging (payload and its manifests), dot files aside. */
export async function stagedNames(f: MediaFolder): Promise<string[]> {
  return (await listDir(f.staging)).filter((n) => !n.startsWith('.'));
}

export async function payloadNames(dir: string): Promise<string[]> {
  return (await listDir(dir)).filter(isPayload);
}

/** A link is described by its text alone (the file it names is described on its own), as it will read once
 * published: moving may recreate it, which changes its own mtime but not what it means. */
async function describe(dir: string, name: string): Promise<PayloadFile> {
  const st = await lstat(join(dir, name));
  if (!st.isSymbolicLink()) return { name, size: st.size, mtimeMs: st.mtimeMs };
  return { name, size: 0, mtimeMs: 0, link: publishedLink(dir, await readlink(join(dir, name))) };
}

/** The text a staged link gets when published: absolute links into staging become relative. */
function publishedLink(stagingDir: string, target: string): string {
  return isAbsolute(target) && resolve(dirname(target)) === resolve(stagingDir) ? basename(target) : target;
}

/** The payload the folder will hold once staging is moved in: staged files win over published ones. */
export async function plannedPayload(f: MediaFolder): Promise<PayloadFile[]> {
  const byName = new Map<string, PayloadFile>();
  for (const n of await payloadNames(f.dir)) byName.set(n, await describe(f.dir, n));
  for (const n of (await stagedNames(f)).filter(isPayload)) byName.set(n, await describe(f.staging, n));
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}

/**
 * Renames every staged entry into the published folder, replacing a file of the same name (a rebuilt image).
 * A link that points into staging by absolute path is recreated relative, so it still resolves after the move.
 */
export async function moveStaged(f: MediaFolder): Promise<string[]> {
  const names = await stagedNames(f);
  if (names.length === 0) return [];
  await mkdir(f.dir, { recursive: true });
  for (const name of names) {
    const from = join(f.staging, name);
    const to = join(f.dir, name);
    const st = await lstat(from);
    if (st.isDirectory()) throw new WorkError(`${from} is a folder; only files and links are published`);
    if (st.isSymbolicLink()) {
      const target = await readlink(from);
      const published = publishedLink(f.staging, target);
      if (published !== target) {
        await symlinkAtomic(published, to);
        await rm(from);
        continue;
      }
    }
    try {
      // a staged link to the image already published (pull-unpack-tree staged it again after a crash) is the same
      // inode: rename(2) would keep it in staging
      await renameOver(from, to);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EXDEV') {
        throw new WorkError(
          `cannot move ${from} to ${to}: they are on different filesystems`,
          'keep work/ and compose/ of a compose on one filesystem (a rename is what makes publishing atomic)',
        );
      }
      throw err;
    }
  }
  return names;
}

/** Removes `<x>.CHECKSUM` and signatures left from payload that is no longer in the folder. */
export async function removeOrphans(f: MediaFolder, payload: readonly string[]): Promise<string[]> {
  const keep = new Set(payload);
  const gone: string[] = [];
  for (const n of await listDir(f.dir)) {
    const base = n.endsWith(SIGNATURE_SUFFIX) ? n.slice(0, -SIGNATURE_SUFFIX.length) : n;
    if (base === CHECKSUM_FILE || !base.endsWith(CHECKSUM_SUFFIX)) continue;
    if (!keep.has(base.slice(0, -CHECKSUM_SUFFIX.length))) {
      await rm(join(f.dir, n), { force: true });
      gone.push(n);
    }
  }
  return gone;
}
