// The INI dialect of productmd's SortedConfigParser: sections and keys sorted by code point, `key = value`, a
// blank line after every section, keys case-preserved. Parsing accepts what configparser writes.

export type IniData = Map<string, Map<string, string>>;

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function serializeIni(data: IniData): string {
  let out = '';
  for (const section of [...data.keys()].sort(byCodePoint)) {
    out += `[${section}]\n`;
    const entries = data.get(section)!;
    for (const key of [...entries.keys()].sort(byCodePoint)) out += `${key} = ${entries.get(key)}\n`;
    out += '\n';
  }
  return out;
}

export function parseIni(text: string, file = '<ini>'): IniData {
  const data: IniData = new Map();
  let current: Map<string, string> | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trimEnd();
    if (line.trim() === '' || /^\s*[#;]/.test(line)) return;
    const sec = /^\[(.+)\]$/.exec(line);
    if (sec) {
      current = new Map();
      data.set(sec[1]!, current);
      return;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (!kv || !current) throw new Error(`${file}:${i + 1}: not an INI line: ${line}`);
    current.set(kv[1]!.trim(), kv[2]!);
  });
  return data;
}

/** Small builder so writers read as a list of assignments. */
export function section(data: IniData, name: string): Map<string, string> {
  let s = data.get(name);
  if (!s) data.set(name, (s = new Map()));
  return s;
}
