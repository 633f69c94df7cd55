// LinkSpec / LinkChange checks and the kind tables, without root: bad input is a TypeError or
// RangeError naming the field before anything is sent; every kind table gives back what it
// wrote; the compiler refuses fields a kind does not have (the @ts-expect-error lines below are
// checked by `tsc --noEmit`, which `npm test` runs).
import t, { type Test } from 'tap';
import { NlWriter } from '../../lib/core/attr.js';
import { RTM_NEWLINK } from '../../lib/core/constants.js';
import { KINDS, TYPES } from '../../lib/link/kinds/index.js';
import { decodeLink } from '../../lib/link/link.js';
import { splitChange, splitSpec, writeLink } from '../../lib/link/spec.js';
import type { Handle, Link, LinkChange, LinkChangeCommon, LinkSpec } from '../../lib/index.js';
import { cstr, fakeHandle, linkPayload, msgOf, nla, nlmsg, turn, u32le } from '../helpers/fake-transport.js';
import { scriptKernel } from '../fixtures/link/fixture.js';

const LINKS = new Map([
  ['lo', 1],
  ['eth0', 2],
  ['br0', 3],
  ['vl10', 4],
  ['ipv0', 5],
]);
const KIND_OF = { br0: 'bridge', vl10: 'vlan', ipv0: 'ipvlan' };

function handle(t: Test) {
  const f = fakeHandle();
  t.teardown(() => f.h.close());
  scriptKernel(f.fake, LINKS, KIND_OF);
  return f;
}

