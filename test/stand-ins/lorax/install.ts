// Puts the lorax stand-in on a test's PATH: writes `<binDir>/lorax`, a two-line wrapper that sets the stand-in's
// environment (boot assets, injected failures) and execs test/stand-ins/lorax/lorax. The product code runs plain
// `lorax` and passes only allow-listed variables, so the wrapper, not the caller, carries these settings.
import { mkdir, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The stand-in script itself. */
export const LORAX_STAND_IN = fileURLToPath(new URL('./lorax', import.meta.url));

export interface StandInOptions {
  /** HORNO_BOOT_ASSETS: the folder ensureBootAssets() returned. */
  assets: string;
  /** --buildarch values that fail on purpose (exit 1 after logging). */
  failArches?: string[];
  /** --buildarch values that sleep this many seconds first (a slow builder). */
  slowArches?: Record<string, number>;
  /** Path of the stand-in as the wrapper sees it (differs inside a container). Default: LORAX_STAND_IN. */
  script?: string;
}

const shQuote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/** The wrapper's text. */
export function standInWrapper(opts: StandInOptions): string {
  return [
    '#!/bin/sh',
    '# horno test wrapper around the lorax STAND-IN (test/stand-ins/lorax/lorax); not lorax',
    `export HORNO_BOOT_ASSETS=${shQuote(opts.assets)}`,
    `export HORNO_LORAX_FAIL_ARCHES=${shQuote((opts.failArches ?? []).join(','))}`,
    `export HORNO_LORAX_SLOW_ARCHES=${shQuote(
      Object.entries(opts.slowArches ?? {})
        .map(([a, s]) => `${a}=${s}`)
        .join(','),
    )}`,
    `exec ${shQuote(opts.script ?? LORAX_STAND_IN)} "$@"`,
    '',
  ].join('\n');
}

/** Writes `<binDir>/lorax` and returns a PATH with binDir first. */
export async function installLoraxStandIn(binDir: string, opts: StandInOptions): Promise<string> {
  await mkdir(binDir, { recursive: true });
  await writeFile(join(binDir, 'lorax'), standInWrapper(opts), { mode: 0o755 });
  return [binDir, process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'].join(delimiter);
}
