// The JavaScript side alone, without the kernel: a Handle on a loopback transport that ACKs every
// request asking for it (NLM_F_ACK; one chunk per sendmsg, delivered a turn later as the I/O thread
// would; the engine asks it of a sendmsg's last route request only) and answers a
// route dump with kernel-shaped RTM_NEWROUTE messages. It prints CPU µs per route (main thread)
// for each path, so a change in lib/ can be judged on a loaded 2-core machine where wall-clock
// figures of the full bench swing by 2×. The loopback's own cost is measured and subtracted.
// The last column is the warm-up round's wall time: with --case picking one path, a fresh
// process's first use of it (the bench's 10 k rows), beside a floor no library can go under
// (`for await` over an iterator of ready Route-shaped objects).
//   node dist/bench/micro.js [--n 100000] [--rounds 5] [--case SUBSTRING]
//   node --cpu-prof --cpu-prof-dir=bench/.build dist/bench/micro.js --case addMany   (then dist/bench/profile.js)
import { Handle } from '../lib/index.js';
import type { Route, RouteSpec } from '../types/route.js';
import type { AckOwner } from '../lib/core/ack-ring.js';
import type { Receiver, Transport } from '../lib/core/transport.js';
import {
  NLM_F_ACK,
  NLM_F_CREATE,
  NLM_F_EXCL,
  NLM_F_MULTI,
  NLMSG_DONE,
  NLMSG_ERROR,
  RTM_GETROUTE,
  RTM_NEWROUTE,
} from '../lib/core/constants.js';
import { forEachMessage, type NlMsg } from '../lib/core/nlmsg.js';
import { range } from './stats.js';
import { routeDst } from './peers/common.js';

const NLM_F_DUMP = 0x300;
const IFINDEX = 3;

/** Cost of the loopback itself, ns (CPU), so it can be taken out of the figures. */
let fakeNs = 0n;

/** Kernel-shaped RTM_NEWROUTE for route i: rtmsg + RTA_TABLE, RTA_DST, RTA_GATEWAY, RTA_OIF (60 bytes). */
function writeRoute(b: Buffer, off: number, seq: number, i: number): number {
  b.writeUInt32LE(60, off);
  b.writeUInt16LE(RTM_NEWROUTE, off + 4);
  b.writeUInt16LE(NLM_F_MULTI, off + 6);
  b.writeUInt32LE(seq, off + 8);
  b.writeUInt32LE(0, off + 12);
  const r = off + 16;
  b[r] = 2; // AF_INET
  b[r + 1] = 32;
  b[r + 2] = 0;
  b[r + 3] = 0;
  b[r + 4] = 254; // main
  b[r + 5] = 3; // boot
  b[r + 6] = 0; // universe
  b[r + 7] = 1; // unicast
  b.writeUInt32LE(0, r + 8);
  let a = r + 12;
  const attr = (type: number, v: (o: number) => void): void => {
    b.writeUInt16LE(8, a);
    b.writeUInt16LE(type, a + 2);
    v(a + 4);
    a += 8;
  };
  attr(15, (o) => b.writeUInt32LE(254, o)); // RTA_TABLE
  attr(1, (o) => b.writeUInt32BE((0x0a000000 | i) >>> 0, o)); // RTA_DST
  attr(5, (o) => b.writeUInt32BE(0xc0a80002, o)); // RTA_GATEWAY
  attr(4, (o) => b.writeUInt32LE(IFINDEX, o)); // RTA_OIF
  return off + 60;
}

function done(b: Buffer, off: number, seq: number): number {
  b.writeUInt32LE(20, off);
  b.writeUInt16LE(NLMSG_DONE, off + 4);
  b.writeUInt16LE(NLM_F_MULTI, off + 6);
  b.writeUInt32LE(seq, off + 8);
  b.writeUInt32LE(0, off + 12);
  b.writeInt32LE(0, off + 16);
  return off + 20;
}

