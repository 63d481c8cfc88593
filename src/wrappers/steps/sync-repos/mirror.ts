// Mirrors the packages of one upstream tree into the compose: keeps files that still verify, hardlinks content
// another tree already has, downloads the rest into work/ (checksum checked while streaming), checks signatures
// there, and only then renames each package into the tree with upstream's mtime (`time file`), so createrepo_c
// can reuse upstream's entries and mirrors are reproducible. With --delete, files no longer upstream go. A symlink
// in the tree (or in incoming/) is refused, never written through: each write lands where its path says.
import { copyFile, link, mkdir, readdir, rename, rm, unlink, utimes } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { LimitFunction } from 'p-limit';
import { download, type DownloadOptions } from '../../net/download.ts';
import { linkedSignal } from '../../run/cancel.ts';
import { checkSignatures, type Keyring, type Package, type TreeLocation } from '../../rpmmd/index.ts';
import { FileSystemError } from '../../errors.ts';
import { tempSibling } from '../../compose/atomic.ts';
import type { TreeTarget } from './plan.ts';
import { packageLocation, refuseSymlink, symlinkError } from './tree-guard.ts';
import { type ContentIndex, hashFile, TreeState } from './tree-state.ts';

export interface MirrorDeps {
  downloads: LimitFunction;
  index: ContentIndex;
  keyring?: Keyring;
  onBytes?: (n: number) => void;
  signal?: AbortSignal;
  /** Redirect policy and minimum rate for package downloads. */
  fetch?: Pick<DownloadOptions, 'redirects' | 'minRate' | 'deadlineFloorMs'>;
}

export interface MirrorResult {
  packages: number;
  kept: number;
  downloaded: number;
  linked: number;
  /** Verified in incoming/ by an earlier, interrupted run. */
  resumed: number;
  bytes: number;
  deleted: number;
  problems: { file: string; problem: string }[];
  /** Every package file now in the tree, relative to it. */
  files: string[];
}

