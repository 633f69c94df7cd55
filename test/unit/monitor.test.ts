// The monitor's pieces without a kernel: input checks, the kernel's object identities (keys),
// change detection that ignores statistics, netconf/nsid decoding, the consumer's view, and
// dumps on a monitor socket (ENOBUFS on the request, NLM_F_DUMP_INTR, errors, order).
import t from 'tap';
import { NlWriter } from '../../lib/core/attr.js';
import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  NLM_F_DUMP,
  NLM_F_DUMP_INTR,
  NLM_F_MULTI,
  NLM_F_REQUEST,
  NLMSG_DONE,
  NLMSG_ERROR,
  RTM_GETLINK,
  RTM_NEWADDR,
  RTM_NEWLINK,
  RTM_NEWNEIGH,
  RTM_NEWNSID,
  RTM_NEWROUTE,
} from '../../lib/core/constants.js';
import { forEachMessage, type NlMsg } from '../../lib/core/nlmsg.js';
import type { NetlinkError } from '../../lib/core/errors.js';
import { DumpInterruptedError } from '../../lib/core/errors.js';
import { Handle } from '../../lib/handle.js';
import { decodeNetconf, decodeNsid, KINDS, RTM_NEWNETCONF, routeSlot, sameState } from '../../lib/monitor-kinds.js';
import { DumpQueue, type DumpJob } from '../../lib/monitor-dumps.js';
import { View } from '../../lib/monitor-view.js';
import type { MonitorGroup, MonitorOptions } from '../../lib/index.js';

/** One message: a family header of `hdr` bytes (given bytes, zero-padded), then attributes. */
function msg(
  type: number,
  hdr: number[],
  size: number,
  attrs: [number, Buffer][] = [],
  flags = 0,
  seq = 0,
  pid = 0,
): NlMsg {
  const w = new NlWriter(256);
  const at = w.beginMessage(type, flags, seq, pid);
  const h = Buffer.alloc(size);
  Buffer.from(hdr).copy(h);
  w.bytes(h);
  for (const [ty, v] of attrs) w.attrBytes(ty, v);
  w.endMessage(at);
  let out: NlMsg | undefined;
  forEachMessage(w.take(), (m) => (out = m));
  return out!;
}
const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
};
const s32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(v);
  return b;
};
const ip4 = (s: string): Buffer => Buffer.from(s.split('.').map(Number));
const le32 = (v: number): number[] => [...u32(v)];

t.test(
  'bad groups and options throw a TypeError or RangeError naming the field, before a socket is opened',
  async (t) => {
    const h = new Handle({}, true); // lazy: no socket unless something is sent
    t.teardown(() => h.close());
    const bad: [unknown, unknown, string, RegExp][] = [
      [[], {}, 'TypeError', /"groups"/],
      ['link', {}, 'TypeError', /"groups"/],
      [['link', 'routes'], {}, 'TypeError', /"groups\[1\]" to be one of link, ipv4-addr/],
      [[7], {}, 'TypeError', /"groups\[0\]"/],
      [['link'], null, 'TypeError', /"options"/],
      [['link'], { resync: 'yes' }, 'TypeError', /"resync"/],
      [['link'], { maxQueue: 0 }, 'RangeError', /"maxQueue"/],
      [['link'], { maxQueue: 1.5 }, 'TypeError', /"maxQueue"/],
      [['link'], { rcvbuf: -1 }, 'RangeError', /"rcvbuf"/],
      [['ipv4-netconf'], { resync: true }, 'TypeError', /ipv4-netconf with resync/],
      [['link', 'nsid'], { resync: true }, 'TypeError', /nsid with resync/],
    ];
    for (const [groups, opts, name, message] of bad) {
      t.throws(
        () => h.monitor(groups as MonitorGroup[], opts as MonitorOptions),
        { name, message },
        `${JSON.stringify(groups)} ${JSON.stringify(opts)}`,
      );
    }
    t.notOk(h.closed, 'the handle is untouched');
  },
);