class Loopback implements Transport {
  private id = 0;
  constructor(
    private readonly receive: Receiver,
    private readonly dumpRoutes: () => number,
  ) {}
  send(buf: Buffer): number {
    const t0 = process.hrtime.bigint();
    const id = ++this.id;
    const chunks: Buffer[] = [];
    let acks = Buffer.allocUnsafe(0);
    let nacks = 0;
    forEachMessage(buf, (m: NlMsg) => {
      if ((m.flags & NLM_F_DUMP) === NLM_F_DUMP) {
        // Datagrams of about 32 KiB (the kernel's dump skb), handed over ~256 KiB at a time.
        const n = m.type === RTM_GETROUTE ? this.dumpRoutes() : 0;
        let b = Buffer.allocUnsafe(256 * 1024);
        let off = 0;
        for (let i = 0; i < n; i++) {
          if (off + 60 > b.length) {
            chunks.push(b.subarray(0, off));
            b = Buffer.allocUnsafe(256 * 1024);
            off = 0;
          }
          off = writeRoute(b, off, m.seq, i);
        }
        if (off + 20 > b.length) {
          chunks.push(b.subarray(0, off));
          b = Buffer.allocUnsafe(64);
          off = 0;
        }
        chunks.push(b.subarray(0, done(b, off, m.seq)));
        return;
      }
      if ((m.flags & NLM_F_ACK) === 0) return; // a success is answered only when asked (netlink_rcv_skb)
      if (nacks === 0) acks = Buffer.allocUnsafe(buf.length); // an ACK (36 bytes) is never longer than its request
      const o = nacks * 36;
      acks.writeUInt32LE(36, o);
      acks.writeUInt16LE(NLMSG_ERROR, o + 4);
      acks.writeUInt16LE(0x100, o + 6); // NLM_F_CAPPED
      acks.writeUInt32LE(m.seq, o + 8);
      acks.writeUInt32LE(0, o + 12);
      acks.writeInt32LE(0, o + 16);
      buf.copy(acks, o + 20, m.start, m.start + 16);
      nacks++;
    });
    if (nacks) chunks.push(acks.subarray(0, nacks * 36));
    fakeNs += process.hrtime.bigint() - t0;
    setImmediate(() => {
      for (const c of chunks) this.receive(c, 0, 0);
    });
    return id;
  }
  ref(): void {}
  close(): void {}
}

interface Case {
  name: string;
  run(h: Handle, n: number): Promise<number>;
}

function* specs(n: number, via: string | undefined): Generator<RouteSpec> {
  for (let i = 0; i < n; i++)
    yield via ? { dst: `${routeDst(i)}/32`, via, dev: IFINDEX } : { dst: `${routeDst(i)}/32` };
}

/**
 * The floor under any `for await` dump: an async iterator handing out Route-shaped objects built
 * from a counter (the strings and fields a decoded route has), no bytes read, no library code. A
 * fresh process's first pass over it is what V8 charges for the iteration itself.
 */
class ReadyRoutes implements AsyncIterator<Route>, AsyncIterable<Route> {
  private i = 0;
  constructor(private readonly n: number) {}
  [Symbol.asyncIterator](): this {
    return this;
  }
  next(): Promise<IteratorResult<Route>> {
    if (this.i === this.n) return Promise.resolve({ value: undefined, done: true });
    const i = this.i++;
    const r: Route = {
      dst: `${routeDst(i)}/32`,
      family: 4,
      table: 254,
      type: 'unicast',
      protocol: 'boot',
      scope: 'universe',
      dev: 'veth0',
      index: IFINDEX,
      via: '192.168.0.2',
    };
    return Promise.resolve({ value: r, done: false });
  }
}

