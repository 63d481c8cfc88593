import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { allocateCompose } from '../compose/compose-id.ts';
import { FileSystemError, WorkError } from '../errors.ts';
import { run } from '../run/runner.ts';
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
      { key: 'x86_64', arch: 'x86_64', inputs: 1 },
      { key: 'aarch64', arch: 'aarch64', inputs: 2 },
    ];
    // failability comes from the unit's arch, as the release's failable_arches lists it
    const failableArches = ['aarch64'];
    const common = { paths, log, units, concurrency: 2, failableArches };
    const soft = await runUnits({ ...common, step: 's', run: fail('aarch64') });
    expect(soft.status).toBe('FINISHED_INCOMPLETE');
    expect(soft.failed).toEqual([
      expect.objectContaining({
        key: 'aarch64',
        arch: 'aarch64',
        failable: true,
        error: 'boom aarch64',
        logFile: paths.unitLog('s', 'aarch64'),
      }),
    ]);
    const hard = await runUnits({ ...common, step: 't', run: fail('x86_64') });
    expect(hard.status).toBe('DOOMED');
    expect(hard.ran.map((r) => r.key)).toEqual(['aarch64']);
  });

  it('fails a unit that cannot run with its reason, unrun, and never takes it for done', async () => {
    const { paths } = await setup();
    let calls = 0;
    const units: Unit[] = [
      { key: 'x', arch: 'x86_64', cannotRun: { message: 'no tree', hint: 'sync first' } },
    ];
    for (let i = 0; i < 2; i++) {
      const o = await runUnits({ step: 'c', paths, log, units, run: async () => (calls++, { outputs: [] }) });
      expect(o.status).toBe('DOOMED');
      expect(o.failed).toEqual([expect.objectContaining({ key: 'x', error: 'no tree', hint: 'sync first' })]);
    }
    expect(calls).toBe(0);
  });

  it('a lenient step reports failures without dooming, and its ledger says so', async () => {
    const { paths } = await setup();
    const o = await runUnits({
      step: 'rc',
      paths,
      log,
      lenient: true,
      units: [{ key: 'BaseOS-x86_64', arch: 'x86_64', inputs: 1 }],
      run: async () => {
        throw new WorkError('unresolved');
      },
    });
    expect(o.status).toBe('FINISHED_INCOMPLETE');
    const ledger = JSON.parse(await readFile(paths.stepLedger('rc'), 'utf8'));
    expect(ledger['BaseOS-x86_64']).toMatchObject({ verdict: 'failed', lenient: true });
  });
});

describe('runUnits on a failure that concerns every unit', () => {
  const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  const sleepFor = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('stops the other units (their commands killed) and returns only once every started unit settled', async () => {
    const { paths } = await setup();
    const events: string[] = [];
    const t0 = performance.now();
    const outcome = await runUnits({
      step: 'demo',
      paths,
      log,
      units: ['a-full', 'b-command', 'c-deaf', 'd-queued'].map((key) => ({ key, inputs: key })),
      concurrency: 3,
      run: async (u) => {
        if (u.key === 'a-full') {
          await sleepFor(50);
          throw enospc();
        }
        if (u.key === 'b-command') {
          // a real child process: it is killed through the unit's signal, no signal passed by hand
          await run(['sleep', '30'], { killGraceMs: 200 }).finally(() => events.push('b settled'));
          return { outputs: [] };
        }
        if (u.key === 'c-deaf') {
          // ignores every signal: runUnits must still wait for it
          await sleepFor(600);
          events.push('c settled');
          return { outputs: [] };
        }
        events.push('d started');
        return { outputs: [] };
      },
    });
    events.push('returned');
    expect(performance.now() - t0).toBeLessThan(5000); // not the 30 s of the sleep
    expect(events).toEqual(['b settled', 'c settled', 'returned']); // d never started
    expect(outcome.status).toBe('DOOMED');
    const failed = Object.fromEntries(outcome.failed.map((f) => [f.key, f.error]));
    expect(failed['a-full']).toBe(`no space left on ${paths.dir}`);
    expect(failed['b-command']).toMatch(/interrupted/);
    expect(failed['d-queued']).toBe('not started: a-full failed');
    expect(outcome.ran.map((r) => r.key)).toEqual(['c-deaf']);
  });

  it('makes a full disk on a failable arch DOOMED, not FINISHED_INCOMPLETE', async () => {
    const { paths } = await setup();
    const outcome = await runUnits({
      step: 'demo',
      paths,
      log,
      units: [{ key: 'aarch64', inputs: 1, failable: true }],
      concurrency: 1,
      run: async () => {
        throw enospc();
      },
    });
    expect(outcome.status).toBe('DOOMED');
    expect(outcome.failed[0]).toMatchObject({ key: 'aarch64', failable: false });
  });

  it('rethrows an error escaping a unit only after the running units settled', async () => {
    const { paths } = await setup();
    // a logger whose error() throws, as a log file on a full disk once did from inside pino
    const brokenLog = pino({ level: 'silent' });
    brokenLog.error = () => {
      throw enospc();
    };
    const events: string[] = [];
    const err = await runUnits({
      step: 'demo',
      paths,
      log: brokenLog,
      units: [
        { key: 'a', inputs: 1 },
        { key: 'b', inputs: 2 },
      ],
      concurrency: 2,
      run: async (u) => {
        if (u.key === 'a') {
          await sleepFor(50); // b has started by then
          throw new WorkError('boom');
        }
        await sleepFor(400);
        events.push('b settled');
        return { outputs: [] };
      },
    }).catch((e: unknown) => e);
    events.push('rejected');
    expect(events).toEqual(['b settled', 'rejected']);
    expect(err).toBeInstanceOf(FileSystemError);
  });
});
