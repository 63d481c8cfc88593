// Every path horno reads or writes in a compose. No other module joins compose paths by hand, so the layout
// (pungi's compose/, metadata/, logs/, work/ with empanadas' isos/<arch>) can change in one place.
import { isAbsolute, join, relative, sep } from 'node:path';

export type TreeKind = 'os' | 'debug' | 'source';

/** The published media folders: compose/<kind>/<arch>, staged first in work/<kind>/<arch> (empanadas' layout). */
export type MediaKind = 'isos' | 'live' | 'images';
export const MEDIA_KINDS: readonly MediaKind[] = ['isos', 'live', 'images'];

/** The aggregate checksum file of a media folder, and the suffix of each file's own (empanadas, pungi one-file). */
export const CHECKSUM_FILE = 'CHECKSUM';
export const CHECKSUM_SUFFIX = '.CHECKSUM';
/** Detached armored GPG signature beside a signed file. */
export const SIGNATURE_SUFFIX = '.asc';

/** The productmd files (and friends) in compose/metadata. */
export type MetadataFile =
  'composeinfo.json' | 'images.json' | 'rpms.json' | 'modules.json' | 'COMPOSE_ID' | 'README';

export const STATUS_FILE = 'STATUS';
export const COMPOSE_ID_FILE = 'COMPOSE_ID';

/** One repo tree: its folder and the repomd.xml whose digest stands for it in unit ids (tree-digest.ts). */
export interface RepoTree {
  dir: string;
  repomd: string;
}

export function latestLinkName(short: string, profile: string): string {
  return `latest-${short}-${profile}`;
}

export class ComposePaths {
  constructor(
    readonly root: string,
    readonly id: string,
  ) {}

