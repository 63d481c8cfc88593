// Detached, armored GPG signatures of CHECKSUM files (`<file>.asc`), made with the key the operator names and
// the keyring in $GNUPGHOME. pungi leaves this to separate release tooling; Rocky points users to a git repo of
// signed checksums instead. The signature is written under a temp name and renamed, like every other output.
import { rename, rm } from 'node:fs/promises';
import { SIGNATURE_SUFFIX } from '../compose/paths.ts';
import { tempSibling } from '../compose/atomic.ts';
import { run } from '../run/runner.ts';

export interface SignOptions {
  /** Key id, fingerprint or user id, as gpg --local-user takes it. */
  keyId: string;
  /** The keyring folder; undefined leaves gpg's default (~/.gnupg). */
  gnupgHome?: string;
  logFile?: string;
}

export function detachSignArgv(keyId: string, file: string, output: string): string[] {
  return [
    'gpg',
    '--batch',
    '--yes',
    '--no-tty',
    '--pinentry-mode',
    'error',
    '--armor',
    '--detach-sign',
    '--local-user',
    keyId,
    '--output',
    output,
    '--',
    file,
  ];
}

export function verifyArgv(signature: string, file: string): string[] {
  return ['gpg', '--batch', '--verify', '--', signature, file];
}

export function signaturePath(file: string): string {
  return `${file}${SIGNATURE_SUFFIX}`;
}

/** Signs `file` into `<file>.asc`; returns the signature's path. */
export async function detachSign(file: string, opts: SignOptions): Promise<string> {
  const dest = signaturePath(file);
  const tmp = tempSibling(dest);
  try {
    await run(detachSignArgv(opts.keyId, file, tmp), {
      env: { GNUPGHOME: opts.gnupgHome },
      logFile: opts.logFile,
      timeoutMs: 120_000,
    });
    await rename(tmp, dest);
  } finally {
    await rm(tmp, { force: true });
  }
  return dest;
}