const BAD_SPECS: [string, unknown, RegExp, typeof TypeError | typeof RangeError][] = [
  ['a name over 15 bytes', { type: 'dummy', name: 'abcdefghijklmnop' }, /"name".*at most 15 bytes/, TypeError],
  ['a name with /', { type: 'dummy', name: 'a/b' }, /"name"/, TypeError],
  ['a name with whitespace', { type: 'dummy', name: 'a b' }, /"name"/, TypeError],
  ['an empty name', { type: 'dummy', name: '' }, /"name"/, TypeError],
  ['a malformed MAC', { type: 'dummy', name: 'd0', address: '02:00:00:00:00' }, /"address"/, TypeError],
  ['a VLAN id of 0', { type: 'vlan', name: 'v0', link: 'eth0', id: 0 }, /"id".*1\.\.4094/, RangeError],
  ['a VLAN id of 4095', { type: 'vlan', name: 'v0', link: 'eth0', id: 4095 }, /"id".*1\.\.4094/, RangeError],
  ['a VNI over 2^24-1', { type: 'vxlan', name: 'vx0', id: 0x1000000 }, /"id".*16777215/, RangeError],
  ['a geneve VNI over 2^24-1', { type: 'geneve', name: 'g0', id: 0x1000000 }, /"id"/, RangeError],
  [
    'an unknown macvlan mode',
    { type: 'macvlan', name: 'm0', link: 'eth0', mode: 'promisc' },
    /"mode".*private, vepa, bridge, passthru, source/,
    TypeError,
  ],
  ['an unknown bond mode', { type: 'bond', name: 'b0', mode: 'round-robin' }, /"mode"/, TypeError],
  ['an unknown ipvlan mode', { type: 'ipvlan', name: 'i0', link: 'eth0', mode: 'l4' }, /"mode"/, TypeError],
  ['a missing parent link', { type: 'macvtap', name: 'm0', mode: 'vepa' }, /"link".*parent/, TypeError],
  ['a missing VLAN id', { type: 'vlan', name: 'v0', link: 'eth0' }, /"id"/, TypeError],
  ['a missing VNI', { type: 'vxlan', name: 'vx0' }, /"id"/, TypeError],
  ['a missing veth peer', { type: 'veth', name: 'v0' }, /"peer"/, TypeError],
  ['a missing vrf table', { type: 'vrf', name: 'vrf0' }, /"table"/, TypeError],
  ['an unknown type', { type: 'bridgee', name: 'x0' }, /"type".*bridge, bond/, TypeError],
  ['a field the kind lacks', { type: 'bridge', name: 'br1', mode: 'bridge' }, /"mode".*bridge/, TypeError],
  ['a bad peer name', { type: 'veth', name: 'v0', peer: { name: 'this-name-is-too-long' } }, /"peer\.name"/, TypeError],
  [
    'a bad peer namespace',
    { type: 'veth', name: 'v0', peer: { name: 'v1', netns: '../x' } },
    /"peer\.netns"/,
    TypeError,
  ],
  ['a unicast vxlan group', { type: 'vxlan', name: 'vx0', id: 1, group: '10.0.0.1' }, /"group".*multicast/, TypeError],
  [
    'a multicast vxlan remote',
    { type: 'vxlan', name: 'vx0', id: 1, remote: '239.1.1.1' },
    /"remote".*unicast/,
    TypeError,
  ],
  [
    'both group and remote',
    { type: 'vxlan', name: 'vx0', id: 1, group: '239.1.1.1', remote: '10.0.0.1' },
    /only one of "group" and "remote"/,
    TypeError,
  ],
  ['a bad vxlan port', { type: 'vxlan', name: 'vx0', id: 1, port: 65536 }, /"port"/, RangeError],
  ['a fractional MTU', { type: 'dummy', name: 'd0', mtu: 1500.5 }, /"mtu"/, TypeError],
  ['a negative MTU', { type: 'dummy', name: 'd0', mtu: -1 }, /"mtu"/, RangeError],
  ['a bad master name', { type: 'dummy', name: 'd0', master: 'a b' }, /"master"/, TypeError],
  ['a bad namespace', { type: 'dummy', name: 'd0', netns: { fd: -1 } }, /"netns"/, TypeError],
  [
    'an alias over IFALIASZ - 1 bytes',
    { type: 'dummy', name: 'd0', alias: 'a'.repeat(256) },
    /"alias".*at most 255 bytes/,
    RangeError,
  ],
  ['an alias of 100,000 bytes', { type: 'dummy', name: 'd0', alias: 'a'.repeat(100000) }, /"alias"/, RangeError],
  ['up that is not a boolean', { type: 'dummy', name: 'd0', up: 1 }, /"up"/, TypeError],
  ['a non-persistent tun', { type: 'tun', name: 't0', persist: false }, /"persist"/, TypeError],
  ['a negative tun owner', { type: 'tap', name: 't0', owner: -1 }, /"owner"/, RangeError],
  ['an other kind without its kind string', { type: 'other', name: 'o0' }, /"kind"/, TypeError],
  // kernel name templates: the kernel would pick the name, and the link could not be read back
  ['a name template', { type: 'bridge', name: 'br%d' }, /"name".*without '%'.*not supported/, TypeError],
  ['a veth name template', { type: 'veth', name: 'v%d', peer: { name: 'v1' } }, /"name".*'%'/, TypeError],
  ['a peer name template', { type: 'veth', name: 'v0', peer: { name: 'p%d' } }, /"peer\.name".*'%'/, TypeError],
  ['a tap name template', { type: 'tap', name: 'tap%d' }, /"name".*'%'/, TypeError],
  // veth's peer takes its own fields only
  ['a peer without a name', { type: 'veth', name: 'v0', peer: {} }, /"peer\.name"/, TypeError],
  ['an unknown peer field', { type: 'veth', name: 'v0', peer: { name: 'v1', foo: 3 } }, /"peer\.foo"/, TypeError],
  ['a peer alias', { type: 'veth', name: 'v0', peer: { name: 'v1', alias: 'x' } }, /"peer\.alias"/, TypeError],
  [
    'a peer up (the kernel cannot open a peer before the pair is joined)',
    { type: 'veth', name: 'v0', peer: { name: 'v1', up: true } },
    /Unknown field "peer\.up"/,
    TypeError,
  ],
  ['a peer that is not an object', { type: 'veth', name: 'v0', peer: 'v1' }, /"peer"/, TypeError],
  // ipvlan's mode flag under API.md's name
  [
    'a bad ipvlan flags word',
    { type: 'ipvlan', name: 'i0', link: 'eth0', flags: 'bogus' },
    /"flags".*bridge, private, vepa/,
    TypeError,
  ],
  ['an ipvlan flags number', { type: 'ipvtap', name: 'i0', link: 'eth0', flags: 5 }, /"flags"/, TypeError],
  ['an ipvlan flags object', { type: 'ipvlan', name: 'i0', link: 'eth0', flags: {} }, /"flags"/, TypeError],
  [
    'flags and ipvlanFlags that differ',
    { type: 'ipvlan', name: 'i0', link: 'eth0', flags: 'private', ipvlanFlags: 'vepa' },
    /only one of "flags" and "ipvlanFlags"/,
    TypeError,
  ],
  // vxlan's source port range: { low, high } as iproute2's `srcport MIN MAX`
  [
    'a port range array',
    { type: 'vxlan', name: 'vx0', id: 1, srcPortRange: [1000, 2000] },
    /"srcPortRange".*low, high/,
    TypeError,
  ],
  ['an empty port range', { type: 'vxlan', name: 'vx0', id: 1, srcPortRange: {} }, /"srcPortRange\.low"/, TypeError],
  [
    'a port range without high',
    { type: 'vxlan', name: 'vx0', id: 1, srcPortRange: { low: 1 } },
    /"srcPortRange\.high"/,
    TypeError,
  ],
  [
    'a port range with another field',
    { type: 'vxlan', name: 'vx0', id: 1, srcPortRange: { low: 1, high: 2, max: 3 } },
    /"srcPortRange\.max"/,
    TypeError,
  ],
  [
    'a port over 65535',
    { type: 'vxlan', name: 'vx0', id: 1, srcPortRange: { low: 1, high: 65536 } },
    /"srcPortRange\.high".*0\.\.65535/,
    RangeError,
  ],
  [
    'a port range low above high',
    { type: 'vxlan', name: 'vx0', id: 1, srcPortRange: { low: 2000, high: 1000 } },
    /"srcPortRange\.high" to be at least "srcPortRange\.low" \(2000\), got 1000/,
    RangeError,
  ],
  // numbers narrower than their attribute, as the kernel checks (or silently masks) them
  [
    'a vxlan flow label over 20 bits',
    { type: 'vxlan', name: 'vx0', id: 1, flowlabel: 0x100001 },
    /"flowlabel".*1048575/,
    RangeError,
  ],
  [
    'a geneve flow label over 20 bits',
    { type: 'geneve', name: 'g0', id: 1, flowlabel: 0x100000 },
    /"flowlabel"/,
    RangeError,
  ],
  [
    'a bridge pvid of 5000',
    { type: 'bridge', name: 'br1', vlanDefaultPvid: 5000 },
    /"vlanDefaultPvid".*0\.\.4094/,
    RangeError,
  ],
  ['a bridge pvid of 4095', { type: 'bridge', name: 'br1', vlanDefaultPvid: 4095 }, /"vlanDefaultPvid"/, RangeError],
  ['a hello time under 1 s', { type: 'bridge', name: 'br1', helloTime: 99 }, /"helloTime".*100\.\.1000/, RangeError],
  ['a hello time over 10 s', { type: 'bridge', name: 'br1', helloTime: 1001 }, /"helloTime"/, RangeError],
  ['a max age under 6 s', { type: 'bridge', name: 'br1', maxAge: 599 }, /"maxAge".*600\.\.4000/, RangeError],
  ['a max age over 40 s', { type: 'bridge', name: 'br1', maxAge: 4001 }, /"maxAge"/, RangeError],
  ['a bridge mcast router of 3', { type: 'bridge', name: 'br1', mcastRouter: 3 }, /"mcastRouter".*0\.\.2/, RangeError],
  ['IGMP version 1', { type: 'bridge', name: 'br1', mcastIgmpVersion: 1 }, /"mcastIgmpVersion".*2\.\.3/, RangeError],
  ['IGMP version 4', { type: 'bridge', name: 'br1', mcastIgmpVersion: 4 }, /"mcastIgmpVersion"/, RangeError],
  ['MLD version 0', { type: 'bridge', name: 'br1', mcastMldVersion: 0 }, /"mcastMldVersion".*1\.\.2/, RangeError],
  ['MLD version 3', { type: 'bridge', name: 'br1', mcastMldVersion: 3 }, /"mcastMldVersion"/, RangeError],
  ['a vrf table of 0', { type: 'vrf', name: 'vrf0', table: 0 }, /"table".*1\.\.4294967295/, RangeError],
  ['a miimon over INT_MAX', { type: 'bond', name: 'b0', miimon: 2 ** 31 }, /"miimon".*0\.\.2147483647/, RangeError],
  ['an updelay over INT_MAX', { type: 'bond', name: 'b0', updelay: 2 ** 31 }, /"updelay"/, RangeError],
  ['a downdelay over INT_MAX', { type: 'bond', name: 'b0', downdelay: 2 ** 31 }, /"downdelay"/, RangeError],
  ['an arp interval over INT_MAX', { type: 'bond', name: 'b0', arpInterval: 2 ** 31 }, /"arpInterval"/, RangeError],
  ['a min links over INT_MAX', { type: 'bond', name: 'b0', minLinks: 2 ** 31 }, /"minLinks"/, RangeError],
  [
    'a peer notify delay over INT_MAX',
    { type: 'bond', name: 'b0', peerNotifyDelay: 2 ** 31 },
    /"peerNotifyDelay"/,
    RangeError,
  ],
  ['a resend_igmp over 255', { type: 'bond', name: 'b0', resendIgmp: 256 }, /"resendIgmp".*0\.\.255/, RangeError],
  ['an lp_interval of 0', { type: 'bond', name: 'b0', lpInterval: 0 }, /"lpInterval".*1\.\./, RangeError],
  [
    'packets per slave over 65535',
    { type: 'bond', name: 'b0', packetsPerSlave: 65536 },
    /"packetsPerSlave"/,
    RangeError,
  ],
  [
    'an actor system priority of 0',
    { type: 'bond', name: 'b0', adActorSysPrio: 0 },
    /"adActorSysPrio".*1\.\.65535/,
    RangeError,
  ],
  [
    'a user port key over 1023',
    { type: 'bond', name: 'b0', adUserPortKey: 1024 },
    /"adUserPortKey".*0\.\.1023/,
    RangeError,
  ],
  ['an arp_missed_max of 0', { type: 'bond', name: 'b0', missedMax: 0 }, /"missedMax".*1\.\.255/, RangeError],
  [
    'an egress VLAN priority over 7',
    { type: 'vlan', name: 'v0', link: 'eth0', id: 5, egressQosMap: [{ from: 100, to: 8 }] },
    /"egressQosMap\[0\]\.to".*0\.\.7/,
    RangeError,
  ],
  [
    'an ingress VLAN priority over 7',
    { type: 'vlan', name: 'v0', link: 'eth0', id: 5, ingressQosMap: [{ from: 8, to: 100 }] },
    /"ingressQosMap\[0\]\.from".*0\.\.7/,
    RangeError,
  ],
  [
    'a QoS mapping without its "to"',
    { type: 'vlan', name: 'v0', link: 'eth0', id: 5, egressQosMap: [{ from: 1 }] },
    /"egressQosMap\[0\]\.to"/,
    TypeError,
  ],
  // IFLA_LINK_NETNSID
  ['a negative linkNetnsId', { type: 'macvlan', name: 'm0', link: 3, linkNetnsId: -1 }, /"linkNetnsId"/, RangeError],
  ['a fractional linkNetnsId', { type: 'macvlan', name: 'm0', link: 3, linkNetnsId: 0.5 }, /"linkNetnsId"/, TypeError],
  [
    'a parent by name with linkNetnsId',
    { type: 'macvlan', name: 'm0', link: 'eth0', linkNetnsId: 0 },
    /"link" to be an index with "linkNetnsId"/,
    TypeError,
  ],
  [
    'a vxlan dev by name with linkNetnsId',
    { type: 'vxlan', name: 'vx0', id: 1, dev: 'eth0', linkNetnsId: 0 },
    /"dev" to be an index with "linkNetnsId"/,
    TypeError,
  ],
  ['linkNetnsId on a tap', { type: 'tap', name: 't0', linkNetnsId: 0 }, /"linkNetnsId".*tap/, TypeError],
];

