// openStore(site): the artifact store the site config names (file:// folder or s3://bucket/prefix), behind one
// interface. Everything else imports from here.
import { parseStoreUrl, type SiteConfig } from '../config/site-schema.ts';
import { UsageError } from '../errors.ts';
import { FileStore } from './file-store.ts';
import { createS3Client, type S3ClientOptions } from './s3-client.ts';
import { S3Store } from './s3-store.ts';
import type { ArtifactStore } from './store.ts';

export type { ArtifactStore, GetOptions, PutOptions, StoredObject } from './store.ts';
export { FileStore } from './file-store.ts';
export { S3Store } from './s3-store.ts';
export { createS3Client } from './s3-client.ts';
export { newestUnder, recordedTime } from './newest.ts';
export { checkKey, checkPrefix } from './keys.ts';
export { IntegrityError } from './verified-write.ts';

export function openStore(site: Pick<SiteConfig, 'store'>, opts: S3ClientOptions = {}): ArtifactStore {
  const loc = parseStoreUrl(site.store.url);
  if (loc.kind === 'file') return new FileStore(loc.path);
  if (!site.store.s3) throw new UsageError('store.s3 is required with an s3:// store url');
  return new S3Store({ client: createS3Client(site.store.s3, opts), bucket: loc.bucket, prefix: loc.prefix });
}
