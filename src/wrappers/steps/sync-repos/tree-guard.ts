// What may enter a mirrored tree, checked before anything is written: each package's location resolved inside its
// tree's URL (rpmmd/location.ts), an .rpm with a checksum and size to verify it by, and no symlink in or above the
// tree (a link would take writes meant for the tree somewhere else).
import { lstat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { WorkError } from '../../errors.ts';
import {
  checksumProblem,
  LocationError,
  type Package,
  treeLocation,
  type TreeLocation,
} from '../../rpmmd/index.ts';

/**
 * Where a package comes from and where it goes: its location (and xml:base) resolved inside the tree's URL, an
 * .rpm file, with a checksum and size to verify it by. Throws LocationError naming the package otherwise.
 */
export function packageLocation(treeUrl: string, pkg: Package): TreeLocation {
  const what = `package ${pkg.nevra || '(no name)'}`;
  const loc = treeLocation(treeUrl, pkg.location.href, pkg.location.base, what);
  const bad = !loc.rel.endsWith('.rpm')
    ? 'is not an .rpm file'
    : (checksumProblem(pkg.checksum) ?? (pkg.size.package > 0 ? undefined : 'has no size'));
  if (bad) throw new LocationError(`${what} (${pkg.location.href}) ${bad}`);
  return loc;
}

/** Every package checked by packageLocation before anything is fetched: one error naming the bad ones. */
export function checkPackages(treeUrl: string, pkgs: readonly Package[]): void {
  const problems: string[] = [];
  for (const p of pkgs) {
    try {
      packageLocation(treeUrl, p);
    } catch (err) {
      if (!(err instanceof LocationError)) throw err;
      problems.push(err.message);
    }
  }
  if (!problems.length) return;
  const shown = problems.slice(0, 10).map((p) => `  ${p}`);
  if (problems.length > 10) shown.push(`  ... and ${problems.length - 10} more`);
  throw new LocationError(
    `${treeUrl}: ${problems.length} unsafe package(s) in primary.xml:\n${shown.join('\n')}`,
    'every package must lie inside the tree and carry a checksum and size; nothing was copied from this upstream',
  );
}

export const symlinkError = (path: string) =>
  new WorkError(
    `refusing to write through a symlink in or above a mirrored tree: ${path}`,
    'sync-repos writes only real files and folders; remove the link (and whatever it pointed at) from the tree',
  );

/** The folder itself may not be a link either (a missing one is made later, as a real folder). */
export async function refuseSymlink(dir: string): Promise<void> {
  const st = await lstat(dir).catch(() => undefined);
  if (st?.isSymbolicLink()) throw symlinkError(dir);
}

/** No folder from `top` down to `dir` (both included) is a link, so making `dir` makes it where its path says. */
export async function refuseLinkedPath(top: string, dir: string): Promise<void> {
  const rel = relative(top, dir);
  if (rel.startsWith('..')) throw new WorkError(`${dir} is not under ${top}`);
  let cur = top;
  await refuseSymlink(cur);
  for (const part of rel.split(sep).filter(Boolean)) await refuseSymlink((cur = join(cur, part)));
}
