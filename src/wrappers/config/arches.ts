// Arch selection, the one rule every command uses: `--arch a,b --arch c` names arches of the release (and
// `source`, for the source trees sync-repos mirrors); anything else is a usage error listing the valid ones.
import { UsageError } from '../errors.ts';
import type { ReleaseConfig } from './release-schema.ts';
import { didYouMean } from './did-you-mean.ts';

/** The word that selects source trees (they have no arch of their own). */
export const SOURCE_ARCH = 'source';

/** `--arch a,b --arch c` -> ['a','b','c']; undefined when not given. */
export function splitList(v: readonly string[] | undefined): string[] | undefined {
  const out = v?.flatMap((s) => s.split(',')).filter(Boolean);
  return out?.length ? out : undefined;
}

/** The release arches `wanted` names (all of them when it names none), in the release's order; `source` is valid
 * only where source trees are (allowSource) and is not an arch in the result. */
export function selectArches(
  release: Pick<ReleaseConfig, 'arches'>,
  wanted: readonly string[] | undefined,
  opts: { allowSource?: boolean } = {},
): string[] {
  const valid: string[] = [...release.arches, ...(opts.allowSource ? [SOURCE_ARCH] : [])];
  for (const a of wanted ?? [])
    if (!valid.includes(a))
      throw new UsageError(
        `--arch ${a}: not an arch of this release${didYouMean(a, valid)}`,
        `valid: ${valid.join(', ')}`,
      );
  return release.arches.filter((a) => !wanted?.length || wanted.includes(a));
}
