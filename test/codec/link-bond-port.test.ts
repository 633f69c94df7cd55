// Bond port options (IFLA_INFO_SLAVE_DATA of a bond's port, IFLA_BOND_SLAVE_*): decoding replies
// shaped as drivers/net/bonding/bond_netlink.c's bond_fill_slave_info writes them (this kernel has
// no bonding driver to capture one from), the request link.set sends beside iproute2's
// `ip link set dev p0 type bond_slave …` (set-bond-port*.hex, captured although the kernel
// refuses it: p0 has no master), and the checks made before anything is sent. No root needed.
import t, { type Test } from 'tap';
import { RTM_NEWLINK } from '../../lib/core/constants.js';
import { DecodeError } from '../../lib/core/errors.js';
import { decodeLink } from '../../lib/link/link.js';
import { PORTS } from '../../lib/link/kinds/index.js';
import type { BondPort, Link, LinkChange, VethLink } from '../../lib/index.js';
import { cstr, fakeHandle, linkPayload, msgOf, nla, nlmsg, u32le, type SentMsg } from '../helpers/fake-transport.js';
import {
  attrTree,
  compareWithCapture,
  kindOnly,
  newlinks,
  portOf,
  refusesBadPortValues,
  scriptLinks,
  setAmong,
  slaveData,
  type FakeLink,
  type ScriptedSet,
} from '../helpers/port-kernel.js';
import { readFixture, type Fixture } from '../fixtures/link/fixture.js';

const EOPNOTSUPP = 95;
const EPERM = 1;

/** Bytes from hex, one attribute a line (spaces ignored). */
function hex(...attrs: string[]): Buffer {
  return Buffer.from(attrs.join('').replace(/\s+/g, ''), 'hex');
}

// IFLA_INFO_SLAVE_DATA as bond_fill_slave_info writes it: each attribute padded to 4 bytes
// (nla_put: a u8 takes 8, a u16 8, PERM_HWADDR's addr_len 6 bytes 12).
const ACTIVE_BACKUP = hex(
  '05 00 01 00  01 00 00 00', // IFLA_BOND_SLAVE_STATE u8 BOND_STATE_BACKUP
  '05 00 02 00  00 00 00 00', // IFLA_BOND_SLAVE_MII_STATUS u8 BOND_LINK_UP
  '08 00 03 00  02 00 00 00', // IFLA_BOND_SLAVE_LINK_FAILURE_COUNT u32 2
  '0a 00 04 00  02 00 00 00 00 01 00 00', // IFLA_BOND_SLAVE_PERM_HWADDR, addr_len 6
  '06 00 05 00  03 00 00 00', // IFLA_BOND_SLAVE_QUEUE_ID u16 3
  '08 00 09 00  f6 ff ff ff', // IFLA_BOND_SLAVE_PRIO s32 -10
);

// 802.3ad, the port in an aggregator: the AD attributes, the churn states, then ACTOR_PORT_PRIO
const LACP = hex(
  '05 00 01 00  00 00 00 00', // STATE u8 BOND_STATE_ACTIVE
  '05 00 02 00  00 00 00 00', // MII_STATUS u8 BOND_LINK_UP
  '08 00 03 00  00 00 00 00', // LINK_FAILURE_COUNT u32 0
  '0a 00 04 00  02 00 00 00 00 02 00 00', // PERM_HWADDR
  '06 00 05 00  00 00 00 00', // QUEUE_ID u16 0
  '08 00 09 00  00 00 00 00', // PRIO s32 0
  '06 00 06 00  01 00 00 00', // AD_AGGREGATOR_ID u16 1
  '05 00 07 00  3d 00 00 00', // AD_ACTOR_OPER_PORT_STATE u8 0x3d
  '06 00 08 00  3f 00 00 00', // AD_PARTNER_OPER_PORT_STATE u16 0x3f
  '05 00 0b 00  02 00 00 00', // AD_CHURN_ACTOR_STATE u8 AD_NO_CHURN
  '05 00 0c 00  01 00 00 00', // AD_CHURN_PARTNER_STATE u8 AD_CHURN
  '06 00 0a 00  ff 00 00 00', // ACTOR_PORT_PRIO u16 255
);

/** The RTM_NEWLINK of p0 (index 3), a port of bond 40 reporting `data`. */
function portMsg(data: Buffer, nestedFlag = false): Link {
  const info = Buffer.concat([nla(1, cstr('veth')), nla(4, cstr('bond')), nla(nestedFlag ? 0x8005 : 5, data)]);
  return decodeLink(
    msgOf(nlmsg(RTM_NEWLINK, 0, 0, Buffer.concat([linkPayload(3, 'p0'), nla(10, u32le(40)), nla(18, info)]))),
  );
}

