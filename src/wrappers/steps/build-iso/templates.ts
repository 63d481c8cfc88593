// The lorax template build-iso hands lorax with --add-template: templates/lorax/removes.tmpl with one `removepkg`
// line per iso.lorax.removes entry (plan.ts has already refused anything but package names and globs).
import { readTemplate } from '../../run/executors/templates.ts';
import { renderTemplate } from '../../config/templates.ts';
import { writeFileAtomic } from '../../compose/atomic.ts';

export const REMOVES_TEMPLATE = 'lorax/removes.tmpl';

export function renderRemoves(template: string, removes: readonly string[]): string {
  const text = renderTemplate(template, { removepkg: removes.map((r) => `removepkg ${r}`).join('\n') });
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** Writes the rendered template to `dest` and returns it, or returns undefined when nothing is to be removed. */
export async function renderRemovesTemplate(
  removes: readonly string[],
  dest: string,
): Promise<string | undefined> {
  if (removes.length === 0) return undefined;
  await writeFileAtomic(dest, renderRemoves(await readTemplate(REMOVES_TEMPLATE), removes));
  return dest;
}
