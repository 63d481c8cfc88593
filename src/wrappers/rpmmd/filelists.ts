// filelists.xml: every file of every package, joined to primary by pkgid. Usually the biggest metadata file, so it
// is only streamed, and only when something needs a file that primary's short list does not have.
import { detach, Interner } from './intern.ts';
import { fileEntry, type ParseOptions } from './primary.ts';
import type { FilelistEntry, PackageFile } from './types.ts';
import type { XmlTag } from './xml-scan.ts';
import { type ElementHandlers, parseXmlStream } from './xml-stream.ts';

export interface FilelistsOptions extends ParseOptions {
  /**
   * Copy paths out of the parser's text chunks (default true). A caller that only tests paths and keeps none
   * (like repoclosure) passes false and saves the copies.
   */
  detachPaths?: boolean;
}

/** Yields one entry per package of a filelists.xml given as text chunks. */
export function parseFilelists(
  chunks: AsyncIterable<string>,
  opts: FilelistsOptions = {},
): AsyncGenerator<FilelistEntry> {
  const it = opts.interner ?? new Interner();
  const keep = opts.detachPaths === false ? (s: string) => s : detach;
  return parseXmlStream<FilelistEntry>(
    chunks,
    (emit) => filelistsHandlers(it, keep, emit),
    opts.what ?? 'filelists.xml',
  );
}

function filelistsHandlers(
  it: Interner,
  keep: (s: string) => string,
  emit: (e: FilelistEntry) => void,
): ElementHandlers {
  let cur:
    | {
        pkgid: string;
        name: string;
        arch: string;
        epoch: string;
        version: string;
        release: string;
      }
    | undefined;
  let files: PackageFile[] = [];
  let fileType: string | undefined;
  return {
    wantsText: (local) => local === 'file',
    open(tag: XmlTag, local: string) {
      const a = tag.attributes;
      if (local === 'package') {
        cur = {
          pkgid: detach((a.pkgid ?? '').toLowerCase()),
          name: it.str(a.name ?? ''),
          arch: it.str(a.arch ?? ''),
          epoch: '0',
          version: '',
          release: '',
        };
        files = [];
      } else if (local === 'version' && cur) {
        cur.epoch = it.str(a.epoch || '0');
        cur.version = it.str(a.ver ?? '');
        cur.release = it.str(a.rel ?? '');
      } else if (local === 'file') {
        fileType = a.type;
      }
    },
    close(local: string, text: string) {
      if (local === 'file' && cur) files.push(fileEntry(text, fileType, keep));
      else if (local === 'package' && cur) {
        emit({ ...cur, files });
        cur = undefined;
      }
    },
  };
}

/**
 * Joins file lists to packages: pkgid -> files. With `only`, keeps just those pkgids (e.g. the packages of one
 * arch), which bounds memory by what the caller needs rather than by the repository.
 */
export async function filelistsByPkgid(
  entries: AsyncIterable<FilelistEntry>,
  only?: ReadonlySet<string>,
): Promise<Map<string, readonly PackageFile[]>> {
  const out = new Map<string, readonly PackageFile[]>();
  for await (const e of entries) if (!only || only.has(e.pkgid)) out.set(e.pkgid, e.files);
  return out;
}
