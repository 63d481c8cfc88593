// Drives a saxes parser from a stream of text chunks and hands out what the handlers emitted after each chunk, so
// a caller iterating packages pulls the file through at its own pace and never holds more than one chunk of text.
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { HornoError } from '../errors.ts';
import { RepoMetadataError } from './errors.ts';

export interface ElementHandlers {
  /** `local` is the name without namespace prefix ("rpm:entry" -> "entry"). */
  open(tag: SaxesTagPlain, local: string): void;
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
  // positions cost ~10% and our errors name the file anyway
  const parser = new SaxesParser({ xmlns: false, position: false });
  let text = '';
  let capturing = false;
  // local names of the open elements, so closing tags need no second prefix split
  const stack: string[] = [];
  // elements come in runs (<rpm:entry> after <rpm:entry>): reuse the last split instead of slicing each name
  let lastName = '';
  let lastLocal = '';
  parser.on('opentag', (tag) => {
    const name = tag.name;
    let local = lastLocal;
    if (name !== lastName) {
      local = localName(name);
      lastName = name;
      lastLocal = local;
    }
    stack.push(local);
    capturing = h.wantsText(local);
    text = '';
    h.open(tag, local);
  });
  parser.on('text', (t) => {
    if (capturing) text += t;
  });
  parser.on('closetag', () => {
    h.close(stack.pop()!, capturing ? text : '');
    capturing = false;
    text = '';
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
    step(() => parser.write(chunk));
    if (out.length) {
      const batch = out.splice(0);
      yield* batch;
    }
  }
  step(() => parser.close());
  yield* out.splice(0);
}
