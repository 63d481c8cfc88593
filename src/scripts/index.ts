// The command table: every `horno <command>` and its npm script, in the order a compose runs them.
import builderImage from './builder-image.ts';
import buildIso from './build-iso.ts';
import buildIsoExtra from './build-iso-extra.ts';
import compose from './compose.ts';
import type { Command } from './command.ts';
import finalizeCompose from './finalize-compose.ts';
import generateCompose from './generate-compose.ts';
import isoKs from './iso-ks.ts';
import launchBuilds from './launch-builds.ts';
import pullUnpackTree from './pull-unpack-tree.ts';
import repoclosure from './repoclosure.ts';
import syncRepos from './sync-repos.ts';
import validateConfig from './validate-config.ts';

export const commands: Command<never>[] = [
  validateConfig,
  generateCompose,
  syncRepos,
  repoclosure,
  buildIso,
  launchBuilds,
  pullUnpackTree,
  buildIsoExtra,
  builderImage,
  finalizeCompose,
  compose,
  isoKs,
] as Command<never>[];