t.test('bad specs throw before anything is sent', async (t) => {
  for (const [what, spec, msg, cls] of BAD_SPECS) {
    const { h, fake } = handle(t);
    await t.rejects(h.link.add(spec as LinkSpec), { constructor: cls, message: msg }, what);
    await turn();
    t.equal(fake.sends.length, 0, `${what}: nothing sent`);
  }
});

t.test('bad changes throw before any change is sent', async (t) => {
  const cases: [string, string, unknown, RegExp][] = [
    ['an unknown field', 'eth0', { colour: 'red' }, /"colour"/],
    ['a kind field on a link without a kind', 'eth0', { stpState: 1 }, /"stpState"/],
    ['a field a vlan cannot change', 'vl10', { id: 5 }, /"id".*cannot be changed/],
    ['a field of another kind', 'br0', { mode: 'vepa' }, /"mode".*bridge/],
    ["two kinds' fields (a compile error in TypeScript)", 'br0', { stpState: 1, miimon: 100 }, /"miimon".*bridge/],
    ["a type that is not the link's", 'br0', { type: 'bond', miimon: 100 }, /"type".*bridge/],
    ['a bad new name', 'eth0', { name: 'x/y' }, /"name"/],
    ['a bad MTU', 'eth0', { mtu: 2 ** 32 }, /"mtu"/],
    ['a bad alias', 'eth0', { alias: 5 }, /"alias"/],
    ['an unknown type without kind fields', 'eth0', { type: 'bogus', mtu: 1400 }, /"type".*bridge, bond/],
    ["a type that is not the link's, without kind fields", 'br0', { type: 'vlan', mtu: 1400 }, /"type".*bridge/],
    ['a bad ipvlan flags word', 'ipv0', { flags: 'bogus' }, /"flags".*bridge, private, vepa/],
    ['an IFF_* flags array on an ipvlan', 'ipv0', { flags: ['UP'] }, /"flags"/],
    ['flags on a bridge', 'br0', { flags: 'private' }, /"flags"/],
    ['a name template moved to another namespace', 'eth0', { name: 'e%d', netns: { fd: 3 } }, /"name".*'%'/],
    ['linkNetnsId', 'eth0', { linkNetnsId: 0 }, /"linkNetnsId"/],
    ['link', 'eth0', { link: 2 }, /"link"/],
  ];
  for (const [what, ref, change, msg] of cases) {
    const { h, fake } = handle(t);
    await t.rejects(h.link.set(ref, change as LinkChange), { message: msg }, what);
    t.equal(fake.sent.filter((m) => m.type === RTM_NEWLINK).length, 0, `${what}: no RTM_NEWLINK sent`);
  }
});

