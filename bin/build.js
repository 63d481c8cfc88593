#!/usr/bin/env node
// Bundles the TypeScript sources into dist/ with esbuild (one chunk per command, shared code split out), so the
// `horno` command starts without compiling anything. bin/setup runs it; `npm run build` does too. dist/inputs.json
// records every source file's size and mtime: bin/horno.js uses the bundle only while they all still match and
// otherwise runs the sources through tsx, so an edited checkout is never served stale code.
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const staging = join(root, `.dist-${process.pid}`);

// Packages left out of the bundle: pino starts worker threads from its own files; the SDKs and
// the Kubernetes client are big, loaded only by the commands that need them, and fine where npm put them.
const EXTERNAL = ['pino', 'dockerode', '@aws-sdk/*', '@kubernetes/*', 'tsx', 'esbuild'];

await rm(staging, { recursive: true, force: true });
try {
  const result = await build({
    absWorkingDir: root,
    entryPoints: { cli: 'src/cli.ts' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir: staging,
    external: EXTERNAL,
    // CommonJS packages bundled into ESM call require() for node builtins
    banner: {
      js: "import { createRequire as __hornoRequire } from 'node:module';\nconst require = __hornoRequire(import.meta.url);",
    },
    metafile: true,
    logLevel: 'warning',
  });
  const inputs = {};
  for (const file of Object.keys(result.metafile.inputs)
    .filter((f) => f.startsWith('src/'))
    .sort()) {
    const st = await stat(join(root, file));
    inputs[file] = [st.size, st.mtimeMs];
  }
  await writeFile(join(staging, 'inputs.json'), `${JSON.stringify({ inputs }, null, 1)}\n`);
  await writeFile(join(staging, 'package.json'), '{ "type": "module" }\n');
  await rm(`${dist}.old`, { recursive: true, force: true });
  await rename(dist, `${dist}.old`).catch((e) => {
    if (e.code !== 'ENOENT') throw e;
  });
  await rename(staging, dist);
  await rm(`${dist}.old`, { recursive: true, force: true });
  process.stdout.write(`built ${relative(root, dist)}/ from ${Object.keys(inputs).length} source files\n`);
} finally {
  await rm(staging, { recursive: true, force: true });
}
