// rpms.json (productmd.rpms 1.2): payload.rpms[variant][arch][srpm NEVRA][rpm NEVRA] = {path, sigkey,
// category}. NEVRAs always carry the epoch; source packages sit under binary arches with category "source", as
// productmd requires; sigkey is the lower-case short key id or null for an unsigned package.
import { composeHead, type ComposeHead, header, type JsonValue, productmdJson } from './productmd-json.ts';

export type RpmCategory = 'binary' | 'debug' | 'source';

export interface RpmEntry {
  /** name-epoch:version-release.arch */
  nevra: string;
  /** The source package's NEVRA (for a source package: its own). */
  srpmNevra: string;
  /** Relative to compose/. */
  path: string;
  sigkey: string | null;
  category: RpmCategory;
}

export interface RpmsManifest {
  compose: ComposeHead;
  /** variant uid -> binary arch -> entries */
  rpms: Record<string, Record<string, RpmEntry[]>>;
}

const NEVRA_RE = /^(?<name>.+)-(?<epoch>\d+):(?<version>[^-]+)-(?<release>[^-]+)\.(?<arch>[^.]+)$/;

export function nevra(p: {
  name: string;
  epoch: string | number;
  version: string;
  release: string;
  arch: string;
}) {
  return `${p.name}-${p.epoch === '' ? 0 : p.epoch}:${p.version}-${p.release}.${p.arch}`;
}

/** Splits a package file name (`bash-5.1.8-9.el9.src.rpm`) into name, version, release, arch; no epoch in it. */
export function parseRpmFileName(
  file: string,
): { name: string; version: string; release: string; arch: string } | undefined {
  const m = /^(.+)-([^-]+)-([^-]+)\.([^.]+)\.rpm$/.exec(file);
  if (!m) return undefined;
  return { name: m[1]!, version: m[2]!, release: m[3]!, arch: m[4]! };
}

export function rpmsDocument(m: RpmsManifest): JsonValue {
  const rpms: { [v: string]: { [a: string]: { [s: string]: { [n: string]: JsonValue } } } } = {};
  for (const [variant, byArch] of Object.entries(m.rpms)) {
    for (const [arch, list] of Object.entries(byArch)) {
      if (arch === 'src' || arch === 'nosrc')
        throw new Error('rpms.json: source packages go under binary arches');
      for (const e of list) {
        check(e);
        const srpms = ((rpms[variant] ??= {})[arch] ??= {});
        const group = (srpms[e.srpmNevra] ??= {});
        const prev = group[e.nevra];
        const entry = { path: e.path, sigkey: e.sigkey, category: e.category };
        if (prev && JSON.stringify(prev) !== JSON.stringify(entry)) {
          throw new Error(`rpms.json: ${e.nevra} appears twice in ${variant}.${arch} with different files`);
        }
        group[e.nevra] = entry;
      }
    }
  }
  return { header: { ...header('rpms') }, payload: { compose: composeHead(m.compose), rpms } };
}

function check(e: RpmEntry): void {
  const n = NEVRA_RE.exec(e.nevra);
  if (!n) throw new Error(`rpms.json: ${e.nevra} is not N-E:V-R.A`);
  if (!NEVRA_RE.test(e.srpmNevra)) throw new Error(`rpms.json: ${e.srpmNevra} is not N-E:V-R.A`);
  const isSource = n.groups!.arch === 'src' || n.groups!.arch === 'nosrc';
  if ((e.category === 'source') !== isSource)
    throw new Error(`rpms.json: ${e.nevra} cannot be ${e.category}`);
  if (isSource && e.srpmNevra !== e.nevra)
    throw new Error(`rpms.json: ${e.nevra} must be filed under itself`);
  if (e.path.startsWith('/')) throw new Error(`rpms.json: ${e.path} must be relative`);
  if (e.sigkey !== null && !/^[0-9a-f]+$/.test(e.sigkey))
    throw new Error(`rpms.json: bad sigkey ${e.sigkey}`);
}

export function serializeRpms(m: RpmsManifest): string {
  return productmdJson(rpmsDocument(m));
}