export async function mirrorTree(
  t: TreeTarget,
  pkgs: Package[],
  opts: { delete?: boolean; incoming: string; stateFile: string; logFile: string },
  deps: MirrorDeps,
): Promise<MirrorResult> {
  // Files under incoming/ were renamed there only after their checksum verified, so a run killed before landing
  // them leaves them reusable; only download temp files (hidden names), there or in the tree, are partial.
  await refuseSymlink(t.dir);
  const staged = await sweepPartials(opts.incoming);
  await mkdir(opts.incoming, { recursive: true });
  const state = await TreeState.load(opts.stateFile);
  // One listing up front instead of a stat per package: most packages of a first sync are simply absent.
  const before = new Set(await listRpms(t.dir, { sweepPartials: true }));
  const dirs = new Dirs([opts.incoming, t.dir]);
  // stops this tree's other downloads when one hits a failure of our own disk, which fails them all
  const stop = new AbortController();
  const signal = linkedSignal(deps.signal, stop.signal); // one per tree, not one per download
  const res: MirrorResult = {
    packages: pkgs.length,
    kept: 0,
    downloaded: 0,
    linked: 0,
    resumed: 0,
    bytes: 0,
    deleted: 0,
    problems: [],
    files: [],
  };
  const arrived: Arrival[] = [];

  const wanted = new Set<string>();
  const one = async (pkg: Package): Promise<void> => {
    let loc: TreeLocation;
    try {
      loc = packageLocation(t.url, pkg);
    } catch (err) {
      res.problems.push({ file: pkg.location.href, problem: (err as Error).message });
      return;
    }
    const rel = loc.rel;
    wanted.add(rel);
    const dest = join(t.dir, rel);
    if (
      (before.has(rel) || !listable(rel)) &&
      (await state.verify(rel, dest, pkg.checksum, pkg.size.package))
    ) {
      res.kept++;
      deps.index.add(pkg.checksum.value, dest);
      return;
    }
    const tmp = join(opts.incoming, rel);
    if (staged.has(tmp) && (await stagedVerifies(tmp, pkg))) {
      res.resumed++;
      arrived.push({ rel, tmp, pkg, linked: false });
      return;
    }
    // Without a signature check after the download, a verified package lands at once: fetched to a hidden
    // sibling in the tree and renamed into place. With one, it waits in incoming/ until the check passed.
    const direct = !deps.keyring;
    const target = direct ? dest : tmp;
    await dirs.make(dirname(target));
    const twin = deps.index.get(pkg.checksum.value);
    if (twin && (await linkOrCopy(twin, target))) {
      res.linked++;
      if (direct) await landNow(rel, dest, pkg, true);
      else arrived.push({ rel, tmp, pkg, linked: true });
      return;
    }
    try {
      const r = await deps.downloads(() =>
        download(loc.url, target, {
          ...deps.fetch,
          checksum: pkg.checksum,
          size: pkg.size.package,
          onBytes: deps.onBytes,
          signal,
          parentExists: true,
          mtime: direct ? upstreamMtime(pkg) : undefined,
        }),
      );
      res.downloaded++;
      res.bytes += r.bytes;
      if (direct) await landNow(rel, dest, pkg, false);
      else arrived.push({ rel, tmp, pkg, linked: false });
    } catch (err) {
      if (err instanceof FileSystemError) throw err;
      res.problems.push({ file: rel, problem: (err as Error).message });
    }
  };
  const landedDirect: string[] = [];
  const landNow = async (rel: string, dest: string, pkg: Package, linked: boolean) => {
    await recordLanded(state, deps.index, { rel, pkg, linked }, dest);
    landedDirect.push(rel);
  };
  // A fixed set of workers pulls from the list: no closure or promise per package queued up front.
  // The first error that is not one package's problem stops the others, and is thrown once all have stopped:
  // nothing of this tree may still write when the unit reports its failure.
  let next = 0;
  let fatal: { err: unknown } | undefined;
  const worker = async () => {
    while (!fatal && next < pkgs.length) {
      try {
        await one(pkgs[next++]!);
      } catch (err) {
        if (!fatal) fatal = { err };
        stop.abort(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, deps.downloads.concurrency) }, worker));
  if (fatal) throw fatal.err;

  let accepted = arrived;
  if (deps.keyring && arrived.length) {
    const verdicts = await checkSignatures(
      deps.keyring,
      arrived.map((a) => a.tmp),
      opts.logFile,
    );
    const bad = new Set(verdicts.filter((v) => !v.ok).map((v) => v.file));
    for (const v of verdicts) {
      if (!v.ok)
        res.problems.push({ file: relative(opts.incoming, v.file), problem: `signature check: ${v.detail}` });
    }
    accepted = arrived.filter((a) => !bad.has(a.tmp));
    await Promise.all([...bad].map((f) => rm(f, { force: true })));
  }
  const landed = [
    ...landedDirect,
    ...(await land(
      accepted.sort((x, y) => (x.rel < y.rel ? -1 : 1)),
      t.dir,
      dirs,
      state,
      deps.index,
    )),
  ];

  const present = [...new Set([...before, ...landed.filter(listable)])].sort();
  if (opts.delete) {
    for (const rel of present) {
      if (wanted.has(rel)) continue;
      await unlink(join(t.dir, rel));
      state.files.delete(rel);
      res.deleted++;
    }
  }
  res.files = opts.delete ? present.filter((r) => wanted.has(r)) : present;
  await state.save();
  await rm(opts.incoming, { recursive: true, force: true });
  return res;
}

interface Arrival {
  rel: string;
  tmp: string;
  pkg: Package;
  /** A hardlink to another tree's file: its mtime belongs to that tree too, so it is left alone. */
  linked: boolean;
}

/** Renames verified arrivals into the tree, stamped with upstream's mtime, and records them. */
async function land(
  accepted: Arrival[],
  dir: string,
  dirs: Dirs,
  state: TreeState,
  index: ContentIndex,
): Promise<string[]> {
  const landed: string[] = [];
  for (const a of accepted) {
    const dest = join(dir, a.rel);
    await dirs.make(dirname(dest));
    const mtime = a.linked ? undefined : upstreamMtime(a.pkg);
    if (mtime !== undefined) await utimes(a.tmp, mtime, mtime);
    await rename(a.tmp, dest);
    await recordLanded(state, index, a, dest);
    landed.push(a.rel);
  }
  return landed;
}

