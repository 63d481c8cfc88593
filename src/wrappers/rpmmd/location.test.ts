import { describe, expect, it } from 'vitest';
import { checksumProblem, LocationError, resolveLocation, treeLocation } from './location.ts';

const TREE = 'http://mirror.example:8080/pub/9/BaseOS/x86_64/os/';
const at = (href: string, base?: string, tree = TREE) => treeLocation(tree, href, base, 'record "x"');
const refused = (href: string, base?: string, tree = TREE) => {
  try {
    at(href, base, tree);
  } catch (err) {
    expect(err).toBeInstanceOf(LocationError);
    expect((err as Error).message).toContain('record "x": refusing location');
    return (err as Error).message;
  }
  throw new Error(`${href} (base ${base}) was not refused`);
};

describe('treeLocation', () => {
  it('resolves plain, encoded and xml:base locations inside the tree', () => {
    expect(at('Packages/b/bash-5.1.rpm')).toEqual({
      url: `${TREE}Packages/b/bash-5.1.rpm`,
      rel: 'Packages/b/bash-5.1.rpm',
    });
    expect(at('Packages/c/c%2B%2B-1.rpm').rel).toBe('Packages/c/c++-1.rpm');
    expect(at('x.rpm', `${TREE}sub`)).toEqual({ url: `${TREE}sub/x.rpm`, rel: 'sub/x.rpm' });
    // after URL normalisation: host case and the default port do not make another host
    expect(at('x.rpm', 'HTTP://MIRROR.EXAMPLE:8080/pub/9/BaseOS/x86_64/os/').url).toBe(`${TREE}x.rpm`);
    expect(at('http://h:80/os/a.rpm', undefined, 'http://h/os').url).toBe('http://h/os/a.rpm');
    // "." steps the URL parser drops stay inside
    expect(at('./Packages/./a.rpm').rel).toBe('Packages/a.rpm');
    // a tree without its trailing slash is the same tree
    expect(at('a.rpm', undefined, TREE.slice(0, -1)).url).toBe(`${TREE}a.rpm`);
    expect(at(`${TREE}Packages/a.rpm`).rel).toBe('Packages/a.rpm');
  });

  it('refuses other schemes, hosts and ports, before or after xml:base', () => {
    expect(refused('file:///etc/shadow')).toContain('scheme file:');
    expect(refused('file:/x.rpm')).toContain('scheme file:');
    expect(refused('x.rpm', 'file:///etc/')).toContain('scheme file:');
    expect(refused('x.rpm', 'http://evil.example/pub/9/BaseOS/x86_64/os/')).toContain('host "evil.example"');
    expect(refused('http://mirror.example:8081/pub/9/BaseOS/x86_64/os/a.rpm')).toContain('host');
    expect(refused('https://mirror.example:8080/pub/9/BaseOS/x86_64/os/a.rpm')).toContain('scheme');
    expect(refused('//evil.example/a.rpm')).toContain('host');
    expect(refused('http://user@mirror.example:8080/pub/9/BaseOS/x86_64/os/a.rpm')).toContain('credentials');
  });

  it('refuses climbing out of the tree, however it is spelled', () => {
    for (const href of [
      '../x.rpm',
      '%2e%2e/x.rpm',
      '%2E%2E/%2e%2e/etc/shadow',
      '.%2e/x.rpm',
      'Packages/%2e%2e%2f%2e%2e%2fx.rpm',
      '..%2fx.rpm',
      'Packages/..%5cx.rpm',
      '..\\x.rpm',
      'Packages\\..\\..\\x.rpm',
      '/etc/shadow',
      '/pub/9/BaseOS/x86_64/x.rpm',
      'Packages//a.rpm',
      'a.rpm?x=1',
      'a.rpm#frag',
      'a%00.rpm',
      'a\n.rpm',
      '%zz.rpm',
      '',
    ])
      refused(href);
    refused('x.rpm', '../');
    refused('x.rpm', `${TREE}%2e%2e/`);
    refused('x.rpm', 'sub\\..\\..\\');
  });

  it('confines a file:// tree to its own folder, and keeps a plain-path tree a plain path', () => {
    expect(at('Packages/a.rpm', undefined, 'file:///srv/repo/').url).toBe('file:///srv/repo/Packages/a.rpm');
    expect(refused('file:///etc/shadow', undefined, 'file:///srv/repo/')).toContain('outside the tree');
    expect(refused('file:/x.rpm', undefined, 'file:///srv/repo')).toContain('outside the tree');
    expect(refused('%2e%2e/%2e%2e/etc/shadow', undefined, 'file:///srv/repo/')).toContain('outside');
    expect(resolveLocation('/srv/repo', 'repodata/repomd.xml')).toBe('/srv/repo/repodata/repomd.xml');
    expect(() => resolveLocation('/srv/repo', '/etc/shadow')).toThrow(LocationError);
    expect(() => resolveLocation('/srv/repo', 'x', 'file:///etc/')).toThrow(LocationError);
  });
});

describe('checksumProblem', () => {
  it('accepts known algorithms with digests of their length and refuses the rest', () => {
    expect(checksumProblem({ type: 'sha256', value: 'a'.repeat(64) })).toBeUndefined();
    expect(checksumProblem({ type: 'sha', value: 'a'.repeat(40) })).toBeUndefined();
    expect(checksumProblem(undefined)).toBe('has no checksum');
    expect(checksumProblem({ type: '', value: '' })).toBe('has no checksum');
    expect(checksumProblem({ type: 'crc32', value: 'abcd1234' })).toContain('unknown type');
    expect(checksumProblem({ type: 'sha256', value: 'abc' })).toContain('malformed');
  });
});
