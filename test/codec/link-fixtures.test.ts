// Golden bytes: for every fixture captured from iproute2 (test/fixtures/link/*.hex, made by
// test/fixtures/capture.mjs), link.add / link.set run against a scripted socket must send the
// same request, attribute for attribute (order may differ; every leaf attribute's bytes are
// equal), and our decoder must read iproute2's request back to the spec. No root needed: this is
// how the kinds this kernel lacks (bond, team, vlan, ipvlan, ipvtap, dummy, vrf, geneve,
// wireguard) are verified, and a cross-check for those it has.
import t, { type Test } from 'tap';
import { NLA_TYPE_MASK, RTM_NEWLINK } from '../../lib/core/constants.js';
import { decodeLink } from '../../lib/link/link.js';
import type { LinkChange, LinkSpec } from '../../lib/index.js';
import { ack, fakeHandle, type SentMsg } from '../helpers/fake-transport.js';
import { readFixture, scriptKernel, type Fixture } from '../fixtures/link/fixture.js';

type Case = { name: string; spec: LinkSpec } | { name: string; ref: string; change: LinkChange };

const veth4 = { netns: { fd: 4 } }; // iproute2's descriptor for /run/netns/<peer> in that capture

const CASES: Case[] = [
  {
    name: 'bond-8023ad',
    spec: {
      type: 'bond',
      name: 'bond0',
      mode: '802.3ad',
      miimon: 100,
      updelay: 200,
      downdelay: 200,
      lacpRate: 'fast',
      xmitHashPolicy: 'layer3+4',
      minLinks: 1,
      adSelect: 'bandwidth',
    },
  },
  {
    name: 'bond-active-backup',
    spec: {
      type: 'bond',
      name: 'bond1',
      mode: 'active-backup',
      primary: 'p0',
      arpInterval: 1000,
      arpIpTarget: ['10.0.0.1', '10.0.0.2'],
      arpValidate: 'all',
      failOverMac: 'active',
      numGratArp: 3,
    },
  },
  {
    name: 'bond-ns-ip6-target',
    spec: {
      type: 'bond',
      name: 'bond2',
      mode: 'active-backup',
      arpInterval: 1000,
      nsIp6Target: ['2001:db8::1', '2001:db8::2'],
    },
  },
  { name: 'team', spec: { type: 'team', name: 'team0' } },
  { name: 'vlan', spec: { type: 'vlan', name: 'p0.10', link: 'p0', id: 10 } },
  {
    name: 'vlan-options',
    spec: {
      type: 'vlan',
      name: 'vl20',
      link: 'p0',
      mtu: 1400,
      address: '02:00:00:00:00:20',
      id: 20,
      protocol: '802.1ad',
      reorderHdr: false,
      gvrp: true,
      mvrp: false,
      looseBinding: true,
      egressQosMap: [
        { from: 1, to: 2 },
        { from: 2, to: 3 },
      ],
      ingressQosMap: [{ from: 3, to: 4 }],
    },
  },
  {
    name: 'vxlan',
    spec: {
      type: 'vxlan',
      name: 'vx0',
      id: 42,
      remote: '10.0.0.2',
      local: '10.0.0.1',
      dev: 'p0',
      port: 4789,
      srcPortRange: { low: 1000, high: 2000 },
      ttl: 64,
      tos: 0x10,
      ageing: 600,
      learning: false,
      udpCsum: true,
    },
  },
  // iproute2 says `learning 1` when the command does not say nolearning: the same spec says it too
  {
    name: 'vxlan-group6',
    spec: {
      type: 'vxlan',
      name: 'vx6',
      id: 16777215,
      group: 'ff05::100',
      dev: 'p0',
      port: 4789,
      local: '2001:db8::1',
      learning: true,
    },
  },
  { name: 'macvlan', spec: { type: 'macvlan', name: 'mv0', link: 'p0', mode: 'bridge' } },
  {
    name: 'macvlan-source',
    spec: {
      type: 'macvlan',
      name: 'mvs0',
      link: 'p0',
      mode: 'source',
      macaddrMode: 'set',
      macaddrData: ['02:00:00:00:00:01', '02:00:00:00:00:02'],
    },
  },
  { name: 'macvtap', spec: { type: 'macvtap', name: 'mvt0', link: 'p0', mode: 'vepa' } },
  { name: 'macvtap-passthru', spec: { type: 'macvtap', name: 'mvt1', link: 'p0', mode: 'passthru', nopromisc: true } },
  { name: 'ipvlan', spec: { type: 'ipvlan', name: 'ipv0', link: 'p0', mode: 'l3', ipvlanFlags: 'private' } },
  { name: 'ipvtap', spec: { type: 'ipvtap', name: 'ipvt0', link: 'p0', mode: 'l2', ipvlanFlags: 'vepa' } },
  { name: 'veth', spec: { type: 'veth', name: 'v0', peer: { name: 'v1' } } },
  {
    name: 'veth-netns',
    spec: {
      type: 'veth',
      name: 'v2',
      mtu: 1400,
      peer: { name: 'v3', mtu: 1400, address: '02:00:00:00:00:03', ...veth4 },
    },
  },
  {
    name: 'dummy',
    spec: { type: 'dummy', name: 'd0', mtu: 9000, address: '02:00:00:00:00:d0', txqueuelen: 500, up: true },
  },
  { name: 'dummy-master', spec: { type: 'dummy', name: 'd1', master: 'br0', alias: 'a dummy port' } },
  { name: 'ifb', spec: { type: 'ifb', name: 'ifb0' } },
  { name: 'vrf', spec: { type: 'vrf', name: 'vrf0', table: 10 } },
  // iproute2 always sends geneve's label, ttl and tos (0 unless given): the same spec says them too
  {
    name: 'geneve',
    spec: { type: 'geneve', name: 'gnv0', id: 10, remote: '10.0.0.2', port: 6081, ttl: 64, tos: 0x10, flowlabel: 0 },
  },
  {
    name: 'geneve6',
    spec: {
      type: 'geneve',
      name: 'gnv1',
      id: 11,
      remote: '2001:db8::2',
      df: 'inherit',
      udpZeroCsum6Tx: true,
      flowlabel: 0,
      ttl: 0,
      tos: 0,
    },
  },
  { name: 'wireguard', spec: { type: 'wireguard', name: 'wg0' } },
  {
    name: 'bridge',
    spec: {
      type: 'bridge',
      name: 'br0',
      stpState: 1,
      forwardDelay: 400,
      helloTime: 100,
      maxAge: 1000,
      ageingTime: 12000,
      priority: 100,
      vlanDefaultPvid: 1,
      mcastSnooping: false,
      noLinklocalLearn: true,
      groupAddress: '01:80:c2:00:00:0e',
      nfCallIptables: true,
    },
  },
  {
    name: 'set-common',
    ref: 'p0',
    change: { mtu: 1400, address: '02:00:00:00:00:01', txqueuelen: 100, alias: 'hello', up: true },
  },
  { name: 'set-rename', ref: 'p0', change: { name: 'q0' } },
  { name: 'set-master', ref: 'p0', change: { master: 'br0' } },
  { name: 'set-nomaster', ref: 'p0', change: { master: null } },
  { name: 'set-bridge', ref: 'br0', change: { stpState: 1, helloTime: 300 } },
  { name: 'set-down', ref: 'p0', change: { up: false } },
  { name: 'set-up', ref: 'p0', change: { up: true } },
];

