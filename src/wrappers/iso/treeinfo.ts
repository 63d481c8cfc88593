// .treeinfo in productmd 1.2 form, written exactly as productmd's TreeInfo.dump() does (same sections, key names,
// sorting, [general] compatibility block), so anaconda, virt-install and productmd readers take it unchanged. Read
// back from productmd 1.x, and from lorax's own pre-productmd file (reference/image-builders.md section 1.4), which
// pungi loads and rewrites as productmd 1.2 the same way.
import { type IniData, parseIni, section, serializeIni } from './ini.ts';

export type VariantPathKey =
  | 'packages'
  | 'repository'
  | 'source_packages'
  | 'source_repository'
  | 'debug_packages'
  | 'debug_repository'
  | 'identity';

export interface TreeVariant {
  id: string;
  uid: string;
  name: string;
  type: 'variant' | 'optional' | 'addon';
  paths: Partial<Record<VariantPathKey, string>>;
}

export interface TreeInfo {
  release: { name: string; short: string; version: string; isLayered?: boolean };
  baseProduct?: { name: string; short: string; version: string };
  tree: { arch: string; buildTimestamp: number; platforms: string[] };
  variants: TreeVariant[];
  /** relative path -> [algorithm, hex] */
  checksums: Record<string, [string, string]>;
  /** platform -> image name -> relative path */
  images: Record<string, Record<string, string>>;
  stage2?: { mainimage?: string; instimage?: string };
  media?: { discnum: number; totaldiscs: number };
}

const PATH_KEYS: VariantPathKey[] = [
  'packages',
  'repository',
  'source_packages',
  'source_repository',
  'debug_packages',
  'debug_repository',
  'identity',
];

export function serializeTreeInfo(t: TreeInfo, mainVariant?: string): string {
  if (t.variants.length === 0) throw new Error('treeinfo needs at least one variant');
  for (const v of t.variants)
    if (v.id.includes('-')) throw new Error(`Invalid character '-' in variant ID: ${v.id}`);
  const platforms = [...new Set([...t.tree.platforms, t.tree.arch])].sort();
  for (const p of Object.keys(t.images)) {
    if (!platforms.includes(p)) throw new Error(`platform ${p} has images but is not in the platform list`);
  }
  const ini: IniData = new Map();
  const header = section(ini, 'header');
  header.set('version', '1.2');
  header.set('type', 'productmd.treeinfo');
  const rel = section(ini, 'release');
  rel.set('name', t.release.name);
  rel.set('version', t.release.version);
  rel.set('short', t.release.short);
  if (t.release.isLayered) {
    rel.set('is_layered', 'true');
    if (t.baseProduct) {
      const bp = section(ini, 'base_product');
      bp.set('name', t.baseProduct.name);
      bp.set('version', t.baseProduct.version);
      bp.set('short', t.baseProduct.short);
    }
  }
  const tree = section(ini, 'tree');
  tree.set('arch', t.tree.arch);
  tree.set('platforms', platforms.join(','));
  tree.set('build_timestamp', String(t.tree.buildTimestamp));
  const uids = t.variants.map((v) => v.uid).sort();
  tree.set('variants', uids.join(','));
  for (const v of t.variants) {
    const s = section(ini, `${v.type === 'addon' ? 'addon' : 'variant'}-${v.uid}`);
    s.set('id', v.id);
    s.set('uid', v.uid);
    s.set('name', v.name);
    s.set('type', v.type);
    for (const k of PATH_KEYS) if (v.paths[k] !== undefined) s.set(k, v.paths[k]!);
  }
  const sums = Object.entries(t.checksums);
  if (sums.length) {
    const s = section(ini, 'checksums');
    for (const [path, [alg, hex]] of sums) s.set(path, `${alg}:${hex}`);
  }
  for (const [platform, imgs] of Object.entries(t.images)) {
    const s = section(ini, `images-${platform}`);
    for (const [name, path] of Object.entries(imgs)) s.set(name, path);
  }
  if (t.stage2?.mainimage || t.stage2?.instimage) {
    const s = section(ini, 'stage2');
    if (t.stage2.mainimage) s.set('mainimage', t.stage2.mainimage);
    if (t.stage2.instimage) s.set('instimage', t.stage2.instimage);
  }
  if (t.media?.discnum || t.media?.totaldiscs) {
    const s = section(ini, 'media');
    s.set('discnum', String(t.media.discnum));
    s.set('totaldiscs', String(t.media.totaldiscs));
  }
  writeGeneral(section(ini, 'general'), t, platforms, uids, mainVariant);
  return serializeIni(ini);
}

