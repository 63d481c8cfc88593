// The lorax tarball format, the contract between the step that packs it (build-iso, or a launch-builds Job running
// build-iso) and the one that unpacks it (pull-unpack-tree): its layout (empanadas' `lorax/` tree and
// `lorax-<arch>.log`, with a MANIFEST.sha256 in sha256sum's format), its name, its store key and how a tarball of a
// version is recognised under an arch's prefix, and the fields build-iso records about the one it uploaded.
import { renderTemplate } from '../config/templates.ts';
import { WorkError } from '../errors.ts';

/** The tree's folder inside the tarball. */
export const TAR_TREE = 'lorax';
export const TAR_MANIFEST = 'MANIFEST.sha256';
export const tarLogName = (arch: string) => `lorax-${arch}.log`;
export const tarballName = (version: string, arch: string) => `lorax-${version}-${arch}.tar.gz`;

/**
 * Store key of a lorax tarball. `{compose}` (the compose id, unique on a site) keeps two composes' builds apart even
 * in one second or under one SOURCE_DATE_EPOCH; `{epoch}` is the build's time, which `--newest` goes by.
 */
export const LORAX_STORE_KEY = 'buildiso-{major}-{arch}/{compose}/{epoch}/lorax-{version}-{arch}.tar.gz';

export function loraxStoreKey(v: {
  major: string;
  arch: string;
  compose: string;
  epoch: number;
  version: string;
}): string {
  return renderTemplate(LORAX_STORE_KEY, v);
}

/** The prefix every tarball of one major release and arch sits under (for listing the newest). */
export function loraxStorePrefix(major: string, arch: string): string {
  return `buildiso-${major}-${arch}/`;
}

/**
 * Matches `buildiso-<major>-<arch>/[<compose>/]<epoch>/lorax-<version>-<arch>.tar.gz` and nothing else under the
 * prefix (another version, a deeper key): the compose segment is absent in keys written before it existed.
 */
export function loraxTarballKeyPattern(major: string, version: string, arch: string): RegExp {
  const prefix = loraxStorePrefix(major, arch);
  return new RegExp(`^${escapeRe(prefix)}([^/]+/)?\\d+/${escapeRe(tarballName(version, arch))}$`);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One `<sha256>  <path>` line per file, sorted by the caller, as `sha256sum -c` reads them. */
export function formatSha256Manifest(lines: readonly { sha256: string; path: string }[]): string {
  return lines.map((l) => `${l.sha256}  ${l.path}\n`).join('');
}

/** `<hex>  <path>` lines, as sha256sum writes them (a `*` before the path marks binary mode). */
export function parseSha256Manifest(text: string, what: string): Map<string, string> {
  const out = new Map<string, string>();
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!m) throw new WorkError(`${what}: line ${i + 1} is not "<sha256>  <path>": ${JSON.stringify(line)}`);
    out.set(m[2]!.replace(/^\.\//, ''), m[1]!);
  });
  return out;
}

/** The step whose unit records name the tarball a compose uploaded for an arch (the record's key is the arch). */
export const LORAX_BUILD_STEP = 'build-iso';

/** What build-iso's unit summary says about the tarball it uploaded (pull-unpack-tree takes exactly that one). */
export interface LoraxTarballSummary {
  key: string;
  /** The store's URL. */
  store: string;
  sha256: string;
  bytes: number;
}

/** The tarball fields of a build-iso summary, or undefined when it lacks them (an older or foreign record). */
export function loraxTarballOfSummary(
  s: Record<string, unknown> | undefined,
): LoraxTarballSummary | undefined {
  if (!s || typeof s.key !== 'string' || typeof s.sha256 !== 'string' || typeof s.bytes !== 'number')
    return undefined;
  return { key: s.key, store: String(s.store), sha256: s.sha256, bytes: s.bytes };
}
