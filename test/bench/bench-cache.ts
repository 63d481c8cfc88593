// Where benchmark inputs are cached: ${HORNO_CACHE:-~/.cache/horno}/bench/<name>-<hash of the generator's
// source files and parameters>. A build happens in a temp dir beside the final one and is renamed into place
// (the fixture distro's publish), so a half-built input is never seen and racing builders agree on one winner;
// inputs of older generator versions are then removed.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanStale, publish, tempDirFor } from '../fixtures/distro/cache.ts';

const MANIFEST = 'bench.json';

export function benchCacheBase(): string {
  const root = process.env.HORNO_CACHE || join(process.env.HOME || homedir(), '.cache', 'horno');
  return join(root, 'bench');
}

/** sha256 over the given source files (module URLs) and parameters: a change to either means a new input. */
export async function generatorHash(sources: readonly URL[], params: unknown): Promise<string> {
  const h = createHash('sha256');
  for (const u of sources) h.update(await readFile(fileURLToPath(u)));
  h.update(JSON.stringify(params));
  return h.digest('hex').slice(0, 16);
}

/**
 * The cached input `<name>-<hash>`, built by `build(tmpDir)` when missing; returns its folder and the manifest
 * the build returned (written last, so its presence marks a complete input).
 */
export async function ensureCached<M>(
  name: string,
  hash: string,
  build: (dir: string) => Promise<M>,
): Promise<{ dir: string; manifest: M; built: boolean }> {
  const base = benchCacheBase();
  const dir = join(base, `${name}-${hash}`);
  const existing = await readManifest<M>(dir);
  if (existing) return { dir, manifest: existing, built: false };
  await mkdir(base, { recursive: true });
  await cleanStale(base);
  const tmp = tempDirFor(base);
  await mkdir(tmp, { recursive: true });
  try {
    const manifest = await build(tmp);
    await writeFile(join(tmp, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    const who = await publish(tmp, dir, async (d) => (await readManifest(d)) !== undefined);
    await pruneOlder(base, name, dir);
    return { dir, manifest: who === 'ours' ? manifest : (await readManifest<M>(dir))!, built: true };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Inputs of earlier generator versions are hundreds of MB that nothing will read again. */
async function pruneOlder(base: string, name: string, keep: string): Promise<void> {
  for (const entry of await readdir(base)) {
    const dir = join(base, entry);
    if (dir !== keep && new RegExp(`^${name}-[0-9a-f]{16}$`).test(entry)) {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

async function readManifest<M>(dir: string): Promise<M | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) as M;
  } catch {
    return undefined;
  }
}