function writeGeneral(
  g: Map<string, string>,
  t: TreeInfo,
  platforms: string[],
  uids: string[],
  mainVariant: string | undefined,
): void {
  g.set('; WARNING.0', 'This section provides compatibility with pre-productmd treeinfos.');
  g.set('; WARNING.1', 'Read productmd documentation for details about new format.');
  g.set('name', `${t.release.name} ${t.release.version}`);
  g.set('family', t.release.name);
  g.set('version', t.release.version);
  g.set('arch', t.tree.arch);
  g.set('platforms', platforms.join(','));
  g.set('timestamp', String(Math.trunc(t.tree.buildTimestamp)));
  g.set('variants', uids.join(','));
  const main = mainVariant ?? uids[0]!;
  g.set('variant', main);
  const v = t.variants.find((x) => x.uid === main);
  if (!v) throw new Error(`main variant ${main} is not a variant of this tree`);
  const src = t.tree.arch === 'src';
  const packages = v.paths.packages ?? (src ? v.paths.source_packages : undefined);
  const repository = v.paths.repository ?? (src ? v.paths.source_repository : undefined);
  if (packages !== undefined) g.set('packagedir', packages);
  if (repository !== undefined) g.set('repository', repository);
}

/** Reads a productmd 1.x .treeinfo (what horno and pungi write) back into the model; [general] is ignored. */
export function parseTreeInfo(text: string, file = '.treeinfo'): TreeInfo {
  return fromProductmd(parseIni(text, file), file);
}

/**
 * Reads a lorax tree's .treeinfo: lorax's own (old style, configparser: [general] plus the [stage2] and [images-*]
 * its templates add, no checksums, no variants) or a productmd one. Told apart as productmd does: a [header] version
 * means productmd, anything else is pre-productmd and read as productmd reads it (release from family and version,
 * platforms from the arch and the images-* sections, timestamp truncated).
 */
export function parseLoraxTreeInfo(text: string, file = '.treeinfo'): TreeInfo {
  const ini = parseIni(text, file);
  return ini.get('header')?.has('version') ? fromProductmd(ini, file) : fromLorax(ini, file);
}

function required(ini: IniData, file: string, note = ''): (s: string, k: string) => string {
  return (s, k) => {
    const v = ini.get(s)?.get(k);
    if (v === undefined) throw new Error(`${file}: missing [${s}] ${k}${note}`);
    return v;
  };
}

function images(ini: IniData): TreeInfo['images'] {
  const out: TreeInfo['images'] = {};
  for (const [name, s] of ini) if (name.startsWith('images-')) out[name.slice(7)] = Object.fromEntries(s);
  return out;
}

function stage2(ini: IniData): Pick<TreeInfo, 'stage2'> {
  const s = ini.get('stage2');
  return s ? { stage2: { mainimage: s.get('mainimage'), instimage: s.get('instimage') } } : {};
}

function fromLorax(ini: IniData, file: string): TreeInfo {
  const get = required(ini, file, ' (and no [header] version: not productmd either)');
  const arch = get('general', 'arch');
  const stamp = get('general', 'timestamp');
  const seconds = Number(stamp);
  if (stamp.trim() === '' || !Number.isFinite(seconds))
    throw new Error(`${file}: [general] timestamp is not a number: ${stamp}`);
  const imgs = images(ini);
  return {
    release: {
      name: get('general', 'family'),
      short: get('general', 'family'),
      version: get('general', 'version'),
    },
    tree: {
      arch,
      buildTimestamp: Math.trunc(seconds),
      platforms: [...new Set([arch, ...Object.keys(imgs)])].sort(),
    },
    variants: [],
    checksums: {},
    images: imgs,
    ...stage2(ini),
  };
}

function fromProductmd(ini: IniData, file: string): TreeInfo {
  const get = required(ini, file);
  const t: TreeInfo = {
    release: {
      name: get('release', 'name'),
      short: ini.get('release')?.get('short') ?? get('release', 'name'),
      version: get('release', 'version'),
    },
    tree: {
      arch: get('tree', 'arch'),
      buildTimestamp: Math.trunc(Number(get('tree', 'build_timestamp'))),
      platforms: get('tree', 'platforms').split(',').filter(Boolean),
    },
    variants: [],
    checksums: {},
    images: images(ini),
    ...stage2(ini),
  };
  if (ini.get('release')?.get('is_layered') === 'true') t.release.isLayered = true;
  for (const uid of (ini.get('tree')?.get('variants') ?? '').split(',').filter(Boolean)) {
    const s = ini.get(`variant-${uid}`) ?? ini.get(`addon-${uid}`);
    if (!s) throw new Error(`${file}: variant ${uid} has no section`);
    const paths: TreeVariant['paths'] = {};
    for (const k of PATH_KEYS) if (s.has(k)) paths[k] = s.get(k)!;
    t.variants.push({
      id: s.get('id') ?? uid,
      uid,
      name: s.get('name') ?? uid,
      type: (s.get('type') ?? 'variant') as TreeVariant['type'],
      paths,
    });
  }
  for (const [path, value] of ini.get('checksums') ?? []) {
    const [alg, hex] = value.split(':');
    t.checksums[path] = [alg!, hex!];
  }
  const media = ini.get('media');
  if (media) t.media = { discnum: Number(media.get('discnum')), totaldiscs: Number(media.get('totaldiscs')) };
  return t;
}