t.test("keys are the kernel's identities", async (t) => {
  const link = (index: number, mtu: number): NlMsg =>
    msg(RTM_NEWLINK, [AF_UNSPEC, 0, 1, 0, ...le32(index)], 16, [[4, u32(mtu)]]);
  t.equal(KINDS.link.key(link(7, 1500).buf, link(7, 1500).off, link(7, 1500).end), '7', 'a link by its index');

  const addr = (family: number, prefixlen: number, index: number, attrs: [number, Buffer][]): string => {
    const m = msg(RTM_NEWADDR, [family, prefixlen, 0, 0, ...le32(index)], 8, attrs);
    return KINDS.addr.key(m.buf, m.off, m.end);
  };
  const a1 = addr(AF_INET, 24, 3, [
    [1, ip4('10.0.0.1')],
    [2, ip4('10.0.0.1')],
  ]);
  t.not(
    a1,
    addr(AF_INET, 16, 3, [
      [1, ip4('10.0.0.1')],
      [2, ip4('10.0.0.1')],
    ]),
    'IPv4: the prefix length is part of it',
  );
  t.not(
    a1,
    addr(AF_INET, 24, 3, [
      [1, ip4('10.0.0.9')],
      [2, ip4('10.0.0.1')],
    ]),
    'IPv4: so is the peer',
  );
  t.not(
    a1,
    addr(AF_INET, 24, 4, [
      [1, ip4('10.0.0.1')],
      [2, ip4('10.0.0.1')],
    ]),
    'and the link',
  );
  const v6 = Buffer.from('20010db8000000000000000000000001', 'hex');
  t.equal(addr(AF_INET6, 64, 3, [[1, v6]]), addr(AF_INET6, 48, 3, [[1, v6]]), 'IPv6: the address alone');

  const route = (family: number, dstLen: number, table: number, attrs: [number, Buffer][]): string => {
    const m = msg(RTM_NEWROUTE, [family, dstLen, 0, 0, table, 3, 0, 1], 12, attrs);
    return KINDS.route.key(m.buf, m.off, m.end);
  };
  const dst = ip4('10.1.0.0');
  const viaA = route(AF_INET, 16, 254, [
    [1, dst],
    [5, ip4('10.0.0.2')],
    [4, u32(3)],
  ]);
  const viaB = route(AF_INET, 16, 254, [
    [1, dst],
    [5, ip4('10.0.0.3')],
    [4, u32(3)],
  ]);
  t.not(viaA, viaB, 'IPv4: another gateway, another route (NLM_F_APPEND aliases)');
  t.equal(routeSlot(viaA), routeSlot(viaB), 'in the same slot (what NLM_F_REPLACE replaces)');
  t.not(
    routeSlot(viaA),
    routeSlot(
      route(AF_INET, 16, 254, [
        [1, dst],
        [5, ip4('10.0.0.2')],
        [4, u32(3)],
        [6, u32(10)],
      ]),
    ),
    'the metric makes another slot',
  );
  t.equal(
    route(AF_INET, 16, 252, [
      [1, dst],
      [15, u32(1000)],
    ]),
    route(AF_INET, 16, 254, [
      [1, dst],
      [15, u32(1000)],
    ]),
    'RTA_TABLE wins over rtm_table',
  );
  const ll = Buffer.from('fe800000000000000000000000000000', 'hex');
  t.not(
    route(AF_INET6, 64, 254, [
      [1, ll],
      [4, u32(2)],
    ]),
    route(AF_INET6, 64, 254, [
      [1, ll],
      [4, u32(3)],
    ]),
    'IPv6: device routes on two links are two routes',
  );
  t.equal(
    route(AF_INET6, 64, 254, [
      [1, ll],
      [5, v6],
      [4, u32(2)],
    ]),
    route(AF_INET6, 64, 254, [
      [1, ll],
      [9, Buffer.alloc(8)],
    ]),
    'IPv6: gateway routes of a slot are one (multipath) route',
  );
  const cloned = msg(RTM_NEWROUTE, [AF_INET6, 128, 0, 0, 254, 3, 0, 1, ...le32(0x200)], 12);
  t.notOk(KINDS.route.accept!(cloned.buf, cloned.off, cloned.end), 'cached (RTM_F_CLONED) routes are not reported');

  const neigh = (flags: number): string => {
    const m = msg(RTM_NEWNEIGH, [AF_INET, 0, 0, 0, ...le32(3), 0x80, 0, flags, 1], 12, [[1, ip4('10.0.0.7')]]);
    return KINDS.neigh.key(m.buf, m.off, m.end);
  };
  t.not(neigh(0), neigh(0x08), 'a proxy entry is not the neighbour of the same address');
  t.equal(neigh(0), neigh(0x80), 'other flags (router) do not make another neighbour');
  t.throws(() => KINDS.route.key(Buffer.alloc(8), 0, 8), { name: 'DecodeError' }, 'a short header is a DecodeError');
});

