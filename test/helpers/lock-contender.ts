// A child process for the lock stress test (test/integration/lock-stress.test.ts). `work` takes the compose lock
// <rounds> times and, while holding it, appends "<pid> start" and "<pid> end" around a short sleep to a shared log;
// `plant` takes the lock once and dies holding it (SIGKILL), which leaves a genuinely stale lock in whatever format
// lock.ts writes, so the same test judges any implementation.
import { appendFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { acquireComposeLock, type ComposeLock } from '../../src/wrappers/compose/lock.ts';
import { ComposePaths } from '../../src/wrappers/compose/paths.ts';
import { LockedError } from '../../src/wrappers/errors.ts';

const [mode, root, id, log, roundsArg] = process.argv.slice(2);
const paths = new ComposePaths(root!, id!);
const deadline = Date.now() + 120_000;

async function take(command: string): Promise<ComposeLock> {
  for (;;) {
    try {
      return await acquireComposeLock(paths, command);
    } catch (err) {
      if (!(err instanceof LockedError) || Date.now() > deadline) throw err;
      await sleep(Math.random() * 6);
    }
  }
}

if (mode === 'plant') {
  await take('plant');
  process.kill(process.pid, 'SIGKILL');
} else {
  for (let i = 0; i < Number(roundsArg); i++) {
    const lock = await take('work');
    await appendFile(log!, `${process.pid} start\n`);
    await sleep(1 + Math.random() * 2);
    await appendFile(log!, `${process.pid} end\n`);
    await lock.release();
  }
}
