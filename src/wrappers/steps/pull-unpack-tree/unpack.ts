// Unpacking a lorax tarball (build-iso's layout: MANIFEST.sha256, lorax-<arch>.log, lorax/) into work/lorax/<arch>:
// checked entry by entry before anything is written (iso/safe-tar.ts), every file then verified against the
// manifest (and no file left that it does not list), and only then renamed over the previous tree.
import { readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { tempSibling } from '../../compose/atomic.ts';
import { WorkError } from '../../errors.ts';
import { extractArchiveSafely, UnsafeArchiveError } from '../../iso/safe-tar.ts';
import { TAR_MANIFEST, TAR_TREE, tarLogName } from '../build-iso/index.ts';
import { digestFile, walkTree } from './tree-files.ts';

/** `<hex>  <path>` lines, as sha256sum writes them (a `*` before the path marks binary mode). */
export function parseSha256Manifest(text: string, what: string): Map<string, string> {
  const out = new Map<string, string>();
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!m) throw new WorkError(`${what}: line ${i + 1} is not "<sha256>  <path>": ${JSON.stringify(line)}`);
    out.set(m[2]!.replace(/^\.\//, ''), m[1]!);
  });
  return out;
}

export interface Unpacked {
  files: number;
  /** The lorax log that came with the tree, kept beside it. */
  log?: string;
}

/**
 * Extracts `tarball` and replaces `tree` (work/lorax/<arch>/lorax) with its `lorax/` folder; the manifest and log
 * land beside the tree. A tarball that is unsafe, lacks the tree, or does not match its manifest changes nothing.
 */
export async function unpackLoraxTarball(tarball: string, tree: string, arch: string): Promise<Unpacked> {
  const scratch = tempSibling(tree);
  try {
    await extractArchiveSafely(tarball, scratch);
    const root = join(scratch, TAR_TREE);
    if (!(await stat(join(root, '.treeinfo')).catch(() => undefined)))
      throw new WorkError(`${tarball}: no ${TAR_TREE}/.treeinfo inside; not a lorax tarball`);
    const files = await verifyManifest(scratch, tarball);
    await rm(tree, { recursive: true, force: true });
    await rename(root, tree);
    const base = join(tree, '..');
    await rename(join(scratch, TAR_MANIFEST), join(base, TAR_MANIFEST));
    const log = tarLogName(arch);
    const hasLog = await stat(join(scratch, log)).catch(() => undefined);
    if (hasLog) await rename(join(scratch, log), join(base, log));
    return { files, log: hasLog ? join(base, log) : undefined };
  } finally {
    await rm(scratch, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  }
}

/** Every file and symlink of the unpacked archive is listed in MANIFEST.sha256 with its digest, and vice versa. */
async function verifyManifest(dir: string, tarball: string): Promise<number> {
  const text = await readFile(join(dir, TAR_MANIFEST), 'utf8').catch(() => {
    throw new WorkError(`${tarball}: no ${TAR_MANIFEST} inside`, 'rebuild it with build-iso');
  });
  const listed = parseSha256Manifest(text, `${tarball}:${TAR_MANIFEST}`);
  const present = (await walkTree(dir)).map((e) => e.rel).filter((r) => r !== TAR_MANIFEST);
  const unlisted = present.filter((r) => !listed.has(r));
  if (unlisted.length)
    throw new UnsafeArchiveError(
      tarball,
      unlisted[0]!,
      `is not listed in ${TAR_MANIFEST} (${unlisted.length} such files)`,
    );
  const have = new Set(present);
  for (const [rel, hex] of listed) {
    if (!have.has(rel))
      throw new WorkError(`${tarball}: ${rel} is in ${TAR_MANIFEST} but not in the archive`);
    const got = await digestFile(join(dir, ...rel.split('/')), 'sha256');
    if (got !== hex) throw new WorkError(`${tarball}: ${rel} has sha256 ${got}, ${TAR_MANIFEST} says ${hex}`);
  }
  return listed.size;
}
