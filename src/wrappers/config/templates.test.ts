// {placeholder} templates and dotted paths: the small pieces every config message and name is built from.
import { describe, expect, it } from 'vitest';
import { formatPath } from './dotted-path.ts';
import { joinUrl, placeholders, renderTemplate } from './templates.ts';

describe('templates', () => {
  it('lists and fills placeholders', () => {
    expect(placeholders('{short}-{version}{rc}-{arch}-{image}.iso')).toEqual([
      'short',
      'version',
      'rc',
      'arch',
      'image',
    ]);
    expect(renderTemplate('{repo}/{arch}/os/', { repo: 'BaseOS', arch: 'x86_64' })).toBe('BaseOS/x86_64/os/');
    expect(() => renderTemplate('{repo}/{arch}', { repo: 'BaseOS' })).toThrow('no value for {arch}');
  });

  it('joins a base URL and a path with one slash', () => {
    expect(joinUrl('http://h:1', 'BaseOS/x86_64/os/')).toBe('http://h:1/BaseOS/x86_64/os/');
    expect(joinUrl('https://h/pub/9/', '/BaseOS/')).toBe('https://h/pub/9/BaseOS/');
  });
});

describe('formatPath', () => {
  it('writes keys with dots, indexes in brackets, and odd keys quoted', () => {
    expect(formatPath(['repos', 2, 'arches', 0])).toBe('repos[2].arches[0]');
    expect(formatPath(['repoclosure', 'repos', 'AppStrem'])).toBe('repoclosure.repos.AppStrem');
    expect(formatPath(['executors', 'my host'])).toBe('executors["my host"]');
    expect(formatPath([])).toBe('');
  });
});
