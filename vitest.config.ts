import { defineConfig } from 'vitest/config';

// Integration tests spawn real tools (rpmbuild, dnf, createrepo_c); give them room and run files in parallel
// only as far as two cores allow.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
    // The fixture distro is built once before the files run; HORNO_NO_FIXTURE=1 skips that for quick unit runs.
    globalSetup: process.env.HORNO_NO_FIXTURE ? [] : ['test/global-setup.ts'],
  },
});
