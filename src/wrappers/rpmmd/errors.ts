// Errors raised while reading repository metadata. They are work errors (exit 1): the repo we were given is
// unreadable, corrupt or does not verify; nothing about the user's configuration is wrong.
import { WorkError } from '../errors.ts';
import { formatBytes } from './limits.ts';

export class RepoMetadataError extends WorkError {
  override readonly code: string = 'E_RPMMD';
}

export class ChecksumMismatchError extends RepoMetadataError {
  override readonly code = 'E_RPMMD_CHECKSUM';
  constructor(
    readonly what: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `${what}: checksum mismatch (expected ${expected}, got ${actual})`,
      'the mirror is mid-sync or the file is corrupt; fetch repomd.xml again and retry',
    );
  }
}

/** A metadata file unpacks to more than its repomd record (open-size) or the site's ceiling allows. */
export class MetadataTooLargeError extends RepoMetadataError {
  override readonly code = 'E_RPMMD_TOO_LARGE';
  constructor(
    readonly what: string,
    readonly limit: number,
    /** Whether the limit is the record's open-size rather than the site's ceiling. */
    readonly byOpenSize: boolean,
  ) {
    super(
      byOpenSize
        ? `${what}: decompresses to more than its open-size in repomd.xml (${formatBytes(limit)})`
        : `${what}: decompresses to more than ${formatBytes(limit)}, the limit for a metadata file of its type`,
      byOpenSize
        ? 'the upstream repository is corrupt or hostile; it was not mirrored'
        : 'if the repository is genuine, raise limits.metadata_max_bytes (or comps_modules_max_bytes) in the site file',
    );
  }
}