/** Kinds of the fixture's links, for the scripted kernel's replies. */
const KIND_OF: Record<string, string> = { br0: 'bridge' };

interface Attr {
  type: number;
  leaf?: string;
  kids?: Attr[];
}

/**
 * The attribute tree of b[off, end), each level sorted by type: IFLA_LINKINFO, IFLA_INFO_DATA and
 * veth's VETH_INFO_PEER are walked, NLA_F_NESTED is ignored, and IFLA_INFO_KIND loses its NUL
 * (iproute2 6.1 sends the kind without one).
 */
function tree(b: Buffer, off: number, end: number, path: string, veth: boolean): Attr[] {
  const out: Attr[] = [];
  while (off + 4 <= end) {
    const len = b.readUInt16LE(off);
    const type = b.readUInt16LE(off + 2) & NLA_TYPE_MASK;
    const p = `${path}/${type}`;
    const payload = b.subarray(off + 4, off + len);
    if (p === '/18' || p === '/18/2') out.push({ type, kids: tree(b, off + 4, off + len, p, veth) });
    else if (p === '/18/2/1' && veth)
      out.push({
        type,
        leaf: payload.subarray(0, 16).toString('hex'),
        kids: tree(b, off + 20, off + len, '/peer', veth),
      });
    else if (p === '/18/1') out.push({ type, leaf: payload.toString('utf8').replace(/\0+$/, '') });
    else out.push({ type, leaf: payload.toString('hex') });
    off += (len + 3) & ~3;
  }
  return out.sort((x, y) => x.type - y.type || (x.leaf ?? '').localeCompare(y.leaf ?? ''));
}

