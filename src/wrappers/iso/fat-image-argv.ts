// argv for reading and editing files inside a FAT image (an installer's efiboot.img) with mtools, so no loop
// mount and no root: list every file, copy one out, copy one back over itself. The image keeps its size.

/** mtools refuses images whose geometry it cannot verify; efiboot.img made by mkfs.fat -C has such geometry. */
export const MTOOLS_ENV = { MTOOLS_SKIP_CHECK: '1' } as const;

export function mdirRecursiveArgv(image: string): string[] {
  return ['mdir', '-b', '-/', '-i', image, '::/'];
}

/** Paths of the files (not folders) in `mdir -b -/` output, without the `::` drive prefix. */
export function parseMdirBare(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('::/') && !l.endsWith('/'))
    .map((l) => l.slice(2));
}

export function mcopyOutArgv(image: string, path: string, dest: string): string[] {
  return ['mcopy', '-n', '-i', image, `::${path}`, dest];
}

export function mcopyInArgv(image: string, src: string, path: string): string[] {
  return ['mcopy', '-o', '-i', image, src, `::${path}`];
}