t.test('a missing master is an ENODEV from the lookup, and nothing is created', async (t) => {
  const { h, fake } = handle(t);
  await t.rejects(h.link.add({ type: 'dummy', name: 'd0', master: 'nope0' }), {
    name: 'NetlinkError',
    code: 'ENODEV',
    field: 'master',
    message: /^link\.add d0 \(type dummy\): master nope0: No such device \(ENODEV\)/,
  });
  t.equal(fake.sent.filter((m) => m.type === RTM_NEWLINK).length, 0);
});

t.test("a reference that does not resolve: the call's words first, and the caller's field", async (t) => {
  const cases: [string, () => Promise<unknown>, RegExp, string | undefined][] = [
    [
      'a parent',
      (h = handle(t).h) => h.link.add({ type: 'macvlan', name: 'mv1', link: 'nope0' }),
      /^link\.add mv1 \(type macvlan\): link nope0: No such device \(ENODEV\)/,
      'link',
    ],
    [
      "a vxlan's dev",
      (h = handle(t).h) => h.link.add({ type: 'vxlan', name: 'vx0', id: 1, dev: 'nope0' }),
      /^link\.add vx0 \(type vxlan\): dev nope0: /,
      'dev',
    ],
    [
      'a new master',
      (h = handle(t).h) => h.link.set('eth0', { master: 'nope0' }),
      /^link\.set eth0: master nope0: /,
      'master',
    ],
    [
      'the link set changes',
      (h = handle(t).h) => h.link.set('nope0', { mtu: 1400 }),
      /^link\.set nope0: No such device/,
      undefined,
    ],
    [
      'the link set reads for its kind',
      (h = handle(t).h) => h.link.set('nope0', { stpState: 1 }),
      /^link\.set nope0: No such device/,
      undefined,
    ],
    ['a filter master', (h = handle(t).h) => h.link.list({ master: 'nope0' }), /^link\.list: master nope0: /, 'master'],
  ];
  for (const [what, call, message, field] of cases) {
    const e = (await call().catch((x: unknown) => x)) as {
      name?: string;
      code?: string;
      field?: string;
      message?: string;
    };
    t.match(e, { name: 'NetlinkError', code: 'ENODEV', message }, what);
    t.equal(e.field, field, `${what}: field`);
  }
});