t.test("decodes an active-backup port's IFLA_INFO_SLAVE_DATA into bondPort", async (t) => {
  const l = portMsg(ACTIVE_BACKUP);
  t.equal(l.type, 'veth');
  t.equal(l.master, 40);
  t.strictSame(l.bondPort, {
    state: 'BACKUP',
    miiStatus: 'UP',
    linkFailureCount: 2,
    permHwaddr: '02:00:00:00:00:01',
    queueId: 3,
    prio: -10,
  });
  t.equal(l.bridgePort, undefined, 'no bridgePort beside it');
  // a team's port: team_link_ops has no fill_slave_info, so rtnl_link_slave_info_fill writes
  // IFLA_INFO_SLAVE_KIND "team" and no IFLA_INFO_SLAVE_DATA
  const team = decodeLink(msgOf(nlmsg(RTM_NEWLINK, 0, 0, Buffer.concat([linkPayload(5, 'r0'), portOf(32, 'team')]))));
  t.equal(team.master, 32);
  t.equal(team.bondPort, undefined, 'a team port has no bondPort');
  // the kernel nests it without NLA_F_NESTED (nla_nest_start_noflag); with the flag it reads the same
  t.strictSame(portMsg(ACTIVE_BACKUP, true).bondPort, l.bondPort, 'NLA_F_NESTED or not, the same');
});

t.test("decodes an 802.3ad port's LACP and churn states and actor port priority", async (t) => {
  t.strictSame(portMsg(LACP).bondPort, {
    state: 'ACTIVE',
    miiStatus: 'UP',
    linkFailureCount: 0,
    permHwaddr: '02:00:00:00:00:02',
    queueId: 0,
    prio: 0,
    adAggregatorId: 1,
    adActorOperPortState: 0x3d,
    adPartnerOperPortState: 0x3f,
    churnActorState: 'NO_CHURN',
    churnPartnerState: 'CHURN',
    actorPortPrio: 255,
  });
});

t.test('what the decoder does not know or cannot trust', async (t) => {
  // a newer attribute is kept, a state without a name reads as its number, other lengths are
  // the port's: an InfiniBand port's 20-byte address, a bond with nothing to report
  const newer = hex('05 00 01 00  07 00 00 00', '05 00 02 00  09 00 00 00', '08 00 0d 00  2a 00 00 00');
  // typed as BondPort: the names' types say that a value may be a number's text
  const unnamed: BondPort = { state: '7', miiStatus: '9', unknown: [{ type: 13, data: u32le(42) }] };
  t.strictSame(portMsg(newer).bondPort, unnamed);
  const ib = Buffer.concat([nla(4, Buffer.alloc(20, 0xab))]);
  t.equal(portMsg(ib).bondPort?.permHwaddr, Array(20).fill('ab').join(':'));
  t.strictSame(portMsg(Buffer.alloc(0)).bondPort, {}, 'an empty IFLA_INFO_SLAVE_DATA');

  // lengths from the wire are checked, never trusted: short values and overruns are DecodeErrors
  const bad: [string, Buffer, RegExp][] = [
    ['a 1-byte QUEUE_ID', hex('05 00 05 00  03 00 00 00'), /u16 needs 2 bytes, has 1/],
    ['a 2-byte PRIO', hex('06 00 09 00  ff ff 00 00'), /s32 needs 4 bytes, has 2/],
    ['an empty STATE', hex('04 00 01 00'), /needs 1 bytes, has 0/],
    ['a length past the nest', hex('0c 00 03 00  00 00 00 00'), /length 12, 8 bytes remain/],
    ['a length under the header', hex('02 00 03 00  00 00 00 00'), /length 2/],
  ];
  for (const [what, data, reason] of bad) {
    const e = t.throws(() => portMsg(data), DecodeError, what) as unknown;
    t.match(e, { reason, path: ['IFLA_LINKINFO', 'IFLA_INFO_SLAVE_DATA(bond)'] }, what);
  }
  const e = t.throws(() => portMsg(hex('05 00 05 00  03 00 00 00'))) as unknown;
  t.match(e, { path: ['IFLA_LINKINFO', 'IFLA_INFO_SLAVE_DATA(bond)', 'queueId'] }, 'the path names the field');
});

// ---- link.set: the request, beside iproute2's ----

/**
 * p0 a port of bond b0, p1 a veth without a master, q0 a port of bridge br0, r0 a port of team t0,
 * n0 a veth to enslave; p0 and p1 have their capture's indexes.
 */