/** Our RTM_NEWLINK (the last one sent), and the fixture's, as comparable trees. */
function compare(t: Test, ours: SentMsg, fx: Fixture): void {
  const theirs = fx.last.msg;
  t.equal(ours.type, fx.last.type, 'message type');
  t.equal(ours.flags, fx.last.flags, `nlmsg_flags 0x${fx.last.flags.toString(16)}`);
  t.equal(ours.payload.subarray(0, 16).toString('hex'), theirs.subarray(16, 32).toString('hex'), 'struct ifinfomsg');
  const veth = theirs.includes(Buffer.from('veth'));
  t.same(
    tree(ours.msg, 32, ours.msg.length, '', veth),
    tree(theirs, 32, theirs.length, '', veth),
    'the same attributes, each with the same bytes',
  );
}

/** The spec or change with names resolved to the fixture's indexes, as a read reports them. */
function resolvedOf(c: Case, fx: Fixture): Record<string, unknown> {
  const src = ('spec' in c ? c.spec : c.change) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(src)) {
    if (['link', 'master', 'dev', 'primary'].includes(k) && typeof v === 'string') out[k] = fx.links.get(v);
    else if (k === 'master' && v === null) out[k] = 0;
    else out[k] = v;
  }
  return out;
}

for (const c of CASES) {
  t.test(c.name, async (t) => {
    const fx = readFixture(c.name);
    const { h, fake } = fakeHandle();
    t.teardown(() => h.close());
    const links = new Map(fx.links); // as they are after the command…
    if ('spec' in c && !links.has(c.spec.name)) links.set(c.spec.name, 99);
    if (c.name === 'set-rename') links.set('p0', fx.links.get('q0')!); // …and before it
    // a bridge read back as a kernel with CONFIG_BRIDGE_VLAN_FILTERING reports it (IFLA_BR_VLAN_DEFAULT_PVID):
    // without it, the VLAN fields the capture sends would be an error (the kernel ignores them)
    const pvid = Buffer.from([6, 0, 39, 0, 1, 0, 0, 0]);
    scriptKernel(fake, links, KIND_OF, undefined, c.name === 'bridge' ? { br0: pvid } : {});
    if ('spec' in c) await h.link.add(c.spec);
    else await h.link.set(c.ref, c.change);
    const sent = fake.sent.filter((m) => m.type === RTM_NEWLINK);
    // link.add sets an alias after creating the link (the kernel ignores IFLA_IFALIAS on create)
    t.equal(sent.length, 'spec' in c && c.spec.alias !== undefined ? 2 : 1, 'RTM_NEWLINK count');
    compare(t, sent[0]!, fx);

    const decoded = decodeLink({
      type: fx.last.type,
      flags: fx.last.flags,
      seq: 0,
      pid: 0,
      buf: fx.last.msg,
      start: 0,
      off: 16,
      end: fx.last.msg.length,
    }) as unknown as Record<string, unknown>;
    const want = resolvedOf(c, fx);
    const got: Record<string, unknown> = {};
    for (const k of Object.keys(want)) got[k] = decoded[k];
    if ('ref' in c && c.change.name === undefined) delete want['name'];
    t.same(got, want, "our decoder reads iproute2's request back to the spec");
  });
}

t.test("ipvlan/ipvtap: API.md's `flags` sends iproute2's bytes, as `ipvlanFlags` does", async (t) => {
  const specs: [string, LinkSpec][] = [
    ['ipvlan', { type: 'ipvlan', name: 'ipv0', link: 'p0', mode: 'l3', flags: 'private' }],
    ['ipvtap', { type: 'ipvtap', name: 'ipvt0', link: 'p0', mode: 'l2', flags: 'vepa' }],
    // a read Link spread into add: its IFF_* flags array is not the mode flag
    ['ipvlan', { type: 'ipvlan', name: 'ipv0', link: 'p0', mode: 'l3', flags: ['UP'], ipvlanFlags: 'private' }],
  ];
  for (const [name, spec] of specs) {
    const fx = readFixture(name);
    const { h, fake } = fakeHandle();
    t.teardown(() => h.close());
    scriptKernel(fake, new Map([...fx.links, [spec.name, 99]]), KIND_OF);
    await h.link.add(spec);
    compare(t, fake.sent.filter((m) => m.type === RTM_NEWLINK)[0]!, fx);
  }
});

