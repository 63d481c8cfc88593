// images.json (productmd.images 1.2): every published image under payload.images[variant][arch], each list
// sorted by path, with the fields productmd requires. Checks what productmd's loader would refuse (types,
// formats, arches, src as a key, two different images with the same identity) before anything is written.
import { composeHead, type ComposeHead, header, type JsonValue, productmdJson } from './productmd-json.ts';

/** productmd 1.x image types whose format we can name from a file (v1.50 list, the ones we publish). */
export const IMAGE_TYPES = [
  'boot',
  'cd',
  'dvd',
  'live',
  'netinst',
  'qcow2',
  'raw',
  'raw-xz',
  'docker',
  'container',
  'tar-gz',
  'vagrant-libvirt',
  'vagrant-virtualbox',
  'vagrant-vmware-fusion',
  'vagrant-hyperv',
  'vmdk',
  'vpc',
  'vsphere-ova',
  'ociarchive',
] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

export interface ImageEntry {
  /** Relative to compose/. */
  path: string;
  mtime: number;
  size: number;
  volume_id: string | null;
  type: ImageType;
  format: string;
  /** The image's own arch: the folder arch, or "src" for source media. */
  arch: string;
  disc_number: number;
  disc_count: number;
  /** algorithm -> hex; never empty. */
  checksums: Record<string, string>;
  implant_md5: string | null;
  bootable: boolean;
  subvariant: string;
}

export interface ImagesManifest {
  compose: ComposeHead;
  /** variant uid -> binary arch -> images */
  images: Record<string, Record<string, ImageEntry[]>>;
}

/** productmd's RPM_ARCHES without src/nosrc, which 1.2 refuses as keys. */
const BINARY_ARCHES = new Set([
  'aarch64',
  'armhfp',
  'armv7hl',
  'i386',
  'i486',
  'i586',
  'i686',
  'noarch',
  'ppc',
  'ppc64',
  'ppc64le',
  's390',
  's390x',
  'x86_64',
  'riscv64',
]);

const UNIQUE = ['subvariant', 'type', 'format', 'arch', 'disc_number'] as const;

export function imagesDocument(m: ImagesManifest): JsonValue {
  const seen = new Map<string, ImageEntry>();
  const images: { [variant: string]: { [arch: string]: JsonValue[] } } = {};
  for (const [variant, byArch] of Object.entries(m.images)) {
    for (const [arch, list] of Object.entries(byArch)) {
      if (!BINARY_ARCHES.has(arch)) throw new Error(`images.json: ${arch} cannot be an arch key`);
      const out = [...list].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      for (const img of out) {
        check(img);
        const id = JSON.stringify(UNIQUE.map((k) => img[k]));
        const twin = seen.get(id);
        if (twin && JSON.stringify(twin.checksums) !== JSON.stringify(img.checksums)) {
          throw new Error(
            `images.json: ${img.path} and ${twin.path} share subvariant, type, format, arch and disc`,
          );
        }
        seen.set(id, img);
      }
      if (out.length) (images[variant] ??= {})[arch] = out.map(imageJson);
    }
  }
  return { header: { ...header('images') }, payload: { compose: composeHead(m.compose), images } };
}

function imageJson(i: ImageEntry): JsonValue {
  return {
    path: i.path,
    mtime: i.mtime,
    size: i.size,
    volume_id: i.volume_id,
    type: i.type,
    format: i.format,
    arch: i.arch,
    disc_number: i.disc_number,
    disc_count: i.disc_count,
    checksums: { ...i.checksums },
    implant_md5: i.implant_md5,
    bootable: i.bootable,
    subvariant: i.subvariant,
  };
}

function check(i: ImageEntry): void {
  const where = `images.json: ${i.path}`;
  if (!i.path || i.path.startsWith('/')) throw new Error(`${where}: path must be relative`);
  if (!(IMAGE_TYPES as readonly string[]).includes(i.type))
    throw new Error(`${where}: unknown type ${i.type}`);
  if (Object.keys(i.checksums).length === 0) throw new Error(`${where}: no checksums`);
  if (i.implant_md5 !== null && !/^[a-z0-9]{32}$/.test(i.implant_md5)) {
    throw new Error(`${where}: implant_md5 ${i.implant_md5} is not 32 hex digits`);
  }
  if (i.volume_id !== null && i.volume_id === '') throw new Error(`${where}: empty volume id`);
  for (const k of ['mtime', 'size', 'disc_number', 'disc_count'] as const) {
    if (!Number.isSafeInteger(i[k])) throw new Error(`${where}: ${k} must be an integer`);
  }
}

export function serializeImages(m: ImagesManifest): string {
  return productmdJson(imagesDocument(m));
}

/** Non-ISO image files by suffix (longest first), as productmd names their type and format. */
const IMAGE_SUFFIXES: [suffix: string, type: ImageType, format: string][] = [
  ['.vagrant-libvirt.box', 'vagrant-libvirt', 'vagrant-libvirt.box'],
  ['.vagrant-virtualbox.box', 'vagrant-virtualbox', 'vagrant-virtualbox.box'],
  ['.vagrant-vmware-fusion.box', 'vagrant-vmware-fusion', 'vagrant-vmware-fusion.box'],
  ['.vagrant-hyperv.box', 'vagrant-hyperv', 'vagrant-hyperv.box'],
  ['.vsphere.ova', 'vsphere-ova', 'vsphere.ova'],
  ['.tar.xz', 'docker', 'tar.xz'],
  ['.raw.xz', 'raw-xz', 'raw.xz'],
  ['.ociarchive', 'ociarchive', 'ociarchive'],
  ['.tar.gz', 'tar-gz', 'tar.gz'],
  ['.qcow2', 'qcow2', 'qcow2'],
  ['.raw', 'raw', 'raw'],
  ['.vmdk', 'vmdk', 'vmdk'],
  ['.vhd', 'vpc', 'vhd'],
];

/** Type and format of a cloud/container image file, or undefined when productmd has no name for it. */
export function imageKindOf(file: string): { type: ImageType; format: string } | undefined {
  const hit = IMAGE_SUFFIXES.find(([s]) => file.endsWith(s));
  return hit && { type: hit[1], format: hit[2] };
}
