// The route-churn driver for this package, run by bench/route-churn.ts as its own process (so its
// RSS is its own) with a handle opened inside the bench namespace (`open({ netns })`).
//   --mode bulk: route.addMany / route.dump() / route.replaceMany / route.delMany over a lazy
//                iterable of specs (built as a streaming caller would, inside the timed phase).
//   --mode each: route.add / replace / del called once per route, all issued at once and
//                awaited with Promise.all (automatic pipelining), and route.dump(). The device is
//                named (`dev: 'veth0'`): the library reads its index when the calls are made.
//   --mode each-ifindex: the same with `dev` the index resolved once before (as the C, npm netlink
//                and pyroute2 drivers send it).
//   --mode bulk-warm: diagnostic. As bulk, after unmeasured rounds of the same workload (add, dump,
//                replace, delete of the same N routes; 3, or RTNL_BENCH_WARM_ROUNDS) in the same
//                process: what a long-lived process (a routing daemon) sees once V8 has compiled the
//                code, where the bulk row measures a fresh process's first use.
import { open } from '../../lib/index.js';
import type { BulkResult, RouteSpec as Spec } from '../../types/route.js';
import {
  markIoThreads,
  noteThreads,
  finish,
  parseDriverArgs,
  phase,
  routeDst,
  vmRssKb,
  errorText,
  type DriverResult,
  type PhaseResult,
} from './common.js';

/** The gateway and device of the routes added and replaced. */
interface NextHop {
  via: string;
  dev: string | number;
}

// Each spec is one object literal, as a caller writes a RouteSpec. (Specs built as `{ dst }` with
// `via` and `dev` added after are larger, and those in flight survive scavenges: in this driver
// they had V8 grow its young generation at the dump's first scavenge, some 20 ms of page faults,
// a one-time cost of a fresh process that lands in whichever phase crosses V8's line;
// bench/README.md, finding 20.) Without a next hop: `{ dst }`, as the delete phases send.
function* specs(n: number, hop?: NextHop): Generator<Spec> {
  if (!hop) {
    for (let i = 0; i < n; i++) yield { dst: `${routeDst(i)}/32` };
    return;
  }
  const { via, dev } = hop;
  for (let i = 0; i < n; i++) yield { dst: `${routeDst(i)}/32`, via, dev };
}

function bulkCounts(r: BulkResult): Omit<PhaseResult, 'ms'> {
  const first = r.failed[0];
  return { count: r.ok, errors: r.failed.length, ...(first ? { firstError: errorText(first.error) } : {}) };
}

async function each(fn: (spec: Spec) => Promise<unknown>, n: number, hop?: NextHop): Promise<Omit<PhaseResult, 'ms'>> {
  const all: Promise<unknown>[] = new Array<Promise<unknown>>(n);
  let i = 0;
  for (const s of specs(n, hop)) all[i++] = fn(s);
  const settled = await Promise.allSettled(all);
  let ok = 0;
  let firstError: string | undefined;
  for (const x of settled) {
    if (x.status === 'fulfilled') ok++;
    else firstError ??= errorText(x.reason);
  }
  return { count: ok, errors: n - ok, ...(firstError ? { firstError } : {}) };
}

