// Streams an object's bytes to a temp sibling of the destination while counting and hashing them, and renames it
// into place only when the size and sha256 recorded at upload both match. Both backends download through here, so
// a truncated, tampered or mislabelled object never appears under its final name.
import { createHash } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeToFile, tempSibling } from '../compose/atomic.ts';
import { sweepTempSiblings } from '../compose/sweep.ts';
import { WorkError } from '../errors.ts';

export class IntegrityError extends WorkError {
  override readonly code = 'E_INTEGRITY';
}

export interface Expectation {
  /** What the store says the object is; used in messages only. */
  what: string;
  size?: number;
  /** undefined: nothing recorded (refused unless verification is off). */
  sha256?: string;
  verify: boolean;
  onBytes?: (n: number) => void;
  signal?: AbortSignal;
}

export interface Written {
  size: number;
  sha256: string;
}

export async function writeVerified(body: Readable, dest: string, exp: Expectation): Promise<Written> {
  if (exp.verify && !exp.sha256)
    throw new IntegrityError(
      `${exp.what}: no sha256 was recorded at upload, so it cannot be verified`,
      'upload it again through horno, or fetch it with verification turned off',
    );
  await mkdir(dirname(dest), { recursive: true });
  // a put or get killed mid-write (SIGKILL, power cut) left its temp name beside the object
  await sweepTempSiblings(dest);
  const tmp = tempSibling(dest);
  const hash = createHash('sha256');
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      hash.update(chunk);
      exp.onBytes?.(chunk.length);
      done(null, chunk);
    },
  });
  try {
    await pipeToFile(tmp, [body, counter], exp.signal);
    const sha256 = hash.digest('hex');
    if (exp.size !== undefined && size !== exp.size)
      throw new IntegrityError(`${exp.what}: got ${size} bytes, the store says ${exp.size}`);
    if (exp.verify && sha256 !== exp.sha256)
      throw new IntegrityError(
        `${exp.what}: sha256 ${sha256} does not match the ${exp.sha256} recorded at upload`,
        'the stored object changed after it was uploaded; upload it again',
      );
    await rename(tmp, dest);
    return { size, sha256 };
  } finally {
    await rm(tmp, { force: true });
  }
}
