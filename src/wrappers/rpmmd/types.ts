// The shapes of rpm-md repository metadata as horno holds them: repomd.xml records, packages from primary.xml and
// file lists from filelists.xml. Plain readonly data, so parsers, the closure checker and sync-repos share them.

export type DepFlags = 'EQ' | 'LT' | 'LE' | 'GT' | 'GE';

/** One rpm dependency entry (requires, provides, ...). Rich dependencies keep their whole text in `name`. */
export interface Dep {
  readonly name: string;
  readonly flags?: DepFlags;
  readonly epoch?: string;
  readonly ver?: string;
  readonly rel?: string;
  /** Requires(pre) and friends: createrepo_c writes pre="1". */
  readonly pre?: boolean;
}

export interface Checksum {
  /** Normalised node:crypto name: sha256, sha1, sha512, md5, ... ("sha" in old repos becomes sha1). */
  readonly type: string;
  readonly value: string;
}

export interface PackageFile {
  readonly path: string;
  /** Missing for regular files. */
  readonly type?: 'dir' | 'ghost';
}

export interface Package {
  readonly name: string;
  readonly epoch: string;
  readonly version: string;
  readonly release: string;
  readonly arch: string;
  /** name-[epoch:]version-release.arch, epoch 0 left out (as dnf prints it). */
  readonly nevra: string;
  readonly checksum: Checksum;
  /** The checksum value marked pkgid="YES"; joins primary with filelists and other. */
  readonly pkgid: string;
  readonly size: {
    readonly package: number;
    readonly installed: number;
    readonly archive: number;
  };
  readonly location: { readonly href: string; readonly base?: string };
  readonly time: { readonly file: number; readonly build: number };
  readonly sourcerpm: string;
  readonly requires: readonly Dep[];
  readonly provides: readonly Dep[];
  readonly conflicts: readonly Dep[];
  readonly obsoletes: readonly Dep[];
  readonly recommends: readonly Dep[];
  readonly suggests: readonly Dep[];
  readonly supplements: readonly Dep[];
  readonly enhances: readonly Dep[];
  /** Only the files primary.xml carries (/etc/*, *bin/*, /usr/lib/sendmail); the full list is in filelists. */
  readonly files: readonly PackageFile[];
}

export interface FilelistEntry {
  readonly pkgid: string;
  readonly name: string;
  readonly arch: string;
  readonly epoch: string;
  readonly version: string;
  readonly release: string;
  readonly files: readonly PackageFile[];
}

export interface RepoMdRecord {
  /** primary, filelists, other, primary_db, group, group_gz, modules, updateinfo, ... */
  readonly type: string;
  readonly location: { readonly href: string; readonly base?: string };
  /** Of the file as stored (compressed). */
  readonly checksum?: Checksum;
  /** Of the uncompressed content. */
  readonly openChecksum?: Checksum;
  readonly headerChecksum?: Checksum;
  readonly size?: number;
  readonly openSize?: number;
  readonly headerSize?: number;
  readonly timestamp?: number;
  readonly databaseVersion?: number;
}

export interface RepoMd {
  readonly revision?: string;
  readonly tags: {
    readonly content: readonly string[];
    readonly repo: readonly string[];
    readonly distro: readonly {
      readonly cpeid?: string;
      readonly name: string;
    }[];
  };
  readonly records: readonly RepoMdRecord[];
}
