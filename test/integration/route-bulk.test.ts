// The bulk engine against the kernel, in a throwaway namespace: 10,000 routes with deliberately
// failing specs (kernel refusals and malformed input) → each failure reported by its index, every
// other route really in the kernel (checked by a dump and by ip); an abort mid-way reports exactly
// what the kernel confirmed; replaceMany converges; delMany empties; dump() streams them all.
import { execFileSync } from 'node:child_process';
import t from 'tap';
import type { BulkAbortError } from '../../lib/route.js';
import type { RouteSpec } from '../../types/route.js';
import { open } from '../../lib/index.js';
import { pollSync, rootSkip, tempNetns, type TempNetns } from '../helpers/netns.js';
import { LIB, runNode } from './hygiene-helpers.js';

const N = 10_000;
const dstOf = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`;

/** Routes 0 … n-1 via 192.168.0.2 dev veth0, as a caller streaming them would give them. */
function* viaVeth0(n: number): Generator<RouteSpec> {
  for (let i = 0; i < n; i++) yield { dst: dstOf(i), via: '192.168.0.2', dev: 'veth0' };
}

function setup(ns: TempNetns): void {
  ns.ip('link', 'set', 'lo', 'up');
  ns.ip('link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1');
  ns.ip('link', 'set', 'veth0', 'up');
  ns.ip('link', 'set', 'veth1', 'up');
  ns.ip('addr', 'add', '192.168.0.1/24', 'dev', 'veth0');
}

/** Our 10.x host routes in the main table, as a dump sees them: dst → gateway. */
async function ours(ns: TempNetns): Promise<Map<string, string | undefined>> {
  const m = new Map<string, string | undefined>();
  for await (const r of ns.h.route.dump({ family: 4 })) {
    if (r.dst.startsWith('10.') && r.dst.endsWith('/32')) m.set(r.dst, typeof r.via === 'string' ? r.via : undefined);
  }
  return m;
}

t.test('10k routes, failures by index, the rest really in the kernel', { skip: rootSkip }, async (t) => {
  const ns = tempNetns(t);
  setup(ns);
  const { h } = ns;
  // Routes the kernel will refuse: already present (EEXIST), an unreachable gateway (ENETUNREACH).
  // 1022–1024 and 2047 sit about where a sendmsg of 1,024 ends, whose last message alone asks for
  // an ACK: an error there, or just before it, settles that message alone.
  const pre = [17, 1022, 1023, 1024, 2047, 4321, 9999];
  for (const i of pre) await h.route.add({ dst: dstOf(i), via: '192.168.0.2' });
  const specs: RouteSpec[] = Array.from({ length: N }, (_, i) => ({ dst: dstOf(i), via: '192.168.0.2', dev: 'veth0' }));
  specs[500] = { dst: dstOf(500), via: '172.31.0.1' };
  specs[6000] = { dst: '10.0.23.112/33', via: '192.168.0.2' }; // malformed: never sent
  specs[7000] = { dst: dstOf(7000), via: '192.168.0.2', table: 'nosuchtable' }; // malformed
  const progress: number[] = [];
  const r = await h.route.addMany(specs, { onProgress: (done) => progress.push(done) });
  const failedIdx = r.failed.map((f) => f.index);
  t.same(failedIdx, [17, 500, 1022, 1023, 1024, 2047, 4321, 6000, 7000, 9999], 'each failure by its index, in order');
  t.equal(r.ok, N - 10);
  t.equal(r.ok + r.failed.length, N, 'every spec accounted for');
  const byIdx = new Map(r.failed.map((f) => [f.index, f]));
  t.match(byIdx.get(17), { spec: specs[17], error: { name: 'NetlinkError', code: 'EEXIST' } });
  t.match(byIdx.get(500), { error: { name: 'NetlinkError', code: 'ENETUNREACH' } });
  t.match(byIdx.get(500)!.error.message, /route\.addMany \[500\] 10\.0\.1\.244\/32/);
  t.ok(byIdx.get(6000)!.error instanceof TypeError && /"dst"/.test(byIdx.get(6000)!.error.message));
  t.ok(byIdx.get(7000)!.error instanceof TypeError && /"table"/.test(byIdx.get(7000)!.error.message));
  t.equal(progress.at(-1), N, 'progress ends at the total');

  const routes = await ours(ns);
  t.equal(routes.size, N - 3, 'the dump holds every route that was confirmed (plus the 7 added before)');
  t.ok(
    [...Array(N).keys()].every((i) => ([500, 6000, 7000].includes(i) ? !routes.has(dstOf(i)) : routes.has(dstOf(i)))),
    'exactly the right ones',
  );
  t.equal(
    ns
      .ip('-4', 'route', 'show')
      .split('\n')
      .filter((l) => l.startsWith('10.')).length,
    N - 3,
    'ip agrees',
  );

  // replaceMany converges: a new gateway everywhere, the refused ones created too
  const rep = await h.route.replaceMany(
    Array.from({ length: N }, (_, i) => ({ dst: dstOf(i), via: '192.168.0.3', dev: 'veth0' })),
  );
  t.same(rep, { ok: N, failed: [] });
  const after = await ours(ns);
  t.equal(after.size, N);
  t.ok(
    [...after.values()].every((gw) => gw === '192.168.0.3'),
    'every route has the new gateway',
  );

  // delMany: a dst is enough; deleting what is gone fails with ESRCH by index
  const del = await h.route.delMany(
    (function* () {
      for (let i = 0; i < N; i++) yield { dst: dstOf(i) };
      yield { dst: dstOf(0) };
    })(),
  );
  t.equal(del.ok, N);
  t.match(del.failed, [{ index: N, error: { code: 'ESRCH' } }]);
  t.equal((await ours(ns)).size, 0, 'all gone');
});

t.test('abort mid-way reports what the kernel confirmed', { skip: rootSkip }, async (t) => {
  const ns = tempNetns(t);
  setup(ns);
  const { h } = ns;
  const ac = new AbortController();
  let fired = false;
  const err = await h.route
    .addMany(
      (function* () {
        for (let i = 0; i < 50_000; i++) yield { dst: dstOf(i), via: '192.168.0.2' };
      })(),
      {
        signal: ac.signal,
        window: 1024,
        onProgress: (done) => {
          if (done >= 3000 && !fired) {
            fired = true;
            ac.abort();
          }
        },
      },
    )
    .then(
      () => {
        throw new Error('not aborted');
      },
      (e: unknown) => e as BulkAbortError,
    );
  t.equal(err.name, 'AbortError');
  const res = err.result;
  t.ok(res.aborted);
  t.equal(res.failed.length, 0);
  const inKernel = await ours(ns);
  t.equal(inKernel.size, res.ok, `the result (${res.ok} ok) is exactly what the kernel holds`);
  t.ok(res.ok >= 3000 && res.ok < 50_000, 'it stopped early');
  t.ok(
    [...Array(res.ok).keys()].every((i) => inKernel.has(dstOf(i))),
    'the first ones, in order',
  );
});

t.test(
  'abort while an async source waits: settles at once, no route arrives after it',
  { skip: rootSkip },
  async (t) => {
    const ns = tempNetns(t);
    setup(ns);
    const { h } = ns;
    const ac = new AbortController();
    let finished!: () => void;
    const closed = new Promise<void>((r) => (finished = r));
    // The source waits on a gate the test opens only after addMany has settled (or after 10 s,
    // so that a hang fails the test rather than stalling it): no timing is asserted.
    let openGate!: () => void;
    const gate = new Promise<void>((r) => (openGate = r));
    const safety = setTimeout(() => openGate(), 10_000);
    let resumed = false;
    async function* source(): AsyncGenerator<RouteSpec> {
      try {
        yield { dst: dstOf(1), via: '192.168.0.2' };
        await gate;
        resumed = true;
        yield { dst: dstOf(2), via: '192.168.0.2' };
        yield { dst: dstOf(3), via: '192.168.0.2' };
      } finally {
        finished();
      }
    }
    setTimeout(() => ac.abort(), 100);
    const err = await h.route.addMany(source(), { signal: ac.signal }).then(
      () => {
        throw new Error('not aborted');
      },
      (e: unknown) => e as BulkAbortError,
    );
    t.notOk(resumed, 'rejected while the source still waited, before it yielded again');
    openGate();
    clearTimeout(safety);
    t.equal(err.name, 'AbortError');
    t.same(err.result, { ok: 1, failed: [], aborted: true });
    await closed; // the source resumed, yielded into nothing, and ran its finally
    await new Promise((r) => setTimeout(r, 100));
    const routes = [...(await ours(ns)).keys()];
    t.same(routes, [dstOf(1)], 'the kernel holds the one confirmed route, none added after the abort');
    t.same(
      ns
        .ip('-4', 'route', 'show')
        .split('\n')
        .filter((l) => l.startsWith('10.'))
        .map((l) => l.split(' ')[0]),
      ['10.0.0.1'],
      'ip agrees',
    );
  },
);

t.test('a device that does not exist: the bulk failure names it, as route.add does', { skip: rootSkip }, async (t) => {
  const ns = tempNetns(t);
  setup(ns);
  const { h } = ns;
  const spec: RouteSpec = { dst: '10.50.4.0/24', dev: 'nope0' };
  const single = await h.route.add(spec).catch((e: unknown) => e as Error);
  t.match(single, { code: 'ENODEV', field: 'dev', message: /^route\.add 10\.50\.4\.0\/24: dev nope0: No such device/ });
  const r = await h.route.addMany([{ dst: dstOf(1), dev: 'veth0' }, spec]);
  t.equal(r.ok, 1);
  t.match(r.failed, [
    {
      index: 1,
      error: {
        code: 'ENODEV',
        field: 'dev',
        message: /^route\.addMany \[1\] 10\.50\.4\.0\/24: dev nope0: No such device/,
      },
    },
  ]);
  t.same([...(await ours(ns)).keys()], [dstOf(1)]);
});

t.test('per-route calls in one Promise.all and an async iterable feed', { skip: rootSkip }, async (t) => {
  const ns = tempNetns(t);
  setup(ns);
  const { h } = ns;
  const n = 5000;
  await Promise.all(
    Array.from({ length: n }, (_, i) => h.route.add({ dst: dstOf(i), via: '192.168.0.2', dev: 'veth0' })),
  );
  t.equal((await ours(ns)).size, n);
  async function* feed(): AsyncGenerator<RouteSpec> {
    for (let i = 0; i < n; i++) {
      if (i % 1000 === 0) await new Promise((r) => setTimeout(r, 1));
      yield { dst: dstOf(i) };
    }
  }
  t.same(await h.route.delMany(feed()), { ok: n, failed: [] });
  t.equal((await ours(ns)).size, 0);
});

t.test(
  'calls issued in one long synchronous loop are applied while the loop still runs',
  { skip: rootSkip },
  async (t) => {
    // The socket's thread sends each full batch and keeps the ACKs it reads while JavaScript cannot
    // take them (in full chunks, not one per sendmsg, so its bounded queue holds ~100,000): the kernel
    // works through the calls during the caller's loop. The default window (131,072) needs the default
    // receive buffer (128 MiB, read back as 256 MiB) to hold their ACKs.
    const ns = tempNetns(t);
    setup(ns);
    const h = open({ netns: ns.name });
    t.teardown(() => h.close());
    t.equal(h.engine.window, 131072, 'the default window, which the default receive buffer holds');
    const dev = await h.link.indexOf('veth0', 'dev');
    const n = 60 * 1024; // whole batches of 1,024 messages: each leaves as soon as it is full
    const calls: Promise<void>[] = [];
    // Half name the device: its index is read at once (SIOCGIFINDEX), so they need no lookup either.
    for (let i = 0; i < n; i++)
      calls.push(h.route.add({ dst: dstOf(i), via: '192.168.0.2', dev: i & 1 ? dev : 'veth0' }));
    // Still in the same turn: count what the kernel holds (ip as the oracle), waiting up to 10 s
    // without yielding.
    const count = (): number =>
      execFileSync('ip', ['-n', ns.name, '-4', 'route', 'show', 'table', 'main'], {
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      })
        .split('\n')
        .filter((l) => l.startsWith('10.')).length;
    let applied = 0;
    pollSync(() => (applied = count()) >= n, 10_000, 50);
    t.equal(applied, n, 'every route in the kernel before the loop yielded');
    const settled = await Promise.allSettled(calls);
    t.equal(settled.filter((x) => x.status === 'fulfilled').length, n, 'and every call then confirmed');
    t.equal((await ours(ns)).size, n);
  },
);

t.test('a small receive buffer slows the pipeline down instead of losing ACKs', { skip: rootSkip }, async (t) => {
  // As in a container whose user namespace cannot SO_RCVBUFFORCE: 64 KiB, read back as 128 KiB,
  // holds the ACKs of 64 messages in flight (at 2 KiB each; one takes 832 bytes).
  const ns = tempNetns(t);
  setup(ns);
  const h = open({ netns: ns.name, rcvbuf: 65536 });
  t.teardown(() => h.close());
  t.equal(h.engine.window, 64);
  const n = 20_000;
  const r = await h.route.addMany(viaVeth0(n));
  t.same({ ok: r.ok, failed: r.failed.length }, { ok: n, failed: 0 }, 'every spec confirmed');
  const each = await Promise.allSettled(
    Array.from({ length: 5000 }, (_, i) => h.route.replace({ dst: dstOf(i), via: '192.168.0.3', dev: 'veth0' })),
  );
  t.equal(each.filter((x) => x.status === 'rejected').length, 0, '5,000 route.replace issued at once all confirmed');
  const routes = await ours(ns);
  t.equal(routes.size, n, 'all in the kernel');
  t.equal([...routes.values()].filter((v) => v === '192.168.0.3').length, 5000, 'the replaced ones replaced');
});

interface NetlinkSock {
  /** Bytes queued in the socket. */
  rmem: number;
  /** 1 while the kernel runs a dump for the socket. */
  dump: number;
}

/** The handle's socket's line of /proc/net/netlink in the namespace. */
function netlinkSock(ns: TempNetns, h: TempNetns['h']): NetlinkSock {
  const portId = (h.engine as unknown as { transport: { portId: number } }).transport.portId;
  for (const line of ns.exec('cat', '/proc/net/netlink').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1] === '0' && Number(f[2]) === portId) return { rmem: Number(f[4]), dump: Number(f[6]) };
  }
  throw new Error(`no NETLINK_ROUTE socket with port id ${portId}`);
}

t.test(
  'a dump whose consumer lags stays in the kernel; requests on the same handle meanwhile still complete',
  { skip: rootSkip },
  async (t) => {
    const ns = tempNetns(t);
    setup(ns);
    const { h } = ns;
    // More than the stream holds (16,384) plus what the socket's thread may have read ahead of
    // JavaScript before the hold took effect (two chunks of ~256 KiB, and the one it was filling).
    const n = 150_000;
    t.same(await h.route.addMany(viaVeth0(n)), { ok: n, failed: [] });
    const sock = (): NetlinkSock => netlinkSock(ns, h);
    let seen = 0;
    let extra = 0;
    for await (const r of h.route.dump({ family: 4 })) {
      if (r.dst.startsWith('10.') && r.dst.endsWith('/32')) seen++;
      if (seen === 1) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        const s = sock();
        t.equal(s.dump, 1, 'after 200 ms the kernel still runs the dump: the consumer holds reading');
        t.ok(s.rmem > 0, `the next datagram waits in the socket (${s.rmem} bytes)`);
      }
      if (seen === 2) {
        // Requests (and a dump, queued behind this one) from inside the loop: their replies queue
        // behind the dump's datagrams, so reading resumes for them.
        await h.route.add({ dst: '10.255.0.1/32', via: '192.168.0.2', table: 100 });
        t.same(
          (await h.route.list({ table: 100 })).map((x) => x.dst),
          ['10.255.0.1/32'],
          'a request and a queued dump complete while the dump is held',
        );
        extra = 1;
      }
    }
    t.equal(seen, n, 'the dump saw every route once');
    t.equal(extra, 1);
    t.equal(sock().dump, 0, 'and ended');
  },
);

t.test('a dump is read two chunks ahead of JavaScript, not all at once', { skip: rootSkip }, async (t) => {
  // The socket's thread hands a dump over in chunks of about 256 KiB (~4,400 routes) and reads on
  // only while fewer than two wait for JavaScript: the kernel builds the rest as JavaScript takes
  // them. 40,000 routes are ~9 chunks, which the thread's queue (16 chunks) would otherwise hold.
  const ns = tempNetns(t);
  setup(ns);
  const { h } = ns;
  const n = 40_000;
  t.same(await h.route.addMany(viaVeth0(n)), { ok: n, failed: [] });
  let seen = 0;
  for await (const r of h.route.dump({ family: 4 })) {
    if (r.dst.startsWith('10.') && r.dst.endsWith('/32')) seen++;
    if (seen === 1) {
      // JavaScript takes nothing for 300 ms (not even the chunks: its loop does not turn).
      const until = Date.now() + 300;
      while (Date.now() < until);
      const s = netlinkSock(ns, h);
      t.equal(s.dump, 1, 'the kernel still runs the dump: the thread stopped reading it');
      t.ok(s.rmem > 0, `its next datagram waits in the socket (${s.rmem} bytes)`);
    }
  }
  t.equal(seen, n, 'then the dump saw every route once');
  t.equal(netlinkSock(ns, h).dump, 0, 'and ended');
});

t.test('a process that drops a held dump without return() still exits', { skip: rootSkip }, async (t) => {
  const ns = tempNetns(t);
  setup(ns);
  const r = await runNode(
    `import { open } from ${JSON.stringify(LIB)};
     const h = open({ netns: ${JSON.stringify(ns.name)} });
     const specs = function* () {
       for (let i = 0; i < 150000; i++) yield { dst: '10.' + (i >> 16) + '.' + ((i >> 8) & 255) + '.' + (i & 255) + '/32', dev: 'veth0' };
     };
     const added = await h.route.addMany(specs());
     const it = h.route.dump({ family: 4 })[Symbol.asyncIterator]();
     const first = await it.next();
     await new Promise((resolve) => setTimeout(resolve, 200));
     console.log(added.ok, first.done, h.engine.pendingCount);`,
    { timeoutMs: 20_000 },
  );
  t.equal(r.signal, null, `exits by itself (took ${r.ms} ms; stderr: ${r.stderr.trim()})`);
  t.equal(r.code, 0);
  t.equal(r.stdout.trim(), '150000 false 1', 'the dump was held: one request pending');
});
