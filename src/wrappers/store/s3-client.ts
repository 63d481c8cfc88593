// Builds the S3 client from the site's store.s3 block, and sorts S3 failures into "retry", "missing" and
// "give up with a hint". Credentials come from the environment variables the site file names; their values never
// enter a message or a log line (the logger redacts accessKeyId/secretAccessKey, and we never log them at all).
import { S3Client } from '@aws-sdk/client-s3';
import type { S3Settings } from '../config/site-schema.ts';
import { UsageError, WorkError } from '../errors.ts';

export interface S3ClientOptions {
  /** Where the variables named in store.s3.credentials are read (default: process.env). */
  env?: Record<string, string | undefined>;
  /** SDK attempts per request (the SDK retries throttling, 5xx and network errors itself). */
  maxAttempts?: number;
}

export function createS3Client(s3: S3Settings, opts: S3ClientOptions = {}): S3Client {
  const env = opts.env ?? process.env;
  let credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
  if (s3.credentials) {
    const c = s3.credentials;
    const read = (name: string) => {
      const v = env[name];
      if (!v) throw new UsageError(`environment variable ${name} (named in store.s3.credentials) is not set`);
      return v;
    };
    credentials = {
      accessKeyId: read(c.access_key_id_env),
      secretAccessKey: read(c.secret_access_key_env),
      ...(c.session_token_env ? { sessionToken: read(c.session_token_env) } : {}),
    };
  }
  return new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: s3.force_path_style,
    credentials, // undefined: the SDK's own chain (AWS_* variables, profiles, instance roles)
    maxAttempts: opts.maxAttempts ?? 5,
    // Without these the SDK sends stream bodies aws-chunked with trailing checksums, which some S3-compatible
    // servers (s3rver) store framing and all; we verify content ourselves with the sha256 in the metadata.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

interface SdkError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

export function httpStatus(err: unknown): number | undefined {
  return (err as SdkError | undefined)?.$metadata?.httpStatusCode;
}

export function isNotFound(err: unknown): boolean {
  const name = (err as SdkError | undefined)?.name;
  return name === 'NotFound' || name === 'NoSuchKey' || httpStatus(err) === 404;
}

/** Network trouble and server errors that a fresh attempt can cure (the SDK has already retried the request). */
export function isRetryable(err: unknown): boolean {
  if (err instanceof WorkError) return false;
  const e = err as SdkError & { message?: string };
  const status = httpStatus(err);
  if (status !== undefined) return status >= 500 || status === 429 || status === 408;
  const code = e?.code ?? e?.name ?? '';
  return (
    /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN|TimeoutError|RequestTimeout|ERR_STREAM_PREMATURE_CLOSE/.test(
      code,
    ) || /socket hang up|aborted|premature close/i.test(e?.message ?? '')
  );
}

/** A WorkError naming the operation and the S3 error code, with a hint for the usual causes. */
export function describeS3Error(what: string, err: unknown): WorkError {
  const e = err as SdkError & { message?: string };
  const name = e?.name ?? 'Error';
  const status = httpStatus(err);
  const hints: Record<string, string> = {
    InvalidAccessKeyId: 'check the variables named in store.s3.credentials',
    SignatureDoesNotMatch: 'check the variables named in store.s3.credentials',
    AccessDenied: 'the credentials in store.s3.credentials may not access this bucket',
    NoSuchBucket: 'create the bucket, or fix store.url',
  };
  return new WorkError(
    `${what}: ${name}${status ? ` (HTTP ${status})` : ''}: ${e?.message ?? String(err)}`,
    hints[name] ??
      (/ECONNREFUSED/.test(String(e?.code ?? e?.message)) ? 'is store.s3.endpoint up?' : undefined),
  );
}