t.test('link.list takes type, master and up only, each checked', async (t) => {
  const { h, fake } = handle(t);
  await t.rejects(h.link.list({ up: 'yes' } as never), { name: 'TypeError', message: /"up".*boolean/ });
  await t.rejects(h.link.list({ kind: 'veth' } as never), { name: 'TypeError', message: /"kind".*link filter/ });
  await t.rejects(h.link.list({ type: 5 } as never), { name: 'TypeError', message: /"type"/ });
  await t.rejects(h.link.list(null as never), { name: 'TypeError', message: /"filter"/ });
  t.equal(fake.sent.length, 0, 'nothing sent');
});

/** Awaits a call whose read-back the scripted kernel cannot answer (it knows no new link): the request went. */
async function sent(p: Promise<unknown>): Promise<void> {
  await p.catch(() => undefined);
}

/** The RTM_NEWLINK a call sent, decoded as a Link. */
function sentLink(fake: ReturnType<typeof handle>['fake']): Record<string, unknown> {
  const m = fake.sent.find((x) => x.type === RTM_NEWLINK)!;
  return decodeLink({
    type: m.type,
    flags: m.flags,
    seq: 0,
    pid: 0,
    buf: m.msg,
    start: 0,
    off: 16,
    end: m.msg.length,
  }) as unknown as Record<string, unknown>;
}

t.test("ipvlan's flags: API.md's name on add and set, a read's IFF_* array ignored", async (t) => {
  let f = handle(t);
  await sent(f.h.link.add({ type: 'ipvlan', name: 'ipv1', link: 'eth0', flags: 'vepa' }));
  t.equal(sentLink(f.fake)['ipvlanFlags'], 'vepa', 'add: flags is IFLA_IPVLAN_FLAGS');
  f = handle(t);
  await sent(
    f.h.link.add({
      type: 'ipvlan',
      name: 'ipv1',
      link: 'eth0',
      flags: ['UP', 'BROADCAST'],
      ipvlanFlags: 'private',
    }),
  );
  t.equal(sentLink(f.fake)['ipvlanFlags'], 'private', "add: a read Link's flags array is left out");
  f = handle(t);
  await sent(f.h.link.add({ type: 'ipvtap', name: 'ipv1', link: 'eth0', flags: 'bridge', ipvlanFlags: 'bridge' }));
  t.equal(sentLink(f.fake)['ipvlanFlags'], 'bridge', 'add: both names, one value');
  f = handle(t);
  await f.h.link.set('ipv0', { flags: 'private' });
  t.equal(sentLink(f.fake)['ipvlanFlags'], 'private', 'set: flags is IFLA_IPVLAN_FLAGS');
});

t.test('linkNetnsId is IFLA_LINK_NETNSID; a default vxlan port range is taken', async (t) => {
  let f = handle(t);
  await sent(f.h.link.add({ type: 'macvlan', name: 'mv1', link: 7, linkNetnsId: 3 }));
  const m = f.fake.sent.find((x) => x.type === RTM_NEWLINK)!;
  t.ok(m.msg.includes(Buffer.from([8, 0, 37, 0, 3, 0, 0, 0])), 'IFLA_LINK_NETNSID s32 3');
  t.ok(m.msg.includes(Buffer.from([8, 0, 5, 0, 7, 0, 0, 0])), 'IFLA_LINK 7, not looked up here');
  t.same(sentLink(f.fake)['linkNetnsId'], 3);
  f = handle(t);
  await sent(f.h.link.add({ type: 'vxlan', name: 'vx0', id: 1, srcPortRange: { low: 0, high: 0 } }));
  t.same(sentLink(f.fake)['srcPortRange'], { low: 0, high: 0 }, "a default vxlan's read-back port range is taken");
});

