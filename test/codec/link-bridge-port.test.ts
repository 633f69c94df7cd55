// Bridge port options (IFLA_INFO_SLAVE_DATA of a bridge's port, IFLA_BRPORT_*): decoding the
// kernel's reply captured with iproute2 (test/fixtures/link/show-bridge-port.hex), the request
// link.set sends beside iproute2's `ip link set dev p0 type bridge_slave …` (set-bridge-port*.hex),
// and the checks made before anything is sent. No root needed: a scripted kernel answers.
import t, { type Test } from 'tap';
import { RTM_NEWLINK } from '../../lib/core/constants.js';
import { decodeLink } from '../../lib/link/link.js';
import { PORTS } from '../../lib/link/kinds/index.js';
import type { BridgeLink, Link, LinkChange, VethLink } from '../../lib/index.js';
import { cstr, fakeHandle, linkPayload, nla, nlmsg, u32le, type SentMsg } from '../helpers/fake-transport.js';
import {
  attrTree as tree,
  compareWithCapture,
  refusesBadPortValues,
  scriptLinks as script,
  setAmong,
  slaveData,
  type FakeLink,
  type ScriptedSet,
} from '../helpers/port-kernel.js';
import { readFixture, type Fixture, type FixtureMsg } from '../fixtures/link/fixture.js';

const EOPNOTSUPP = 95;

function decode(m: FixtureMsg): Link {
  return decodeLink({ type: m.type, flags: m.flags, seq: 0, pid: 0, buf: m.msg, start: 0, off: 16, end: m.msg.length });
}

/** The kernel's RTM_NEWLINK about `name` among a fixture's replies. */
function replyAbout(fx: Fixture, name: string): Link {
  const m = fx.replies.filter((r) => r.type === RTM_NEWLINK).map(decode);
  const l = m.find((x) => x.name === name);
  if (!l) throw new Error(`no reply about ${name} in ${fx.name}`);
  return l;
}

t.test("decodes the kernel's IFLA_INFO_SLAVE_DATA of a bridge port into bridgePort", async (t) => {
  const fx = readFixture('show-bridge-port');
  const p0 = replyAbout(fx, 'p0') as VethLink;
  t.equal(p0.type, 'veth');
  t.equal(p0.master, fx.links.get('br0'));
  // set up with: hairpin on cost 100 priority 7 learning off isolated on group_fwd_mask 0x4004 backup_port p2
  t.same(p0.bridgePort, {
    state: 'disabled',
    priority: 7,
    cost: 100,
    hairpin: true,
    guard: false,
    rootBlock: false,
    fastLeave: false,
    mcastToUnicast: false,
    learning: false,
    flood: true,
    mcastFlood: true,
    bcastFlood: true,
    proxyArp: false,
    proxyArpWifi: false,
    designatedRoot: '8000.2:0:0:0:0:b0',
    designatedBridge: '8000.2:0:0:0:0:b0',
    designatedPort: 0x1c01,
    designatedCost: 0,
    id: 0x1c01,
    no: 1,
    topologyChangeAck: false,
    configPending: false,
    vlanTunnel: false,
    groupFwdMask: 0x4004,
    neighSuppress: false,
    mrpRingOpen: false,
    mrpInOpen: false,
    isolated: true,
    locked: false,
    mab: false,
    neighVlanSuppress: false,
    messageAgeTimer: 0,
    forwardDelayTimer: 0,
    holdTimer: 0,
    mcastRouter: 1,
    mcastEhtHostsLimit: 512,
    mcastEhtHostsCnt: 0,
    mcastNGroups: 0,
    mcastMaxGroups: 0,
    backupPort: fx.links.get('p2'),
  });
  const br0 = replyAbout(fx, 'br0') as BridgeLink;
  t.equal(br0.bridgePort, undefined, 'a bridge itself is no port');
  t.equal(replyAbout(fx, 'p1').bridgePort, undefined, 'nor is a link without a master');
});

t.test('an IFLA_BRPORT_* attribute the table does not know is kept in bridgePort.unknown', async (t) => {
  const slave = Buffer.concat([nla(1, Buffer.from([3])), nla(99, u32le(7))]);
  const info = nla(18, Buffer.concat([nla(1, cstr('veth')), nla(4, cstr('bridge')), nla(5, slave)]));
  const msg = nlmsg(RTM_NEWLINK, 0, 0, Buffer.concat([linkPayload(3, 'p0'), nla(10, u32le(6)), info]));
  const l = decode({ type: RTM_NEWLINK, flags: 0, msg });
  t.same(l.bridgePort, { state: 'forwarding', unknown: [{ type: 99, data: u32le(7) }] });
});

