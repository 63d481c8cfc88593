// A command's hold on one compose: finds or creates it, takes the lock, sweeps what a killed run left, sends the logs
// to logs/horno.log, and on the way out records the outcome in STATUS (DOOMED when a required unit failed,
// TERMINATED, pungi's word, when the run was interrupted: --resume continues it).
import { lstat, readlink } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import type { HornoLogger } from '../log/logger.ts';
import { cancelSignal, interrupted } from '../run/cancel.ts';
import { symlinkAtomic } from './atomic.ts';
import { allocateCompose, composeDate } from './compose-id.ts';
import { acquireComposeLock, type ComposeLock } from './lock.ts';
import { ComposePaths, latestLinkName } from './paths.ts';
import { type ComposeStatus, readStatus, writeStatus } from './status.ts';
import { sweepCompose, sweepComposeRoot } from './sweep.ts';

export interface ComposeIdentity {
  short: string;
  version: string;
  profile: string;
}

export interface ComposeSession {
  paths: ComposePaths;
  lock: ComposeLock;
  /** Record the outcome and let go of the lock. */
  close(outcome: ComposeStatus | 'keep'): Promise<void>;
}

export async function createCompose(root: string, ident: ComposeIdentity): Promise<ComposePaths> {
  // a run killed while allocating left its hidden skeleton folder beside the composes
  await sweepComposeRoot(resolve(root));
  return allocateCompose(resolve(root), ident.short, ident.version, composeDate());
}

/** Point latest-<Short>-<profile> at this compose (relative target, so the tree can be moved). */
export async function updateLatestLink(paths: ComposePaths, ident: ComposeIdentity): Promise<string> {
  const link = join(paths.root, latestLinkName(ident.short, ident.profile));
  await symlinkAtomic(paths.id, link);
  return link;
}

/** `ref` is a compose id, a path to a compose folder, or undefined for the latest link. */
export async function findCompose(
  root: string,
  ident: ComposeIdentity,
  ref: string | undefined,
): Promise<ComposePaths> {
  const absRoot = resolve(root);
  let dir: string;
  if (ref === undefined) {
    const link = join(absRoot, latestLinkName(ident.short, ident.profile));
    try {
      dir = resolve(absRoot, await readlink(link));
    } catch {
      throw new UsageError(
        `no compose to work on: ${link} does not exist`,
        'create one with `horno generate-compose --release ...`, or name one with --compose',
      );
    }
  } else {
    dir = isAbsolute(ref) || ref.includes('/') ? resolve(ref) : join(absRoot, ref);
  }
  const st = await lstat(dir).catch(() => undefined);
  if (!st?.isDirectory()) throw new UsageError(`compose folder not found: ${dir}`);
  const paths = new ComposePaths(resolve(dir, '..'), basename(dir));
  if ((await readStatus(paths)) === undefined) {
    throw new UsageError(`${dir} is not a horno compose (no readable STATUS file)`);
  }
  return paths;
}

/**
 * Lock the compose, remove what a killed run left (temp files, partial ISOs, scratch folders), log into it, mark it
 * STARTED again (a rerun resumes a DOOMED compose).
 */
export async function openSession(
  paths: ComposePaths,
  command: string,
  logger: HornoLogger,
): Promise<ComposeSession> {
  const lock = await acquireComposeLock(paths, command);
  let before: ComposeStatus | undefined;
  let swept: string[];
  try {
    swept = await sweepCompose(paths);
    logger.addFile(paths.mainLog);
    before = await readStatus(paths);
    if (before !== 'FINISHED') await writeStatus(paths, 'STARTED');
  } catch (err) {
    await lock.release();
    throw err;
  }
  const log = logger.log;
  if (swept.length > 0)
    log.warn(
      { compose: paths.id, removed: swept.length, first: swept.slice(0, 5) },
      'removed temp files an interrupted run left',
    );
  log.info({ compose: paths.id, command, status: before }, 'compose opened');
  return {
    paths,
    lock,
    async close(outcome) {
      try {
        const final = interrupted() ? 'TERMINATED' : cancelSignal.aborted ? 'DOOMED' : outcome;
        // a FINISHED compose stays FINISHED; refusing here would hide the error that brought us here
        if (final !== 'keep' && final !== 'FINISHED' && (await readStatus(paths)) === 'FINISHED') {
          log.warn({ compose: paths.id, wanted: final }, 'compose is FINISHED; its STATUS is left as it is');
        } else if (final !== 'keep') {
          await writeStatus(paths, final);
          log.info({ compose: paths.id, status: final, interrupted: cancelSignal.aborted }, 'compose status');
        }
      } finally {
        await lock.release();
      }
    },
  };
}