/** One spec per kind with every writable field set; each must come back from its own bytes. */
const FULL: LinkSpec[] = [
  {
    type: 'bridge',
    name: 'br0',
    forwardDelay: 1500,
    helloTime: 200,
    maxAge: 2000,
    ageingTime: 30000,
    stpState: 1,
    priority: 4096,
    vlanFiltering: true,
    vlanProtocol: '802.1ad',
    groupFwdMask: 8,
    groupAddress: '01:80:c2:00:00:00',
    fdbFlush: true,
    mcastRouter: 2,
    mcastSnooping: true,
    mcastQueryUseIfaddr: true,
    mcastQuerier: true,
    mcastHashElasticity: 16,
    mcastHashMax: 8192,
    mcastLastMemberCount: 3,
    mcastStartupQueryCount: 4,
    mcastLastMemberInterval: 100,
    mcastMembershipInterval: 26000,
    mcastQuerierInterval: 25500,
    mcastQueryInterval: 12500,
    mcastQueryResponseInterval: 1000,
    mcastStartupQueryInterval: 3125,
    nfCallIptables: true,
    nfCallIp6tables: false,
    nfCallArptables: true,
    vlanDefaultPvid: 7,
    vlanStatsEnabled: true,
    mcastStatsEnabled: true,
    mcastIgmpVersion: 3,
    mcastMldVersion: 2,
    vlanStatsPerPort: true,
    noLinklocalLearn: true,
    mcastVlanSnooping: false,
    mstEnabled: true,
  },
  {
    type: 'bond',
    name: 'bond0',
    mode: 'balance-alb',
    activeSlave: 4,
    miimon: 100,
    updelay: 200,
    downdelay: 300,
    peerNotifyDelay: 400,
    useCarrier: true,
    arpInterval: 1000,
    arpIpTarget: ['10.0.0.1', '10.0.0.2', '10.0.0.3'],
    arpValidate: 'filter_backup',
    arpAllTargets: 'all',
    primary: 5,
    primaryReselect: 'failure',
    failOverMac: 'follow',
    xmitHashPolicy: 'vlan+srcmac',
    resendIgmp: 2,
    numGratArp: 4,
    allSlavesActive: true,
    minLinks: 2,
    lpInterval: 3,
    packetsPerSlave: 8,
    lacpRate: 'fast',
    adSelect: 'count',
    adActorSysPrio: 100,
    adUserPortKey: 7,
    adActorSystem: '02:00:00:00:00:01',
    tlbDynamicLb: false,
    lacpActive: true,
    missedMax: 5,
  },
  {
    type: 'vlan',
    name: 'v0',
    link: 2,
    id: 4094,
    protocol: '802.1Q',
    reorderHdr: true,
    gvrp: false,
    mvrp: true,
    looseBinding: false,
    bridgeBinding: true,
    egressQosMap: [{ from: 0, to: 7 }],
    ingressQosMap: [
      { from: 1, to: 2 },
      { from: 3, to: 4 },
    ],
  },
  {
    type: 'vxlan',
    name: 'vx0',
    id: 0xffffff,
    group: '239.1.1.1',
    local: '10.0.0.1',
    dev: 2,
    ttl: 9,
    ttlInherit: true,
    tos: 1,
    df: 'inherit',
    flowlabel: 0xfffff,
    learning: false,
    proxy: true,
    rsc: true,
    l2miss: true,
    l3miss: true,
    ageing: 10,
    maxaddress: 100,
    srcPortRange: { low: 1, high: 65535 },
    port: 8472,
    udpCsum: false,
    udpZeroCsum6Tx: true,
    udpZeroCsum6Rx: true,
    remcsumTx: true,
    remcsumRx: true,
    remcsumNopartial: true,
    gbp: true,
    gpe: true,
    external: false,
    vnifilter: false,
  },
  { type: 'vxlan', name: 'vx6', id: 0, remote: '2001:db8::2', local: '2001:db8::1' },
  {
    type: 'macvlan',
    name: 'm0',
    link: 2,
    mode: 'source',
    nopromisc: false,
    nodst: true,
    macaddrMode: 'set',
    macaddrData: ['02:00:00:00:00:01', '02:00:00:00:00:02'],
    bcqueuelen: 100,
  },
  { type: 'macvtap', name: 'm1', link: 2, mode: 'passthru', nopromisc: true },
  { type: 'ipvlan', name: 'i0', link: 2, mode: 'l3s', ipvlanFlags: 'vepa' },
  { type: 'ipvtap', name: 'i1', link: 2, mode: 'l2', ipvlanFlags: 'bridge' },
  {
    type: 'veth',
    name: 'v0',
    peer: { name: 'v1', address: '02:00:00:00:00:09', mtu: 9000, txqueuelen: 10, netns: { fd: 7 } },
  },
  { type: 'vrf', name: 'vrf0', table: 0xfffffff0 },
  {
    type: 'geneve',
    name: 'g0',
    id: 5,
    remote: '2001:db8::9',
    ttl: 1,
    ttlInherit: true,
    tos: 2,
    df: 'set',
    flowlabel: 3,
    port: 6081,
    udpCsum: true,
    udpZeroCsum6Tx: false,
    udpZeroCsum6Rx: true,
    external: true,
    innerProtoInherit: true,
  },
];