t.test('a state the kernel may add later decodes as its number, not as a crash', async (t) => {
  const info = nla(18, Buffer.concat([nla(4, cstr('bridge')), nla(5, nla(1, Buffer.from([9])))]));
  const msg = nlmsg(RTM_NEWLINK, 0, 0, Buffer.concat([linkPayload(3, 'eth0'), nla(10, u32le(6)), info]));
  const l = decode({ type: RTM_NEWLINK, flags: 0, msg });
  t.equal(l.type, 'device');
  t.same(l.bridgePort, { state: '9' });
});

// ---- link.set: the request, beside iproute2's ----

/** A bridge port p0 of br0, p2 another port, p1 no port, b0 a bond and q0 its port. */
function world(fx: Fixture): Map<string, FakeLink> {
  const ix = (n: string): number => fx.links.get(n) ?? 0;
  // the kernel reports a port's kind and data (a bond port's IFLA_BOND_SLAVE_STATE is attribute 1 too)
  const master = (m: number, kind: string): Buffer =>
    Buffer.concat([
      nla(10, u32le(m)),
      nla(18, Buffer.concat([nla(1, cstr('veth')), nla(4, cstr(kind)), nla(5, nla(1, Buffer.from([0])))])),
    ]);
  return new Map<string, FakeLink>([
    ['p0', { index: ix('p0'), attrs: master(ix('br0'), 'bridge') }],
    ['p1', { index: ix('p1'), attrs: nla(18, nla(1, cstr('veth'))) }],
    ['p2', { index: ix('p2'), attrs: master(ix('br0'), 'bridge') }],
    ['br0', { index: ix('br0'), attrs: nla(18, nla(1, cstr('bridge'))) }],
    ['b0', { index: 40, attrs: nla(18, nla(1, cstr('bond'))) }],
    ['q0', { index: 41, attrs: master(40, 'bond') }],
    ['n0', { index: 42, attrs: nla(18, nla(1, cstr('veth'))) }],
  ]);
}

const SET_CASES: { name: string; change: LinkChange }[] = [
  {
    name: 'set-bridge-port',
    change: {
      bridgePort: {
        priority: 10,
        cost: 100,
        hairpin: true,
        guard: true,
        rootBlock: true,
        fastLeave: true,
        learning: false,
        flood: false,
        proxyArp: true,
        proxyArpWifi: true,
        mcastRouter: 2,
        mcastFlood: false,
        bcastFlood: false,
        mcastToUnicast: true,
        groupFwdMask: 0x4000,
        neighSuppress: true,
        vlanTunnel: true,
        isolated: true,
        locked: true,
        backupPort: 'p2',
      },
    },
  },
  {
    name: 'set-bridge-port-state',
    change: { bridgePort: { state: 'forwarding', fdbFlush: true, backupPort: null, mcastFastLeave: false } },
  },
];

for (const c of SET_CASES) {
  t.test(`link.set sends what \`${readFixture(c.name).meta.get('cmd')![0]}\` sends`, async (t) => {
    const fx = readFixture(c.name);
    const { h, fake } = fakeHandle();
    t.teardown(() => h.close());
    script(fake, world(fx));
    const got = await h.link.set('p0', c.change);
    t.equal(got.name, 'p0');
    const sent = fake.sent.filter((m) => m.type === RTM_NEWLINK);
    t.equal(sent.length, 1, 'one RTM_NEWLINK');
    compareWithCapture(t, sent[0]!, fx);
  });
}

t.test("the bridge port table reads iproute2's requests back to the changes", async (t) => {
  const table = PORTS.get('bridge')!.data;
  const fx = readFixture('set-bridge-port');
  const data = slaveData(fx.last.msg);
  t.same(table.decode(data, 0, data.length), { ...SET_CASES[0]!.change.bridgePort, backupPort: fx.links.get('p2') });
  const st = readFixture('set-bridge-port-state');
  const d2 = slaveData(st.last.msg);
  t.same(table.decode(d2, 0, d2.length), { state: 'forwarding', fdbFlush: true, backupPort: 0, fastLeave: false });
});

// ---- what is refused, and how ----

