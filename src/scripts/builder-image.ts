// `horno builder-image [--image NAME] [--force]`: makes sure the local podman builder image exists (kept, loaded
// from the cache, or debootstrapped and imported), so podman executors on this machine have something to run in.
import {
  ensureBuilderImage,
  DEFAULT_BUILDER_IMAGE,
  DEFAULT_MIRROR,
} from '../wrappers/run/executors/builder-image.ts';
import { defineCommand } from './command.ts';

interface Args {
  image: string;
  force: boolean;
  mirror: string;
}

export default defineCommand<Args>({
  options: (y) =>
    y
      .option('image', { type: 'string', default: DEFAULT_BUILDER_IMAGE, describe: 'image name to make' })
      .option('force', {
        type: 'boolean',
        default: false,
        describe: 'rebuild from debootstrap even when the image or its cached tarball exists',
      })
      .option('mirror', {
        type: 'string',
        default: DEFAULT_MIRROR,
        describe: 'Debian mirror for debootstrap',
      }),
  async run(args, ctx) {
    const r = await ensureBuilderImage({
      image: args.image,
      force: args.force,
      mirror: args.mirror,
      progress: (msg) => ctx.log.info(msg),
    });
    const how = { present: 'already present', cache: 'loaded from the cache', built: 'built' }[r.source];
    ctx.log.info(
      { image: r.image, source: r.source, ms: r.durationMs, recipe: r.recipe },
      `builder image ${how}`,
    );
    ctx.print(`${r.image}: ${how} (recipe ${r.recipe}; cache ${r.cacheFile})`);
    ctx.summary({ ok: true, ...r });
    return 0;
  },
});
