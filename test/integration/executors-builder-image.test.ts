// `horno builder-image` for real: a second call keeps the image it finds, and a machine that has the cached
// tarball but not the image loads it instead of bootstrapping (checked under a throwaway image name, so the
// image other tests use is never removed).
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cacheFileFor,
  DEFAULT_BUILDER_IMAGE,
  DEFAULT_MIRROR,
  hostDebArch,
  recipeFor,
  recipeId,
  RECIPE_LABEL,
} from '../../src/wrappers/run/executors/builder-image.ts';
import { run } from '../../src/wrappers/run/runner.ts';
import { ensureBuilderImage, podmanSkipReason } from '../helpers/podman.ts';

const REPO = new URL('../../', import.meta.url).pathname;
const skip = await podmanSkipReason();
if (skip) console.warn(`skipping builder-image tests: ${skip}`);

const TEST_IMAGE = `localhost/horno-builder-citest-${process.pid}:bookworm`;
let cache: string;

beforeAll(async () => {
  if (skip) return;
  await ensureBuilderImage();
  cache = await mkdtemp(join(tmpdir(), 'horno-builder-cache-'));
});
afterAll(async () => {
  if (skip) return;
  await run(['podman', 'rmi', '--ignore', TEST_IMAGE]).catch(() => {});
  if (cache) await rm(cache, { recursive: true, force: true });
});

const horno = (args: string[], env: Record<string, string> = {}) =>
  run(['node', join(REPO, 'bin', 'horno.js'), 'builder-image', '--json', ...args], {
    captureStdout: true,
    timeoutMs: 10 * 60_000,
    env,
  }).then(
    (r) => JSON.parse(r.stdout) as { image: string; source: string; recipe: string; durationMs: number },
  );

describe.skipIf(!!skip)('horno builder-image', () => {
  it('keeps an image built from the same recipe', async () => {
    const r = await horno([]);
    expect(r).toMatchObject({ image: DEFAULT_BUILDER_IMAGE, source: 'present' });
    const recipe = recipeFor(DEFAULT_MIRROR, hostDebArch());
    expect(r.recipe).toBe(recipeId(recipe));
    const label = await run(
      [
        'podman',
        'image',
        'inspect',
        '--format',
        `{{index .Config.Labels "${RECIPE_LABEL}"}}`,
        DEFAULT_BUILDER_IMAGE,
      ],
      { captureStdout: true },
    );
    expect(label.stdout.trim()).toBe(recipeId(recipe));
  });

  it('loads the cached tarball when the image is missing', async () => {
    const recipe = recipeFor(DEFAULT_MIRROR, hostDebArch());
    const cached = cacheFileFor(join(cache, 'builder-images'), TEST_IMAGE, recipe);
    // make the cache a first machine would have left: the same image under the test name, saved and compressed
    await run(['podman', 'tag', DEFAULT_BUILDER_IMAGE, TEST_IMAGE]);
    await run(['mkdir', '-p', join(cache, 'builder-images')]);
    await run(['podman', 'save', '-q', '-o', join(cache, 'img.tar'), TEST_IMAGE]);
    await run(['zstd', '-q', '-T2', '-1', '--rm', join(cache, 'img.tar'), '-o', cached]);
    await run(['podman', 'rmi', TEST_IMAGE]); // only the tag goes: the default image keeps the layers
    expect((await run(['podman', 'image', 'exists', TEST_IMAGE], { okExitCodes: [1] })).exitCode).toBe(1);

    const r = await horno(['--image', TEST_IMAGE], { HORNO_CACHE: cache });
    expect(r).toMatchObject({ image: TEST_IMAGE, source: 'cache', recipe: recipeId(recipe) });
    expect((await run(['podman', 'image', 'exists', TEST_IMAGE])).exitCode).toBe(0);
    expect((await stat(cached)).size).toBeGreaterThan(1 << 20);
    // and the tools are inside
    const v = await run(['podman', 'run', '--rm', '--network', 'none', TEST_IMAGE, 'xorriso', '-version'], {
      captureStdout: true,
    });
    expect(v.stdout).toMatch(/^xorriso 1\.5/m);
  });
});
