// A private s3rver for one test file or benchmark: a child process on 127.0.0.1 with an OS-chosen port, a temp data
// folder and the bucket "artifacts". The two settings the notes call mandatory are applied here and in the store:
// NODE_OPTIONS=--openssl-legacy-provider (else every truncated listing is a 500) and WHEN_REQUIRED checksums.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const S3RVER_KEY = 'S3RVER';
export const S3RVER_SECRET = 'S3RVER';

export interface S3rver {
  endpoint: string;
  bucket: string;
  /** s3rver's data folder: objects live at <dataDir>/<bucket>/<key>._S3rver_object. */
  dataDir: string;
  stop(): Promise<void>;
}

export async function startS3rver(opts: { bucket?: string } = {}): Promise<S3rver> {
  const bucket = opts.bucket ?? 'artifacts';
  const dataDir = await mkdtemp(join(tmpdir(), 'horno-s3rver-'));
  const bin = createRequire(import.meta.url).resolve('s3rver/bin/s3rver.js');
  const child = spawn(
    process.execPath,
    [bin, '-d', dataDir, '-a', '127.0.0.1', '-p', '0', '--silent', '--configure-bucket', bucket],
    {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_OPTIONS: '--openssl-legacy-provider' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`s3rver did not start in 15 s:\n${output}`)), 15_000);
    const onData = (c: Buffer) => {
      output += c.toString();
      // --silent mutes the request log, not this line
      const m = /S3rver listening on [^:\s]+:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited with ${code}:\n${output}`));
    });
  });
  child.stdout.resume();
  child.stderr.resume();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    dataDir,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
