// Child process for the last-resort test: runs the real entry point (src/cli.ts main) and, once `watch` exists
// (the test's server creates it when downloads are under way), makes the process crash the way a bug would: an
// uncaught exception or an unhandled rejection from a timer, outside anything horno awaits.
import { existsSync } from 'node:fs';
import { main as cli } from '../../src/cli.ts';

export async function main(args: string[]): Promise<number> {
  const [how, watch, ...argv] = args;
  if ((how !== 'throw' && how !== 'reject') || !watch) return 2;
  const poll = setInterval(() => {
    if (!existsSync(watch)) return;
    clearInterval(poll);
    setTimeout(() => {
      if (how === 'throw') throw new Error('boom from the crash harness');
      void Promise.reject(new Error('boom from the crash harness'));
    }, 200);
  }, 20);
  return cli(argv, { ownProcess: true });
}
