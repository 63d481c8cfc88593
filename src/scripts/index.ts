// The command table: every `horno <command>` and its npm script, in the order a compose runs them. Each entry
// loads its module only when asked: a command pays for its own imports (dockerode, the AWS SDK, the Kubernetes
// models ...), not for every other command's, which keeps start-up short for the small ones.
import type { Command } from './command.ts';

export interface CommandEntry {
  /** The word that selects it (`sync-repos`). */
  name: string;
  /** yargs' command string: the name and any positionals (`iso-ks <action> <iso>`). */
  usage: string;
  /** One line for `horno --help`, shown without loading the module. */
  describe: string;
  load(): Promise<Command<never>>;
}

const entry = (usage: string, describe: string, load: () => Promise<{ default: unknown }>): CommandEntry => ({
  name: usage.split(' ')[0]!,
  usage,
  describe,
  load: async () => (await load()).default as Command<never>,
});

export const commands: CommandEntry[] = [
  entry(
    'validate-config',
    'check a release config and the site config; print what they describe',
    () => import('./validate-config.ts'),
  ),
  entry(
    'generate-compose',
    'create the next dated compose <Short>-<version>-<YYYYMMDD>.<n> and point latest-<Short>-<profile> at it',
    () => import('./generate-compose.ts'),
  ),
  entry(
    'sync-repos',
    'mirror the upstream repos (os, debug, source per arch) into the compose, verified, then repoclosure',
    () => import('./sync-repos.ts'),
  ),
  entry(
    'repoclosure',
    "check every package's dependencies resolve within its repo and the repos it may use (exit 1 if not)",
    () => import('./repoclosure.ts'),
  ),
  entry(
    'build-iso',
    'build the boot tree and boot.iso with lorax per arch and upload each as a tarball to the store',
    () => import('./build-iso.ts'),
  ),
  entry(
    'launch-builds',
    'render a build-iso Kubernetes Job per arch (YAML), and with --submit run them and report each outcome',
    () => import('./launch-builds.ts'),
  ),
  entry(
    'pull-unpack-tree',
    "download each arch's newest lorax tree from the store, place its boot files, stage boot.iso",
    () => import('./pull-unpack-tree.ts'),
  ),
  entry(
    'build-iso-extra',
    "master the disc images (DVD, minimal) of each arch from boot.iso and the compose's repos",
    () => import('./build-iso-extra.ts'),
  ),
  entry(
    'builder-image',
    'build (or load from the cache) the local podman image builds run in',
    () => import('./builder-image.ts'),
  ),
  entry(
    'finalize-compose',
    'move staged media into the compose, write CHECKSUM files and productmd metadata, mark it FINISHED',
    () => import('./finalize-compose.ts'),
  ),
  entry(
    'compose',
    'run the whole pipeline (sync-repos, repoclosure, build-iso, pull-unpack-tree, build-iso-extra, finalize)',
    () => import('./compose.ts'),
  ),
  entry(
    'iso-ks <action> <iso>',
    'read (load) or set (edit) the kickstart an installer ISO boots with',
    () => import('./iso-ks.ts'),
  ),
];

/** Global options whose value may follow as the next word (`--site x.yaml`): that word is not the command. */
const GLOBAL_VALUE_OPTIONS = new Set(['--site', '--config-dir', '--configDir']);

/** The entry an argv names, if any: only its module is loaded; help and usage errors need none. The command is the
 * first word that is not an option: an option's value may be a command's name too (`compose --skip build-iso`). */
export function entryFor(argv: readonly string[]): CommandEntry | undefined {
  const byName = (w: string | undefined) => commands.find((c) => c.name === w);
  for (let i = 0; i < argv.length && argv[i] !== '--'; i++) {
    const word = argv[i]!;
    if (!word.startsWith('-')) {
      // `--release 9 compose`: a command-specific option's value came first; take the first command word then
      return byName(word) ?? byName(argv.slice(i).find((w) => byName(w)));
    }
    if (GLOBAL_VALUE_OPTIONS.has(word)) i++;
  }
  return undefined;
}
