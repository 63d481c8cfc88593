// The command table: every `horno <command>` and its npm script, in the order a compose runs them. Each entry
// loads its module only when asked: a command pays for its own imports (dockerode, the AWS SDK, the Kubernetes
// models ...), not for every other command's, which keeps start-up short for the small ones.
import type { Command } from './command.ts';

export interface CommandEntry {
  name: string;
  load(): Promise<Command<never>>;
}

const entry = (name: string, load: () => Promise<{ default: unknown }>): CommandEntry => ({
  name,
  load: async () => (await load()).default as Command<never>,
});

export const commands: CommandEntry[] = [
  entry('validate-config', () => import('./validate-config.ts')),
  entry('generate-compose', () => import('./generate-compose.ts')),
  entry('sync-repos', () => import('./sync-repos.ts')),
  entry('repoclosure', () => import('./repoclosure.ts')),
  entry('build-iso', () => import('./build-iso.ts')),
  entry('launch-builds', () => import('./launch-builds.ts')),
  entry('pull-unpack-tree', () => import('./pull-unpack-tree.ts')),
  entry('build-iso-extra', () => import('./build-iso-extra.ts')),
  entry('builder-image', () => import('./builder-image.ts')),
  entry('finalize-compose', () => import('./finalize-compose.ts')),
  entry('compose', () => import('./compose.ts')),
  entry('iso-ks', () => import('./iso-ks.ts')),
];

/** The entries to load for an argv: the command named in it, or all of them (for help and usage errors). */
export function entriesFor(argv: readonly string[]): CommandEntry[] {
  const named = commands.find((c) => argv.includes(c.name));
  return named ? [named] : commands;
}