/** The request's ifinfomsg and attributes, less an IFLA_IFNAME repeating the name of the link the index selects. */
function withoutSameName(m: Buffer, name: string): string {
  const attrs = tree(m, 32, m.length, '', false).filter(
    (a) => !(a.type === 3 && a.leaf === Buffer.from(name + '\0').toString('hex')),
  );
  return JSON.stringify({
    hdr: m.subarray(4, 8).toString('hex'),
    ifinfomsg: m.subarray(16, 32).toString('hex'),
    attrs,
  });
}

t.test('enslaving an up port to a bond or a team: down, master, up — each as iproute2 sends it', async (t) => {
  const [down, master, up] = ['set-down', 'set-master-bond', 'set-up'].map((n) => readFixture(n));
  // both drivers refuse a port that is up (a team with EBUSY, "Device is up. Set it down …")
  for (const kind of ['bond', 'team']) {
    const { h, fake } = fakeHandle();
    t.teardown(() => h.close());
    scriptKernel(fake, master!.links, { bond0: kind }, new Set(['p0']));
    await h.link.set('p0', { master: 'bond0' });
    const sent = fake.sent.filter((m) => m.type === RTM_NEWLINK);
    t.equal(sent.length, 3, `${kind}: three RTM_NEWLINK`);
    [down!, master!, up!].forEach((fx, i) => {
      t.equal(
        withoutSameName(sent[i]!.msg, 'p0'),
        withoutSameName(fx.last.msg, 'p0'),
        `${kind}: step ${i + 1} is \`${fx.meta.get('cmd')![0]}\``,
      );
    });
  }
});

t.test('a port already down is enslaved with one request, and a refused enslave still restores the port', async (t) => {
  const fx = readFixture('set-master-bond');
  const { h, fake } = fakeHandle();
  t.teardown(() => h.close());
  scriptKernel(fake, fx.links, { bond0: 'bond' });
  await h.link.set('p0', { master: 'bond0' });
  t.equal(fake.sent.filter((m) => m.type === RTM_NEWLINK).length, 1);

  const b = fakeHandle();
  t.teardown(() => b.h.close());
  scriptKernel(b.fake, fx.links, { bond0: 'bond' }, new Set(['p0']));
  const script = b.fake.onSend!;
  b.fake.onSend = (msgs, id) => {
    const refuse = msgs.find((m) => m.type === RTM_NEWLINK && m.msg.length > 32);
    if (refuse) setImmediate(() => b.fake.deliver(ack(refuse.seq, -16)));
    else script(msgs, id);
  };
  await t.rejects(b.h.link.set('p0', { master: 'bond0' }), { code: 'EBUSY' });
  const flags = b.fake.sent.filter((m) => m.type === RTM_NEWLINK).map((m) => m.payload.readUInt32LE(8));
  t.same(flags, [0, 0, 1], 'down, the refused enslave, up again');
});

t.test('link.add of an up port into a bond or a team creates it down, then brings it up', async (t) => {
  const fx = readFixture('set-master-bond');
  for (const kind of ['bond', 'team']) {
    const { h, fake } = fakeHandle();
    t.teardown(() => h.close());
    scriptKernel(fake, new Map([...fx.links, ['d2', 9]]), { bond0: kind });
    await h.link.add({ type: 'dummy', name: 'd2', master: 'bond0', up: true });
    const sent = fake.sent.filter((m) => m.type === RTM_NEWLINK);
    t.same(
      sent.map((m) => [m.flags & 0x600, m.payload.readUInt32LE(8), m.payload.readUInt32LE(12)]),
      [
        [0x600, 0, 0],
        [0, 1, 1],
      ],
      kind,
    );
  }
});

t.test('every fixture has a case', async (t) => {
  const { readdirSync } = await import('node:fs');
  const { dirname, join } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'link');
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.hex'))
    .map((f) => f.slice(0, -4))
    .sort();
  // the port fixtures are test/codec/link-bridge-port.test.ts's and link-bond-port.test.ts's
  const elsewhere = [
    'set-master-bond',
    'set-bridge-port',
    'set-bridge-port-state',
    'show-bridge-port',
    'set-bond-port',
    'set-bond-port-prio',
  ];
  t.same(names, [...CASES.map((c) => c.name), ...elsewhere].sort());
});
