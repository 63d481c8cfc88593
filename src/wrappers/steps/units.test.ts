import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { allocateCompose } from '../compose/compose-id.ts';
import { WorkError } from '../errors.ts';
import { canonicalJson, unitId } from './canonical.ts';
import { runUnits, sha256File, type Unit } from './units.ts';

const log = pino({ level: 'silent' });

async function setup() {
  const root = await mkdtemp(join(tmpdir(), 'horno-units-'));
  const paths = await allocateCompose(root, 'Demo', '9.9', '20261122');
  return { root, paths };
}

describe('canonical ids', () => {
  it('ignore key order and undefined values', () => {
    expect(canonicalJson({ b: 1, a: [2, { d: 1, c: undefined }] })).toBe('{"a":[2,{"d":1}],"b":1}');
    expect(unitId({ a: 1, b: 2 })).toBe(unitId({ b: 2, a: 1 }));
    expect(unitId({ a: 1 })).not.toBe(unitId({ a: 2 }));
  });
});

describe('runUnits', () => {
  it('runs each unit once, records it, and skips it on a rerun while its outputs verify', async () => {
    const { paths } = await setup();
    const out = join(paths.work, 'out.txt');
    let calls = 0;
    const units: Unit[] = [{ key: 'a', inputs: { v: 1 } }];
    const opts = {
      step: 'demo',
      paths,
      log,
      units,
      concurrency: 2,
      run: async () => {
        calls++;
        await writeFile(out, 'data');
        return { outputs: [{ path: out, size: 4, sha256: await sha256File(out) }], summary: { n: 1 } };
      },
    };
    const first = await runUnits(opts);
    expect(first.status).toBe('FINISHED');
    expect(first.ran.map((r) => r.key)).toEqual(['a']);
    const rec = JSON.parse(await readFile(paths.unitRecord(first.ran[0]!.id), 'utf8'));
    expect(rec.outputs[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    const second = await runUnits(opts);
    expect(second.skipped.map((r) => r.key)).toEqual(['a']);
    expect(calls).toBe(1);
    // an output that changed size is redone; one that changed content is redone under sha256 verification
    await writeFile(out, 'datadata');
    await runUnits(opts);
    expect(calls).toBe(2);
    await writeFile(out, 'DATA');
    await runUnits({ ...opts, verify: 'sha256' });
    expect(calls).toBe(3);
    // different inputs are a different unit
    await runUnits({ ...opts, units: [{ key: 'a', inputs: { v: 2 } }] });
    expect(calls).toBe(4);
  });

  it('bounds concurrency', async () => {
    const { paths } = await setup();
    let active = 0;
    let peak = 0;
    const units = Array.from({ length: 10 }, (_, i) => ({ key: `u${i}`, inputs: i }));
    await runUnits({
      step: 'demo',
      paths,
      log,
      units,
      concurrency: 3,
      run: async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 20));
        active--;
        return { outputs: [] };
      },
    });
    expect(peak).toBe(3);
  });

  it('makes the compose FINISHED_INCOMPLETE for failable failures and DOOMED otherwise', async () => {
    const { paths } = await setup();
    const fail = (key: string) => async (u: Unit) => {
      if (u.key === key) throw new WorkError(`boom ${key}`);
      return { outputs: [] };
    };
    const units: Unit[] = [
      { key: 'x86_64', inputs: 1 },
      { key: 'aarch64', inputs: 2, failable: true },
    ];
    const soft = await runUnits({ step: 's', paths, log, units, concurrency: 2, run: fail('aarch64') });
    expect(soft.status).toBe('FINISHED_INCOMPLETE');
    expect(soft.failed).toEqual([
      { key: 'aarch64', failable: true, error: 'boom aarch64', logFile: paths.unitLog('s', 'aarch64') },
    ]);
    const hard = await runUnits({ step: 't', paths, log, units, concurrency: 2, run: fail('x86_64') });
    expect(hard.status).toBe('DOOMED');
    expect(hard.ran.map((r) => r.key)).toEqual(['aarch64']);
  });
});
