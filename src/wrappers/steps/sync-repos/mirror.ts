// Mirrors the packages of one upstream tree into the compose: keeps files that still verify, hardlinks content
// another tree already has, downloads the rest into work/ (checksum checked while streaming), checks signatures
// there, and only then renames each package into the tree. With --delete, files no longer upstream go.
import { copyFile, link, mkdir, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { LimitFunction } from 'p-limit';
import { download } from '../../net/download.ts';
import { checkSignatures, type Keyring, type Package, resolveLocation } from '../../rpmmd/index.ts';
import { WorkError } from '../../errors.ts';
import type { TreeTarget } from './plan.ts';
import { type ContentIndex, hashFile, TreeState } from './tree-state.ts';

export interface MirrorDeps {
  downloads: LimitFunction;
  index: ContentIndex;
  keyring?: Keyring;
  onBytes?: (n: number) => void;
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

/** A location href must stay inside the tree: relative, no `..`, an .rpm file. */
export function safeHref(href: string): string {
  const parts = href.split('/');
  if (href.startsWith('/') || parts.some((p) => p === '..' || p === '') || !href.endsWith('.rpm')) {
    throw new WorkError(`refusing package location "${href}": not a relative .rpm path inside the repo`);
  }
  return href;
}

export async function mirrorTree(
  t: TreeTarget,
  pkgs: Package[],
  opts: { delete?: boolean; incoming: string; stateFile: string; logFile: string },
  deps: MirrorDeps,
): Promise<MirrorResult> {
  // Files under incoming/ were renamed there only after their checksum verified, so a run killed before landing
  // them leaves them reusable; only download temp files (hidden names) are partial.
  await removePartials(opts.incoming);
  await mkdir(opts.incoming, { recursive: true });
  const state = await TreeState.load(opts.stateFile);
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
  const arrived: { rel: string; tmp: string; pkg: Package }[] = [];

  await Promise.all(
    pkgs.map((pkg) =>
      deps.downloads(async () => {
        let rel: string;
        try {
          rel = safeHref(pkg.location.href);
        } catch (err) {
          res.problems.push({ file: pkg.location.href, problem: (err as Error).message });
          return;
        }
        const dest = join(t.dir, rel);
        if (await state.verify(rel, dest, pkg.checksum, pkg.size.package)) {
          res.kept++;
          deps.index.add(pkg.checksum.value, dest);
          return;
        }
        const tmp = join(opts.incoming, rel);
        await mkdir(dirname(tmp), { recursive: true });
        if (await stagedVerifies(tmp, pkg)) {
          res.resumed++;
          arrived.push({ rel, tmp, pkg });
          return;
        }
        const twin = deps.index.get(pkg.checksum.value);
        if (twin && (await linkOrCopy(twin, tmp))) {
          res.linked++;
          arrived.push({ rel, tmp, pkg });
          return;
        }
        try {
          const url = resolveLocation(t.url, pkg.location.href, pkg.location.base);
          const r = await download(url, tmp, {
            checksum: pkg.checksum,
            size: pkg.size.package,
            onBytes: deps.onBytes,
          });
          res.downloaded++;
          res.bytes += r.bytes;
          arrived.push({ rel, tmp, pkg });
        } catch (err) {
          res.problems.push({ file: rel, problem: (err as Error).message });
        }
      }),
    ),
  );

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
  for (const a of accepted.sort((x, y) => (x.rel < y.rel ? -1 : 1))) {
    const dest = join(t.dir, a.rel);
    await mkdir(dirname(dest), { recursive: true });
    await rename(a.tmp, dest);
    await state.record(a.rel, dest, a.pkg.checksum.value);
    deps.index.add(a.pkg.checksum.value, dest);
  }

  const wanted = new Set(pkgs.map((p) => p.location.href));
  const present = await listRpms(t.dir);
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

async function stagedVerifies(tmp: string, pkg: Package): Promise<boolean> {
  const st = await stat(tmp).catch(() => undefined);
  if (!st) return false;
  if (st.size === pkg.size.package && (await hashFile(tmp, pkg.checksum.type)) === pkg.checksum.value)
    return true;
  await rm(tmp, { force: true });
  return false;
}

async function removePartials(dir: string): Promise<void> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (e.isFile() && e.name.startsWith('.') && e.name.includes('.tmp-'))
      await rm(join(e.parentPath, e.name));
  }
}

async function linkOrCopy(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EXDEV') {
      await copyFile(from, to);
      return true;
    }
    return false; // the twin vanished: download instead
  }
}

/** Every .rpm under a tree (relative paths, sorted), skipping repodata and hidden folders. */
export async function listRpms(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.rpm'))
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .filter((r) => !r.startsWith('repodata/') && !r.split('/').some((p) => p.startsWith('.')))
    .sort();
}
