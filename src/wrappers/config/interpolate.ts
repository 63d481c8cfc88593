// `${VAR}` and `${VAR:-default}` in config string values (never in keys), filled from an environment in one
// pass: a substituted value is not scanned again. An unset variable without a default is a problem at its path,
// and the string is left as written so later checks do not pile on. `${VAR:-x}` also covers a set-but-empty VAR,
// as in the shell.
import { type ConfigPath, isPlainObject } from './dotted-path.ts';

export interface PathProblem {
  path: ConfigPath;
  message: string;
}

const REF = /\$\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function interpolateEnv(
  data: unknown,
  env: Record<string, string | undefined>,
): { value: unknown; problems: PathProblem[] } {
  const problems: PathProblem[] = [];
  const walk = (v: unknown, path: ConfigPath): unknown => {
    if (typeof v === 'string') return interpolateString(v, env, path, problems);
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...path, i]));
    if (isPlainObject(v))
      return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item, [...path, k])]));
    return v;
  };
  return { value: walk(data, []), problems };
}

function interpolateString(
  s: string,
  env: Record<string, string | undefined>,
  path: ConfigPath,
  problems: PathProblem[],
): string {
  let failed = false;
  const out = s.replace(REF, (whole, body: string) => {
    const sep = body.indexOf(':-');
    const name = sep < 0 ? body : body.slice(0, sep);
    if (!NAME.test(name)) {
      problems.push({
        path,
        message: `"${whole}" is not a variable reference (use \${NAME} or \${NAME:-default})`,
      });
      failed = true;
      return whole;
    }
    const value = env[name];
    if (sep >= 0) return value ? value : body.slice(sep + 2);
    if (value === undefined) {
      problems.push({
        path,
        message: `environment variable ${name} is not set (and \${${name}} has no default)`,
      });
      failed = true;
      return whole;
    }
    return value;
  });
  return failed ? s : out;
}
