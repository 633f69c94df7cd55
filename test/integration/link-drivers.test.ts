// The link kinds whose drivers this host's kernel lacks (dummy, vlan, vrf and its ports, ipvlan,
// ipvtap, team, geneve), against a kernel that has them, in throwaway rtnl-drv-* namespaces, with
// `ip -j -d link show` as the oracle: made by us with options off their defaults, each option
// holds and ip reads the same; made by ip, we decode the same; a read link re-added
// (`link.add({ ...read, name })`, API.md) is a like link; and what the kernel lets change after
// creation, link.set changes (what it refuses stays as it was). Each test skips where the kernel
// has no such driver (this host: 6.18 without them); `npm run test:uml` runs them on User-mode
// Linux, whose kernel has the modules. Every `ip` costs a process, slow there: each test runs ip
// as few times as it can (one batch to make links, one `ip -d link show` per look).
import t, { type Test } from 'tap';
import type { Handle, Link, LinkChange, VethLink, VlanSpec } from '../../lib/index.js';
import { ipBatch, kindSkips, tempNetns, type TempNetns } from '../helpers/netns.js';
import { sameAsIp, specHolds, type IpLink } from '../fixtures/link/oracle.js';
import { tapWarnings } from '../helpers/tap-warnings.js';

const skip = kindSkips(['dummy', 'vlan', 'vrf', 'ipvlan', 'ipvtap', 'team', 'geneve']);

/** One `ip -j -d link show` of the namespace: its links by name, and their indexes. */
interface IpView {
  links: Map<string, IpLink>;
  names: Map<string, number>;
}

function ipView(ns: TempNetns): IpView {
  const all = ns.ipJson<IpLink[]>('-d', 'link', 'show');
  return { links: new Map(all.map((l) => [l.ifname, l])), names: new Map(all.map((l) => [l.ifname, l.ifindex])) };
}

/** Our links (one link.list) by name. */
async function oursByName(h: Handle): Promise<Map<string, Link>> {
  return new Map((await h.link.list()).map((l) => [l.name, l]));
}

/**
 * Our links and ip's, read as ours, ip's, then ours again until our two reads agree on every link's
 * operstate: a link's state settles through the kernel's linkwatch, up to a second after the change
 * (a veth port just enslaved and up goes from unknown to lowerlayerdown), so ip's read, between
 * two that agree, says the same.
 */
