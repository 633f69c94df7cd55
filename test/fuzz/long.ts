// The long fuzz run (`npm run fuzz`, via scripts/fuzz.mjs): N inputs (default 1,000,000) split
// over worker threads, each a shard with its own seed. A watchdog saves the input of a shard that
// makes no progress for --hang-ms and stops it; failures are saved under test/fuzz/failures/.
// Prints cases, time, failures; exits 1 on any failure or hang.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import type { Stats } from './harness.js';
import type { ShardData, ShardMessage } from './worker.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: String(Date.now() % 0x7fffffff) },
    jobs: { type: 'string', default: String(Math.max(1, Math.min(4, availableParallelism() - 1))) },
    'hang-ms': { type: 'string', default: '30000' },
  },
});
const cases = Number(values.cases);
const seed = Number(values.seed);
const jobs = Number(values.jobs);
const hangMs = Number(values['hang-ms']);
const failDir = join(here, 'failures');

interface Shard {
  i: number;
  worker: Worker;
  counters: Int32Array;
  current: Uint8Array;
  cases: number;
  lastCount: number;
  lastProgress: number;
  finished: boolean;
  stats?: Record<string, Stats>;
}

const failures = new Map<string, { count: number; message: string }>();
let hangs = 0;
const t0 = performance.now();

function save(kind: string, target: string, input: Buffer): string {
  mkdirSync(failDir, { recursive: true });
  const name = `${kind}-${target.replace(/[^\w.-]+/g, '_')}-${createHash('sha1').update(input).digest('hex').slice(0, 10)}.bin`;
  writeFileSync(join(failDir, name), input);
  return join('test', 'fuzz', 'failures', name);
}

console.log(`fuzz: ${cases} inputs, seed ${seed}, ${jobs} worker(s), hang watchdog ${hangMs} ms`);
const shards: Shard[] = [];
for (let i = 0; i < jobs; i++) {
  const shared = new SharedArrayBuffer(8);
  const current = new SharedArrayBuffer(1 << 16);
  const share = Math.floor(cases / jobs) + (i < cases % jobs ? 1 : 0);
  const data: ShardData = { seed: seed + i, cases: share, shared, current };
  const worker = new Worker(join(here, 'worker.ts'), { workerData: data });
  const s: Shard = {
    i,
    worker,
    counters: new Int32Array(shared),
    current: new Uint8Array(current),
    cases: share,
    lastCount: 0,
    lastProgress: Date.now(),
    finished: false,
  };
  worker.on('message', (m: ShardMessage) => {
    if (m.kind === 'done') {
      s.stats = m.stats;
      return;
    }
    const key = `${m.target}: ${m.message.split('\n')[0]}`;
    const f = failures.get(key);
    if (f) f.count++;
    else {
      const file = save('fail', m.target, Buffer.from(m.input, 'hex'));
      failures.set(key, { count: 1, message: `${m.message}\n  saved: ${file}` });
      console.log(`FAILURE ${m.message}\n  saved: ${file}`);
    }
  });
  worker.on('error', (e) => {
    console.log(`shard ${i}: worker error ${e.stack ?? String(e)}`);
    failures.set(`shard ${i} crashed`, { count: 1, message: String(e) });
  });
  shards.push(s);
}

await new Promise<void>((resolve) => {
  let lastReport = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    let done = 0;
    for (const s of shards) {
      const n = Atomics.load(s.counters, 0);
      done += n;
      if (s.finished) continue;
      if (n !== s.lastCount) {
        s.lastCount = n;
        s.lastProgress = now;
      } else if (now - s.lastProgress > hangMs) {
        const len = Atomics.load(s.counters, 1);
        const file = save('hang', `shard${s.i}`, Buffer.from(s.current.subarray(0, len)));
        console.log(`HANG: shard ${s.i} made no progress for ${hangMs} ms after ${n} inputs; input saved: ${file}`);
        hangs++;
        s.finished = true;
        void s.worker.terminate();
      }
    }
    if (now - lastReport >= 10000) {
      lastReport = now;
      console.log(`  ${done} / ${cases} inputs, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    }
    if (shards.every((s) => s.finished)) {
      clearInterval(timer);
      resolve();
    }
  }, 250);
  for (const s of shards) s.worker.on('exit', () => (s.finished = true));
});

const secs = (performance.now() - t0) / 1000;
const total = shards.reduce((n, s) => n + Atomics.load(s.counters, 0), 0);
const agg = new Map<string, Stats>();
for (const s of shards) {
  for (const [name, st] of Object.entries(s.stats ?? {})) {
    const a = agg.get(name) ?? {
      cases: 0,
      calls: 0,
      decoded: 0,
      decodeErrors: 0,
      maxCallMs: 0,
      slowest: '',
      maxAlloc: 0,
    };
    a.cases += st.cases;
    a.calls += st.calls;
    a.decoded += st.decoded;
    a.decodeErrors += st.decodeErrors;
    if (st.maxCallMs > a.maxCallMs) {
      a.maxCallMs = st.maxCallMs;
      a.slowest = st.slowest;
    }
    a.maxAlloc = Math.max(a.maxAlloc, st.maxAlloc);
    agg.set(name, a);
  }
}
for (const [name, a] of agg) {
  console.log(
    `  ${name}: ${a.cases} inputs, ${a.calls} decoder calls (${a.decoded} decoded, ${a.decodeErrors} DecodeError), slowest call ${a.maxCallMs.toFixed(1)} ms (${a.slowest}), largest allocation ${a.maxAlloc} B`,
  );
}
const failed = [...failures.values()].reduce((n, f) => n + f.count, 0);
console.log(
  `fuzz: ${total} cases in ${secs.toFixed(1)} s (${Math.round(total / secs)}/s), ${failed} failures (${failures.size} distinct), ${hangs} hangs, seed ${seed}`,
);
process.exitCode = failed || hangs || total < cases ? 1 : 0;
