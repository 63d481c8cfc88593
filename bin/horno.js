#!/usr/bin/env node
// Entry point of the `horno` command. Runs the bundle bin/build.js made (dist/) while every source file it was built
// from is unchanged, and otherwise the TypeScript sources through tsx: an edited checkout is slower, never stale.
// HORNO_FROM_SOURCE=1 forces the sources. `horno --version` says which ran.
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function bundleIsCurrent() {
  if (process.env.HORNO_FROM_SOURCE === '1') return false;
  try {
    const { inputs } = JSON.parse(readFileSync(`${root}dist/inputs.json`, 'utf8'));
    for (const [file, [size, mtimeMs]] of Object.entries(inputs)) {
      const st = statSync(root + file);
      if (st.size !== size || st.mtimeMs !== mtimeMs) return false;
    }
    return true;
  } catch {
    return false;
  }
}

let main;
if (bundleIsCurrent()) {
  process.env.HORNO_BUILD = 'bundle';
  ({ main } = await import('../dist/cli.js'));
} else {
  process.env.HORNO_BUILD = 'sources';
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli.ts'));
}
process.exitCode = await main(process.argv.slice(2), { ownProcess: true });
