// Cross-field checks of a release config that one field's schema cannot see: version parts, arch subsets,
// repo references (with did-you-mean), upstream path templates, repoclosure and extra files. Media (iso, live)
// checks live in media-checks.ts.
import { Arch, Name } from './common-schema.ts';
import { type ReleaseCheckContext, valid } from './check-context.ts';
import { isPlainObject } from './dotted-path.ts';
import { checkMedia } from './media-checks.ts';
import { versionParts } from './release-schema.ts';
import { checkPlaceholders } from './template-checks.ts';
import { TEMPLATE_PLACEHOLDERS } from './templates.ts';

export function checkRelease(ctx: ReleaseCheckContext): void {
  checkVersion(ctx);
  checkArches(ctx);
  checkRepos(ctx);
  checkMultilib(ctx);
  checkUpstream(ctx);
  checkRepoclosure(ctx);
  checkExtraFiles(ctx);
  checkMedia(ctx);
}

function checkVersion(ctx: ReleaseCheckContext): void {
  const { data } = ctx;
  if (typeof data.version !== 'string' || !/^\d+\.\d+$/.test(data.version)) return;
  const parts = versionParts(data.version);
  for (const key of ['major', 'minor'] as const) {
    const v = data[key];
    if (typeof v === 'string' && v !== parts[key])
      ctx.add(
        [key],
        `"${v}" does not match version "${data.version}" (leave it out: it is derived from version)`,
      );
  }
}

function checkArches(ctx: ReleaseCheckContext): void {
  ctx.unique(['arches'], ctx.data.arches, 'arch');
  ctx.unique(['failable_arches'], ctx.data.failable_arches, 'arch');
  const failable = ctx.data.failable_arches;
  if (Array.isArray(failable)) failable.forEach((a, i) => ctx.archInRelease(['failable_arches', i], a));
}

function checkRepos(ctx: ReleaseCheckContext): void {
  const repos = Array.isArray(ctx.data.repos) ? ctx.data.repos : [];
  const names = new Set<unknown>();
  const upstreams = new Map<unknown, number>();
  repos.forEach((repo, i) => {
    if (!isPlainObject(repo)) return;
    if (names.has(repo.name)) ctx.add(['repos', i], `repo "${repo.name}" is listed twice`);
    else {
      names.add(repo.name);
      const upstream = repo.upstream ?? repo.name;
      const first = upstreams.get(upstream);
      if (first !== undefined)
        ctx.add(['repos', i], `upstream repo "${upstream}" is already used by repos[${first}]`);
      else upstreams.set(upstream, i);
    }
    if (Array.isArray(repo.arches)) {
      ctx.unique(['repos', i, 'arches'], repo.arches, 'arch');
      repo.arches.forEach((a, j) => ctx.archInRelease(['repos', i, 'arches', j], a));
    }
  });
}

function checkMultilib(ctx: ReleaseCheckContext): void {
  const multilib = ctx.data.multilib;
  if (!isPlainObject(multilib)) return;
  for (const [arch, entry] of Object.entries(multilib)) {
    if (!valid(Arch, arch) || !ctx.archInRelease(['multilib', arch], arch) || !isPlainObject(entry)) continue;
    if (Array.isArray(entry.arches))
      entry.arches.forEach((extra, i) => {
        if (extra === arch) ctx.add(['multilib', arch, 'arches', i], `"${extra}" is the arch itself`);
      });
    if (Array.isArray(entry.repos))
      entry.repos.forEach((repo, i) => {
        const path = ['multilib', arch, 'repos', i];
        if (ctx.repoExists(path, repo))
          ctx.repoOnArches(path, repo, [arch as Arch], `multilib adds to ${arch}`);
      });
  }
}

function checkUpstream(ctx: ReleaseCheckContext): void {
  const upstream = ctx.data.upstream;
  if (!isPlainObject(upstream)) return;
  const paths = upstream.paths;
  if (isPlainObject(paths)) {
    const why = 'or every repo and arch would be fetched from one place';
    for (const tree of ['os', 'debug'] as const) {
      const t = paths[tree];
      if (typeof t === 'string')
        checkPlaceholders(
          ctx.out,
          ['upstream', 'paths', tree],
          t,
          TEMPLATE_PLACEHOLDERS.upstreamTree,
          ['repo', 'arch'],
          why,
        );
    }
    if (typeof paths.source === 'string')
      checkPlaceholders(
        ctx.out,
        ['upstream', 'paths', 'source'],
        paths.source,
        TEMPLATE_PLACEHOLDERS.upstreamSource,
        ['repo'],
        why,
      );
  }
  const keys = upstream.gpg_keys;
  const enforced = upstream.enforce_signatures ?? true;
  if (enforced === true && (keys === undefined || (Array.isArray(keys) && keys.length === 0)))
    ctx.add(
      ['upstream', 'gpg_keys'],
      'signatures are enforced (upstream.enforce_signatures) but no keys are listed',
    );
}

function checkRepoclosure(ctx: ReleaseCheckContext): void {
  const rc = ctx.data.repoclosure;
  if (!isPlainObject(rc)) return;
  if (isPlainObject(rc.arches))
    for (const arch of Object.keys(rc.arches))
      if (valid(Arch, arch)) ctx.archInRelease(['repoclosure', 'arches', arch], arch);
  if (!isPlainObject(rc.repos)) return;
  for (const [repo, lookaside] of Object.entries(rc.repos)) {
    if (
      !valid(Name, repo) ||
      !ctx.repoExists(['repoclosure', 'repos', repo], repo) ||
      !Array.isArray(lookaside)
    )
      continue;
    ctx.unique(['repoclosure', 'repos', repo], lookaside, 'repo');
    lookaside.forEach((dep, i) => {
      const path = ['repoclosure', 'repos', repo, i];
      if (dep === repo) ctx.add(path, `"${repo}" is checked against itself already; leave it out`);
      else if (ctx.repoExists(path, dep))
        ctx.repoOnArches(path, dep, ctx.repos.get(repo)?.arches, `${repo} is checked`);
    });
  }
}

function checkExtraFiles(ctx: ReleaseCheckContext): void {
  const files = ctx.data.extra_files;
  if (!Array.isArray(files)) return;
  const seen = new Map<string, number>();
  files.forEach((f, i) => {
    if (!isPlainObject(f) || typeof f.source !== 'string') return;
    const dest = typeof f.dest === 'string' ? f.dest : f.source.replace(/^.*\//, '');
    if (f.dest === undefined && (dest === '' || dest === '.' || dest === '..'))
      ctx.add(['extra_files', i, 'source'], 'names no file (it ends in "/"): give dest');
    const first = seen.get(dest);
    if (first !== undefined)
      ctx.add(['extra_files', i], `"${dest}" is already written by extra_files[${first}]`);
    else seen.set(dest, i);
  });
}
