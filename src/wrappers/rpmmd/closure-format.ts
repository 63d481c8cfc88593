// repoclosure results in the text dnf prints, so logs and scripts written against `dnf repoclosure` keep working:
// the per-package report on stdout and the one-line summary dnf raises as its error.
import type { ClosureProblem } from './closure.ts';

/** dnf's stdout: "package: X from R", "  unresolved deps (N):", "    dep" per dep. Empty when closure holds. */
export function formatRepoclosure(problems: readonly ClosureProblem[]): string {
  let out = '';
  for (const p of problems) {
    out += `package: ${p.package} from ${p.repo}\n  unresolved deps (${p.unresolved.length}):\n`;
    for (const d of p.unresolved) out += `    ${d}\n`;
  }
  return out;
}

/** dnf's closing error line, or undefined when there is nothing unresolved. */
export function repoclosureSummary(problems: readonly ClosureProblem[]): string | undefined {
  if (!problems.length) return undefined;
  const total = problems.reduce((n, p) => n + p.unresolved.length, 0);
  return `Error: Repoclosure ended with unresolved dependencies (${total}) across ${problems.length} packages.`;
}
