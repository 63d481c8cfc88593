// The `horno` launcher: it runs the esbuild bundle (dist/) while every source it was built from is unchanged and
// falls back to the TypeScript sources once one changes, and the bundled code finds config/ and templates/.
// Works on a copy of the checkout (node_modules linked) so the real dist/ is never touched.
import { cp, mkdtemp, rm, symlink, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { run } from '../../src/wrappers/run/runner.ts';

const REPO = new URL('../../', import.meta.url).pathname;
let copy: string;

beforeAll(async () => {
  copy = await mkdtemp(join(tmpdir(), 'horno-bundle-'));
  for (const part of ['bin', 'src', 'config', 'templates', 'package.json']) {
    await cp(join(REPO, part), join(copy, part), { recursive: true, preserveTimestamps: true });
  }
  await symlink(join(REPO, 'node_modules'), join(copy, 'node_modules'));
});
afterAll(() => rm(copy, { recursive: true, force: true }));

const horno = (args: string[], okExitCodes = [0]) =>
  run([process.execPath, join(copy, 'bin', 'horno.js'), ...args], {
    cwd: tmpdir(),
    okExitCodes,
    captureStdout: true,
  });

it('runs the bundle while the sources match it, and the sources once one changes', async () => {
  expect((await horno(['--version'])).stdout.trim()).toMatch(/\(sources\)$/); // no dist/ yet
  await run([process.execPath, join(copy, 'bin', 'build.js')], { cwd: copy });
  expect((await horno(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+ \(bundle\)$/);

  // the bundle resolves the shipped config/ and templates/ from dist/, wherever it is run from
  const ok = await horno(['validate-config', '--release', '9']);
  expect(ok.stdout).toMatch(/BaseOS/);
  const bad = await horno(['validate-config', '--release', 'nope'], [2]);
  expect(bad.stderrTail).toContain(join(copy, 'config', 'releases', 'nope.yaml'));

  const edited = join(copy, 'src', 'wrappers', 'rpmmd', 'evr.ts');
  await utimes(edited, new Date(), new Date(Date.now() + 5000));
  expect((await horno(['--version'])).stdout.trim()).toMatch(/\(sources\)$/);
  await run([process.execPath, join(copy, 'bin', 'build.js')], { cwd: copy });
  expect((await horno(['--version'])).stdout.trim()).toMatch(/\(bundle\)$/);
}, 60_000);