t.test('every kind table reads back what it wrote', async (t) => {
  t.same(
    new Set(FULL.map((s) => s.type)),
    new Set([...TYPES.values()].filter((k) => k.data && k.via === 'netlink').map((k) => k.type)),
    'a spec for every kind with data',
  );
  for (const spec of FULL) {
    // split without the fields link.add refuses (a bond's activeSlave), then write every field
    const notOnAdd = TYPES.get(spec.type)?.notOnAdd ?? [];
    const parts = splitSpec(Object.fromEntries(Object.entries(spec).filter(([k]) => !notOnAdd.includes(k))));
    parts.data = Object.fromEntries(Object.entries(spec).filter(([k]) => parts.def.data?.row(k))); // fdbFlush etc. included
    const w = new NlWriter();
    w.beginMessage(RTM_NEWLINK, 0, 0);
    writeLink(w, parts, 0, true);
    const buf = w.take();
    buf.writeUInt32LE(buf.length, 0);
    const back = decodeLink({
      type: RTM_NEWLINK,
      flags: 0,
      seq: 0,
      pid: 0,
      buf,
      start: 0,
      off: 16,
      end: buf.length,
    }) as unknown as Record<string, unknown>;
    const want = { ...spec } as Record<string, unknown>;
    const got: Record<string, unknown> = {};
    for (const k of Object.keys(want)) got[k] = back[k];
    t.same(got, want, spec.type);
  }
});

t.test("a vlan's flags: all off when the kernel leaves IFLA_VLAN_FLAGS out, and re-added so", async (t) => {
  // as vlan_fill_info writes it: IFLA_VLAN_PROTOCOL, IFLA_VLAN_ID, IFLA_VLAN_FLAGS only while a flag is on
  const read = (flags?: number): Link => {
    const data = [nla(5, Buffer.from([0x81, 0x00])), nla(1, Buffer.from([10, 0]))];
    if (flags !== undefined) data.push(nla(2, Buffer.concat([u32le(flags), u32le(0xffffffff)])));
    const info = nla(18, Buffer.concat([nla(1, cstr('vlan')), nla(2, Buffer.concat(data))]));
    const payload = Buffer.concat([linkPayload(4, 'v10'), nla(5, u32le(2)), info]);
    return decodeLink(msgOf(nlmsg(RTM_NEWLINK, 0, 0, payload)));
  };
  const off = { reorderHdr: false, gvrp: false, looseBinding: false, mvrp: false, bridgeBinding: false };
  t.match(read(), { type: 'vlan', id: 10, protocol: '802.1Q', link: 2, ...off }, 'no IFLA_VLAN_FLAGS: every flag off');
  t.match(read(0x1 | 0x8), { ...off, reorderHdr: true, mvrp: true }, 'the flags reported');
  // re-added, the read's flags are sent ({ flags 0, mask 0x1f }): a new VLAN's reorder_hdr would be on
  const w = new NlWriter();
  writeLink(w, splitSpec({ ...read(), name: 'v11', id: 11 }), 0, true);
  t.ok(w.take().includes(nla(2, Buffer.concat([u32le(0), u32le(0x1f)]))), 'IFLA_VLAN_FLAGS { 0, 0x1f } sent');
});

t.test('geneve: ttlInherit false beside a ttl is left out (the kernel would ignore the ttl)', async (t) => {
  // geneve_nl2info reads IFLA_GENEVE_TTL only without IFLA_GENEVE_TTL_INHERIT (12), and the TTL
  // alone turns inheriting off: iproute2's `ttl 9` sends IFLA_GENEVE_TTL alone
  const geneve = TYPES.get('geneve')!;
  const body = (add: boolean, fields: Record<string, unknown>): Buffer => {
    const w = new NlWriter();
    const parts = add ? splitSpec({ type: 'geneve', name: 'gnv0', id: 5, ...fields }) : splitChange(fields, geneve);
    writeLink(w, parts, add ? 0 : 7, true);
    return w.take();
  };
  const ttl9 = nla(3, Buffer.from([9])); // IFLA_GENEVE_TTL 9
  const inherit = (on: number): Buffer => nla(12, Buffer.from([on])); // IFLA_GENEVE_TTL_INHERIT
  for (const add of [true, false]) {
    const how = add ? 'add' : 'set';
    const both = body(add, { ttl: 9, ttlInherit: false });
    t.ok(both.includes(ttl9), `${how}: the ttl is sent`);
    t.notOk(both.includes(inherit(0)), `${how}: ttlInherit false beside it is not`);
    t.ok(body(add, { ttlInherit: false }).includes(inherit(0)), `${how}: ttlInherit false alone is sent`);
    t.ok(body(add, { ttl: 9, ttlInherit: true }).includes(inherit(1)), `${how}: ttlInherit true is sent`);
  }
});

