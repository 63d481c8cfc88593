// Errors raised while reading repository metadata. They are work errors (exit 1): the repo we were given is
// unreadable, corrupt or does not verify; nothing about the user's configuration is wrong.
import { WorkError } from '../errors.ts';

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