t.test('sameState ignores statistics, timestamps and ifi_change, nothing else', async (t) => {
  const stats = (n: number): Buffer => Buffer.alloc(200, n);
  const link = (change: number, mtu: number, rx: number): NlMsg =>
    msg(RTM_NEWLINK, [AF_UNSPEC, 0, 1, 0, ...le32(7), ...le32(0x1003), ...le32(change)], 16, [
      [3, Buffer.from('eth0\0')],
      [4, u32(mtu)],
      [23, stats(rx)],
    ]);
  t.ok(sameState(KINDS.link, link(0, 1500, 1), link(0xffffffff, 1500, 2)), 'other counters, another ifi_change: same');
  t.notOk(sameState(KINDS.link, link(0, 1500, 1), link(0, 1400, 1)), 'another MTU: changed');
  const cache = (n: number): NlMsg =>
    msg(RTM_NEWNEIGH, [AF_INET, 0, 0, 0, ...le32(3), 0x02, 0, 0, 1], 12, [
      [1, ip4('10.0.0.7')],
      [3, Buffer.alloc(16, n)],
      [4, u32(n)],
    ]);
  t.ok(sameState(KINDS.neigh, cache(1), cache(2)), 'neighbour cacheinfo and probes: same');
  const state = (nud: number): NlMsg =>
    msg(RTM_NEWNEIGH, [AF_INET, 0, 0, 0, ...le32(3), nud, 0, 0, 1], 12, [[1, ip4('10.0.0.7')]]);
  t.notOk(sameState(KINDS.neigh, state(0x02), state(0x04)), 'reachable → stale: changed');
});

t.test('netconf and nsid messages decode', async (t) => {
  const names = new Map([[3, 'eth0']]);
  const nc = (index: number, attrs: [number, Buffer][]): NlMsg =>
    msg(RTM_NEWNETCONF, [AF_INET], 4, [[1, s32(index)], ...attrs]);
  t.same(
    decodeNetconf(
      nc(3, [
        [2, s32(1)],
        [3, s32(2)],
      ]),
      names,
    ),
    { family: 4, index: 3, dev: 'eth0', forwarding: 1, rpFilter: 2 },
  );
  t.same(decodeNetconf(nc(-1, [[2, s32(0)]]), names), { family: 4, index: 'all', forwarding: 0 });
  t.same(decodeNetconf(nc(-2, [[5, s32(1)]]), names), { family: 4, index: 'default', proxyNeigh: 1 });
  t.same(
    decodeNsid(
      msg(RTM_NEWNSID, [AF_UNSPEC], 4, [
        [1, s32(42)],
        [5, s32(-1)],
      ]),
    ),
    { nsid: 42, currentNsid: -1 },
  );
  t.throws(() => decodeNetconf(msg(RTM_NEWNETCONF, [AF_INET], 4, [[1, Buffer.alloc(2)]]), names), {
    name: 'DecodeError',
  });
});

t.test('the view: slots, replaces and diffs', async (t) => {
  const d = KINDS.route;
  const r = (via: string, metric = 0): { key: string; m: NlMsg } => {
    const m = msg(RTM_NEWROUTE, [AF_INET, 16, 0, 0, 254, 3, 0, 1], 12, [
      [1, ip4('10.1.0.0')],
      [6, u32(metric)],
      [5, ip4(via)],
      [4, u32(3)],
    ]);
    return { key: d.key(m.buf, m.off, m.end), m };
  };
  const v = new View();
  const a = r('10.0.0.2');
  const b = r('10.0.0.3');
  v.apply({ d, del: false, replace: false, ...a });
  t.same(v.slotmates(b.key), [a.key], 'a route replacing the slot would replace a');
  v.apply({ d, del: false, replace: false, ...b });
  t.same(v.slotmates(b.key), [a.key], 'its slotmates exclude itself');
  v.apply({ d, del: true, replace: false, ...a });
  t.same(v.slotmates(a.key), [b.key]);

  const target = new View();
  const c = r('10.0.0.4', 5);
  target.apply({ d, del: false, replace: false, ...b });
  target.apply({ d, del: false, replace: false, ...c });
  t.same(
    v.diff(['route'], target).map((x) => [x.del ? 'del' : 'new', x.key]),
    [['new', c.key]],
    'only what differs',
  );
  const empty = new View();
  t.same(
    v.diff(['route'], empty).map((x) => [x.del ? 'del' : 'new', x.key]),
    [['del', b.key]],
    'what went',
  );
});