function setIn(t: Test, change: LinkChange, ref = 'p0', refuse?: (m: SentMsg) => number): ScriptedSet {
  return setAmong(t, world(readFixture('set-bridge-port')), change, ref, refuse);
}

t.test('bad bridgePort values are refused naming the field, before anything is sent', async (t) => {
  const bad: [Record<string, unknown>, RegExp, typeof TypeError][] = [
    [{ priority: 64 }, /"bridgePort\.priority" to be an integer in 0\.\.63, got 64/, RangeError],
    [{ priority: 1.5 }, /"bridgePort\.priority"/, TypeError],
    [{ cost: 0 }, /"bridgePort\.cost" to be an integer in 1\.\.65535/, RangeError],
    [{ cost: 65536 }, /"bridgePort\.cost"/, RangeError],
    [
      { state: 'up' },
      /"bridgePort\.state" to be one of disabled, listening, learning, forwarding, blocking/,
      TypeError,
    ],
    [{ state: 3 }, /"bridgePort\.state"/, TypeError],
    [{ state: '3' }, /"bridgePort\.state"/, TypeError],
    [{ hairpin: 'on' }, /"bridgePort\.hairpin" to be a boolean/, TypeError],
    [{ learning: 1 }, /"bridgePort\.learning" to be a boolean/, TypeError],
    [{ mcastRouter: 4 }, /"bridgePort\.mcastRouter" to be an integer in 0\.\.3/, RangeError],
    [{ groupFwdMask: 0x2 }, /"bridgePort\.groupFwdMask" to leave bits 0x2 clear/, RangeError],
    [{ groupFwdMask: 0x10000 }, /"bridgePort\.groupFwdMask"/, RangeError],
    [{ mcastEhtHostsLimit: 0 }, /"bridgePort\.mcastEhtHostsLimit" to be an integer in 1\.\./, RangeError],
    [{ backupPort: 'bad/name' }, /"bridgePort\.backupPort"/, TypeError],
    [{ backupPort: -1 }, /"bridgePort\.backupPort"/, TypeError],
    [{ hairpn: true }, /Unknown field "bridgePort\.hairpn"/, TypeError],
    [{ id: 0x8001 }, /Field "bridgePort\.id" is read-only/, TypeError],
    [{ designatedRoot: '8000.0:0:0:0:0:1' }, /Field "bridgePort\.designatedRoot" is read-only/, TypeError],
    [{ unknown: [] }, /Unknown field "bridgePort\.unknown"/, TypeError],
    [
      { fastLeave: true, mcastFastLeave: false },
      /only one of "bridgePort\.fastLeave" and "bridgePort\.mcastFastLeave"/,
      TypeError,
    ],
  ];
  await refusesBadPortValues(t, 'bridgePort', bad, (change) => setIn(t, change));
});

