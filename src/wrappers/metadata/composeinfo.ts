// composeinfo.json (productmd.composeinfo 1.2): the compose's identity, the release, and one variant per compose
// repo with the paths of its trees and media relative to compose/. Paths whose folder does not exist are left
// out, as pungi does, so a reader never follows a path to nothing.
import { composeHead, type ComposeHead, header, type JsonValue, productmdJson } from './productmd-json.ts';

/** productmd's path categories, in its own order. */
export const VARIANT_PATH_KEYS = [
  'os_tree',
  'packages',
  'repository',
  'isos',
  'jigdos',
  'source_tree',
  'source_packages',
  'source_repository',
  'source_isos',
  'source_jigdos',
  'debug_tree',
  'debug_packages',
  'debug_repository',
  'identity',
] as const;
export type VariantPathKey = (typeof VARIANT_PATH_KEYS)[number];

export interface ComposeVariant {
  /** Letters and digits only (productmd's rule). */
  id: string;
  uid: string;
  name: string;
  type: 'variant' | 'optional' | 'addon' | 'layered-product';
  arches: string[];
  /** category -> arch -> path relative to compose/ */
  paths: Partial<Record<VariantPathKey, Record<string, string>>>;
}

export interface ComposeInfo {
  compose: ComposeHead;
  release: { name: string; version: string; short: string; type: string; internal: boolean };
  variants: ComposeVariant[];
}

/** productmd's RELEASE_VERSION_RE: a name ("Rawhide") or dotted numbers ("9.7"). */
const VERSION_RE = /^([^0-9].*|([0-9]+(\.?[0-9]+)*))$/;

/** A productmd variant id from a repo name: productmd accepts letters and digits only. */
export function variantId(name: string): string {
  const id = name.replace(/[^A-Za-z0-9]/g, '');
  if (!id) throw new Error(`repo name ${name} has no letter or digit to make a variant id from`);
  return id;
}

export function composeInfoDocument(ci: ComposeInfo): JsonValue {
  if (!VERSION_RE.test(ci.release.version))
    throw new Error(`release version ${ci.release.version} is invalid`);
  const variants: { [uid: string]: JsonValue } = {};
  for (const v of ci.variants) {
    if (!/^[a-zA-Z0-9]+$/.test(v.id)) throw new Error(`variant id ${v.id}: letters and digits only`);
    if (v.arches.length === 0) throw new Error(`variant ${v.uid} has no arches`);
    if (variants[v.uid]) throw new Error(`two variants with uid ${v.uid}`);
    const arches = [...new Set(v.arches)].sort();
    const paths: { [k: string]: { [arch: string]: string } } = {};
    for (const key of VARIANT_PATH_KEYS) {
      for (const arch of arches) {
        const p = v.paths[key]?.[arch];
        if (p) (paths[key] ??= {})[arch] = p;
      }
    }
    variants[v.uid] = { id: v.id, uid: v.uid, name: v.name, type: v.type, arches, paths };
  }
  const release: { [k: string]: JsonValue } = { ...ci.release };
  return {
    header: { ...header('composeinfo') },
    payload: { compose: composeHead(ci.compose), release, variants },
  };
}

export function serializeComposeInfo(ci: ComposeInfo): string {
  return productmdJson(composeInfoDocument(ci));
}
