// Packing lorax's output into the lorax tarball (iso/lorax-tarball.ts owns the format) with its MANIFEST.sha256
// first: every file sorted by path with its sha256. Entries are sorted, owners dropped and times pinned (the
// compose clock's epoch), so the same tree packs to the same bytes.
import { copyFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { create as createTar } from 'tar';
import { tempSibling } from '../../compose/atomic.ts';
import { formatSha256Manifest, TAR_MANIFEST, TAR_TREE, tarLogName } from '../../iso/lorax-tarball.ts';
import { sha256File } from '../../metadata/digest.ts';

export interface PackInput {
  /** Folder holding `lorax/` (lorax's OUTPUTDIR); the log copy and manifest are written here too. */
  dir: string;
  arch: string;
  /** lorax's --logfile. */
  loraxLog: string;
  dest: string;
  /** Seconds since 1970 stamped on every entry. */
  mtime: number;
}

export interface PackResult {
  files: number;
  /** The manifest's text. */
  manifest: string;
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Every entry under `root` (folders too, so the tarball has them with their modes), relative, `/`-separated. */
async function entries(root: string): Promise<{ dirs: string[]; files: string[] }> {
  const dirs: string[] = [];
  const files: string[] = [];
  for (const e of await readdir(root, { recursive: true, withFileTypes: true })) {
    const rel = relative(root, join(e.parentPath, e.name)).split(sep).join('/');
    if (e.isDirectory()) dirs.push(rel);
    else files.push(rel);
  }
  return { dirs: dirs.sort(byCodePoint), files: files.sort(byCodePoint) };
}

export async function packLorax(p: PackInput): Promise<PackResult> {
  const log = tarLogName(p.arch);
  await copyFile(p.loraxLog, join(p.dir, log));
  const { dirs, files } = await entries(join(p.dir, TAR_TREE));
  const treeFiles = files.map((f) => `${TAR_TREE}/${f}`);
  const listed = [...treeFiles, log].sort(byCodePoint);
  const lines: { sha256: string; path: string }[] = [];
  for (const f of listed) lines.push({ sha256: await sha256File(join(p.dir, f)), path: f });
  const manifest = formatSha256Manifest(lines);
  await writeFile(join(p.dir, TAR_MANIFEST), manifest);

  const order = [TAR_MANIFEST, log, TAR_TREE, ...dirs.map((d) => `${TAR_TREE}/${d}`), ...treeFiles];
  // folders are listed themselves (noDirRecurse), so the order above is the order in the archive
  const sortedTree = order.slice(0, 3).concat(order.slice(3).sort(byCodePoint));
  const tmp = tempSibling(p.dest);
  try {
    await createTar(
      {
        file: tmp,
        cwd: p.dir,
        gzip: { level: 6 },
        portable: true,
        noDirRecurse: true,
        mtime: new Date(p.mtime * 1000),
      },
      sortedTree,
    );
    await rename(tmp, p.dest);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  return { files: listed.length, manifest };
}
