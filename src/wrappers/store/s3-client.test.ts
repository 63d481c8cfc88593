import { describe, expect, it } from 'vitest';
import { UsageError, WorkError } from '../errors.ts';
import { createS3Client, describeS3Error, isNotFound, isRetryable } from './s3-client.ts';

const settings = {
  endpoint: 'http://127.0.0.1:1',
  region: 'us-east-1',
  force_path_style: true,
  credentials: { access_key_id_env: 'T_KEY', secret_access_key_env: 'T_SECRET' },
};

describe('createS3Client', () => {
  it('names the missing variable, never a value', () => {
    const err = (() => {
      try {
        createS3Client(settings, { env: { T_KEY: 'AKIAEXAMPLE' } });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe(
      'environment variable T_SECRET (named in store.s3.credentials) is not set',
    );
    expect((err as Error).message).not.toContain('AKIAEXAMPLE');
  });

  it('reads credentials from the named variables and sets the checksum and path-style options', async () => {
    const c = createS3Client(settings, { env: { T_KEY: 'k1', T_SECRET: 's1' }, maxAttempts: 2 });
    const creds = await (c.config.credentials as () => Promise<{ accessKeyId: string }>)();
    expect(creds.accessKeyId).toBe('k1');
    expect(c.config.forcePathStyle).toBe(true);
    expect(c.config.requestChecksumCalculation).toBeTypeOf('function');
    expect(await (c.config.requestChecksumCalculation as () => Promise<string>)()).toBe('WHEN_REQUIRED');
    expect(await (c.config.responseChecksumValidation as () => Promise<string>)()).toBe('WHEN_REQUIRED');
    expect(await (c.config.maxAttempts as () => Promise<number>)()).toBe(2);
  });
});

describe('S3 error sorting', () => {
  const sdk = (name: string, status?: number, code?: string) =>
    Object.assign(new Error(`${name} happened`), {
      name,
      code,
      $metadata: status ? { httpStatusCode: status } : {},
    });

  it('retries server and network trouble, not client errors or our own', () => {
    expect(isRetryable(sdk('InternalError', 500))).toBe(true);
    expect(isRetryable(sdk('SlowDown', 503))).toBe(true);
    expect(isRetryable(sdk('Error', undefined, 'ECONNRESET'))).toBe(true);
    expect(
      isRetryable(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' })),
    ).toBe(true);
    expect(isRetryable(sdk('AccessDenied', 403))).toBe(false);
    expect(isRetryable(sdk('NoSuchKey', 404))).toBe(false);
    expect(isRetryable(new WorkError('sha256 mismatch'))).toBe(false);
  });

  it('knows both spellings of a missing object', () => {
    expect(isNotFound(sdk('NotFound', 404))).toBe(true);
    expect(isNotFound(sdk('NoSuchKey', 404))).toBe(true);
    expect(isNotFound(sdk('AccessDenied', 403))).toBe(false);
  });

  it('describes a failure with its S3 code and a hint', () => {
    const e = describeS3Error('upload of f to s3://b/k', sdk('InvalidAccessKeyId', 403));
    expect(e).toBeInstanceOf(WorkError);
    expect(e.message).toBe(
      'upload of f to s3://b/k: InvalidAccessKeyId (HTTP 403): InvalidAccessKeyId happened',
    );
    expect(e.hint).toBe('check the variables named in store.s3.credentials');
  });
});
