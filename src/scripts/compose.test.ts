// `horno compose --skip`: the argv as yargs parses it with compose's own options (the space form the README
// writes, the = form, repeats and commas), and the phase names it accepts.
import yargs, { type Argv } from 'yargs';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../wrappers/errors.ts';
import type { GlobalArgs } from './command.ts';
import compose, { parseSkip } from './compose.ts';
import { entryFor } from './index.ts';

/** What compose's run() would get for this argv (after the command word). */
function parse(argv: string[]): { skip?: string[]; release: string } {
  const y = compose.options!(yargs(argv).strict().exitProcess(false) as unknown as Argv<GlobalArgs>);
  return y.parseSync() as unknown as { skip?: string[]; release: string };
}

describe('compose --skip', () => {
  it('parses the space form, the = form, repeats and commas', () => {
    const argv = ['compose', '--release', '9', '--skip', 'build-iso'];
    expect(entryFor(argv)?.name).toBe('compose');
    expect(parseSkip(parse(argv.slice(1)).skip)).toEqual(['build-iso']);
    expect(parseSkip(parse(['--skip=build-iso', '--release', '9']).skip)).toEqual(['build-iso']);
    const many = parse(['--skip', 'build-iso', '--skip=repoclosure,build-iso-extra', '--release', '9']);
    expect(many.release).toBe('9');
    expect(parseSkip(many.skip)).toEqual(['build-iso', 'repoclosure', 'build-iso-extra']);
    expect(parseSkip(parse(['--release', '9']).skip)).toEqual([]);
  });

  it('refuses a phase it does not know, by name, with a did-you-mean', () => {
    const err = (() => {
      try {
        parseSkip(['build-iso,biuld-iso-extra']);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toBe(
      '--skip biuld-iso-extra: not a phase of compose (did you mean "build-iso-extra"?)',
    );
    expect((err as UsageError).hint).toMatch(/^phases: sync-repos, repoclosure, build-iso, /);
    expect(() => parseSkip(['validate-config'])).toThrow(/--skip validate-config: not a phase of compose$/);
  });
});
