// Arch selection, the one rule every command uses: `--arch a,b --arch c` names arches of the release (and
// `source`, for the source trees sync-repos mirrors); anything else is a usage error listing the valid ones.
import { UsageError } from '../errors.ts';
import type { ReleaseConfig } from './release-schema.ts';
import { didYouMean } from './did-you-mean.ts';

/** The word that selects source trees (they have no arch of their own). */
export const SOURCE_ARCH = 'source';

export interface ArchSelection {
  /** Release arches, in the release's order. */
  arches: string[];
  /** Whether source trees are included (no --arch given, or `source` named). */
  source: boolean;
}

/** `--arch a,b --arch c` -> ['a','b','c']; undefined when not given. */
export function splitList(v: readonly string[] | undefined): string[] | undefined {
  const out = v
    ?.flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  return out?.length ? out : undefined;
}

export function selectArches(
  release: Pick<ReleaseConfig, 'arches'>,
  wanted: readonly string[] | undefined,
  opts: { allowSource?: boolean } = {},
): ArchSelection {
  const valid: string[] = [...release.arches, ...(opts.allowSource ? [SOURCE_ARCH] : [])];
  for (const a of wanted ?? [])
    if (!valid.includes(a))
      throw new UsageError(
        `--arch ${a}: not an arch of this release${didYouMean(a, valid)}`,
        `valid: ${valid.join(', ')}`,
      );
  const all = !wanted?.length;
  return {
    arches: release.arches.filter((a) => all || wanted.includes(a)),
    source: all || wanted.includes(SOURCE_ARCH),
  };
}
