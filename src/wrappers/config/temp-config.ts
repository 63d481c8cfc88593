// Temp config dirs for the loader tests: <dir>/releases/<name>.yaml and <dir>/site.yaml, each written from YAML
// text or from an object, all removed by cleanup().
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export type YamlDoc = string | Record<string, unknown>;

export class TempConfigDirs {
  private readonly dirs: string[] = [];

  /** An empty temp dir, removed by cleanup(). */
  dir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'horno-config-'));
    this.dirs.push(dir);
    return dir;
  }

  /** A config dir holding the given releases and site file. */
  configDir(releases: Record<string, YamlDoc>, site: YamlDoc = {}): string {
    const dir = this.dir();
    mkdirSync(join(dir, 'releases'));
    for (const [name, doc] of Object.entries(releases)) writeYaml(join(dir, 'releases', `${name}.yaml`), doc);
    writeYaml(join(dir, 'site.yaml'), site);
    return dir;
  }

  cleanup(): void {
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}

export function writeYaml(file: string, doc: YamlDoc): void {
  writeFileSync(file, typeof doc === 'string' ? doc : stringify(doc));
}
