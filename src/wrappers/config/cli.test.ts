// `horno validate-config` through the real entry point (main() from src/cli.ts, in-process): exit codes and what
// the user reads on stdout and stderr.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli.ts';

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    err += String(chunk);
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('horno validate-config', () => {
  it('exits 2 for an unknown release, naming the file and the releases there', async () => {
    expect(await main(['validate-config', '--release', 'nope'])).toBe(2);
    expect(err).toMatch(
      /1 problem in the configuration:\n\s+\S*config\/releases\/nope\.yaml: \(top level\): /,
    );
    expect(err).toContain('no such release "nope" (available: 8, 9, 10, demo)');
  });

  it('exits 0 for release 9 and prints a summary', async () => {
    expect(await main(['validate-config', '--release', '9'])).toBe(0);
    expect(out).toContain('release 9: Rocky Linux 9.7');
    expect(out).toContain('arches:  x86_64 aarch64 ppc64le s390x');
    expect(out).toContain('images:  dvd minimal boot; live: Workstation');
  });

  it('prints only the JSON summary with --json', async () => {
    expect(await main(['validate-config', '--release', '8', '--json'])).toBe(0);
    const summary = JSON.parse(out);
    expect(summary).toMatchObject({
      ok: true,
      releases: [{ release: '8', version: '8.10', arches: ['x86_64', 'aarch64'] }],
    });
    expect(summary.releases[0].repos).toContain('PowerTools');
  });

  it('exits 2 when neither --release nor --all is given', async () => {
    expect(await main(['validate-config'])).toBe(2);
    expect(err).toContain('name one release with --release, or check them all with --all');
  });
});
