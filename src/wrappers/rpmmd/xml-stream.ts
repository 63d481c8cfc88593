// Drives the XML scanner from a stream of text chunks and hands out what the handlers emitted after each chunk, so
// a caller iterating packages pulls the file through at its own pace and never holds more than one chunk of text.
import { HornoError } from '../errors.ts';
import { RepoMetadataError } from './errors.ts';
import { type XmlTag, XmlScanner } from './xml-scan.ts';

export interface ElementHandlers {
  /** `local` is the name without namespace prefix ("rpm:entry" -> "entry"). */
  open(tag: XmlTag, local: string): void;
  /** `text` is the element's text content when wantsText(local) said so, '' otherwise. */
  close(local: string, text: string): void;
  wantsText(local: string): boolean;
}

export function localName(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
}

export async function* parseXmlStream<T>(
  chunks: AsyncIterable<string>,
  makeHandlers: (emit: (item: T) => void) => ElementHandlers,
  what: string,
): AsyncGenerator<T> {
  const out: T[] = [];
  const h = makeHandlers((item) => out.push(item));
  // local names of the open elements, so closing tags need no second prefix split
  const stack: string[] = [];
  // elements come in runs (<rpm:entry> after <rpm:entry>): reuse the last split instead of slicing each name
  let lastName = '';
  let lastLocal = '';
  const scanner = new XmlScanner({
    open(tag) {
      const name = tag.name;
      let local = lastLocal;
      if (name !== lastName) {
        local = localName(name);
        lastName = name;
        lastLocal = local;
      }
      stack.push(local);
      const wants = h.wantsText(local);
      h.open(tag, local);
      return wants;
    },
    close(_name, text) {
      h.close(stack.pop()!, text);
    },
  });
  const step = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      if (err instanceof HornoError) throw err;
      throw new RepoMetadataError(`${what}: not valid XML: ${(err as Error).message}`);
    }
  };
  for await (const chunk of chunks) {
    step(() => scanner.write(chunk));
    if (out.length) {
      const batch = out.splice(0);
      yield* batch;
    }
  }
  step(() => scanner.close());
  yield* out.splice(0);
}