function world(fx: Fixture): Map<string, FakeLink> {
  const ix = (n: string): number => fx.links.get(n) ?? 0;
  return new Map<string, FakeLink>([
    ['p0', { index: ix('p0'), attrs: portOf(40, 'bond', ACTIVE_BACKUP) }],
    ['p1', { index: ix('p1'), attrs: kindOnly('veth') }],
    ['b0', { index: 40, attrs: kindOnly('bond') }],
    ['br0', { index: 30, attrs: kindOnly('bridge') }],
    ['q0', { index: 31, attrs: portOf(30, 'bridge', nla(1, Buffer.from([3]))) }],
    ['t0', { index: 32, attrs: kindOnly('team') }],
    ['r0', { index: 33, attrs: portOf(32, 'team') }],
    ['n0', { index: 42, attrs: kindOnly('veth') }],
  ]);
}

const SET_CASES: { name: string; change: LinkChange; back: Record<string, unknown> }[] = [
  { name: 'set-bond-port', change: { bondPort: { queueId: 3 } }, back: { queueId: 3 } },
  {
    name: 'set-bond-port-prio',
    change: { bondPort: { prio: -10, queueId: 65535 } },
    back: { prio: -10, queueId: 65535 },
  },
];

for (const c of SET_CASES) {
  t.test(`link.set sends what \`${readFixture(c.name).meta.get('cmd')![0]}\` sends`, async (t) => {
    const fx = readFixture(c.name);
    const { h, fake } = fakeHandle();
    t.teardown(() => h.close());
    scriptLinks(fake, world(fx));
    const got = await h.link.set('p0', c.change);
    t.equal(got.name, 'p0');
    const sent = newlinks(fake);
    t.equal(sent.length, 1, 'one RTM_NEWLINK');
    compareWithCapture(t, sent[0]!, fx);
    // and our table reads iproute2's request back to the change
    const data = slaveData(fx.last.msg);
    t.strictSame(PORTS.get('bond')!.data.decode(data, 0, data.length), c.back, "iproute2's request read back");
  });
}

t.test("actorPortPrio: iproute2's addattr16(IFLA_BOND_SLAVE_ACTOR_PORT_PRIO) bytes", async (t) => {
  // iproute2 6.1 has no actor_port_prio; ee2a4a86's ip/iplink_bond_slave.c sends a u16 (type 10)
  const fx = readFixture('set-bond-port');
  const { h, fake } = fakeHandle();
  t.teardown(() => h.close());
  scriptLinks(fake, world(fx));
  await h.link.set('p0', { bondPort: { actorPortPrio: 0x1234, queueId: 0 } });
  const sent = newlinks(fake);
  t.equal(sent.length, 1);
  t.equal(
    slaveData(sent[0]!.msg).toString('hex'),
    '0600050000000000' + '06000a0034120000',
    'queue_id 0, then actor_port_prio',
  );
});

// ---- what is refused, and how ----

function setIn(t: Test, change: LinkChange, ref = 'p0', refuse?: (m: SentMsg) => number): ScriptedSet {
  return setAmong(t, world(readFixture('set-bond-port')), change, ref, refuse);
}

t.test('bad bondPort values are refused naming the field, before anything is sent', async (t) => {
  const bad: [Record<string, unknown>, RegExp, typeof TypeError][] = [
    [{ queueId: 65536 }, /"bondPort\.queueId" to be an integer in 0\.\.65535, got 65536/, RangeError],
    [{ queueId: -1 }, /"bondPort\.queueId" to be an integer in 0\.\.65535, got -1/, RangeError],
    [{ queueId: 1.5 }, /"bondPort\.queueId"/, TypeError],
    [{ queueId: '3' }, /"bondPort\.queueId"/, TypeError],
    [{ prio: 2 ** 31 }, /"bondPort\.prio" to be an integer in -2147483648\.\.2147483647/, RangeError],
    [{ prio: -(2 ** 31) - 1 }, /"bondPort\.prio"/, RangeError],
    [{ prio: null }, /"bondPort\.prio"/, TypeError],
    [{ actorPortPrio: 65536 }, /"bondPort\.actorPortPrio" to be an integer in 0\.\.65535/, RangeError],
    [
      { queue_id: 3 },
      /Unknown field "bondPort\.queue_id" \(a bond port takes queueId, prio, actorPortPrio\)/,
      TypeError,
    ],
    [{ priority: 3 }, /Unknown field "bondPort\.priority"/, TypeError],
    [{ state: 'BACKUP' }, /Field "bondPort\.state" is read-only/, TypeError],
    [{ miiStatus: 'UP' }, /Field "bondPort\.miiStatus" is read-only/, TypeError],
    [{ permHwaddr: '02:00:00:00:00:09' }, /Field "bondPort\.permHwaddr" is read-only/, TypeError],
    [{ linkFailureCount: 0 }, /Field "bondPort\.linkFailureCount" is read-only/, TypeError],
    [{ churnActorState: 'CHURN' }, /Field "bondPort\.churnActorState" is read-only/, TypeError],
    [{ unknown: [] }, /Unknown field "bondPort\.unknown"/, TypeError],
  ];
  await refusesBadPortValues(t, 'bondPort', bad, (change) => setIn(t, change));
});

