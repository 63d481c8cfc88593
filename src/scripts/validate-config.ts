// `horno validate-config --release 9` (or `--all`): loads and checks the release and site configs, prints a short
// summary of what they describe, and fails with every problem at once (exit 2) when they are wrong.
import type { Argv } from 'yargs';
import { type LoadedRelease, loadReleases } from '../wrappers/config/load.ts';
import { executorFor, parseStoreUrl } from '../wrappers/config/site-schema.ts';
import { UsageError } from '../wrappers/errors.ts';
import { defineCommand, type GlobalArgs } from './command.ts';

interface Args {
  release?: string;
  all?: boolean;
}

export default defineCommand<Args>({
  // Not releaseOption(): it makes --release required, which --all does without.
  options: (y) =>
    (y as Argv<GlobalArgs>)
      .option('release', { type: 'string', describe: 'release to check (config/releases/<release>.yaml)' })
      .option('all', { type: 'boolean', describe: 'check every release file' }) as Argv<GlobalArgs & Args>,
  async run(args, ctx) {
    if (Boolean(args.all) === Boolean(args.release))
      throw new UsageError('name one release with --release, or check them all with --all');
    const loaded = await loadReleases({
      releases: args.all ? undefined : [args.release!],
      configDir: args.configDir,
      siteFile: args.site,
    });
    ctx.print(loaded.map(describe).join('\n'));
    ctx.summary({ ok: true, releases: loaded.map(summarize) });
    return 0;
  },
});

function summarize({ name, release: r, site, files }: LoadedRelease) {
  return {
    release: name,
    file: files.release,
    name: r.name,
    version: r.version,
    arches: r.arches,
    failable_arches: r.failable_arches,
    repos: r.repos.map((repo) => repo.name),
    images: Object.keys(r.iso?.images ?? {}),
    live: Object.keys(r.live?.kickstarts ?? {}),
    site: {
      file: files.site,
      compose_root: site.compose_root,
      store: site.store.url,
      executors: Object.fromEntries(r.arches.map((a) => [a, executorFor(site, a).type])),
    },
  };
}

function describe(loaded: LoadedRelease): string {
  const s = summarize(loaded);
  const store = parseStoreUrl(s.site.store);
  const failable = s.failable_arches.length ? ` (may fail: ${s.failable_arches.join(' ')})` : '';
  return [
    `release ${s.release}: ${s.name} ${s.version} (${s.file})`,
    `  arches:  ${s.arches.join(' ')}${failable}`,
    `  repos:   ${s.repos.join(' ')}`,
    `  images:  ${s.images.join(' ') || 'none'}${s.live.length ? `; live: ${s.live.join(' ')}` : ''}`,
    `  site:    ${s.site.file}`,
    `  compose: ${s.site.compose_root}; store: ${store.kind === 'file' ? store.path : s.site.store}`,
    `  runs on: ${Object.entries(s.site.executors)
      .map(([arch, type]) => `${arch}=${type}`)
      .join(' ')}`,
  ].join('\n');
}
