// The step registry (pungi's phases/__init__.py): every compose step, in pipeline order. `horno compose` runs
// them all (minus --skip); each single command runs one or two of them through the same runner.
import { buildIsoExtra } from './build-iso-extra/index.ts';
import { buildIso } from './build-iso/index.ts';
import { finalizeMedia, finalizeMetadata } from './finalize-compose/index.ts';
import { pullUnpackTree } from './pull-unpack-tree/index.ts';
import { repoclosureStep } from './repoclosure.ts';
import type { Step, UnitData } from './step.ts';
import { syncRepos } from './sync-repos/index.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const STEPS: readonly Step<any, UnitData, any>[] = [
  syncRepos,
  repoclosureStep,
  buildIso,
  pullUnpackTree,
  buildIsoExtra,
  finalizeMedia,
  finalizeMetadata,
];

/** Names `--skip` takes besides the steps': finalize-compose is its two phases. */
export const PHASE_ALIASES: Readonly<Record<string, readonly string[]>> = {
  'finalize-compose': [finalizeMedia.name, finalizeMetadata.name],
};

export {
  buildIso,
  buildIsoExtra,
  finalizeMedia,
  finalizeMetadata,
  pullUnpackTree,
  repoclosureStep,
  syncRepos,
};
