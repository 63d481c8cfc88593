// GPG signature checks of packages with rpmkeys against a private keyring (never the host's rpmdb). rpmkeys exits 0
// for an unsigned package whose digests are fine, so the verdict comes from each file's line: only a line ending
// in "signatures OK" passes. A key that cannot be fetched or imported is a KeyringError: one line, naming the key.
import { mkdir } from 'node:fs/promises';
import { CommandFailedError, WorkError } from '../errors.ts';
import { run } from '../run/runner.ts';

export interface Keyring {
  dbpath: string;
  /** rpm on Debian keeps its default db under $HOME: point HOME somewhere private too. */
  env: Record<string, string>;
}

export function importKeyArgv(k: Keyring, keyFile: string): string[] {
  return ['rpmkeys', '--dbpath', k.dbpath, '--import', keyFile];
}

export function checksigArgv(k: Keyring, files: string[]): string[] {
  return ['rpmkeys', '--dbpath', k.dbpath, '--checksig', '--', ...files];
}

export interface SigVerdict {
  file: string;
  ok: boolean;
  detail: string;
}

/** Parses `rpmkeys --checksig` output lines ("<file>: digests signatures OK"). */
export function parseChecksig(output: string, files: string[]): SigVerdict[] {
  const byFile = new Map<string, string>();
  for (const line of output.split('\n')) {
    const i = line.lastIndexOf(': ');
    if (i > 0) byFile.set(line.slice(0, i), line.slice(i + 2).trim());
  }
  return files.map((file) => {
    const detail = byFile.get(file) ?? 'no verdict from rpmkeys';
    const ok = /\bsignatures OK$/.test(detail) && !/NOT OK/.test(detail);
    return { file, ok, detail: ok ? detail : explain(detail) };
  });
}

function explain(detail: string): string {
  if (/^digests OK$/.test(detail) || !/signatures/i.test(detail)) return `not signed (${detail})`;
  if (/SIGNATURES NOT OK|signatures NOT OK/.test(detail)) return `bad or unknown signature (${detail})`;
  return detail;
}

/** A release key that cannot be fetched or imported: no signature can be checked, so no tree may land. */
export class KeyringError extends WorkError {
  override readonly code = 'E_GPG_KEY';
  constructor(key: string, cause: unknown) {
    const said = cause instanceof CommandFailedError ? lastLine(cause.stderrTail) : (cause as Error).message;
    const why = said.startsWith(`${key}: `) ? said.slice(key.length + 2) : said; // a DownloadError names it too
    super(
      `cannot use gpg key ${key}: ${why}`,
      'check upstream.gpg_keys (each a URL or file of an armored public key), or pass --no-enforce-signatures',
    );
  }
}

/** `names[i]` says where keyFiles[i] came from, for the error (the URL, not our downloaded copy). */
export async function createKeyring(
  dbpath: string,
  home: string,
  keyFiles: string[],
  names: string[] = keyFiles,
): Promise<Keyring> {
  await mkdir(dbpath, { recursive: true });
  await mkdir(home, { recursive: true });
  const k: Keyring = { dbpath, env: { HOME: home } };
  for (const [i, f] of keyFiles.entries()) {
    try {
      await run(importKeyArgv(k, f), { env: k.env });
    } catch (err) {
      if (!(err instanceof CommandFailedError)) throw err;
      throw new KeyringError(names[i] ?? f, err);
    }
  }
  return k;
}

const lastLine = (text: string) => text.trim().split('\n').at(-1)?.trim() || 'rpmkeys --import failed';

/** Checks files in batches (one rpmkeys process per batch); exit 1 just means some failed. */
export async function checkSignatures(k: Keyring, files: string[], logFile?: string): Promise<SigVerdict[]> {
  const out: SigVerdict[] = [];
  for (let i = 0; i < files.length; i += 200) {
    const batch = files.slice(i, i + 200);
    const r = await run(checksigArgv(k, batch), {
      env: k.env,
      captureStdout: true,
      okExitCodes: [0, 1],
      logFile,
    });
    out.push(...parseChecksig(r.stdout, batch));
  }
  return out;
}