const CASES: Case[] = [
  {
    name: 'engine.submit, hand-written body (no route codec)',
    async run(h, n) {
      await new Promise<void>((resolve, reject) => {
        let left = n;
        for (let i = 0; i < n; i++) {
          h.engine.submit(
            RTM_NEWROUTE,
            NLM_F_CREATE | NLM_F_EXCL,
            (w) => {
              w.u32(0x00002002); // family, dst_len, src_len, tos (LE bytes)
              w.u32(0x01000300 | 254); // table, protocol, scope, type
              w.u32(0);
              const s = w.beginAttr(1);
              w.be32((0x0a000000 | i) >>> 0);
              w.endAttr(s);
              const g = w.beginAttr(5);
              w.be32(0xc0a80002);
              w.endAttr(g);
              w.attrU32(4, IFINDEX);
            },
            { onDone: (e) => (e ? reject(e) : --left === 0 && resolve()) },
          );
        }
      });
      return n;
    },
  },
  {
    name: 'engine.post, hand-written body (no route codec)',
    async run(h, n) {
      await new Promise<void>((resolve, reject) => {
        let left = n;
        const owner: AckOwner<number> = {
          write(w, dst) {
            w.u32(0x00002002);
            w.u32(0x01000300 | 254);
            w.u32(0);
            const s = w.beginAttr(1);
            w.be32(dst);
            w.endAttr(s);
            const g = w.beginAttr(5);
            w.be32(0xc0a80002);
            w.endAttr(g);
            w.attrU32(4, IFINDEX);
          },
          context: () => undefined,
          settle: (_dst, _i, e) => (e ? reject(e) : --left === 0 && resolve()),
        };
        for (let i = 0; i < n; i++)
          h.engine.post(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, owner, (0x0a000000 | i) >>> 0, i);
      });
      return n;
    },
  },
  { name: 'route.addMany', run: async (h, n) => (await h.route.addMany(specs(n, '192.168.0.2'))).ok },
  { name: 'route.replaceMany', run: async (h, n) => (await h.route.replaceMany(specs(n, '192.168.0.3'))).ok },
  { name: 'route.delMany', run: async (h, n) => (await h.route.delMany(specs(n, undefined))).ok },
  {
    name: 'route.add × N, Promise.all',
    async run(h, n) {
      const all: Promise<unknown>[] = [];
      for (const s of specs(n, '192.168.0.2')) all.push(h.route.add(s));
      await Promise.all(all);
      return n;
    },
  },
  {
    name: 'route.dump() (for await)',
    async run(h) {
      let k = 0;
      for await (const r of h.route.dump({ family: 4 })) if (r.dst) k++;
      return k;
    },
  },
  { name: 'route.list()', run: async (h) => (await h.route.list({ family: 4 })).length },
  {
    name: 'for await over ready objects (no library, the floor)',
    async run(_h, n) {
      let k = 0;
      for await (const r of new ReadyRoutes(n)) if (r.dst) k++;
      return k;
    },
  },
];

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opt = (k: string, d: number): number => {
    const i = argv.indexOf(k);
    return i >= 0 ? Number(argv[i + 1]) : d;
  };
  const n = opt('--n', 100_000);
  const rounds = opt('--rounds', 5);
  const ci = argv.indexOf('--case');
  const only = ci >= 0 ? argv[ci + 1] : undefined;
  const h = new Handle({}, true, (rx) => new Loopback(rx, () => n));
  process.stdout.write(
    `JS cost per route without the kernel (loopback transport), N = ${n}, median of ${rounds} rounds after one warm-up\n`,
  );
  process.stdout.write(
    `${'path'.padEnd(52)} ${'CPU µs/route'.padStart(13)} ${'wall µs/route'.padStart(14)} ${'routes/s (CPU)'.padStart(15)} ${'1st round ms'.padStart(13)}\n`,
  );
  for (const c of CASES) {
    if (only !== undefined && !c.name.includes(only)) continue;
    const cpu: number[] = [];
    const wall: number[] = [];
    let firstMs = 0;
    for (let r = 0; r <= rounds; r++) {
      fakeNs = 0n;
      const u0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      const k = await c.run(h, n);
      const wallNs = Number(process.hrtime.bigint() - t0) - Number(fakeNs);
      const u = process.cpuUsage(u0);
      if (k !== n) throw new Error(`${c.name}: ${k} of ${n} routes`);
      if (r === 0) {
        firstMs = wallNs / 1e6; // the warm-up round: V8 has not compiled this path yet
        continue;
      }
      cpu.push(((u.user + u.system) * 1000 - Number(fakeNs)) / n / 1000);
      wall.push(wallNs / n / 1000);
    }
    const c50 = range(cpu)!.median;
    const w50 = range(wall)!.median;
    process.stdout.write(
      `${c.name.padEnd(52)} ${c50.toFixed(2).padStart(13)} ${w50.toFixed(2).padStart(14)} ${Math.round(1e6 / c50)
        .toLocaleString('en')
        .padStart(15)} ${firstMs.toFixed(1).padStart(13)}\n`,
    );
  }
  h.close();
}

main().catch((e: unknown) => {
  process.stderr.write(`micro: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