t.test('bondPort on a port of a bridge or a team is refused before sending', async (t) => {
  // the kernel would read IFLA_BOND_SLAVE_* numbers with the master's table (QUEUE_ID as IFLA_BRPORT_GUARD)
  for (const [ref, master] of [
    ['q0', 30],
    ['r0', 32],
  ] as const) {
    const s = setIn(t, { bondPort: { queueId: 1 } }, ref);
    await t.rejects(s.run(), {
      name: 'TypeError',
      message: new RegExp(
        `^Expected "bondPort" only on a port of a bond: ${ref}'s master \\(index ${master}\\) is not a bond$`,
      ),
    });
    t.equal(newlinks(s.fake).length, 0, `${ref}: nothing sent`);
  }
  // and bridgePort on a bond's port, the other way round
  const b = setIn(t, { bridgePort: { hairpin: true } }, 'p0');
  await t.rejects(b.run(), { name: 'TypeError', message: /"bridgePort" only on a port of a bridge: p0's master/ });
});

t.test('bridgePort and bondPort together are refused before sending, in either order', async (t) => {
  const both =
    /^Expected only one of "(bridgePort" and "bondPort|bondPort" and "bridgePort)" \(a link is a port of one master\)$/;
  for (const change of [
    { bridgePort: { cost: 5 }, bondPort: { queueId: 1 } },
    { bondPort: { queueId: 1 }, bridgePort: { cost: 5 } },
  ]) {
    const s = setIn(t, change, 'p0');
    await t.rejects(s.run(), { name: 'TypeError', message: both }, Object.keys(change).join(', '));
    t.equal(newlinks(s.fake).length, 0, 'link.set: nothing sent');
    await t.rejects(
      s.h.link.add({ type: 'veth', name: 'p9', peer: { name: 'p8' }, master: 'b0', ...change }),
      { name: 'TypeError', message: both },
      'link.add',
    );
    t.equal(newlinks(s.fake).length, 0, 'link.add: nothing sent');
  }
});

t.test("bondPort on a link without a master: the kernel's EOPNOTSUPP says so", async (t) => {
  const s = setIn(t, { bondPort: { queueId: 1 } }, 'p1', () => EOPNOTSUPP);
  await t.rejects(s.run(), {
    code: 'EOPNOTSUPP',
    message: /^link\.set p1: .*EOPNOTSUPP.* — "bondPort" needs a port of a bond, and p1 has no master$/,
  });
});

t.test('with master, the port options follow the enslaving request; master must be a bond', async (t) => {
  const s = setIn(t, { master: 'b0', bondPort: { queueId: 2, prio: 5 } }, 'n0');
  await s.run();
  const sent = newlinks(s.fake);
  t.equal(sent.length, 2, 'enslave, then the port options');
  t.same(attrTree(sent[0]!.msg, 32, sent[0]!.msg.length), [{ type: 10, leaf: u32le(40).toString('hex') }]);
  t.same(attrTree(sent[1]!.msg, 32, sent[1]!.msg.length), [
    {
      type: 18,
      kids: [
        { type: 4, leaf: 'bond' },
        {
          type: 5,
          kids: [
            { type: 5, leaf: '0200' },
            { type: 9, leaf: '05000000' },
          ],
        },
      ],
    },
  ]);
  const b = setIn(t, { master: 'br0', bondPort: { queueId: 2 } }, 'n0');
  await t.rejects(b.run(), {
    name: 'TypeError',
    message: /"master" to be a bond with "bondPort", got br0 \(type bridge\)/,
  });
  t.equal(newlinks(b.fake).length, 0);
  const n = setIn(t, { master: null, bondPort: { queueId: 2 } }, 'p0');
  await t.rejects(n.run(), { name: 'TypeError', message: /no "bondPort" with "master: null"/ });
  // the port options refused after the enslaving request went through: the error says so
  const r = setIn(t, { master: 'b0', bondPort: { queueId: 2 } }, 'n0', (m) =>
    m.msg.includes(Buffer.from('bond\0')) ? EPERM : 0,
  );
  await t.rejects(r.run(), {
    code: 'EPERM',
    message: /^link\.set n0 \(bondPort\): Operation not permitted \(EPERM\) — the rest of the change was made$/,
  });
});

// ---- link.add ----

/** The world with the read port p0 reporting `data`, and p9 the link link.add makes. */
async function addLike(t: Test, data: Buffer, refuse?: (m: SentMsg) => number) {
  const fx = readFixture('set-bond-port');
  const links = world(fx);
  links.set('p0', { index: 3, attrs: portOf(40, 'bond', data) });
  links.set('p9', { index: 50 });
  const { h, fake } = fakeHandle();
  t.teardown(() => h.close());
  scriptLinks(fake, links, refuse);
  const read = (await h.link.get('p0')) as VethLink;
  return { add: () => h.link.add({ ...read, type: 'veth', name: 'p9', peer: { name: 'p8' } }), fake };
}

t.test('link.add: a read bond port re-added gets its options by a second request', async (t) => {
  const a = await addLike(t, ACTIVE_BACKUP);
  await a.add();
  const sent = newlinks(a.fake);
  t.equal(sent.length, 2, 'create, then the port options');
  t.notOk(sent[0]!.msg.includes(Buffer.from('bond\0')), 'the create request carries no port options');
  t.same(
    attrTree(sent[0]!.msg, 32, sent[0]!.msg.length).find((x) => x.type === 10),
    {
      type: 10,
      leaf: u32le(40).toString('hex'),
    },
  );
  // the writable options as read: state, miiStatus, linkFailureCount, permHwaddr are left out
  t.same(attrTree(sent[1]!.msg, 32, sent[1]!.msg.length)[0]!.kids!.find((k) => k.type === 5)!.kids, [
    { type: 5, leaf: '0300' },
    { type: 9, leaf: 'f6ffffff' },
  ]);
  t.equal(sent[1]!.payload.readInt32LE(4), 50, "sent on the new link's index");
});

t.test("link.add: options at a new port's own values are not sent (prio 0 would be EACCES in 802.3ad)", async (t) => {
  const a = await addLike(t, LACP);
  await a.add();
  t.equal(newlinks(a.fake).length, 1, 'queueId 0, prio 0 and actorPortPrio 255: no second request');
  const lacp = Buffer.from(LACP);
  lacp.writeUInt16LE(100, lacp.length - 4); // actor_port_prio 100
  const b = await addLike(t, lacp);
  await b.add();
  const sent = newlinks(b.fake);
  t.equal(sent.length, 2);
  t.same(attrTree(sent[1]!.msg, 32, sent[1]!.msg.length)[0]!.kids!.find((k) => k.type === 5)!.kids, [
    { type: 10, leaf: '6400' },
  ]);
});

t.test('link.add: bondPort needs a master that is a bond; a refused port option removes the new link', async (t) => {
  const fx = readFixture('set-bond-port');
  const a = fakeHandle();
  t.teardown(() => a.h.close());
  scriptLinks(a.fake, world(fx));
  await t.rejects(a.h.link.add({ type: 'veth', name: 'p9', peer: { name: 'p8' }, bondPort: { queueId: 1 } }), {
    name: 'TypeError',
    message: /"master" with "bondPort" \(the bond the link is a port of\)/,
  });
  await t.rejects(
    a.h.link.add({ type: 'veth', name: 'p9', peer: { name: 'p8' }, master: 'br0', bondPort: { queueId: 1 } }),
    { name: 'TypeError', message: /"master" to be a bond with "bondPort", got br0/ },
  );
  await t.rejects(
    a.h.link.add({ type: 'veth', name: 'p9', peer: { name: 'p8' }, master: 'b0', bondPort: { queueId: 70000 } }),
    { name: 'RangeError', message: /"bondPort\.queueId"/ },
  );
  t.equal(newlinks(a.fake).length, 0, 'nothing created');

  const r = await addLike(t, ACTIVE_BACKUP, (m) => (m.msg.includes(Buffer.from('bond\0')) ? EPERM : 0));
  await t.rejects(r.add(), { code: 'EPERM', message: /^link\.add p9 \(type veth\) \(bondPort\): / });
  t.equal(r.fake.sent.filter((m) => m.type === 17).length, 1, 'the new link is deleted again (RTM_DELLINK)');
});