t.test('a kind this package does not model: type other, with its raw IFLA_INFO_DATA, both ways', async (t) => {
  const f = fakeHandle();
  t.teardown(() => f.h.close());
  scriptKernel(f.fake, new Map([['nl0', 5]]));
  const infoData = Buffer.from([8, 0, 1, 0, 42, 0, 0, 0]);
  await sent(f.h.link.add({ type: 'other', name: 'nl0', kind: 'nlmon', infoData, mtu: 3776 }));
  const m = f.fake.sent.find((x) => x.type === RTM_NEWLINK)!;
  const l = decodeLink({
    type: m.type,
    flags: m.flags,
    seq: 0,
    pid: 0,
    buf: m.msg,
    start: 0,
    off: 16,
    end: m.msg.length,
  });
  t.match(l, { type: 'other', kind: 'nlmon', name: 'nl0', mtu: 3776 });
  t.same(l.type === 'other' && l.infoData, infoData, 'IFLA_INFO_DATA as given');
  t.same(m.msg.includes(Buffer.from('nlmon\0')), true, 'IFLA_INFO_KIND "nlmon"');
});

t.test('the registry: every type maps to its kind, and IFLA_INFO_KIND back to a type', async (t) => {
  t.same([...TYPES.keys()].sort(), [
    'bond',
    'bridge',
    'dummy',
    'geneve',
    'ifb',
    'ipvlan',
    'ipvtap',
    'macvlan',
    'macvtap',
    'tap',
    'team',
    'tun',
    'veth',
    'vlan',
    'vrf',
    'vxlan',
    'wireguard',
  ]);
  for (const [kind, def] of KINDS) t.equal(def.kind, kind);
  t.equal(TYPES.get('tap')?.kind, 'tun', 'tap devices are IFLA_INFO_KIND "tun"');
});

// Compile-time checks (never run): `tsc --noEmit` fails if a line marked @ts-expect-error compiles.
export function typeChecks(h: Handle): void {
  void h.link.add({ type: 'macvtap', name: 'mvt0', link: 'eth0', mode: 'vepa' });
  // @ts-expect-error macvtap has no VNI
  void h.link.add({ type: 'macvtap', name: 'mvt0', link: 'eth0', id: 3 });
  // @ts-expect-error macvtap needs its parent link
  void h.link.add({ type: 'macvtap', name: 'mvt0', mode: 'vepa' });
  // @ts-expect-error not a macvtap mode
  void h.link.add({ type: 'macvtap', name: 'mvt0', link: 'eth0', mode: 'l3' });
  // a named value a newer kernel reports without a name reads as its decimal text, taken back as such
  void h.link.add({ type: 'macvtap', name: 'mvt0', link: 'eth0', mode: '32' });
  void h.link.set('b0', { type: 'bond', mode: '7', xmitHashPolicy: '6', lacpRate: '2' });
  const operstate: Link['operstate'] = '7';
  void operstate;
  // @ts-expect-error a vlan needs its id
  void h.link.add({ type: 'vlan', name: 'v0', link: 'eth0' });
  // @ts-expect-error a veth needs its peer
  void h.link.add({ type: 'veth', name: 'v0' });
  // @ts-expect-error a bridge has no mode
  void h.link.add({ type: 'bridge', name: 'br0', mode: 'bridge' });
  // @ts-expect-error no such type
  void h.link.add({ type: 'bridgee', name: 'br0' });
  void h.link.set('br0', { stpState: 1, up: true });
  void h.link.set('eth0', { master: null });
  // @ts-expect-error no kind has it
  void h.link.set('eth0', { colour: 'red' });
  // @ts-expect-error a vlan's id cannot change
  void h.link.set('v0', { type: 'vlan', id: 5 });
  void h.link.set('mv0', { mode: 'vepa' }); // a field several kinds have (macvlan, bond, ipvlan …)
  void h.link.set('bond0', { mode: 'active-backup', miimon: 100, up: true });
  void h.link.set('br0', { stpState: 1, miimon: undefined }); // undefined is absent
  // @ts-expect-error a bridge's field and a bond's: one kind's fields per change
  void h.link.set('br0', { stpState: 1, miimon: 100 });
  // @ts-expect-error a bridge's field and a macvlan's, beside common ones
  void h.link.set('br0', { mtu: 1400, ageingTime: 300, mode: 'vepa' });
  const mixed = { ageingTime: 300, ttl: 3 };
  // @ts-expect-error a bridge's field and a vxlan's, not in an object literal
  void h.link.set('br0', mixed);
  const common: LinkChangeCommon = { up: true };
  void h.link.set('bond0', { ...common, miimon: 100 }); // common fields spread, then one kind's
  void (async () => {
    const l = await h.link.get('x');
    if (l.type === 'macvtap') void h.link.add({ ...l, name: 'y' });
    void h.link.add({ ...l, name: 'y' }); // API.md's idiom, any read link (checked when called)
    for (const vx of await h.link.list({ type: 'vxlan' })) {
      const vni: number = vx.id; // list({ type }) is typed as that kind's links
      void vni;
    }
    // @ts-expect-error a bridge has no VNI
    for (const br of await h.link.list({ type: 'bridge' })) void br.id;
    if (l.type === 'macvtap') {
      const dev: string | undefined = l.tapDevice;
      void dev;
    }
  });
}
