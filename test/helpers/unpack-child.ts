// A child process for the tar bomb test (test/integration/tar-bomb.test.ts): unpacks one lorax tarball with
// pull-unpack-tree's unpacker and prints {ok, error, hwmKiB, ms} as JSON, hwmKiB being this process's peak RSS
// (VmHWM), so the test measures the unpack alone and not the test runner.
import { readFileSync } from 'node:fs';
import { unpackLoraxTarball } from '../../src/wrappers/steps/pull-unpack-tree/unpack.ts';

const [tarball, tree, maxBytes] = process.argv.slice(2);
const started = Date.now();
let error: string | undefined;
try {
  await unpackLoraxTarball(tarball!, tree!, 'x86_64', { maxBytes: maxBytes ? Number(maxBytes) : undefined });
} catch (err) {
  error = (err as Error).message;
}
const hwmKiB = Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
console.log(JSON.stringify({ ok: !error, error, hwmKiB, ms: Date.now() - started }));
