// Child process for the concurrency test: allocates one compose id under a root and prints it.
import { allocateCompose } from '../../src/wrappers/compose/compose-id.ts';

export async function main(args: string[]): Promise<number> {
  const [root, count] = args;
  if (!root) return 2;
  const ids: string[] = [];
  for (let i = 0; i < Number(count ?? 1); i++)
    ids.push((await allocateCompose(root, 'Demo', '9.9', '20261122')).id);
  process.stdout.write(`${ids.join('\n')}\n`);
  return 0;
}
