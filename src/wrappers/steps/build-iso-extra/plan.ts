// Which discs build-iso-extra makes, decided before anything runs: the images (disc, not isoskip, --image filter),
// the arches, each disc's volume id (boot.iso's own label, which the boot menus search for, else the config's)
// checked against lorax's rules, and each package list read and parsed. Any problem is a UsageError, exit 2.
import { readFile } from 'node:fs/promises';
import { selectArches } from '../../config/arches.ts';
import { templateFile } from '../../install.ts';
import { didYouMean } from '../../config/did-you-mean.ts';
import type { IsoImage } from '../../config/release-schema.ts';
import { releaseVars, renderTemplate } from '../../config/templates.ts';
import { UsageError } from '../../errors.ts';
import { checkVolid } from '../../iso/lorax.ts';
import type { IsoNames } from '../../iso/publish.ts';
import { readVolumeDescriptors } from '../../iso/volume-descriptors.ts';
import { sha256Hex } from '../../metadata/digest.ts';
import { isoNames } from '../../iso/iso-names.ts';
import type { StepContext } from '../step.ts';
import { type ListEntry, parsePackageList } from './package-list.ts';

export interface ExtraIsoOptions {
  arches?: string[];
  /** Only this image (an iso.images key). */
  image?: string;
  rc?: boolean;
}

export interface DiscPlan {
  image: string;
  arch: string;
  config: IsoImage;
  volid: string;
  /** Where the label came from. */
  volidFrom: 'boot.iso' | 'config';
  names: IsoNames;
  list?: { file: string; entries: ListEntry[]; sha256: string };
}

export async function planDiscs(ctx: StepContext, opts: ExtraIsoOptions): Promise<DiscPlan[]> {
  const iso = ctx.release.iso;
  if (!iso) throw new UsageError(`release ${ctx.release.short} has no iso section: no discs to make`);
  const discs = Object.entries(iso.images).filter(([, img]) => img.disc && !img.isoskip);
  if (opts.image !== undefined) {
    const img = iso.images[opts.image];
    if (!img)
      throw new UsageError(
        `--image ${opts.image}: no such image${didYouMean(opts.image, Object.keys(iso.images))}`,
      );
    if (!img.disc)
      throw new UsageError(
        `--image ${opts.image}: not a disc image (disc: false); pull-unpack-tree makes it`,
      );
    if (img.isoskip)
      throw new UsageError(`--image ${opts.image}: isoskip is set for it in the release config`);
  }
  const arches = selectArches(ctx.release, opts.arches);
  const plans: DiscPlan[] = [];
  const lists = new Map<string, DiscPlan['list']>();
  for (const [image, config] of discs) {
    if (opts.image !== undefined && image !== opts.image) continue;
    for (const arch of arches) {
      const { volid, from } = await discVolid(ctx, arch, !!opts.rc);
      checkVolid(volid, `image ${image} on ${arch}`);
      let list: DiscPlan['list'];
      if (config.package_list) {
        const rel = renderTemplate(config.package_list, { major: ctx.release.major, arch });
        if (!lists.has(rel)) lists.set(rel, await readList(rel, image));
        list = lists.get(rel);
      }
      plans.push({
        image,
        arch,
        config,
        volid,
        volidFrom: from,
        names: isoNames(ctx.release, ctx.paths.id, arch, image, !!opts.rc),
        list,
      });
    }
  }
  if (!plans.length) throw new UsageError('no disc to make: every image is isoskip or filtered out');
  return plans;
}

/** boot.iso's label when pull-unpack-tree has put one there (discs replay it), else the config's rendering. */
async function discVolid(
  ctx: StepContext,
  arch: string,
  rc: boolean,
): Promise<{ volid: string; from: DiscPlan['volidFrom'] }> {
  const bootIso = ctx.paths.loraxBootIso(arch);
  const pvd = await readVolumeDescriptors(bootIso).catch(() => null);
  if (pvd) return { volid: pvd.volumeId, from: 'boot.iso' };
  const vars = { ...releaseVars(ctx.release, { rc }), arch };
  return { volid: renderTemplate(ctx.release.iso!.lorax.volid, vars), from: 'config' };
}

async function readList(rel: string, image: string): Promise<NonNullable<DiscPlan['list']>> {
  const file = templateFile(rel);
  const text = await readFile(file, 'utf8').catch(() => {
    throw new UsageError(
      `image ${image}: package list templates/${rel} does not exist`,
      'add it, or fix iso.images.<image>.package_list in the release config',
    );
  });
  return { file, entries: parsePackageList(text, `templates/${rel}`), sha256: sha256Hex(text) };
}
