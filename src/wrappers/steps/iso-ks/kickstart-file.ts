// The minimal check a kickstart gets before any ISO is written: it exists, is a regular non-empty file, and is
// UTF-8 text (a binary or an ISO passed by mistake is refused). pykickstart's ksvalidator adds a syntax check
// where it is installed; Debian has none, so its absence is no error.
import { readFile, stat } from 'node:fs/promises';
import { CommandFailedError, ToolMissingError } from '../../errors.ts';
import { run } from '../../run/runner.ts';

/** Anything bigger is not a kickstart someone meant to embed (Anaconda reads it into memory). */
const MAX_BYTES = 16 * 1024 * 1024;

/** What is wrong with the kickstart file, or undefined when it will do. */
export async function kickstartProblem(path: string): Promise<string | undefined> {
  const st = await stat(path).catch(() => undefined);
  if (!st) return 'no such file';
  if (!st.isFile()) return 'not a regular file';
  if (st.size === 0) return 'is empty';
  if (st.size > MAX_BYTES) return `is ${st.size} bytes; a kickstart is text, at most ${MAX_BYTES} bytes`;
  const data = await readFile(path);
  const nul = data.indexOf(0);
  if (nul >= 0) return `is not a text file (NUL byte at offset ${nul})`;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return 'is not UTF-8 text';
  }
  if (data.toString('utf8').trim() === '') return 'holds only white space';
  return ksvalidatorProblem(path);
}

async function ksvalidatorProblem(path: string): Promise<string | undefined> {
  try {
    await run(['ksvalidator', path], { timeoutMs: 60_000 });
    return undefined;
  } catch (e) {
    if (e instanceof ToolMissingError) return undefined;
    if (e instanceof CommandFailedError) return `ksvalidator rejects it:\n${e.stderrTail}`;
    throw e;
  }
}
