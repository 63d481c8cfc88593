// The site's metadata size limits: defaults from rpmmd/limits.ts, byte counts with or without a binary unit, and
// a clear message for anything else.
import { describe, expect, it } from 'vitest';
import { COMPS_MODULES_MAX_BYTES, METADATA_MAX_BYTES } from '../rpmmd/limits.ts';
import { SiteConfig } from './site-schema.ts';

const limits = (l: Record<string, unknown>) => SiteConfig.safeParse({ limits: l });

describe('site limits for upstream metadata', () => {
  it('defaults to 4 GiB for parsed metadata and 64 MiB for comps and modules', () => {
    const { limits: l } = SiteConfig.parse({});
    expect(l.metadata_max_bytes).toBe(METADATA_MAX_BYTES);
    expect(METADATA_MAX_BYTES).toBe(4 * 2 ** 30);
    expect(l.comps_modules_max_bytes).toBe(COMPS_MODULES_MAX_BYTES);
    expect(COMPS_MODULES_MAX_BYTES).toBe(64 * 2 ** 20);
  });

  it('reads a byte count with or without a unit', () => {
    expect(
      limits({ metadata_max_bytes: '8 GiB', comps_modules_max_bytes: '512KiB' }).data?.limits,
    ).toMatchObject({
      metadata_max_bytes: 8 * 2 ** 30,
      comps_modules_max_bytes: 512 * 1024,
    });
    expect(limits({ metadata_max_bytes: 1000 }).data?.limits.metadata_max_bytes).toBe(1000);
  });

  it.each(['8 GB', '0 MiB', 1.5, true, '4 gib'])('refuses %j', (v) => {
    const issues = limits({ metadata_max_bytes: v }).error?.issues ?? [];
    expect(issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      [
        'limits.metadata_max_bytes',
        'must be a whole number of bytes, or one with a unit like "64 MiB" or "4 GiB"',
      ],
    ]);
  });
});