t.test('bridgePort on a port of a bond is refused before sending (the numbers would mean bond options)', async (t) => {
  const s = setIn(t, { bridgePort: { hairpin: true } }, 'q0');
  await t.rejects(s.run(), { name: 'TypeError', message: /"bridgePort" only on a port of a bridge: q0's master/ });
  t.equal(s.fake.sent.filter((m) => m.type === RTM_NEWLINK).length, 0);
});

t.test("bridgePort on a link without a master: the kernel's EOPNOTSUPP says so", async (t) => {
  const s = setIn(t, { bridgePort: { hairpin: true } }, 'p1', () => EOPNOTSUPP);
  await t.rejects(s.run(), {
    code: 'EOPNOTSUPP',
    message: /^link\.set p1: .*EOPNOTSUPP.* — "bridgePort" needs a port of a bridge, and p1 has no master$/,
  });
});

t.test('with master, the port options follow the enslaving request; master must be a bridge', async (t) => {
  const fx = readFixture('set-bridge-port');
  const s = setIn(t, { master: 'br0', bridgePort: { hairpin: true } }, 'n0');
  await s.run();
  const sent = s.fake.sent.filter((m) => m.type === RTM_NEWLINK);
  t.equal(sent.length, 2, 'enslave, then the port options');
  t.same(tree(sent[0]!.msg, 32, sent[0]!.msg.length, ''), [
    { type: 10, leaf: u32le(fx.links.get('br0')!).toString('hex') },
  ]);
  t.same(tree(sent[1]!.msg, 32, sent[1]!.msg.length, ''), [
    {
      type: 18,
      kids: [
        { type: 4, leaf: 'bridge' },
        { type: 5, kids: [{ type: 4, leaf: '01' }] },
      ],
    },
  ]);
  const b = setIn(t, { master: 'b0', bridgePort: { hairpin: true } }, 'n0');
  await t.rejects(b.run(), {
    name: 'TypeError',
    message: /"master" to be a bridge with "bridgePort", got b0 \(type bond\)/,
  });
  t.equal(b.fake.sent.filter((m) => m.type === RTM_NEWLINK).length, 0);
  const n = setIn(t, { master: null, bridgePort: { hairpin: true } }, 'p0');
  await t.rejects(n.run(), { name: 'TypeError', message: /no "bridgePort" with "master: null"/ });
  // the port options refused after the enslaving request went through: the error says so
  const r = setIn(t, { master: 'br0', bridgePort: { state: 'blocking' } }, 'n0', (m) =>
    m.msg.includes(Buffer.from('bridge\0')) ? 100 : 0,
  );
  await t.rejects(r.run(), {
    code: 'ENETDOWN',
    message: /^link\.set n0 \(bridgePort\): Network is down \(ENETDOWN\) — the rest of the change was made$/,
  });
});

t.test('link.add: a read bridge port re-added gets its options by a second request', async (t) => {
  const fx = readFixture('show-bridge-port');
  const read = replyAbout(fx, 'p0') as VethLink;
  const links = world(fx);
  links.set('p9', { index: 50 });
  const { h, fake } = fakeHandle();
  t.teardown(() => h.close());
  script(fake, links);
  await h.link.add({ ...read, type: 'veth', name: 'p9', peer: { name: 'p8' } });
  const sent = fake.sent.filter((m) => m.type === RTM_NEWLINK);
  t.equal(sent.length, 2, 'create, then the port options');
  t.notOk(sent[0]!.msg.includes(Buffer.from('bridge\0')), 'the create request carries no port options');
  const port = tree(sent[1]!.msg, 32, sent[1]!.msg.length, '')[0]!.kids!.find((k) => k.type === 5)!.kids!;
  // state and the read-only fields are left out: the writable options as read
  t.same(
    port.map((a) => a.type),
    [2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 25, 27, 28, 29, 30, 31, 32, 33, 34, 37, 39, 40, 42, 43],
  );
  t.equal(sent[1]!.payload.readInt32LE(4), 50, "sent on the new link's index");
});

t.test(
  'link.add: bridgePort needs a master that is a bridge; a refused port option removes the new link',
  async (t) => {
    const fx = readFixture('show-bridge-port');
    const a = fakeHandle();
    t.teardown(() => a.h.close());
    script(a.fake, world(fx));
    await t.rejects(a.h.link.add({ type: 'veth', name: 'p9', peer: { name: 'p8' }, bridgePort: { hairpin: true } }), {
      name: 'TypeError',
      message: /"master" with "bridgePort"/,
    });
    await t.rejects(
      a.h.link.add({ type: 'veth', name: 'p9', peer: { name: 'p8' }, master: 'b0', bridgePort: { hairpin: true } }),
      { name: 'TypeError', message: /"master" to be a bridge/ },
    );
    // runtime state written by hand would be lost on a creation: refused (a read port's is left out)
    for (const port of [{ state: 'blocking' }, { fdbFlush: true }] as const)
      await t.rejects(
        a.h.link.add({ type: 'veth', name: 'p9', peer: { name: 'p8' }, master: 'br0', bridgePort: port }),
        { name: 'TypeError', message: /^Field "bridgePort\.(state|fdbFlush)" is not taken by link\.add/ },
        JSON.stringify(port),
      );
    t.equal(a.fake.sent.filter((m) => m.type === RTM_NEWLINK).length, 0, 'nothing created');

    const links = world(fx);
    links.set('p9', { index: 50 });
    const b = fakeHandle();
    t.teardown(() => b.h.close());
    script(b.fake, links, (m) => (m.msg.includes(Buffer.from('bridge\0')) ? 22 : 0));
    await t.rejects(
      b.h.link.add({ type: 'veth', name: 'p9', peer: { name: 'p8' }, master: 'br0', bridgePort: { mab: true } }),
      { code: 'EINVAL', message: /link\.add p9 \(type veth\) \(bridgePort\)/ },
    );
    t.equal(b.fake.sent.filter((m) => m.type === 17).length, 1, 'the new link is deleted again (RTM_DELLINK)');
  },
);
