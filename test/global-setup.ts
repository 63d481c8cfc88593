// vitest globalSetup: builds (or finds in the cache) the fixture distro once, before any test file runs, so
// the worker processes do not all race to build it. A missing host tool is only reported here: the tests that
// need the fixture fail with the same message, and unit tests that do not can still run.
import { ensureFixtureDistro, FixtureToolMissingError } from './fixtures/distro.ts';

export default async function setup(): Promise<void> {
  const started = performance.now();
  try {
    const d = await ensureFixtureDistro({ log: (m) => console.log(m) });
    const secs = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`fixture distro ready in ${secs} s: ${d.root}`);
  } catch (e) {
    if (!(e instanceof FixtureToolMissingError)) throw e;
    console.warn(`fixture distro not built: ${e.message}`);
  }
}
