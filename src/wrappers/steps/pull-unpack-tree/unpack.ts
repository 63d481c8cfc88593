// Unpacking a lorax tarball (iso/lorax-tarball.ts: MANIFEST.sha256, lorax-<arch>.log, lorax/) into work/lorax/<arch>:
// checked entry by entry before anything is written (iso/safe-tar.ts: a member the manifest does not list, or
// content past the site's byte ceiling, is refused there), streamed out with flat memory, every file then
// verified against the manifest, and only then renamed over the previous tree.
import { readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { tempSibling } from '../../compose/atomic.ts';
import { WorkError } from '../../errors.ts';
import { extractArchiveSafely, type ExtractedEntry } from '../../iso/safe-tar.ts';
import { parseSha256Manifest, TAR_MANIFEST, TAR_TREE, tarLogName } from '../../iso/lorax-tarball.ts';
import { digestFile } from '../../metadata/digest.ts';

export interface Unpacked {
  files: number;
  /** The lorax log that came with the tree, kept beside it. */
  log?: string;
}

export interface UnpackOptions {
  /** Bytes the tree may unpack to (site limits.unpack_gib); default DEFAULT_MAX_UNPACK_BYTES. */
  maxBytes?: number;
  signal?: AbortSignal;
}

/**
 * Extracts `tarball` and replaces `tree` (work/lorax/<arch>/lorax) with its `lorax/` folder; the manifest and log
 * land beside the tree. A tarball that is unsafe, lacks the tree, holds a member its manifest does not list, or
 * does not match its manifest changes nothing, and leaves no scratch behind.
 */
export async function unpackLoraxTarball(
  tarball: string,
  tree: string,
  arch: string,
  opts: UnpackOptions = {},
): Promise<Unpacked> {
  const scratch = tempSibling(tree);
  try {
    const entries = await extractArchiveSafely(tarball, scratch, {
      maxBytes: opts.maxBytes,
      signal: opts.signal,
      // a member the manifest does not list is refused before anything is written
      manifest: {
        path: TAR_MANIFEST,
        parse: (text) => new Set(parseSha256Manifest(text, `${tarball}:${TAR_MANIFEST}`).keys()),
      },
    });
    const root = join(scratch, TAR_TREE);
    if (!(await stat(join(root, '.treeinfo')).catch(() => undefined)))
      throw new WorkError(`${tarball}: no ${TAR_TREE}/.treeinfo inside; not a lorax tarball`);
    const files = await verifyManifest(scratch, tarball, entries);
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

/**
 * Every file and symlink the manifest lists was unpacked with its digest (the header pass already refused any it
 * does not list). Files were hashed as they were written; a symlink is hashed through, as sha256sum does.
 */
async function verifyManifest(
  dir: string,
  tarball: string,
  entries: readonly ExtractedEntry[],
): Promise<number> {
  const text = await readFile(join(dir, TAR_MANIFEST), 'utf8');
  const listed = parseSha256Manifest(text, `${tarball}:${TAR_MANIFEST}`);
  const present = new Map(entries.filter((e) => e.type !== 'dir').map((e) => [e.path, e]));
  for (const [rel, hex] of listed) {
    const e = present.get(rel);
    if (!e) throw new WorkError(`${tarball}: ${rel} is in ${TAR_MANIFEST} but not in the archive`);
    const got = e.sha256 ?? (await digestFile(join(dir, ...rel.split('/')), 'sha256'));
    if (got !== hex) throw new WorkError(`${tarball}: ${rel} has sha256 ${got}, ${TAR_MANIFEST} says ${hex}`);
  }
  return listed.size;
}