/** Replies to the dump with sequence `seq` from the kernel's port (pid = our port in real life). */
function reply(type: number, seq: number, flags = NLM_F_MULTI, body: number[] = []): NlMsg {
  return msg(type, body, body.length, [], flags, seq, 77);
}

t.test('dumps on a monitor socket: one at a time, ENOBUFS on the request survived, interruptions redone', async (t) => {
  const sent: Buffer[] = [];
  const q = new DumpQueue((b) => sent.push(b));
  const seqOf = (i: number): number => sent[i]!.readUInt32LE(8);
  const body = { write: (w: NlWriter) => w.zeros(16), owns: () => true };
  const log: string[] = [];
  const job = (name: string): DumpJob => ({
    type: RTM_GETLINK,
    body,
    subject: name,
    onMessage: (m) => log.push(`${name} msg ${m.type}`),
    onRestart: () => log.push(`${name} restart`),
    onDone: (err) =>
      log.push(`${name} done ${err ? err.constructor.name + ' ' + ((err as NetlinkError).code ?? '') : 'ok'}`),
  });
  const a = job('a');
  const b = job('b');
  q.add(a);
  q.add(b);
  t.equal(sent.length, 1, 'the second dump waits for the first');
  t.equal(sent[0]!.readUInt16LE(4), RTM_GETLINK);
  t.equal(sent[0]!.readUInt16LE(6), NLM_F_REQUEST | NLM_F_DUMP);
  t.notOk(a.started, 'not started before its first reply');
  // The kernel refused the request with ENOBUFS (congested socket) but runs the dump anyway.
  q.receive(msg(NLMSG_ERROR, [...s32(-105), ...Buffer.alloc(16)], 20, [], 0, seqOf(0), 77));
  t.same(log, [], 'ENOBUFS on the request does not end the dump');
  q.receive(reply(RTM_NEWLINK, seqOf(0)));
  t.ok(a.started, 'started at its first reply');
  q.receive(reply(RTM_NEWLINK, 12345));
  q.receive(reply(RTM_NEWLINK, seqOf(0), NLM_F_MULTI | NLM_F_DUMP_INTR));
  q.receive(reply(RTM_NEWLINK, seqOf(0)));
  q.receive(reply(NLMSG_DONE, seqOf(0), NLM_F_MULTI, [0, 0, 0, 0]));
  t.same(
    log,
    ['a msg 16', 'a restart'],
    'a reply of another seq is ignored; an interrupted dump is made again, its later replies withheld',
  );
  t.equal(sent.length, 2, 'sent again');
  t.not(seqOf(1), seqOf(0), 'with a new sequence number');
  q.receive(reply(RTM_NEWLINK, seqOf(1)));
  q.receive(reply(NLMSG_DONE, seqOf(1), NLM_F_MULTI, [0, 0, 0, 0]));
  t.same(log.slice(2), ['a msg 16', 'a done ok'], 'then it completes');
  t.equal(sent.length, 3, 'and the next dump goes out');
  q.receive(reply(NLMSG_DONE, seqOf(2), NLM_F_MULTI, [...s32(-22)]));
  t.same(log.slice(4), ['b done NetlinkError EINVAL'], 'an error in NLMSG_DONE fails the dump');

  const c = job('c');
  const d = job('d');
  q.add(c);
  q.add(d);
  q.cancel((j) => j === d);
  q.sendFailed(sent.length, 1);
  t.same(log.slice(5), ['c done NetlinkError EPERM'], 'a failed sendmsg fails the dump; a cancelled one never runs');
  t.equal(sent.length, 4);

  const e = job('e');
  const retries = new DumpQueue((buf) => sent.push(buf), 2);
  retries.add(e);
  for (let i = 0; i < 3; i++)
    retries.receive(reply(NLMSG_DONE, seqOf(sent.length - 1), NLM_F_MULTI | NLM_F_DUMP_INTR, [0, 0, 0, 0]));
  t.match(log.slice(-1), [`e done ${DumpInterruptedError.name}`], 'interrupted more often than allowed');
});
