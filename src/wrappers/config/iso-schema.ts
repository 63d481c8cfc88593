// The media part of a release config: lorax options for the boot tree, the ISOs made from it (DVD, minimal, ...),
// their file names, and the live images. Which repos and arches they name is checked in release-checks.ts.
import { z } from 'zod';
import { Arch, FileName, Name, PackageName, Template, TemplatePath } from './common-schema.ts';

/** lorax run once per arch: the boot tree and boot.iso every other image starts from. */
export const LoraxConfig = z.strictObject({
  /** Compose repos passed as `--source` (their os/ tree for the arch). */
  repos: z.array(Name).min(1),
  /** `--variant`: also picks the `*-release-<variant>` branding package. */
  variant: Name,
  /** `--volid` template: ISO 9660 label, at most 32 characters for every arch. Every disc image replays boot.iso
   * and keeps this label, because the boot menus search for it (inst.stage2=hd:LABEL=...). */
  volid: Template,
  squashfs_only: z.boolean().default(false),
  /** `--rootfs-size` in GiB. */
  rootfs_size: z.int().min(1).max(64).default(2),
  /** Lines commented out of lorax's runtime-install.tmpl (packages the installer image must not carry). */
  removes: z.array(z.string().min(1)).default([]),
  nomacboot: z.boolean().default(true),
  /** Packages the build root needs besides lorax itself. */
  required_pkgs: z.array(PackageName).default([]),
});
export type LoraxConfig = z.infer<typeof LoraxConfig>;

export const IsoImageConfig = z.strictObject({
  /** true: an ISO of its own (DVD, minimal). false: the boot tree, copied into the `variant` repo's os/ and
   * kickstart/ trees so that repo is an install tree (its boot.iso is published as image "boot"). */
  disc: z.boolean(),
  /** Prepare the tree but make no ISO. */
  isoskip: z.boolean().default(false),
  /** The main variant written to the image's .treeinfo. */
  variant: Name,
  /** Compose repos put on (or referenced by) the image. */
  repos: z.array(Name).min(1),
  /** Copy each repo's whole tree (packages and repodata) onto the disc. Default: true unless package_list is set. */
  reposcan: z.boolean().optional(),
  /** Package list under templates/ (`{major}` and `{arch}` allowed): the disc carries these packages and their
   * dependencies from `repos` instead of whole repos. */
  package_list: TemplatePath.optional(),
});
export type IsoImageConfig = z.infer<typeof IsoImageConfig>;

/** File names of every published ISO; `{image}` is the images key (or `boot`). */
export const IsoNames = z.strictObject({
  /** The versioned name, e.g. `{short}-{version}{rc}-{arch}-{image}.iso`. */
  iso: Template,
  /** Unversioned link, e.g. `{short}-{arch}-{image}.iso`. */
  generic_link: Template,
  /** Latest link, e.g. `{short}-{major}-latest-{arch}-{image}.iso`. */
  latest_link: Template,
});
export type IsoNames = z.infer<typeof IsoNames>;

export const IsoConfig = z.strictObject({
  lorax: LoraxConfig,
  images: z.record(Name, IsoImageConfig),
  names: IsoNames,
});
export type IsoConfig = z.infer<typeof IsoConfig>;

export const LiveNames = z.strictObject({
  iso: Template,
  latest_link: Template,
});
export type LiveNames = z.infer<typeof LiveNames>;

export const LiveConfig = z.strictObject({
  /** Arches live images are made for (a subset of the release arches). */
  arches: z.array(Arch).min(1),
  /** Image name -> kickstart under templates/ (`{major}` and `{arch}` allowed). */
  kickstarts: z.record(Name, TemplatePath),
  /** ISO label template; `{image}` is the kickstarts key. */
  volid: Template,
  names: LiveNames,
  required_pkgs: z.array(PackageName).default([]),
});
export type LiveConfig = z.infer<typeof LiveConfig>;

/** A file put at the DVD root and in compose/metadata (EULA, LICENSE, GPG keys). */
export const ExtraFileConfig = z.strictObject({
  /** An http(s) URL, or a path under templates/. */
  source: z.union([z.string().regex(/^https?:\/\/\S+$/), TemplatePath], {
    error: 'must be an http(s) URL or a relative path under templates/',
  }),
  /** The file's name where it lands (default: the last part of `source`). */
  dest: FileName.optional(),
});
export type ExtraFileConfig = z.infer<typeof ExtraFileConfig>;
