// One shard of the long fuzz run (long.ts starts it as a worker thread). Before each input it
// copies the bytes into shared memory and bumps a counter after, so the main thread can tell a
// hang from slowness and save the input that hung. Failures are posted, and the run goes on.
import fc from 'fast-check';
import { parentPort, workerData } from 'node:worker_threads';
import { fastErrors, FuzzFailure, loadSeeds, loadTargets, newStats, plan, type Stats } from './harness.js';

export interface ShardData {
  seed: number;
  cases: number;
  /** Int32Array view: [0] inputs done, [1] length of the current input. */
  shared: SharedArrayBuffer;
  /** Uint8Array view: the current input's bytes. */
  current: SharedArrayBuffer;
}

export type ShardMessage =
  { kind: 'failure'; target: string; message: string; input: string } | { kind: 'done'; stats: Record<string, Stats> };

const data = workerData as ShardData;
const counters = new Int32Array(data.shared);
const current = new Uint8Array(data.current);
const port = parentPort!;

fastErrors();
const targets = await loadTargets();
const seeds = loadSeeds();
const stats: Record<string, Stats> = {};
for (const p of plan(targets, seeds.messages)) {
  const st = newStats();
  stats[p.name] = st;
  const numRuns = Math.round(data.cases * p.share);
  fc.check(
    fc.property(p.arb, (x) => {
      const n = Math.min(x.length, current.length);
      current.set(x.subarray(0, n));
      Atomics.store(counters, 1, n);
      try {
        p.check(x, st);
      } catch (e) {
        const f = e instanceof FuzzFailure ? e : new FuzzFailure(p.name, e, x);
        port.postMessage({
          kind: 'failure',
          target: f.target,
          message: f.message,
          input: x.toString('hex'),
        } satisfies ShardMessage);
      }
      Atomics.add(counters, 0, 1);
      return true;
    }),
    { seed: data.seed, numRuns },
  );
}
port.postMessage({ kind: 'done', stats } satisfies ShardMessage);