async function main(): Promise<void> {
  const a = parseDriverArgs(process.argv.slice(2));
  // RTNL_BENCH_WINDOW / RTNL_BENCH_BATCH_BYTES try other engine settings (bench/README.md).
  const knob = (k: string): number | undefined => (process.env[k] ? Number(process.env[k]) : undefined);
  const window = knob('RTNL_BENCH_WINDOW');
  const batchBytes = knob('RTNL_BENCH_BATCH_BYTES');
  noteThreads();
  const h = open({ netns: a.ns, ...(window ? { window } : {}), ...(batchBytes ? { batchBytes } : {}) });
  markIoThreads();
  const r = h.route;
  const out: DriverResult = { phases: {} };
  // Resolve the device once before measuring (the first use of a name may cost a lookup).
  const ifindex = await h.link.indexOf(a.dev, 'dev');
  if (a.mode === 'each-ifindex' && ifindex !== a.ifindex)
    throw new Error(`${a.dev} is index ${ifindex} here, not ${a.ifindex}`);
  const dev = a.mode === 'each-ifindex' ? ifindex : a.dev;
  const bulk = a.mode === 'bulk' || a.mode === 'bulk-warm';
  const warmRounds = a.mode === 'bulk-warm' ? (knob('RTNL_BENCH_WARM_ROUNDS') ?? 3) : 0;
  for (let round = 0; round < warmRounds; round++) {
    let errs = (await r.addMany(specs(a.n, { via: a.gw, dev: a.dev }))).failed.length;
    let seen = 0;
    for await (const x of r.dump({ family: 4 })) if (x.table === 254 && x.dst.startsWith('10.')) seen++;
    errs += (await r.replaceMany(specs(a.n, { via: a.gw2, dev: a.dev }))).failed.length;
    errs += (await r.delMany(specs(a.n))).failed.length;
    if (errs !== 0 || seen !== a.n)
      throw new Error(`warm-up round ${round + 1}: ${errs} failed, ${seen} of ${a.n} dumped`);
  }
  const base = vmRssKb();
  if (base !== undefined) out.baselineKb = base;

  if (bulk) {
    await phase('add', out, async () => bulkCounts(await r.addMany(specs(a.n, { via: a.gw, dev: a.dev }))));
  } else {
    await phase('add', out, () => each((x) => r.add(x), a.n, { via: a.gw, dev }));
  }
  await phase('dump', out, async () => {
    // When the first of our routes and each tenth of them had been read: the first dump's warm-up
    // curve. The loop's branch that notes the time is taken at those routes and every 1,024
    // between them, and always runs the same code, so that V8 has seen all of it run when it
    // optimises the loop: code first run in optimised code (at the 10,000th route, say; run only
    // at the first route, it ran before the loop had type feedback) throws the loop back to the
    // interpreter and has it compiled again mid-dump, a cost of the measuring, not of the library.
    const tenth = (k: number): number => Math.ceil((a.n * k) / 10);
    const stops = [...new Set([1, ...Array.from({ length: 10 }, (_, k) => tenth(k + 1))])];
    const stop = Int32Array.from([...stops, 2 ** 31 - 1]);
    const cap = Math.ceil(a.n / 1024) + stops.length + 1;
    const sampleMs = new Float64Array(cap);
    const sampleCount = new Int32Array(cap);
    let samples = 0;
    let next = 0;
    let mark = 1;
    let ours = 0;
    const t0 = performance.now();
    for await (const x of r.dump({ family: 4 })) {
      if (x.table === 254 && x.dst.startsWith('10.') && x.dst.endsWith('/32') && ++ours === mark) {
        sampleMs[samples] = performance.now() - t0;
        sampleCount[samples++] = ours;
        next += ours === stop[next] ? 1 : 0;
        mark = Math.min(stop[next]!, (ours | 1023) + 1);
      }
    }
    const when = (count: number): number | undefined => {
      const i = sampleCount.subarray(0, samples).indexOf(count);
      return i < 0 ? undefined : sampleMs[i];
    };
    const tenthsMs: number[] = [];
    for (let k = 1; k <= 10; k++) {
      const ms = when(tenth(k));
      if (ms !== undefined) tenthsMs.push(ms);
    }
    const firstMs = when(1);
    return { count: ours, errors: 0, tenthsMs, ...(firstMs !== undefined ? { firstMs } : {}) };
  });
  if (bulk) {
    await phase('replace', out, async () => bulkCounts(await r.replaceMany(specs(a.n, { via: a.gw2, dev: a.dev }))));
    await phase('delete', out, async () => bulkCounts(await r.delMany(specs(a.n))));
  } else {
    await phase('replace', out, () => each((x) => r.replace(x), a.n, { via: a.gw2, dev }));
    await phase('delete', out, () => each((x) => r.del(x), a.n));
  }
  h.close();
  finish(out);
}

main().catch((e: unknown) => {
  process.stderr.write(`rtnetlink driver: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
