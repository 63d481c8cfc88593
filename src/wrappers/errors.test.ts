import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { FileSystemError, fileSystemError, noSpaceInOutput, UsageError, WorkError } from './errors.ts';

/** A real ENOSPC from the kernel: /dev/full refuses every write. */
async function realEnospc(): Promise<NodeJS.ErrnoException> {
  return writeFile('/dev/full', 'x').then(
    () => {
      throw new Error('/dev/full accepted a write');
    },
    (err: NodeJS.ErrnoException) => err,
  );
}

describe('fileSystemError', () => {
  it('turns a real ENOSPC (which names no path) into "no space left on <where>", exit 1', async () => {
    const raw = await realEnospc();
    expect(raw.code).toBe('ENOSPC');
    const e = fileSystemError(raw, '/srv/compose/9/x');
    expect(e).toBeInstanceOf(FileSystemError);
    expect(e).toBeInstanceOf(WorkError);
    expect(e!.message).toBe('no space left on /srv/compose/9/x');
    expect(e!.code).toBe('E_NO_SPACE');
    expect(e!.exitCode).toBe(1);
    expect(e!.hint).toMatch(/--resume/);
  });

  it("prefers node's own path over the caller's guess, and maps quota, read-only and permission errors", () => {
    const errno = (code: string, path?: string) =>
      Object.assign(new Error(code), { code, path, syscall: 'open' });
    expect(fileSystemError(errno('ENOSPC', '/a/file'), '/elsewhere')!.message).toBe(
      'no space left on /a/file',
    );
    expect(fileSystemError(errno('EDQUOT', '/q'))!.code).toBe('E_NO_SPACE');
    expect(fileSystemError(errno('EROFS', '/ro'))!.message).toBe('read-only file system: /ro');
    expect(fileSystemError(errno('EACCES', '/p'))!.message).toBe('permission denied: /p');
    expect(fileSystemError(errno('EIO', '/d'))!.message).toBe('I/O error on /d');
  });

  it('leaves alone what is not a host file system failure', () => {
    const errno = (code: string) => Object.assign(new Error(code), { code });
    expect(fileSystemError(errno('ENOENT'))).toBeUndefined(); // often expected, or a bug: not the disk's fault
    expect(fileSystemError(errno('ECONNREFUSED'))).toBeUndefined();
    expect(fileSystemError(new UsageError('bad'))).toBeUndefined();
    expect(fileSystemError('ENOSPC')).toBeUndefined();
    const mapped = fileSystemError(errno('ENOSPC'), '/x')!;
    expect(fileSystemError(mapped)).toBe(mapped);
  });
});

describe('noSpaceInOutput', () => {
  it("reads the path a tool names in its 'No space left on device' line", () => {
    expect(
      noSpaceInOutput("cp: error writing '/w/lorax/images/boot.iso': No space left on device", '/w')!.message,
    ).toBe('no space left on /w/lorax/images/boot.iso');
    expect(noSpaceInOutput('xorriso : FAILURE : /w/out.iso: No space left on device', '/w')!.message).toBe(
      'no space left on /w/out.iso',
    );
    expect(noSpaceInOutput('write error: No space left on device', '/w/x')!.message).toBe(
      'no space left on /w/x',
    );
    expect(noSpaceInOutput('error: something else', '/w')).toBeUndefined();
  });
});
