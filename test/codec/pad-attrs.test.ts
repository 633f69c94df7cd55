// Padding attributes (IFLA_PAD, IFLA_BR_PAD, IFLA_BRPORT_PAD, BRIDGE_QUERIER_PAD, RTA_PAD,
// FRA_PAD, NHA_RES_GROUP_PAD): the kernel puts an empty one before a 64-bit value that would sit
// unaligned (nla_put_64bit / nla_align_64bit), on architectures without efficient unaligned
// access (seen on User-mode Linux: nine IFLA_BR_PAD in a bridge's IFLA_INFO_DATA). They carry
// nothing: a message with them decodes as the same message without them, with no `unknown` entry.
import t from 'tap';
import { decodeLink } from '../../lib/link/link.js';
import { decodeRoute } from '../../lib/route/decode.js';
import { decodeRule } from '../../lib/rule/fra.js';
import { nhaResGroup } from '../../lib/nexthop.js';
import { defineAttrs, u32 } from '../../lib/core/schema.js';
import { cstr, msgOf, nla, nlmsg, u32le } from '../helpers/fake-transport.js';
import { linkMsg, portOf } from '../helpers/port-kernel.js';

/** An empty attribute of `type`, as nla_align_64bit reserves it. */
const pad = (type: number): Buffer => nla(type, Buffer.alloc(0));
const u64le = (v: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(v));
  return b;
};
const u16le = (v: number): Buffer => Buffer.from([v & 0xff, v >> 8]);

t.test('a bridge: IFLA_PAD, IFLA_BR_PAD and BRIDGE_QUERIER_PAD are skipped', async (t) => {
  const bridge = (p: (type: number) => Buffer[]): Buffer => {
    const querier = Buffer.concat([nla(1, Buffer.from([10, 0, 0, 1])), ...p(4), nla(3, u64le(250))]);
    const data = Buffer.concat([
      nla(1, u32le(1500)), // IFLA_BR_FORWARD_DELAY
      ...p(40),
      nla(16, u64le(37)), // IFLA_BR_HELLO_TIMER
      ...p(40),
      nla(19, u64le(1234)), // IFLA_BR_GC_TIMER
      nla(47, querier), // IFLA_BR_MCAST_QUERIER_STATE
    ]);
    const info = nla(18, Buffer.concat([nla(1, cstr('bridge')), nla(2, data)]));
    return Buffer.concat([...p(42), info]);
  };
  const padded = decodeLink(msgOf(linkMsg(0, 'br0', { index: 5, attrs: bridge((n) => [pad(n)]) })));
  const plain = decodeLink(msgOf(linkMsg(0, 'br0', { index: 5, attrs: bridge(() => []) })));
  t.strictSame(padded, plain, 'the same link as without the padding');
  t.match(padded, { type: 'bridge', forwardDelay: 1500, helloTimer: 37, gcTimer: 1234 });
  t.equal((padded as { unknown?: unknown }).unknown, undefined, 'no unknown attribute');
  t.match(padded, { mcastQuerierState: { ipAddress: '10.0.0.1', ipOtherTimer: 250 } });
  t.notOk('unknown' in ((padded as { mcastQuerierState?: object }).mcastQuerierState ?? {}), 'nor in the querier');
});

t.test("a bridge's port: IFLA_BRPORT_PAD is skipped", async (t) => {
  const port = (p: Buffer[]): Buffer =>
    portOf(
      5,
      'bridge',
      Buffer.concat([nla(1, Buffer.from([3])), nla(3, u32le(100)), ...p, nla(22, u64le(55))]), // STATE, COST, MESSAGE_AGE_TIMER
    );
  const padded = decodeLink(msgOf(linkMsg(0, 'p0', { index: 3, attrs: port([pad(26)]) })));
  const plain = decodeLink(msgOf(linkMsg(0, 'p0', { index: 3, attrs: port([]) })));
  t.strictSame(padded.bridgePort, plain.bridgePort);
  t.match(padded.bridgePort, { state: 'forwarding', cost: 100 });
  t.notOk('unknown' in (padded.bridgePort ?? {}), 'no unknown attribute');
  // another unknown attribute is still kept
  const other = decodeLink(msgOf(linkMsg(0, 'p0', { index: 3, attrs: portOf(5, 'bridge', pad(250)) })));
  t.strictSame(other.bridgePort?.unknown, [{ type: 250, data: Buffer.alloc(0) }], 'an unknown empty one is kept');
});

/** RTM_NEWROUTE 10.1.0.0/16 in table 254, with `attrs` after rtmsg. */
function routeMsg(attrs: Buffer[]): Buffer {
  const rtm = Buffer.from([2, 16, 0, 0, 254, 3, 0, 1, 0, 0, 0, 0]);
  return nlmsg(24, 0, 0, Buffer.concat([rtm, ...attrs]));
}

t.test('a route: RTA_PAD is skipped on the fast path and the table path', async (t) => {
  const table = nla(15, u32le(254));
  const dst = nla(1, Buffer.from([10, 1, 0, 0]));
  const oif = nla(4, u32le(3));
  const plain = decodeRoute(msgOf(routeMsg([table, dst, oif])));
  t.strictSame(decodeRoute(msgOf(routeMsg([table, nla(24, Buffer.alloc(0)), dst, oif]))), plain, 'fast path');
  t.match(plain, { dst: '10.1.0.0/16', table: 254, index: 3 });
  // RTA_SRC sends the message down the table path (its src_len is 0 here: no `from` either way)
  const src = nla(2, Buffer.from([0, 0, 0, 0]));
  const slowPlain = decodeRoute(msgOf(routeMsg([table, dst, src, oif])));
  const slowPadded = decodeRoute(msgOf(routeMsg([table, dst, src, nla(24, Buffer.alloc(0)), oif])));
  t.strictSame(slowPadded, slowPlain, 'table path');
  t.equal(slowPadded.unknown, undefined, 'no unknown attribute');
});

t.test('a rule: FRA_PAD is skipped', async (t) => {
  const rule = (p: Buffer[]): Buffer => {
    const hdr = Buffer.from([2, 0, 0, 0, 254, 0, 0, 1, 0, 0, 0, 0]); // AF_INET, table main, FR_ACT_TO_TBL
    const tunId = Buffer.alloc(8);
    return nlmsg(32, 0, 0, Buffer.concat([hdr, nla(6, u32le(100)), ...p, nla(12, tunId)])); // PRIORITY, TUN_ID
  };
  const plain = decodeRule(msgOf(rule([])));
  t.strictSame(decodeRule(msgOf(rule([pad(18)]))), plain);
  t.match(plain, { priority: 100, action: 'to_tbl' });
});

t.test("a nexthop's resilient group: NHA_RES_GROUP_PAD (0) is skipped", async (t) => {
  const body = Buffer.concat([pad(0), nla(1, u16le(32))]);
  t.strictSame(nhaResGroup.decode(body, 0, body.length), { buckets: 32 });
});

t.test('a table names its padding attribute once, and never one of its rows', async (t) => {
  const table = defineAttrs<{ a: number }>('T', { a: [1, u32] }).padded(2);
  t.strictSame(table.decode(Buffer.concat([pad(2), nla(1, u32le(7)), pad(2)]), 0, 16), { a: 7 });
  t.throws(() => defineAttrs<{ a: number }>('T', { a: [1, u32] }).padded(1), /attribute 1 has a row/);
});
