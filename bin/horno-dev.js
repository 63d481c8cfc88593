#!/usr/bin/env node
// Runs a developer TypeScript entry (fixture generator, demo, benchmarks) through tsx: node bin/horno-dev.js FILE [args].
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const [file, ...args] = process.argv.slice(2);
if (!file) {
  console.error('usage: horno-dev.js FILE.ts [args...]');
  process.exit(2);
}
const mod = await import(pathToFileURL(resolve(file)).href);
process.exitCode = await mod.main(args);
