// Public API of the rpm-md layer: read repositories (repomd, primary, filelists), compare versions the rpm way and
// check dependency closure without dnf. Steps import from here, never from the modules behind it.
export { compatibleArches, isSourceArch } from './arch.ts';
export type { ClosureProblem, ClosureRepo, RepoclosureOptions } from './closure.ts';
export { repoclosure } from './closure.ts';
export { formatRepoclosure, repoclosureSummary } from './closure-format.ts';
export { compressionOf, decompressedBytes, decompressedText } from './decompress.ts';
export { depEvr, depToString, provideSatisfies, rangesIntersect } from './dep-match.ts';
export type { DepsolveOptions, DepsolveProblem, DepsolveRequest, DepsolveResult } from './depsolve.ts';
export { depsolve } from './depsolve.ts';
export { ChecksumMismatchError, MetadataTooLargeError, RepoMetadataError } from './errors.ts';
export type { Cmp, Evr } from './evr.ts';
export { compareEvr, compareEvrStrings, formatEvr, formatNevra, parseEvr, rpmvercmp } from './evr.ts';
export { filelistsByPkgid, parseFilelists } from './filelists.ts';
export { Interner } from './intern.ts';
export { parsePrimary } from './primary.ts';
export type { LoadedRepo, ReadOptions } from './repo.ts';
export { loadRepo, metadataBytes, metadataText, streamFilelists, streamPrimary } from './repo.ts';
export type { ConfinedRepomd } from './repomd.ts';
export { confineRepomd, fetchRepomd, findRecord, metadataFiles, parseRepomd } from './repomd.ts';
export type { TreeLocation } from './location.ts';
export { checksumProblem, LocationError, treeLocation } from './location.ts';
export type { DepNode, RichNode, RichOp, SimpleNode } from './rich-dep.ts';
export { formatDepNode, parseRichDep, richProviders } from './rich-dep.ts';
export { openLocation, readLocation, resolveLocation } from './source.ts';
export type {
  Checksum,
  Dep,
  DepFlags,
  FilelistEntry,
  Package,
  PackageFile,
  RepoMd,
  RepoMdRecord,
} from './types.ts';
export type { CreaterepoOptions } from './createrepo.ts';
export { createrepoArgv, modifyrepoArgv, releaseDistroTag } from './createrepo.ts';
export type { Keyring, SigVerdict } from './signatures.ts';
export {
  checkSignatures,
  checksigArgv,
  createKeyring,
  importKeyArgv,
  KeyringError,
  parseChecksig,
} from './signatures.ts';
