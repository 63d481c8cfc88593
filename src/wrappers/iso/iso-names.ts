// The names an ISO of one image gets on one arch in one compose (the release's iso.names templates, with the date
// and respin from the compose id): pull-unpack-tree stages boot.iso under them, build-iso-extra the DVD and minimal.
import { parseComposeId } from '../compose/compose-id.ts';
import type { ReleaseConfig } from '../config/release-schema.ts';
import { releaseVars } from '../config/templates.ts';
import { renderIsoNames, type IsoNames } from './publish.ts';

/** The image name lorax's boot.iso is published under. */
export const BOOT_IMAGE = 'boot';

export function isoNames(
  release: ReleaseConfig,
  composeId: string,
  arch: string,
  image: string,
  rc: boolean,
): IsoNames {
  const id = parseComposeId(composeId);
  return renderIsoNames(release.iso!.names, {
    ...releaseVars(release, { rc }),
    arch,
    image,
    date: id?.date ?? '',
    respin: id?.respin ?? 0,
  });
}