  get dir(): string {
    return join(this.root, this.id);
  }
  get compose(): string {
    return join(this.dir, 'compose');
  }
  get metadata(): string {
    return join(this.compose, 'metadata');
  }
  get logs(): string {
    return join(this.dir, 'logs');
  }
  get work(): string {
    return join(this.dir, 'work');
  }
  get status(): string {
    return join(this.dir, STATUS_FILE);
  }
  get composeIdFile(): string {
    return join(this.dir, COMPOSE_ID_FILE);
  }
  get lock(): string {
    return join(this.work, 'compose.lock');
  }
  /** The JSON-lines log of every command run on this compose. */
  get mainLog(): string {
    return join(this.logs, 'horno.log');
  }
  /** Per-unit tool output (reposync, lorax, xorriso ...). */
  unitLog(step: string, unit: string): string {
    return join(this.logs, step, `${unit}.log`);
  }
  /** The latest verdict of every unit of a step (done, skipped, failed), across runs: finalize reads these. */
  stepLedger(step: string): string {
    return join(this.work, 'steps', `${step}.json`);
  }
  get stepLedgers(): string {
    return join(this.work, 'steps');
  }
  unitRecord(unitId: string): string {
    return join(this.unitRecords, `${unitId}.json`);
  }
  /** The folder of every unit record (pull-unpack-tree looks up what build-iso uploaded). */
  get unitRecords(): string {
    return join(this.work, 'units');
  }
  /** A repo tree: compose/<Repo>/<arch>/os, compose/<Repo>/<arch>/debug/tree, compose/<Repo>/source/tree. */
  tree(repo: string, arch: string, kind: TreeKind): string {
    if (kind === 'source') return join(this.compose, repo, 'source', 'tree');
    if (kind === 'debug') return join(this.compose, repo, arch, 'debug', 'tree');
    return join(this.compose, repo, arch, 'os');
  }
  /** tree() with the files inside it named. */
  repoTree(repo: string, arch: string, kind: TreeKind = 'os'): RepoTree {
    const dir = this.tree(repo, arch, kind);
    return { dir, repomd: join(dir, 'repodata', 'repomd.xml') };
  }
  isos(arch: string): string {
    return join(this.compose, 'isos', arch);
  }
  live(arch: string): string {
    return join(this.compose, 'live', arch);
  }
  images(arch: string): string {
    return join(this.compose, 'images', arch);
  }
  /** A published media folder: compose/isos/<arch>, compose/live/<arch>, compose/images/<arch>; no arch: the
   * folder holding the arches. */
  media(kind: MediaKind, arch?: string): string {
    return arch === undefined ? join(this.compose, kind) : join(this.compose, kind, arch);
  }
  /** Where builders leave finished media for finalize-compose to move: work/isos/<arch>, work/live/<arch> ... */
  mediaStaging(kind: MediaKind, arch?: string): string {
    return arch === undefined ? join(this.work, kind) : join(this.work, kind, arch);
  }
  /** compose/<kind>/<arch>/CHECKSUM */
  mediaChecksum(kind: MediaKind, arch: string): string {
    return join(this.media(kind, arch), CHECKSUM_FILE);
  }
  /** compose/<kind>/<arch>/<file>.CHECKSUM */
  mediaFileChecksum(kind: MediaKind, arch: string, file: string): string {
    return join(this.media(kind, arch), `${file}${CHECKSUM_SUFFIX}`);
  }
  /** What finalize-compose learnt about one media folder (sizes, digests, ISO facts), for the metadata unit. */
  mediaState(kind: MediaKind, arch: string): string {
    return join(this.work, 'finalize', `${kind}-${arch}.json`);
  }
  /** finalize-compose's verdict (status and the earlier failures behind it). */
  get finalizeOutcome(): string {
    return join(this.work, 'finalize', 'outcome.json');
  }
  /** compose/metadata/<file> */
  metadataFile(name: MetadataFile): string {
    return join(this.metadata, name);
  }
  /** A path as productmd records it: relative to compose/, with forward slashes. */
  relativeToCompose(path: string): string {
    const rel = relative(this.compose, path);
    if (rel.startsWith('..') || isAbsolute(rel)) throw new Error(`${path} is not inside ${this.compose}`);
    return rel.split(sep).join('/');
  }
  /** build-iso's scratch for one arch: lorax's output tree, rendered templates, the packed tarball. */
  loraxWork(arch: string): string {
    return join(this.work, 'build-iso', arch);
  }
  /** lorax's own logs for one arch (its --logfile, and the program/dnf logs it writes beside it). */
  loraxLogDir(arch: string): string {
    return join(this.logs, 'build-iso', `lorax-${arch}`);
  }
  /** One arch's lorax work: the tarball from the store, the unpacked tree, per-image disc staging. */
  loraxDir(arch: string): string {
    return join(this.work, 'lorax', arch);
  }
  /** work/lorax/<arch>/<file>: the downloaded tarball (its name as in the store). */
  loraxTarball(arch: string, file: string): string {
    return join(this.loraxDir(arch), file);
  }
  /** work/lorax/<arch>/lorax: the unpacked lorax tree (images/, EFI/, isolinux/, .treeinfo). */
  loraxTree(arch: string): string {
    return join(this.loraxDir(arch), 'lorax');
  }
  /** The unpacked tree's boot.iso: the image pull-unpack-tree stages and build-iso-extra replays. */
  loraxBootIso(arch: string): string {
    return join(this.loraxTree(arch), 'images', 'boot.iso');
  }
  /** What pull-unpack-tree recorded about the tree it unpacked and placed (tarball digest, placed files). */
  loraxState(arch: string): string {
    return join(this.loraxDir(arch), 'state.json');
  }
  /** work/lorax/<arch>/discs/<image>: a disc's own files (.treeinfo, .discinfo, media.repo, package subsets);
   * a folder of its own, so an image named like the tree (`lorax`) cannot clobber it. */
  loraxImage(arch: string, image: string): string {
    return join(this.loraxDir(arch), 'discs', image);
  }
  /** The xorriso dialog a disc image was mastered with, kept for reading and replaying by hand. */
  xorrisoDialog(arch: string, image: string): string {
    return join(this.loraxDir(arch), `xorriso-${image}-${arch}.txt`);
  }
  /** work/global/extra-files: EULA, LICENSE, GPG keys put at the root of every disc. */
  get extraFiles(): string {
    return join(this.work, 'global', 'extra-files');
  }
  /** Scratch space of one step; removed or reused freely. */
  workDir(...parts: string[]): string {
    return join(this.work, ...parts);
  }
}
