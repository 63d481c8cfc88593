// Checks on `{placeholder}` templates in a release config: only known placeholders, the ones a name needs so that
// two outputs never share it, and volume ids that fit ISO 9660 (<= 32 characters of A-Z a-z 0-9 _ -) for every
// arch they will be rendered for.
import { volidProblems } from '../iso/volid.ts';
import { didYouMean } from './did-you-mean.ts';
import type { ConfigPath } from './dotted-path.ts';
import type { PathProblem } from './interpolate.ts';
import { placeholders, renderTemplate, type TemplateVars } from './templates.ts';

/** Unknown placeholders (with a did-you-mean), else missing required ones; true when the template is usable. */
export function checkPlaceholders(
  out: PathProblem[],
  path: ConfigPath,
  template: string,
  allowed: readonly string[],
  required: readonly string[] = [],
  why = 'or different outputs would get the same name',
): boolean {
  const used = placeholders(template);
  let ok = true;
  for (const name of new Set(used)) {
    if (allowed.includes(name)) continue;
    const near = didYouMean(name, allowed).replace(/"([^"]*)"/, '{$1}');
    out.push({
      path,
      message: `unknown placeholder {${name}}${near} (allowed: ${allowed.map((a) => `{${a}}`).join(' ')})`,
    });
    ok = false;
  }
  const missing = required.filter((r) => !used.includes(r));
  if (ok && missing.length) {
    out.push({ path, message: `must use ${missing.map((m) => `{${m}}`).join(' and ')} (${why})` });
    ok = false;
  }
  return ok;
}

/** Renders a volume id template for each set of values and checks length and characters. */
export function checkVolid(
  out: PathProblem[],
  path: ConfigPath,
  template: string,
  renders: { label: string; vars: TemplateVars }[],
): void {
  let charsReported = false;
  for (const { label, vars } of renders) {
    const volid = renderTemplate(template, vars);
    const p = volidProblems(volid);
    if (p.length) out.push({ path, message: `volume id "${volid}" for ${label} ${p.length}` });
    if (!charsReported && p.chars) {
      out.push({ path, message: `volume id "${volid}" for ${label} ${p.chars} (lorax would rewrite it)` });
      charsReported = true;
    }
  }
}

/** Checks that a rendered file name is a plain name (templates can smuggle in "/" through values). */
export function checkFileName(out: PathProblem[], path: ConfigPath, name: string): void {
  if (name.includes('/') || name === '.' || name === '..' || name === '')
    out.push({ path, message: `renders to "${name}", which is not a plain file name` });
}
