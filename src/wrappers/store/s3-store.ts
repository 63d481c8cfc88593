// The S3 backend: lib-storage multipart uploads (16 MiB parts, 4 at a time) with the file's sha256 in user
// metadata (x-amz-meta-sha256), prefix-scoped paginated listing, and downloads streamed to a temp file and
// verified against that sha256 and the object's size before the rename. Keys are relative to the store url's prefix.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline, type Readable, Transform } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { WorkError } from '../errors.ts';
import { linkedSignal } from '../run/cancel.ts';
import { sha256File } from '../metadata/digest.ts';
import { checkKey, checkPrefix } from './keys.ts';
import { withRetries } from './retry.ts';
import { describeS3Error, isNotFound, isRetryable } from './s3-client.ts';
import type { ArtifactStore, GetOptions, PutOptions, StoredObject } from './store.ts';
import { IntegrityError, writeVerified } from './verified-write.ts';

export const PART_SIZE = 16 * 1024 * 1024;
export const QUEUE_SIZE = 4;

export interface S3StoreOptions {
  client: S3Client;
  bucket: string;
  /** Key prefix inside the bucket, without leading or trailing "/" ('' for the whole bucket). */
  prefix: string;
  /** Whole-transfer attempts on top of the SDK's per-request retries. */
  attempts?: number;
  backoffMs?: number;
  /** MaxKeys per ListObjectsV2 page (default: the server's, 1000 on AWS). */
  listPageSize?: number;
}

export class S3Store implements ArtifactStore {
  readonly url: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly listPageSize: number | undefined;

  constructor(opts: S3StoreOptions) {
    this.client = opts.client;
    this.bucket = opts.bucket;
    this.prefix = opts.prefix ? `${checkPrefix(opts.prefix).replace(/\/+$/, '')}/` : '';
    this.url = `s3://${this.bucket}${this.prefix ? `/${this.prefix.slice(0, -1)}` : ''}`;
    this.attempts = opts.attempts ?? 3;
    this.backoffMs = opts.backoffMs ?? 500;
    this.listPageSize = opts.listPageSize;
  }

  private full(key: string): string {
    return this.prefix + checkKey(key);
  }

  async put(key: string, file: string, opts: PutOptions = {}): Promise<StoredObject> {
    const Key = this.full(key);
    const { size } = await stat(file);
    // S3 takes metadata with the first request, before any byte: so the digest is computed up front (a local
    // read, much faster than the upload) rather than while streaming
    const sha256 = opts.sha256 ?? (await sha256File(file));
    await withRetries(
      async () => {
        let reported = 0;
        // the bytes actually sent are hashed on the way: a wrong `sha256` from the caller, or a file changed
        // since it was hashed, would otherwise be stored under a digest it does not have
        const sent = createHash('sha256');
        const body = new Transform({
          transform(chunk: Buffer, _enc, done) {
            sent.update(chunk);
            done(null, chunk);
          },
        });
        // pipeline, not pipe: a read error must reach the uploader as an error, not leave it waiting forever
        pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), body, () => {});
        const upload = new Upload({
          client: this.client,
          partSize: PART_SIZE,
          queueSize: QUEUE_SIZE,
          leavePartsOnError: false,
          params: {
            Bucket: this.bucket,
            Key,
            Body: body,
            ContentLength: size,
            ContentType: opts.contentType ?? 'application/octet-stream',
            Metadata: { sha256 },
          },
        });
        upload.on('httpUploadProgress', (p) => {
          if (p.loaded === undefined || p.loaded <= reported) return;
          opts.onBytes?.(p.loaded - reported);
          reported = p.loaded;
        });
        try {
          await upload.done();
        } catch (err) {
          if (isRetryable(err)) throw err;
          throw describeS3Error(`upload of ${file} to ${this.url}/${key}`, err);
        }
        const actual = sent.digest('hex');
        if (actual !== sha256) {
          await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key })).catch(() => {});
          throw new IntegrityError(
            `${file}: the bytes uploaded hash to ${actual}, not ${sha256}; ${this.url}/${key} was deleted`,
            opts.sha256 ? 'the sha256 the caller passed is wrong' : 'the file changed while it was uploaded',
          );
        }
      },
      { attempts: this.attempts, backoffMs: this.backoffMs, retryable: isRetryable },
    ).catch((err: unknown) => {
      throw err instanceof WorkError ? err : describeS3Error(`upload of ${file} to ${this.url}/${key}`, err);
    });
    // read back what the server kept: a server that mangled the body (aws-chunked framing) shows a wrong size
    const head = await this.head(key);
    if (!head || head.size !== size || head.sha256 !== sha256)
      throw new IntegrityError(
        `${this.url}/${key}: the server kept ${head ? `${head.size} bytes, sha256 ${head.sha256 ?? 'none'}` : 'nothing'}; we sent ${size} bytes, sha256 ${sha256}`,
      );
    return head;
  }

  async get(key: string, dest: string, opts: GetOptions = {}): Promise<StoredObject> {
    const Key = this.full(key);
    const signal = linkedSignal(opts.signal);
    const what = `${this.url}/${key}`;
    return withRetries(
      async () => {
        let res;
        try {
          res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }), {
            abortSignal: signal,
          });
        } catch (err) {
          if (isNotFound(err)) throw new WorkError(`no object ${key} in ${this.url}`);
          throw isRetryable(err) ? err : describeS3Error(`download of ${what}`, err);
        }
        const sha256 = res.Metadata?.sha256;
        const written = await writeVerified(res.Body as Readable, dest, {
          what,
          size: res.ContentLength,
          sha256,
          verify: opts.verify ?? true,
          onBytes: opts.onBytes,
          signal,
        });
        return {
          key,
          size: written.size,
          lastModified: res.LastModified ?? new Date(0),
          sha256: sha256 ?? written.sha256,
        };
      },
      { attempts: this.attempts, backoffMs: this.backoffMs, signal, retryable: isRetryable },
    ).catch((err: unknown) => {
      throw err instanceof WorkError ? err : describeS3Error(`download of ${what}`, err);
    });
  }

  async head(key: string): Promise<StoredObject | undefined> {
    const Key = this.full(key);
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
      return {
        key,
        size: res.ContentLength ?? 0,
        lastModified: res.LastModified ?? new Date(0),
        sha256: res.Metadata?.sha256,
      };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw describeS3Error(`head of ${this.url}/${key}`, err);
    }
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    const Prefix = this.prefix + checkPrefix(prefix);
    let ContinuationToken: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix,
            ContinuationToken,
            MaxKeys: this.listPageSize,
          }),
        );
      } catch (err) {
        throw describeS3Error(`listing of ${this.url}/${prefix}`, err);
      }
      for (const o of page.Contents ?? []) {
        if (!o.Key) continue;
        yield {
          key: o.Key.slice(this.prefix.length),
          size: o.Size ?? 0,
          lastModified: o.LastModified ?? new Date(0),
        };
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.full(key) }));
    } catch (err) {
      if (!isNotFound(err)) throw describeS3Error(`delete of ${this.url}/${key}`, err);
    }
  }
}
