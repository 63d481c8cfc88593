// ${VAR} and ${VAR:-default} in config strings.
import { describe, expect, it } from 'vitest';
import { interpolateEnv } from './interpolate.ts';

describe('interpolateEnv', () => {
  it('fills string values at any depth, leaving keys and other values alone', () => {
    const { value, problems } = interpolateEnv(
      { '${A}': '${A}/x', list: ['${B:-dflt}', 3, true, null], deep: { s: '$A ${A}${A}' } },
      { A: 'a' },
    );
    expect(problems).toEqual([]);
    expect(value).toEqual({ '${A}': 'a/x', list: ['dflt', 3, true, null], deep: { s: '$A aa' } });
  });

  it('uses the default for an unset or empty variable, like the shell', () => {
    expect(interpolateEnv('${E:-d}', { E: '' }).value).toBe('d');
    expect(interpolateEnv('${E}', { E: '' }).value).toBe('');
    expect(interpolateEnv('${E:-}', {}).value).toBe('');
  });

  it('does not scan substituted values again', () => {
    expect(interpolateEnv('${A}', { A: '${B}', B: 'no' }).value).toBe('${B}');
  });

  it('reports an unset variable at its path and keeps the string as written', () => {
    const { value, problems } = interpolateEnv({ up: { url: '${UP}/x', ok: '${UP:-y}' } }, {});
    expect(value).toEqual({ up: { url: '${UP}/x', ok: 'y' } });
    expect(problems).toEqual([
      { path: ['up', 'url'], message: 'environment variable UP is not set (and ${UP} has no default)' },
    ]);
  });

  it('reports a reference that is not a variable name', () => {
    expect(interpolateEnv(['${not a name}'], {}).problems).toEqual([
      { path: [0], message: '"${not a name}" is not a variable reference (use ${NAME} or ${NAME:-default})' },
    ]);
  });
});
