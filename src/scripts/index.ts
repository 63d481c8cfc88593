// The command table: every `horno <command>` and its npm script, in the order a compose runs them.
import type { Command } from './command.ts';
import finalizeCompose from './finalize-compose.ts';
import generateCompose from './generate-compose.ts';
import isoKs from './iso-ks.ts';
import repoclosure from './repoclosure.ts';
import syncRepos from './sync-repos.ts';
import validateConfig from './validate-config.ts';

export const commands: Command<never>[] = [
  validateConfig,
  generateCompose,
  syncRepos,
  repoclosure,
  finalizeCompose,
  isoKs,
] as Command<never>[];