/** Upstream's `time file` of a package, to stamp on its copy; hardlinks share another tree's file and keep its. */
const upstreamMtime = (pkg: Package): number | undefined => (pkg.time.file > 0 ? pkg.time.file : undefined);

/** Records a package that just took its place in the tree (its mtime is upstream's unless it is a link). */
async function recordLanded(
  state: TreeState,
  index: ContentIndex,
  a: Pick<Arrival, 'rel' | 'pkg' | 'linked'>,
  dest: string,
): Promise<void> {
  const mtime = a.linked ? undefined : upstreamMtime(a.pkg);
  if (mtime !== undefined)
    state.files.set(a.rel, {
      size: a.pkg.size.package,
      mtimeMs: mtime * 1000,
      checksum: a.pkg.checksum.value,
    });
  else await state.record(a.rel, dest, a.pkg.checksum.value);
  index.add(a.pkg.checksum.value, dest);
}

/** Folders made so far, so each is made once rather than once per file. */
class Dirs {
  private readonly made = new Set<string>();
  constructor(private readonly roots: string[]) {}
  async make(dir: string): Promise<void> {
    if (this.made.has(dir) || this.roots.includes(dir)) return;
    await mkdir(dir, { recursive: true });
    this.made.add(dir);
  }
}

async function stagedVerifies(tmp: string, pkg: Package): Promise<boolean> {
  if ((await hashFile(tmp, pkg.checksum.type)) === pkg.checksum.value) return true;
  await rm(tmp, { force: true });
  return false;
}

/** A download's temp file (tempSibling): partial by definition. */
const isPartial = (name: string) => name.startsWith('.') && name.includes('.tmp-');

/** Removes partial downloads under incoming/ and returns the verified files a killed run left there. */
async function sweepPartials(dir: string): Promise<Set<string>> {
  const staged = new Set<string>();
  await refuseSymlink(dir);
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (e.isSymbolicLink()) throw symlinkError(join(e.parentPath, e.name));
    if (!e.isFile()) continue;
    const path = join(e.parentPath, e.name);
    if (isPartial(e.name)) await rm(path);
    else staged.add(path);
  }
  return staged;
}

/** Hardlinks (or, across file systems, copies) a twin to `to` through a temp name, replacing what is there. */
async function linkOrCopy(from: string, to: string): Promise<boolean> {
  const tmp = tempSibling(to);
  try {
    try {
      await link(from, tmp);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') return false; // the twin vanished: download instead
      await copyFile(from, tmp);
    }
    await rename(tmp, to);
    return true;
  } finally {
    // a failed copy or rename, or a rename onto a name that already is the twin (rename(2) then does nothing)
    await rm(tmp, { force: true });
  }
}

/** Every .rpm under a tree (relative paths, sorted), skipping repodata and hidden folders; with `sweepPartials`,
 * deletes the temp files of downloads a killed run left in it. */
export async function listRpms(dir: string, opts: { sweepPartials?: boolean } = {}): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const rpms: string[] = [];
  for (const e of entries) {
    // a link (to a folder or a file) would take the writes and deletes meant for the tree somewhere else
    if (e.isSymbolicLink()) throw symlinkError(join(e.parentPath, e.name));
    if (!e.isFile()) continue;
    const rel = relative(dir, join(e.parentPath, e.name)).split(sep).join('/');
    if (opts.sweepPartials && isPartial(e.name) && (dirname(rel) === '.' || listable(dirname(rel))))
      await rm(join(dir, rel));
    else if (e.name.endsWith('.rpm') && listable(rel)) rpms.push(rel);
  }
  return rpms.sort();
}

/** Package files listRpms reports: not under repodata/ or a hidden folder. */
const listable = (rel: string) =>
  !rel.startsWith('repodata/') && !rel.split('/').some((p) => p.startsWith('.'));
