// Cross-field checks of a release's media: repos named by lorax and images exist on every arch that builds them,
// name and volume id templates use known placeholders, and every volume id fits in 32 characters on every arch
// (rendered with the RC suffix when the release has one, the longest it can get).
import { Arch } from './common-schema.ts';
import { type ReleaseCheckContext, valid } from './check-context.ts';
import { type ConfigPath, isPlainObject } from './dotted-path.ts';
import { checkFileName, checkPlaceholders, checkVolid } from './template-checks.ts';
import { releaseVars, renderTemplate, SAMPLE_COMPOSE_VARS, TEMPLATE_PLACEHOLDERS } from './templates.ts';

export function checkMedia(ctx: ReleaseCheckContext): void {
  const iso = ctx.data.iso;
  if (isPlainObject(iso)) {
    if (isPlainObject(iso.lorax)) checkLorax(ctx, iso.lorax);
    if (isPlainObject(iso.images)) checkImages(ctx, iso.images);
    if (isPlainObject(iso.names)) checkNames(ctx, ['iso', 'names'], iso.names, ctx.arches);
  }
  if (isPlainObject(ctx.data.live)) checkLive(ctx, ctx.data.live);
}

function checkRepoList(
  ctx: ReleaseCheckContext,
  path: ConfigPath,
  repos: unknown,
  role: string,
  arches?: Arch[],
) {
  if (!Array.isArray(repos)) return;
  ctx.unique(path, repos, 'repo');
  repos.forEach((r, i) => {
    if (ctx.repoExists([...path, i], r)) ctx.repoOnArches([...path, i], r, arches ?? ctx.arches, role);
  });
}

function checkLorax(ctx: ReleaseCheckContext, lorax: Record<string, unknown>): void {
  checkRepoList(ctx, ['iso', 'lorax', 'repos'], lorax.repos, 'lorax builds boot trees');
  const path = ['iso', 'lorax', 'volid'];
  if (typeof lorax.volid !== 'string') return;
  const why = 'or two arches would share one label';
  if (!checkPlaceholders(ctx.out, path, lorax.volid, TEMPLATE_PLACEHOLDERS.volid, ['arch'], why)) return;
  const { identity, arches } = ctx;
  if (!identity || !arches) return;
  const vars = releaseVars(identity, { rc: identity.rc_level !== undefined });
  checkVolid(
    ctx.out,
    path,
    lorax.volid,
    arches.map((arch) => ({ label: arch, vars: { ...vars, arch } })),
  );
}

function checkImages(ctx: ReleaseCheckContext, images: Record<string, unknown>): void {
  for (const [name, image] of Object.entries(images)) {
    if (!isPlainObject(image)) continue;
    const base = ['iso', 'images', name];
    if (name === 'boot' && image.disc === true)
      ctx.add(
        [...base, 'disc'],
        'lorax\'s boot.iso is published as image "boot": name this disc image otherwise',
      );
    checkRepoList(ctx, [...base, 'repos'], image.repos, `image ${name} is made`);
    if (typeof image.package_list !== 'string') continue;
    checkPlaceholders(
      ctx.out,
      [...base, 'package_list'],
      image.package_list,
      TEMPLATE_PLACEHOLDERS.templateFile,
    );
    if (image.reposcan === true)
      ctx.add(
        [...base, 'reposcan'],
        'a disc either carries whole repos (reposcan) or a package_list, not both',
      );
  }
}

/** Name templates must tell arches and images apart and render to plain file names. */
function checkNames(
  ctx: ReleaseCheckContext,
  base: ConfigPath,
  names: Record<string, unknown>,
  arches: Arch[] | undefined,
): void {
  for (const [key, template] of Object.entries(names)) {
    if (typeof template !== 'string') continue;
    const path = [...base, key];
    if (!checkPlaceholders(ctx.out, path, template, TEMPLATE_PLACEHOLDERS.isoName, ['arch', 'image']))
      continue;
    if (!ctx.identity || !arches?.[0]) continue;
    const vars = {
      ...releaseVars(ctx.identity, { rc: true }),
      ...SAMPLE_COMPOSE_VARS,
      arch: arches[0],
      image: 'boot',
    };
    checkFileName(ctx.out, path, renderTemplate(template, vars));
  }
}

function checkLive(ctx: ReleaseCheckContext, live: Record<string, unknown>): void {
  const liveArches = Array.isArray(live.arches) ? live.arches : [];
  ctx.unique(['live', 'arches'], live.arches, 'arch');
  const inRelease = liveArches.filter(
    (a, i) => ctx.archInRelease(['live', 'arches', i], a) && valid(Arch, a) !== undefined,
  ) as Arch[];
  const kickstarts = isPlainObject(live.kickstarts) ? live.kickstarts : {};
  for (const [image, file] of Object.entries(kickstarts))
    if (typeof file === 'string')
      checkPlaceholders(ctx.out, ['live', 'kickstarts', image], file, TEMPLATE_PLACEHOLDERS.templateFile);
  if (isPlainObject(live.names)) checkNames(ctx, ['live', 'names'], live.names, inRelease);
  if (typeof live.volid !== 'string') return;
  const path = ['live', 'volid'];
  const why = 'or two live images would share one label';
  if (!checkPlaceholders(ctx.out, path, live.volid, TEMPLATE_PLACEHOLDERS.liveVolid, ['image'], why)) return;
  if (!ctx.identity) return;
  const vars = releaseVars(ctx.identity, { rc: ctx.identity.rc_level !== undefined });
  const renders = inRelease.flatMap((arch) =>
    Object.keys(kickstarts).map((image) => ({
      label: `${image} on ${arch}`,
      vars: { ...vars, arch, image },
    })),
  );
  checkVolid(ctx.out, path, live.volid, renders);
}
