import { describe, expect, it } from 'vitest';
import { hasCredentials, LineRedactor, redactCredentials, redactDeep } from './redact.ts';

describe('redactCredentials', () => {
  it.each([
    ['http://user:s3cr3t@mirror.example/9/', 'http://user:***@mirror.example/9/'],
    ['https://u:p%40ss@h:8443', 'https://u:***@h:8443'],
    // an unencoded @ in the password: the host is what follows the last one
    ['http://u:p@ss@host/x', 'http://u:***@host/x'],
    // a name alone may be the token
    ['https://ghp_T0KEN@github.com/o/r.git', 'https://***@github.com/o/r.git'],
    ['http://u:@host/', 'http://u:***@host/'],
  ])('%s -> %s', (url, shown) => {
    expect(redactCredentials(url)).toBe(shown);
    expect(hasCredentials(url)).toBe(true);
  });

  it('leaves URLs without user info, and an @ in the path or query, alone', () => {
    for (const s of [
      'http://127.0.0.1:8080/BaseOS/x86_64/os/',
      'https://h/pkgs/a@b.rpm',
      'https://h/?to=me@example.org',
      'file:///srv/repo/',
      'mail root@localhost when done',
    ]) {
      expect(redactCredentials(s)).toBe(s);
      expect(hasCredentials(s)).toBe(false);
    }
  });

  it('redacts every URL in free text, messages and JSON lines alike', () => {
    const text =
      'http://a:ONE@h1/x: HTTP 404; then "https://b:TWO@h2/y" failed\n    at get (http://c:THREE@h3)';
    const out = redactCredentials(text);
    expect(out).not.toMatch(/ONE|TWO|THREE/);
    expect(out).toBe(
      'http://a:***@h1/x: HTTP 404; then "https://b:***@h2/y" failed\n    at get (http://c:***@h3)',
    );
    const line = JSON.stringify({
      msg: 'unit failed',
      url: 'http://u:T0K@h/',
      err: { stack: 'E\nhttp://u:T0K@h' },
    });
    expect(redactCredentials(line)).not.toContain('T0K');
    expect(JSON.parse(redactCredentials(line))).toMatchObject({ url: 'http://u:***@h/' });
  });

  it('redactDeep copies plain data with every string redacted', () => {
    const inputs = { url: 'http://u:T0K@h/os/', keys: ['http://u:T0K@h/KEY'], n: 1, ok: true };
    expect(redactDeep(inputs)).toEqual({
      url: 'http://u:***@h/os/',
      keys: ['http://u:***@h/KEY'],
      n: 1,
      ok: true,
    });
    expect(inputs.url).toBe('http://u:T0K@h/os/');
  });
});

describe('LineRedactor', () => {
  const through = (chunks: (string | Buffer)[]) => {
    const r = new LineRedactor();
    const out = chunks.map((c) => r.push(Buffer.isBuffer(c) ? c : Buffer.from(c, 'latin1')));
    return Buffer.concat([...out, r.end()]);
  };

  it('redacts a URL cut between two chunks, holding back only the unfinished line', () => {
    const r = new LineRedactor();
    expect(r.push(Buffer.from('fetching http://horno:tok')).toString()).toBe('');
    expect(r.push(Buffer.from('en123@mirror/x.rpm\nnext ')).toString()).toBe(
      'fetching http://horno:***@mirror/x.rpm\n',
    );
    expect(r.end().toString()).toBe('next ');
  });

  it('passes bytes that are not UTF-8 through unchanged, and text without URLs as it came', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x0a, 0xc3, 0x28, 0x40, 0x0d, 0x0a]);
    expect(through([bytes]).equals(bytes)).toBe(true);
    expect(through(['a\n', 'b\r', 'c']).toString()).toBe('a\nb\rc');
  });

  it('writes a long line without an end once it passes the hold limit (a progress bar), redacted', () => {
    const r = new LineRedactor();
    const long = `${'#'.repeat(70_000)} http://u:secret@h/`;
    const out = r.push(Buffer.from(long));
    expect(out.length).toBeGreaterThan(0);
    expect(out.toString()).not.toContain('secret');
  });
});