async function readBoth(ns: TempNetns): Promise<{ ours: Map<string, Link>; view: IpView }> {
  for (let tries = 1; ; tries++) {
    const before = await oursByName(ns.h);
    const view = ipView(ns);
    const ours = await oursByName(ns.h);
    if (tries === 30 || [...ours].every(([name, l]) => before.get(name)?.operstate === l.operstate))
      return { ours, view };
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Links as a call returned them: as the kernel now has them (but state), and beside ip's reading. */
async function besideIpNow(t: Test, ns: TempNetns, ...links: Link[]): Promise<void> {
  const { ours, view } = await readBoth(ns);
  for (const l of links) {
    const now = ours.get(l.name);
    t.same(now && options(now), options(l), `${l.name}: as returned, so read again`);
    besideIp(t, view, now);
  }
}

/** Each of our links beside ip's reading of it: the common fields and every key of ip's info_data. */
function besideIp(t: Test, view: IpView, ...links: (Link | undefined)[]): void {
  for (const l of links) {
    const theirs = l && view.links.get(l.name);
    if (!l || !theirs) {
      t.fail(`${l?.name ?? 'a link'}: read by us and by ip`);
      continue;
    }
    sameAsIp(t, l as unknown as Record<string, unknown>, theirs, view.names);
  }
}

/** What two like links share: all but identity, counters and carrier state (and `also`). */
function options(l: Link, ...also: string[]): Record<string, unknown> {
  const skip = new Set(['index', 'name', 'stats', 'flags', 'operstate', 'tapDevice', 'permAddress', ...also]);
  return Object.fromEntries(Object.entries(l).filter(([k]) => !skip.has(k)));
}

/** A read link re-added as `name` (with `tweak`) is like it, but for the tweaked fields, which hold. */
async function readdHolds(
  t: Test,
  h: Handle,
  read: Link | undefined,
  name: string,
  tweak: Record<string, unknown> = {},
): Promise<Link> {
  if (!read) throw new Error(`no link to re-add as ${name}`);
  const copy = await h.link.add({ ...read, name, ...tweak } as Link);
  const keys = Object.keys(tweak);
  t.strictSame(options(copy, ...keys), options(read, ...keys), `${name} is like ${read.name}`);
  for (const [k, v] of Object.entries(tweak))
    t.same((copy as unknown as Record<string, unknown>)[k], v, `${name}.${k}`);
  t.notOk('unknown' in read, `${read.name}: every attribute the kernel reports is decoded`);
  return copy;
}

t.test('dummy: options, beside ip, made by ip, re-added', { skip: skip.dummy }, async (t) => {
  const ns = tempNetns(t, { tag: 'drv' });
  const { h } = ns;
  const spec = {
    type: 'dummy',
    name: 'd0',
    mtu: 9000,
    address: '02:00:00:00:00:d0',
    txqueuelen: 50,
    alias: 'dummy one',
    up: true,
  } as const;
  const d0 = await h.link.add(spec);
  ipBatch(ns.name, ['link add d1 mtu 1280 txqueuelen 10 type dummy']);
  const { ours, view } = await readBoth(ns);
  specHolds(t, d0, spec, view.names);
  besideIp(t, view, ours.get('d0'), ours.get('d1'));
  t.match(ours.get('d0'), { type: 'dummy', operstate: 'unknown' }, 'up, without a carrier of its own');
  t.match(ours.get('d1'), { type: 'dummy', mtu: 1280, txqueuelen: 10, up: false });
  await readdHolds(t, h, ours.get('d0'), 'd2');
  await readdHolds(t, h, ours.get('d1'), 'd3');
});

t.test('vlan: options, beside ip, made by ip, re-added, flags and QoS maps changed', { skip: skip.vlan }, async (t) => {
  const ns = tempNetns(t, { tag: 'drv' });
  const { h } = ns;
  await h.link.add({ type: 'veth', name: 'p0', peer: { name: 'p1' } });
  const spec: VlanSpec = {
    type: 'vlan',
    name: 'v10',
    link: 'p0',
    id: 10,
    protocol: '802.1ad',
    reorderHdr: false,
    gvrp: true,
    mvrp: true,
    looseBinding: true,
    bridgeBinding: true,
    // the kernel keeps egress entries in 16 buckets by skb priority, ingress ones by PCP: read in that order
    egressQosMap: [
      { from: 1, to: 2 },
      { from: 3, to: 4 },
    ],
    ingressQosMap: [
      { from: 5, to: 6 },
      { from: 7, to: 100000 },
    ],
    mtu: 1400,
  };
  // every flag off: the kernel then reports no IFLA_VLAN_FLAGS, where a new VLAN's reorder_hdr is on
  const off = { reorderHdr: false, gvrp: false, mvrp: false, looseBinding: false, bridgeBinding: false };
  const v10 = await h.link.add(spec);
  const v20 = await h.link.add({ type: 'vlan', name: 'v20', link: 'p1', id: 20, ...off });
  ipBatch(ns.name, [
    'link add link p1 name v30 type vlan id 30 protocol 802.1Q gvrp on egress-qos-map 2:5 9:1 ingress-qos-map 1:3',
  ]);
  const { ours, view } = await readBoth(ns);
  specHolds(t, v10, spec, view.names);
  specHolds(t, v20, off, view.names);
  besideIp(t, view, ours.get('v10'), ours.get('v20'), ours.get('v30'));
  t.match(ours.get('v30'), {
    type: 'vlan',
    id: 30,
    protocol: '802.1Q',
    link: view.names.get('p1'),
    reorderHdr: true,
    gvrp: true,
    mvrp: false,
    egressQosMap: [
      { from: 2, to: 5 },
      { from: 9, to: 1 },
    ],
    ingressQosMap: [{ from: 1, to: 3 }],
  });

  // re-added on the same parent with another id: the same protocol and id is the kernel's EEXIST, as with ip
  await readdHolds(t, h, ours.get('v10'), 'v11', { id: 11 });
  await readdHolds(t, h, ours.get('v20'), 'v21', { id: 21 });
  await readdHolds(t, h, ours.get('v30'), 'v31', { id: 31 });
  await t.rejects(h.link.add({ ...v10, name: 'v12' }), { name: 'NetlinkError', code: 'EEXIST' }, 'the same id');
  t.match(
    ipFails(() => ns.ip(...'link add link p0 name v13 type vlan protocol 802.1ad id 10'.split(' '))),
    /already exists/,
    'ip too',
  );

  // the flags change bit by bit (IFLA_VLAN_FLAGS carries a mask): mvrp, not given, stays on
  const changed = await h.link.set('v10', { reorderHdr: true, gvrp: false, looseBinding: false, bridgeBinding: false });
  t.match(changed, { reorderHdr: true, gvrp: false, mvrp: true, looseBinding: false, bridgeBinding: false });
  t.match(await h.link.set('v10', { reorderHdr: false, mvrp: false }), off, 'all off, and read so');
  // the kernel merges QoS entries into its maps; an entry to 0 removes one
  const qos = await h.link.set('v10', {
    egressQosMap: [
      { from: 3, to: 7 },
      { from: 9, to: 1 },
      { from: 1, to: 0 },
    ],
    ingressQosMap: [{ from: 5, to: 0 }],
  });
  t.strictSame(qos.type === 'vlan' && qos.egressQosMap, [
    { from: 3, to: 7 },
    { from: 9, to: 1 },
  ]);
  t.strictSame(qos.type === 'vlan' && qos.ingressQosMap, [{ from: 7, to: 100000 }]);
  await besideIpNow(t, ns, qos);
  await t.rejects(
    h.link.set('v10', { id: 12 } as unknown as LinkChange),
    { name: 'TypeError', message: 'Field "id" of type vlan cannot be changed with link.set' },
    'the id is not changed in place',
  );
});

t.test('vrf and its ports: options, beside ip, made by ip, re-added, moved', { skip: skip.vrf }, async (t) => {
  const ns = tempNetns(t, { tag: 'drv' });
  const { h } = ns;
  const spec = { type: 'vrf', name: 'vrf0', table: 100, mtu: 9000, up: true } as const;
  const vrf0 = await h.link.add(spec);
  const p0 = await h.link.add({ type: 'veth', name: 'p0', peer: { name: 'p1' }, master: 'vrf0', up: true });
  t.strictSame(p0.vrfPort, { table: 100 }, "a port reports its VRF's table");
  ipBatch(ns.name, [
    'link add vrf1 type vrf table 200',
    'link add r0 type veth peer name r1',
    'link set r0 master vrf1',
  ]);
  const { ours, view } = await readBoth(ns);
  specHolds(t, vrf0, spec, view.names);
  besideIp(t, view, ours.get('vrf0'), ours.get('p0'), ours.get('vrf1'), ours.get('r0'));
  t.match(ours.get('vrf1'), { type: 'vrf', table: 200 });
  for (const [name, table] of [
    ['p0', 100],
    ['r0', 200],
  ] as const) {
    const theirs = view.links.get(name)?.linkinfo;
    t.equal(theirs?.info_slave_kind, 'vrf', `${name}: ip reads a VRF port`);
    t.equal(theirs?.info_slave_data?.['table'], table, `${name}: ip's table`);
    t.strictSame(ours.get(name)?.vrfPort, { table }, `${name}.vrfPort`);
  }

  await readdHolds(t, h, ours.get('vrf0'), 'vrf2'); // the same table: allowed unless net.vrf.strict_mode
  await readdHolds(t, h, ours.get('vrf1'), 'vrf3');
  // a read port re-added is a port of the same VRF (its vrfPort, the master's table, is not sent)
  const q0 = await h.link.add({ ...asVeth(ours.get('p0')), name: 'q0', peer: { name: 'q1' } });
  t.match(q0, { master: vrf0.index, up: true, vrfPort: { table: 100 } }, 'a read port re-added');

  // a port's table is its master's: it changes with master, never by itself
  const moved = await h.link.set('p0', { master: 'vrf1' });
  t.strictSame(moved.vrfPort, { table: 200 }, 'moved to vrf1');
  await besideIpNow(t, ns, moved);
  await t.rejects(
    h.link.set('p0', { vrfPort: { table: 5 } } as unknown as LinkChange),
    { name: 'TypeError', message: /^Field "vrfPort\.table" is read-only/ },
    'vrfPort is not set',
  );
  await t.rejects(
    h.link.set('vrf0', { table: 5 } as unknown as LinkChange),
    { name: 'TypeError', message: 'Field "table" of type vrf cannot be changed with link.set' },
    "a VRF's table is not changed in place",
  );
  const freed = await h.link.set('p0', { master: null });
  t.equal(freed.master, undefined, 'released');
  t.equal(freed.vrfPort, undefined, 'no longer a VRF port');
});

t.test(
  "ipvlan: options, beside ip, made by ip, re-added, mode changed (the parent's)",
  { skip: skip.ipvlan },
  async (t) => {
    const ns = tempNetns(t, { tag: 'drv' });
    const { h } = ns;
    await h.link.add({ type: 'veth', name: 'a0', peer: { name: 'a1' } });
    const spec = { type: 'ipvlan', name: 'ipv0', link: 'a0', mode: 'l3s', flags: 'private', mtu: 1400 } as const;
    const ipv0 = await h.link.add(spec);
    const view0 = ipView(ns);
    specHolds(t, ipv0, spec, view0.names);
    await besideIpNow(t, ns, ipv0);
    // the mode and flags are the parent's (one ipvlan port per parent): a sibling made with others
    // changes them for every ipvlan of that parent
    ipBatch(ns.name, ['link add link a0 name ipv1 type ipvlan mode l2 vepa']);
    const { ours, view } = await readBoth(ns);
    besideIp(t, view, ours.get('ipv0'), ours.get('ipv1'));
    for (const name of ['ipv0', 'ipv1'])
      t.match(ours.get(name), { type: 'ipvlan', mode: 'l2', ipvlanFlags: 'vepa' }, `${name}: the parent's mode now`);
    await readdHolds(t, h, ours.get('ipv1'), 'ipv2');
    t.match(await h.link.set('ipv0', { mode: 'l3', flags: 'bridge' }), { mode: 'l3', ipvlanFlags: 'bridge' });
    const { ours: after, view: viewAfter } = await readBoth(ns);
    besideIp(t, viewAfter, after.get('ipv0'), after.get('ipv1'), after.get('ipv2'));
    for (const name of ['ipv1', 'ipv2'])
      t.match(after.get(name), { mode: 'l3', ipvlanFlags: 'bridge' }, `${name}: changed with its parent's`);
  },
);

// an ipvtap's every read looks for its /dev/tapN in /sys/dev/char (over 600 entries on User-mode
// Linux, slow there): this test reads them as seldom as it can
t.test('ipvtap: options, beside ip, made by ip, re-added, mode changed', { skip: skip.ipvtap }, async (t) => {
  const ns = tempNetns(t, { tag: 'drv' });
  const { h } = ns;
  const warnings = tapWarnings(t);
  await h.link.add({ type: 'veth', name: 'b0', peer: { name: 'b1' } });
  const spec = { type: 'ipvtap', name: 'ipvt0', link: 'b0', mode: 'l3', ipvlanFlags: 'vepa', txqueuelen: 200 } as const;
  const made = await h.link.add(spec);
  ipBatch(ns.name, ['link add link b0 name ipvt1 type ipvtap mode l3 vepa']);
  const { ours, view } = await readBoth(ns);
  specHolds(t, made, spec, view.names);
  besideIp(t, view, ours.get('ipvt0'), ours.get('ipvt1'));
  t.match(ours.get('ipvt1'), { type: 'ipvtap', mode: 'l3', ipvlanFlags: 'vepa', link: view.names.get('b0') });
  const copy = await readdHolds(t, h, ours.get('ipvt0'), 'ipvt2');
  const changed = await h.link.set('ipvt0', { mode: 'l3s', flags: 'private' });
  t.match(changed, { mode: 'l3s', ipvlanFlags: 'private' });
  await besideIpNow(t, ns, changed);
  await new Promise((r) => setImmediate(r));
  for (const l of [made, copy]) {
    if (l.type !== 'ipvtap') throw new Error(`${l.name} is a ${l.type}`);
    // /dev/tap<ifindex> is one devtmpfs for all namespaces: another test's link may hold it
    if (l.tapDevice === undefined)
      t.ok(
        warnings.some((w) => w.startsWith(`/dev/tap${l.index} is another device`)),
        `/dev/tap${l.index} is another namespace's, and a warning says so`,
      );
    else t.equal(l.tapDevice, `/dev/tap${l.index}`, `${l.name}: its tap device`);
  }
});

t.test('team: options, beside ip, made by ip, re-added, ports enslaved up', { skip: skip.team }, async (t) => {
  const ns = tempNetns(t, { tag: 'drv' });
  const { h } = ns;
  const spec = {
    type: 'team',
    name: 'tm0',
    mtu: 9000,
    address: '02:00:00:00:00:7e',
    txqueuelen: 100,
    alias: 'teamed',
  } as const;
  const tm0 = await h.link.add(spec);
  // the team driver refuses a port that is up (EBUSY): link.set takes it down, and up again after
  await h.link.add({ type: 'veth', name: 'p0', peer: { name: 'p1' }, up: true });
  await h.link.set('p1', { up: true });
  const p0 = await h.link.set('p0', { master: 'tm0' });
  t.match(p0, { master: tm0.index, up: true }, 'enslaved, and up again');
  t.notOk('bondPort' in p0 || 'bridgePort' in p0 || 'vrfPort' in p0, 'a team port reports no port data');
  ipBatch(ns.name, ['link add tm1 type team']);
  const { ours, view } = await readBoth(ns);
  specHolds(t, tm0, spec, view.names);
  besideIp(t, view, ours.get('tm0'), ours.get('tm1'), ours.get('p0'));
  t.equal(view.links.get('p0')?.linkinfo?.info_slave_kind, 'team', 'ip reads a team port');
  await readdHolds(t, h, ours.get('tm0'), 'tm2');
  await readdHolds(t, h, ours.get('tm1'), 'tm3');
  // …and link.add of an up port: a read team port re-added
  const q0 = await h.link.add({ ...asVeth(ours.get('p0')), name: 'q0', peer: { name: 'q1' } });
  t.match(q0, { master: tm0.index, up: true }, 'a read team port re-added');
});

t.test(
  'geneve: options, beside ip, made by ip, re-added, changed where the kernel lets',
  { skip: skip.geneve },
  async (t) => {
    const ns = tempNetns(t, { tag: 'drv' });
    const { h } = ns;
    const specs = [
      // an IPv4 tunnel accepts zero UDP checksums over IPv6 (udpZeroCsum6Rx true) whatever it is sent
      {
        type: 'geneve',
        name: 'gnv0',
        id: 42,
        remote: '10.0.0.2',
        port: 6082,
        ttl: 9,
        tos: 0x10,
        df: 'set',
        udpCsum: true,
        mtu: 1400,
      },
      {
        type: 'geneve',
        name: 'gnv6',
        id: 43,
        remote: '2001:db8::2',
        ttlInherit: true,
        tos: 1,
        flowlabel: 0x12345,
        df: 'inherit',
        udpZeroCsum6Tx: true,
        udpZeroCsum6Rx: true,
        innerProtoInherit: true,
      },
      { type: 'geneve', name: 'gnvx', id: 0, external: true, port: 6090 },
    ] as const;
    const made: Link[] = [];
    for (const s of specs) made.push(await h.link.add(s));
    ipBatch(ns.name, ['link add gnv1 type geneve id 7 remote 10.0.0.3 ttl 3 tos 0x8 dstport 6083 noudpcsum df unset']);
    const { ours, view } = await readBoth(ns);
    specs.forEach((s, i) => specHolds(t, made[i]!, s, view.names));
    besideIp(t, view, ...['gnv0', 'gnv6', 'gnvx', 'gnv1'].map((n) => ours.get(n)));
    t.match(ours.get('gnv1'), {
      type: 'geneve',
      id: 7,
      remote: '10.0.0.3',
      ttl: 3,
      tos: 8,
      port: 6083,
      udpCsum: false,
      df: 'unset',
    });

    // a second tunnel with the same id, remote and port collides (EBUSY), as with ip: another id does not
    await readdHolds(t, h, ours.get('gnv0'), 'gnv2', { id: 44 });
    await readdHolds(t, h, ours.get('gnv6'), 'gnv7', { id: 45 });
    await readdHolds(t, h, ours.get('gnv1'), 'gnv3', { id: 8 });
    await readdHolds(t, h, ours.get('gnvx'), 'gnvy', { port: 6091 }); // one metadata device per port
    await t.rejects(h.link.add({ ...made[0]!, name: 'gnv4' }), { name: 'NetlinkError', code: 'EBUSY' }, 'the same');
    t.match(
      ipFails(() => ns.ip(...'link add gnv5 type geneve id 42 remote 10.0.0.2 dstport 6082'.split(' '))),
      /Device or resource busy/,
      'ip too',
    );

    // the kernel changes a tunnel's ttl, tos, df, label and remote (same family) in place…
    const gnv0 = await h.link.set('gnv0', { ttl: 20, tos: 0x20, df: 'inherit', remote: '10.0.0.9' });
    t.match(gnv0, { ttl: 20, tos: 0x20, df: 'inherit', remote: '10.0.0.9', port: 6082, id: 42 });
    const gnv6 = await h.link.set('gnv6', { flowlabel: 0x54321, ttlInherit: false, ttl: 5 });
    t.match(gnv6, { flowlabel: 0x54321, ttlInherit: false, ttl: 5 });
    await besideIpNow(t, ns, gnv0, gnv6);
    // …and refuses its port, checksums, or a remote of the other family (EOPNOTSUPP), changing nothing
    for (const change of [{ port: 7000 }, { udpCsum: false }, { remote: '2001:db8::9' }])
      await t.rejects(
        h.link.set('gnv0', change),
        { name: 'NetlinkError', code: 'EOPNOTSUPP', field: Object.keys(change)[0] },
        JSON.stringify(change),
      );
    t.strictSame(options(await h.link.get('gnv0')), options(gnv0), 'gnv0 as it was');
  },
);

/** A veth's read, typed so (link.add takes it back with a `peer`). */
function asVeth(l: Link | undefined): VethLink {
  if (l?.type !== 'veth') throw new Error(`${l?.name ?? 'the link'} is a ${l?.type ?? 'nothing'}`);
  return l;
}

/** What an `ip` command that should fail printed on stderr ('' where it did not fail). */
function ipFails(run: () => unknown): string {
  try {
    run();
    return '';
  } catch (e) {
    return String((e as { stderr?: unknown }).stderr);
  }
}
