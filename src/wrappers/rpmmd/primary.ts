// primary.xml: one <package> per rpm with its NEVRA, checksum, location, sizes, times, dependencies and the
// "primary" files. Stream-parsed into Package objects one at a time; descriptions and other text we do not use are
// never kept, and repeated strings are shared through an Interner. With `deps: false` dependency entries and files
// are skipped outright (nothing interned, no arrays), for callers such as sync-repos that only mirror.
import { normaliseChecksumType } from './decompress.ts';
import { formatNevra } from './evr.ts';
import { depFlags, detach, Interner } from './intern.ts';
import type { Dep, Package, PackageFile } from './types.ts';
import type { XmlTag } from './xml-scan.ts';
import { type ElementHandlers, parseXmlStream } from './xml-stream.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const DEP_LISTS = new Set([
  'requires',
  'provides',
  'conflicts',
  'obsoletes',
  'recommends',
  'suggests',
  'supplements',
  'enhances',
] as const);
type DepList = typeof DEP_LISTS extends Set<infer T> ? T : never;
const isDepList = (s: string): s is DepList => (DEP_LISTS as ReadonlySet<string>).has(s);
const EMPTY: readonly never[] = Object.freeze([]);
const TEXT = new Set(['name', 'arch', 'checksum', 'sourcerpm', 'file']);
const TEXT_NO_FILES = new Set(['name', 'arch', 'checksum', 'sourcerpm']);

export interface ParseOptions {
  /** Share strings and dependency objects across several files (e.g. every repo of a compose). */
  interner?: Interner;
  /** Names the file in error messages. */
  what?: string;
  /**
   * Read dependency lists and files (default true). false yields packages whose requires/provides/.../files are
   * empty, and skips those elements without interning or allocating anything for them.
   */
  deps?: boolean;
}

export function fileEntry(
  path: string,
  type: string | undefined,
  detachPath: (s: string) => string,
): PackageFile {
  return type === 'dir' || type === 'ghost' ? { path: detachPath(path), type } : { path: detachPath(path) };
}

/** Yields the packages of a primary.xml given as text chunks. */
export function parsePrimary(
  chunks: AsyncIterable<string>,
  opts: ParseOptions = {},
): AsyncGenerator<Package> {
  const it = opts.interner ?? new Interner();
  const withDeps = opts.deps !== false;
  return parseXmlStream<Package>(
    chunks,
    (emit) => primaryHandlers(it, withDeps, emit),
    opts.what ?? 'primary.xml',
  );
}

function primaryHandlers(it: Interner, withDeps: boolean, emit: (p: Package) => void): ElementHandlers {
  const textTags = withDeps ? TEXT : TEXT_NO_FILES;
  let pkg: Mutable<Partial<Package>> | undefined;
  let deps: Partial<Record<DepList, Dep[]>> = {};
  let files: PackageFile[] = [];
  let list: Dep[] | undefined;
  let checksumType = '';
  let pkgidYes = false;
  let fileType: string | undefined;

  return {
    wantsText: (local) => pkg !== undefined && textTags.has(local),
    open(tag: XmlTag, local: string) {
      const a = tag.attributes;
      if (local === 'package') {
        pkg = {};
        deps = {};
        files = [];
        return;
      }
      if (!pkg) return;
      switch (local) {
        case 'version':
          pkg.epoch = it.str(a.epoch || '0');
          pkg.version = it.str(a.ver ?? '');
          pkg.release = it.str(a.rel ?? '');
          break;
        case 'checksum':
          checksumType = normaliseChecksumType(a.type ?? '');
          pkgidYes = a.pkgid === 'YES';
          break;
        case 'time':
          pkg.time = { file: num(a.file), build: num(a.build) };
          break;
        case 'size':
          pkg.size = {
            package: num(a.package),
            installed: num(a.installed),
            archive: num(a.archive),
          };
          break;
        case 'location':
          pkg.location = a['xml:base']
            ? { href: detach(a.href ?? ''), base: it.str(a['xml:base']) }
            : { href: detach(a.href ?? '') };
          break;
        case 'entry':
          if (list) list.push(entry(it, a));
          break;
        case 'file':
          fileType = a.type;
          break;
        default:
          if (withDeps && isDepList(local)) {
            list = [];
            deps[local] = list;
          }
      }
    },
    close(local: string, text: string) {
      if (!pkg) return;
      switch (local) {
        case 'name':
          pkg.name = it.str(text);
          break;
        case 'arch':
          pkg.arch = it.str(text);
          break;
        case 'checksum': {
          const value = detach(text.trim().toLowerCase());
          pkg.checksum = { type: checksumType, value };
          if (pkgidYes || pkg.pkgid === undefined) pkg.pkgid = value;
          break;
        }
        case 'sourcerpm':
          pkg.sourcerpm = it.str(text);
          break;
        case 'file':
          if (withDeps) files.push(fileEntry(text, fileType, detach));
          break;
        case 'package':
          emit(finish(pkg, deps, files));
          pkg = undefined;
          break;
        default:
          if (isDepList(local)) list = undefined;
      }
    },
  };
}

function entry(it: Interner, a: Record<string, string>): Dep {
  return it.dep(a.name ?? '', depFlags(a.flags), a.epoch, a.ver, a.rel, a.pre === '1' || a.pre === 'true');
}

function num(v: string | undefined): number {
  return v ? Number(v) : 0;
}

function finish(
  p: Mutable<Partial<Package>>,
  deps: Partial<Record<DepList, Dep[]>>,
  files: PackageFile[],
): Package {
  const name = p.name ?? '';
  const epoch = p.epoch ?? '0';
  const version = p.version ?? '';
  const release = p.release ?? '';
  const arch = p.arch ?? '';
  return {
    name,
    epoch,
    version,
    release,
    arch,
    nevra: formatNevra({ name, epoch, version, release, arch }),
    checksum: p.checksum ?? { type: '', value: '' },
    pkgid: p.pkgid ?? '',
    size: p.size ?? { package: 0, installed: 0, archive: 0 },
    location: p.location ?? { href: '' },
    time: p.time ?? { file: 0, build: 0 },
    sourcerpm: p.sourcerpm ?? '',
    requires: deps.requires ?? EMPTY,
    provides: deps.provides ?? EMPTY,
    conflicts: deps.conflicts ?? EMPTY,
    obsoletes: deps.obsoletes ?? EMPTY,
    recommends: deps.recommends ?? EMPTY,
    suggests: deps.suggests ?? EMPTY,
    supplements: deps.supplements ?? EMPTY,
    enhances: deps.enhances ?? EMPTY,
    files: files.length ? files : EMPTY,
  };
}
