// images.json's content from the media states: which published files are images, and what productmd calls them.
// ISOs are recognised by the release's own name templates (boot, dvd, minimal ... from iso.images; live images
// from live.kickstarts); links are aliases of an image, not images, and are left out as pungi does.
import { join } from 'node:path';
import type { ComposeIdParts } from '../../compose/compose-id.ts';
import type { ComposePaths, MediaKind } from '../../compose/paths.ts';
import type { ReleaseConfig } from '../../config/release-schema.ts';
import { releaseVars, renderTemplate } from '../../config/templates.ts';
import { variantId } from '../../metadata/composeinfo.ts';
import { type ImageEntry, imageKindOf, type ImageType } from '../../metadata/images.ts';
import type { MediaFileState, MediaState } from './media-state.ts';

interface Classified {
  /** The compose repo (variant) the image is filed under. */
  variant: string;
  type: ImageType;
  format: string;
  subvariant: string;
}

/** The variant images that belong to no repo are filed under: the boot tree's (lorax) variant, else the first repo. */
export function primaryVariant(release: ReleaseConfig): string {
  const repos = release.repos.map((r) => r.name);
  const lorax = release.iso?.lorax.variant;
  return lorax && repos.includes(lorax) ? lorax : repos[0]!;
}

function renders(template: string, release: ReleaseConfig, vars: Record<string, string | number>): string[] {
  return [false, true].map((rc) => renderTemplate(template, { ...releaseVars(release, { rc }), ...vars }));
}

/**
 * productmd has no "minimal" type: a disc image is `dvd` whatever its package set, and a boot tree's ISO is
 * `boot`; the image's variant (its .treeinfo main variant) tells them apart as the subvariant.
 */
function classifyIso(
  name: string,
  arch: string,
  release: ReleaseConfig,
  id: ComposeIdParts,
): Classified | undefined {
  const iso = release.iso;
  if (!iso) return undefined;
  const repos = release.repos.map((r) => r.name);
  for (const [key, img] of Object.entries(iso.images)) {
    const vars = { arch, image: key, date: id.date, respin: id.respin };
    if (!renders(iso.names.iso, release, vars).includes(name)) continue;
    return {
      variant: repos.includes(img.variant) ? img.variant : primaryVariant(release),
      type: img.disc ? 'dvd' : 'boot',
      format: 'iso',
      subvariant: img.variant,
    };
  }
  return undefined;
}

function classifyLive(
  name: string,
  arch: string,
  release: ReleaseConfig,
  id: ComposeIdParts,
): Classified | undefined {
  const live = release.live;
  if (!live) return undefined;
  for (const key of Object.keys(live.kickstarts)) {
    const vars = { arch, image: key, date: id.date, respin: id.respin };
    if (renders(live.names.iso, release, vars).includes(name)) {
      return { variant: primaryVariant(release), type: 'live', format: 'iso', subvariant: key };
    }
  }
  return undefined;
}

/**
 * What an image made outside the name templates is: its name minus the `<Short>-<major>-` prefix, the version
 * and date part and the suffix (Rocky-9-GenericCloud-Base-9.7-20251123.0.x86_64.qcow2 -> GenericCloud-Base).
 */
export function subvariantFromName(file: string, release: ReleaseConfig, suffix: string): string {
  let s = file.slice(0, file.length - suffix.length);
  for (const p of [
    `${release.short}-${release.major}-`,
    `${release.short}-${release.version}-`,
    `${release.short}-`,
  ]) {
    if (s.startsWith(p)) {
      s = s.slice(p.length);
      break;
    }
  }
  const cut = [`-${release.version}`, `-${release.major}.`, '.']
    .map((m) => s.indexOf(m))
    .filter((i) => i > 0);
  if (cut.length) s = s.slice(0, Math.min(...cut));
  return s || file;
}

function classify(
  kind: MediaKind,
  file: MediaFileState,
  arch: string,
  release: ReleaseConfig,
  id: ComposeIdParts,
): Classified | undefined {
  const primary = primaryVariant(release);
  if (file.name.endsWith('.iso')) {
    const known =
      kind === 'live'
        ? classifyLive(file.name, arch, release, id)
        : classifyIso(file.name, arch, release, id);
    if (known) return known;
    // an ISO the templates do not name: still an image, filed by where it was published
    const type: ImageType = kind === 'live' ? 'live' : file.iso?.bootable ? 'boot' : 'dvd';
    return {
      variant: primary,
      type,
      format: 'iso',
      subvariant: subvariantFromName(file.name, release, '.iso'),
    };
  }
  const k = imageKindOf(file.name);
  if (!k) return undefined;
  const suffix = `.${k.format}`;
  return { variant: primary, ...k, subvariant: subvariantFromName(file.name, release, suffix) };
}

/** variant uid -> arch -> images, from every media folder's state. */
export function collectImages(
  paths: ComposePaths,
  release: ReleaseConfig,
  id: ComposeIdParts,
  states: readonly MediaState[],
  sourceDateEpoch: number | undefined,
): Record<string, Record<string, ImageEntry[]>> {
  const out: Record<string, Record<string, ImageEntry[]>> = {};
  for (const st of states) {
    for (const file of st.files) {
      if (file.link) continue;
      const c = classify(st.kind, file, st.arch, release, id);
      if (!c) continue;
      const checksums: Record<string, string> = {};
      for (const [alg, hex] of Object.entries(file.digests)) checksums[alg] = hex;
      const entry: ImageEntry = {
        path: paths.relativeToCompose(join(paths.media(st.kind, st.arch), file.name)),
        // SOURCE_DATE_EPOCH stands in for every mtime, so two runs of the same inputs write the same bytes
        mtime: sourceDateEpoch ?? Math.floor(file.mtimeMs / 1000),
        size: file.size,
        volume_id: file.iso?.volumeId ?? null,
        type: c.type,
        format: c.format,
        arch: st.arch,
        disc_number: 1,
        disc_count: 1,
        checksums,
        implant_md5: file.iso?.implantMd5 ?? null,
        bootable: file.iso?.bootable ?? false,
        subvariant: c.subvariant,
      };
      ((out[variantId(c.variant)] ??= {})[st.arch] ??= []).push(entry);
    }
  }
  return out;
}
