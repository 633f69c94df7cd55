// Links against the kernel, in throwaway namespaces, with `ip -j -d link show` as the oracle:
// every kind this kernel has (bridge, veth, macvlan and macvtap in each mode, vxlan, tun, tap,
// ifb) made by us reads the same in ip, made by ip decodes the same here, and a Link read back
// makes a like link; the kinds it lacks fail with EOPNOTSUPP naming the driver (those a kernel
// with the drivers has, dummy, vlan, vrf, ipvlan, team, geneve…, are link-drivers.test.ts's).
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, statSync, readlinkSync, readdirSync, unlinkSync } from 'node:fs';
import type { Link, LinkSpec } from '../../lib/index.js';
import { kindSkips, rootSkip, tempNetns, type TempNetns } from '../helpers/netns.js';
import { sameAsIp, specHolds, type IpLink } from '../fixtures/link/oracle.js';
import { tapWarnings } from '../helpers/tap-warnings.js';
import { ensureTapDevice, scanTapDevices } from '../../lib/tun.js';

const opts = { skip: rootSkip };

function ipLinks(ns: TempNetns): IpLink[] {
  return ns.ipJson<IpLink[]>('-d', 'link', 'show');
}

/** Compares every link of the namespace (ours from link.list, ip's from ip -j -d): kind fields compared. */
async function compareAll(t: Test, ns: TempNetns): Promise<Map<string, Link>> {
  const ip = ipLinks(ns);
  const names = new Map(ip.map((l) => [l.ifname, l.ifindex]));
  const ours = new Map((await ns.h.link.list()).map((l) => [l.name, l]));
  t.same([...ours.keys()].sort(), [...names.keys()].sort(), 'the same links');
  let fields = 0;
  for (const l of ip) fields += sameAsIp(t, ours.get(l.ifname) as unknown as Record<string, unknown>, l, names);
  t.ok(fields > 0, `${fields} kind fields compared`);
  return ours;
}

t.test('what we create, ip reads with the same fields', opts, async (t) => {
  const ns = tempNetns(t);
  const { h } = ns;
  const specs: LinkSpec[] = [
    {
      type: 'veth',
      name: 'p0',
      peer: { name: 'p1', mtu: 1400 },
      mtu: 1400,
      txqueuelen: 900,
      alias: 'uplink',
      up: true,
    },
    {
      type: 'bridge',
      name: 'br0',
      stpState: 1,
      forwardDelay: 400,
      helloTime: 300,
      maxAge: 1000,
      ageingTime: 12000,
      priority: 100,
      groupFwdMask: 8,
      groupAddress: '01:80:c2:00:00:0e',
      mcastSnooping: false,
      mcastRouter: 2,
      mcastQuerier: true,
      nfCallIptables: true,
      mcastIgmpVersion: 3,
      noLinklocalLearn: true,
      mcastLastMemberCount: 3,
      mcastQueryInterval: 6000,
      address: '02:00:00:00:00:b0',
      up: true,
    },
    { type: 'veth', name: 'port0', peer: { name: 'port1', address: '02:00:00:00:00:11' }, master: 'br0' },
    {
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
      udpCsum: false,
      maxaddress: 7,
      df: 'set',
      l2miss: true,
    },
    { type: 'vxlan', name: 'vx1', id: 16777215, group: '239.1.1.1', dev: 'p0', port: 4790 },
    {
      type: 'vxlan',
      name: 'vx6',
      id: 0,
      remote: '2001:db8::2',
      local: '2001:db8::1',
      port: 4791,
      flowlabel: 5,
      udpZeroCsum6Tx: true,
    },
    { type: 'vxlan', name: 'vx6g', id: 7, group: 'ff05::100', dev: 'p0', port: 4792 },
    { type: 'ifb', name: 'ifb0', txqueuelen: 64 },
    { type: 'tap', name: 'tap0', owner: 4242, group: 4343, multiQueue: true, vnetHdr: true, mtu: 1300, up: true },
    { type: 'tun', name: 'tun0', pi: true },
  ];
  const parents = ['mvp', 'mvr', 'mvv', 'mvb', 'mvt', 'mvs'];
  for (const p of parents) specs.push({ type: 'veth', name: `${p}0`, peer: { name: `${p}1` } });
  const modes = ['private', 'vepa', 'bridge', 'passthru', 'source'] as const;
  modes.forEach((mode, i) => {
    // passthru takes its parent alone: every mode gets a parent of its own
    specs.push({
      type: 'macvlan',
      name: `mv-${mode}`,
      link: `${parents[i]}0`,
      mode,
      ...(mode === 'passthru' ? { nopromisc: true } : {}),
    });
    specs.push({
      type: 'macvtap',
      name: `mvt-${mode}`,
      link: `${parents[i]}1`,
      mode,
      ...(mode === 'source'
        ? { macaddrMode: 'set' as const, macaddrData: ['02:00:00:00:00:01', '02:00:00:00:00:02'] }
        : {}),
    });
  });
  const warnings = tapWarnings(t);
  const made: Link[] = [];
  for (const s of specs) made.push(await h.link.add(s));
  const ip = ipLinks(ns);
  const names = new Map(ip.map((l) => [l.ifname, l.ifindex]));
  specs.forEach((s, i) => specHolds(t, made[i]!, s, names));
  const ours = await compareAll(t, ns);
  t.equal(ours.get('p1')?.link, names.get('p0'), 'a veth reports its peer as link');
  await new Promise((r) => setImmediate(r));
  for (const mode of modes) {
    const l = ours.get(`mvt-${mode}`);
    const index = names.get(`mvt-${mode}`)!;
    if (l?.type === 'macvtap' && l.tapDevice === undefined) {
      // a test running beside this one holds a macvtap of this index in its own namespace
      t.ok(
        warnings.some((w) =>
          w.startsWith(`/dev/tap${index} is another device; the character device of mvt-${mode} is`),
        ),
        `macvtap ${mode}: /dev/tap${index} is another namespace's, and a warning says so`,
      );
      continue;
    }
    t.equal(l?.type === 'macvtap' && l.tapDevice, `/dev/tap${index}`, `macvtap ${mode} reports its tap device`);
    t.equal(devtOf(`/dev/tap${index}`), sysTapDevts(`mvt-${mode}`, index)[0], '…and it is that link’s');
  }
});

/** The char device numbers of `name`'s tap<index>, as /sys/dev/char links them ('246:3'). */
function sysTapDevts(name: string, index: number): string[] {
  const target = (e: string): string => {
    try {
      return readlinkSync(`/sys/dev/char/${e}`);
    } catch {
      return ''; // another test's device, gone since readdir
    }
  };
  return readdirSync('/sys/dev/char').filter((e) => target(e).endsWith(`/net/${name}/macvtap/tap${index}`));
}

/** stat()'s rdev as 'major:minor' (new_encode_dev: minor's low byte, major, minor's high bits). */
function devtOf(path: string): string {
  const { rdev } = statSync(path);
  return `${(rdev >>> 8) & 0xfff}:${(rdev & 0xff) | ((rdev >>> 12) & 0xfff00)}`;
}

// a high ifindex of our own: /dev/tap<ifindex> is one devtmpfs for every namespace, and parallel
// tests' fresh namespaces would otherwise all number their macvtaps 4, 5, …
const tapIndex = (k: number): number => 100000 + ((process.pid * 4 + k) % 200000);

t.test("a macvtap's /dev/tapN is the character device of that link", opts, async (t) => {
  const ns = tempNetns(t);
  await ns.h.link.add({ type: 'veth', name: 'p0', peer: { name: 'p1' } });
  const index = tapIndex(0);
  ns.ip('link', 'add', 'mvt0', 'index', String(index), 'link', 'p0', 'type', 'macvtap', 'mode', 'bridge');
  const l = await ns.h.link.get('mvt0');
  if (l.type !== 'macvtap') throw new Error('not a macvtap');
  const path = `/dev/tap${index}`;
  t.equal(l.tapDevice, path);
  const [entry] = sysTapDevts('mvt0', index);
  t.ok(entry, `/sys/dev/char holds tap${index}`);
  t.ok(statSync(path).isCharacterDevice(), `${path} is a character device`);
  t.equal(devtOf(path), entry, `major:minor ${entry}`);
  t.match(await ns.h.link.list({ type: 'macvtap' }), [{ name: 'mvt0', tapDevice: path }], 'list() reports it too');

  // the node gone (a /dev without devtmpfs): link.get makes it again…
  unlinkSync(path);
  const again = await ns.h.link.get('mvt0');
  t.equal(again.type === 'macvtap' && again.tapDevice, path);
  t.equal(devtOf(path), entry, `${path} made again, ${entry}`);
  // …and link.del takes the node it made along (devtmpfs removes only the nodes it made itself)
  await ns.h.link.del('mvt0');
  t.notOk(existsSync(path), `${path} is gone with its link`);
});

t.test('a macvtap whose /dev/tapN is another namespace’s has no tapDevice, and a warning', opts, async (t) => {
  const [a, b] = [tempNetns(t), tempNetns(t)];
  const index = tapIndex(1);
  for (const [ns, name] of [
    [a, 'mvA'],
    [b, 'mvB'],
  ] as const) {
    await ns.h.link.add({ type: 'veth', name: 'p0', peer: { name: 'p1' } });
    ns.ip('link', 'add', name, 'index', String(index), 'link', 'p0', 'type', 'macvtap');
  }
  const warnings = tapWarnings(t);
  const mvA = await a.h.link.get('mvA');
  t.equal(mvA.type === 'macvtap' && mvA.tapDevice, `/dev/tap${index}`, 'the first one has the node devtmpfs made');
  t.equal(devtOf(`/dev/tap${index}`), sysTapDevts('mvA', index)[0]);
  const mvB = await b.h.link.get('mvB');
  t.equal(mvB.type, 'macvtap');
  t.notOk('tapDevice' in mvB, 'the second one: no tapDevice (the node is mvA’s)');
  await new Promise((r) => setImmediate(r));
  const [devtB] = sysTapDevts('mvB', index);
  t.ok(devtB && devtB !== devtOf(`/dev/tap${index}`));
  t.match(warnings, [`/dev/tap${index} is another device; the character device of mvB is ${devtB} `]);
  t.notOk('tapDevice' in ((await b.h.link.list({ type: 'macvtap' }))[0] ?? {}), 'nor in list()');

  // one name and index in both namespaces: /sys/dev/char cannot tell the two apart
  await b.h.link.set('mvB', { name: 'mvA' });
  const both = [await a.h.link.get('mvA'), await b.h.link.get('mvA')];
  t.same(
    both.map((l) => 'tapDevice' in l),
    [false, false],
    'neither reports a node that may be the other’s',
  );
  await new Promise((r) => setImmediate(r));
  t.match(warnings.at(-1), /^the character device of mvA is one of \d+:\d+, \d+:\d+ /);
});

t.test('a leftover /dev/tapN (a deleted namespace’s node) is replaced, and our own are swept', opts, async (t) => {
  const warnings = tapWarnings(t);
  const [a, b] = [tempNetns(t), tempNetns(t)];
  const [i, j] = [tapIndex(2), tapIndex(3)];
  const paths = [`/dev/tap${i}`, `/dev/tap${j}`];
  t.teardown(() => {
    if (existsSync(paths[0]!)) unlinkSync(paths[0]!);
  });
  for (const ns of [a, b]) await ns.h.link.add({ type: 'veth', name: 'p0', peer: { name: 'p1' } });
  a.ip('link', 'add', 'mvA', 'index', String(j), 'link', 'p0', 'type', 'macvtap');
  const [devtA] = sysTapDevts('mvA', j);
  const [major] = devtA!.split(':');
  // a node of a tap device that no longer exists, as a deleted namespace leaves one made by mknod
  execFileSync('mknod', [paths[0]!, 'c', major!, '1048000']);
  b.ip('link', 'add', 'mvB', 'index', String(i), 'link', 'p0', 'type', 'macvtap');
  const mvB = await b.h.link.get('mvB');
  const [devtB] = sysTapDevts('mvB', i);
  t.equal(mvB.type === 'macvtap' && mvB.tapDevice, paths[0], 'mvB gets its node in place of the leftover');
  t.equal(devtOf(paths[0]!), devtB, `now ${devtB}`);
  await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
  t.match(warnings, [new RegExp(`^/dev/tap${i} was a leftover node \\(${major}:1048000, no such device\\)`)]);

  // a node named after one index that opens the tap device of another index
  await b.h.link.del('mvB');
  t.notOk(existsSync(paths[0]!), 'the node made here went with its link');
  execFileSync('mknod', [paths[0]!, 'c', major!, devtA!.split(':')[1]!]);
  b.ip('link', 'add', 'mvC', 'index', String(i), 'link', 'p0', 'type', 'macvtap');
  const mvC = await b.h.link.get('mvC');
  t.equal(mvC.type === 'macvtap' && mvC.tapDevice, paths[0]);
  t.equal(devtOf(paths[0]!), sysTapDevts('mvC', i)[0], 'the node opens mvC, not mvA');
  await new Promise((r) => setImmediate(r));
  t.match(warnings.at(-1), /the device of another index/);

  // the namespace goes (its macvtap with it): the node made here for mvC is swept at the next check
  b.ip('link', 'del', 'mvC');
  await a.h.link.get('mvA');
  t.notOk(existsSync(paths[0]!), 'a node made here whose device went is removed');
});

t.test('a node that looks stale in an old scan is checked again before it is replaced', opts, async (t) => {
  const warnings = tapWarnings(t);
  const [a, b] = [tempNetns(t), tempNetns(t)];
  const i = tapIndex(4);
  for (const ns of [a, b]) await ns.h.link.add({ type: 'veth', name: 'p0', peer: { name: 'p1' } });
  // another namespace's macvtap appears after the scan was taken: devtmpfs makes its node
  b.ip('link', 'add', 'mvB', 'index', String(i), 'link', 'p0', 'type', 'macvtap');
  a.ip('link', 'add', 'mvA', 'index', String(i), 'link', 'p0', 'type', 'macvtap');
  const [devtB] = sysTapDevts('mvB', i);
  t.equal(devtOf(`/dev/tap${i}`), devtB, "the node is mvB's");
  const old = (await scanTapDevices()).filter((e) => e.name !== 'mvB'); // as if read before mvB came
  t.equal(await ensureTapDevice('mvA', i, Promise.resolve(old)), undefined, 'mvA gets no node');
  t.equal(devtOf(`/dev/tap${i}`), devtB, "mvB's node is left alone");
  await new Promise((r) => setImmediate(r));
  t.match(warnings.at(-1), new RegExp(`^/dev/tap${i} is another device`));
});

t.test('what ip creates, we decode with the same values', opts, async (t) => {
  const ns = tempNetns(t);
  const cmds = [
    'link add p0 type veth peer name p1',
    'link add br0 type bridge stp_state 1 forward_delay 500 hello_time 150 priority 7 mcast_snooping 0 mcast_querier 1 nf_call_arptables 1 group_fwd_mask 0x8',
    'link set p1 master br0',
    'link add brq type bridge mcast_querier 1',
    'link set brq up',
    'link add vx0 type vxlan id 99 remote 10.1.1.1 local 10.1.1.2 dev p0 dstport 8472 srcport 3000 4000 ttl 3 tos 0x8 nolearning ageing 99 maxaddress 9 proxy rsc l2miss l3miss',
    'link add vx1 type vxlan id 100 group ff02::9 dev p0 dstport 4789 noudpcsum udp6zerocsumrx',
    'link add vx2 type vxlan external dstport 4800',
    'link add mv0 link p0 type macvlan mode vepa',
    'link add mvt0 link p0 type macvtap mode private',
    'link add mvs0 link p0 type macvlan mode source',
    'link set mvs0 type macvlan macaddr set 02:00:00:00:00:07 02:00:00:00:00:08',
    'link add ifb0 type ifb',
    'tuntap add tp0 mode tap user 4242 group 4343 multi_queue vnet_hdr',
    'tuntap add tn0 mode tun pi',
  ];
  for (const c of cmds) ns.ip(...c.split(' '));
  const ours = await compareAll(t, ns);
  const br = ours.get('br0');
  t.match(br, {
    type: 'bridge',
    stpState: 1,
    forwardDelay: 500,
    helloTime: 150,
    priority: 7,
    mcastSnooping: false,
    mcastQuerier: true,
    nfCallArptables: true,
    groupFwdMask: 8,
  });
  // IFLA_BR_MCAST_QUERIER_STATE, reported while snooping with a querier up (ip 6.1 does not print it)
  const brq = ours.get('brq');
  t.match(brq, { type: 'bridge', mcastQuerierState: { ipAddress: '0.0.0.0', ipv6Address: '::' } }, 'no querier seen');
  t.notOk(brq && 'unknown' in brq, 'the bridge decodes without unknown attributes');
  t.match(ours.get('vx0'), {
    type: 'vxlan',
    id: 99,
    remote: '10.1.1.1',
    local: '10.1.1.2',
    dev: ours.get('p0')?.index,
    port: 8472,
    srcPortRange: { low: 3000, high: 4000 },
    ttl: 3,
    tos: 8,
    learning: false,
    ageing: 99,
    maxaddress: 9,
    proxy: true,
    rsc: true,
    l2miss: true,
    l3miss: true,
  });
  t.match(ours.get('vx1'), { type: 'vxlan', id: 100, group: 'ff02::9', udpCsum: false, udpZeroCsum6Rx: true });
  t.match(ours.get('vx2'), { type: 'vxlan', external: true, port: 4800 });
  t.match(ours.get('mvs0'), { type: 'macvlan', mode: 'source', macaddrCount: 2 });
  t.match(ours.get('tp0'), {
    type: 'tap',
    owner: 4242,
    group: 4343,
    multiQueue: true,
    vnetHdr: true,
    pi: false,
    persist: true,
  });
  t.match(ours.get('tn0'), { type: 'tun', pi: true, persist: true });
  t.equal(ours.get('p1')?.master, br?.index, "the port's master");
});

t.test('a Link read back makes a like link', opts, async (t) => {
  const ns = tempNetns(t);
  const { h } = ns;
  await h.link.add({ type: 'veth', name: 'p0', peer: { name: 'p1' } });
  await h.link.add({ type: 'bridge', name: 'br0', stpState: 1, priority: 9, mcastSnooping: false, helloTime: 300 });
  await h.link.add({ type: 'macvlan', name: 'mv0', link: 'p0', mode: 'private', mtu: 1400 });
  await h.link.add({ type: 'macvtap', name: 'mvt0', link: 'p0', mode: 'vepa' });
  await h.link.add({
    type: 'vxlan',
    name: 'vx0',
    id: 5,
    remote: '10.0.0.9',
    dev: 'p0',
    port: 4789,
    ttl: 7,
    learning: false,
  });
  await h.link.add({ type: 'tap', name: 'tap0', vnetHdr: true, mtu: 1280 });
  const pairs: [string, string, Record<string, unknown>][] = [
    ['br0', 'br1', {}],
    ['mv0', 'mv1', {}],
    ['mvt0', 'mvt1', {}],
    ['vx0', 'vx1', { id: 6 }],
    ['tap0', 'tap1', {}],
  ];
  for (const [from, to, tweak] of pairs) {
    const l = await h.link.get(from);
    if (l.type === 'device' || l.type === 'veth') throw new Error(`unexpected ${l.type}`);
    const copy = await h.link.add({ ...l, name: to, ...tweak });
    const skip = new Set([
      'name',
      'index',
      'address',
      'stats',
      'bridgeId',
      'rootId',
      'helloTimer',
      'gcTimer',
      'tcnTimer',
      'topologyChangeTimer',
      'tapDevice',
      'operstate',
      'flags',
      'qdisc',
      ...Object.keys(tweak),
    ]);
    const strip = (x: Link): Record<string, unknown> =>
      Object.fromEntries(Object.entries(x).filter(([k]) => !skip.has(k)));
    t.same(strip(copy), strip(l), `${to} is like ${from}`);
    t.notOk('unknown' in l, `${from}: every attribute this kernel reports is decoded (no raw bytes)`);
  }
});

t.test(
  'attributes newer than the installed headers: bridge fdb limits, vxlan localbypass, label policy, reserved bits',
  opts,
  async (t) => {
    const ns = tempNetns(t);
    const { h } = ns;
    const br = await h.link.add({ type: 'bridge', name: 'br0', fdbMaxLearned: 100 });
    t.match(br, { fdbMaxLearned: 100, fdbNLearned: 0 });
    t.match(await h.link.set('br0', { fdbMaxLearned: 0 }), { fdbMaxLearned: 0 }, 'changed in place');
    const vx = await h.link.add({ type: 'vxlan', name: 'vx0', id: 5, port: 4789 });
    if (vx.type !== 'vxlan') throw new Error(`expected a vxlan, got ${vx.type}`);
    t.match(vx, { localbypass: true, labelPolicy: 'fixed', reservedBits: '0xf7ffffff000000ff' }, 'the defaults');
    const vx1 = await h.link.add({
      type: 'vxlan',
      name: 'vx1',
      id: 6,
      port: 4790,
      local: '2001:db8::1',
      localbypass: false,
      labelPolicy: 'inherit',
      reservedBits: '0xf7ffffff000000f0',
    });
    t.match(vx1, { localbypass: false, labelPolicy: 'inherit', reservedBits: '0xf7ffffff000000f0' }, 'as asked');
    // a clone of a vxlan sends its reserved bits: the kernel's own choice for the clone (from the
    // extension flags the read carries) would differ from the original's
    const copy = await h.link.add({ ...vx, name: 'vx2', id: 7, port: 4791 });
    t.equal(copy.type === 'vxlan' && copy.reservedBits, '0xf7ffffff000000ff');
    await t.rejects(h.link.add({ type: 'vxlan', name: 'vx3', id: 8, reservedBits: 'ff' }), {
      name: 'TypeError',
      message: /"reservedBits"/,
    });
  },
);

const ABSENT_SPECS: LinkSpec[] = [
  { type: 'bond', name: 'bond0', mode: '802.3ad' },
  { type: 'team', name: 'team0' },
  { type: 'vlan', name: 'p0.10', link: 'p0', id: 10 },
  { type: 'ipvlan', name: 'ipv0', link: 'p0', mode: 'l3' },
  { type: 'ipvtap', name: 'ipvt0', link: 'p0' },
  { type: 'dummy', name: 'd0' },
  { type: 'vrf', name: 'vrf0', table: 10 },
  { type: 'geneve', name: 'gnv0', id: 1, remote: '10.0.0.2' },
  { type: 'wireguard', name: 'wg0' },
];
// which of those this kernel has no driver for (asked once, in a probe namespace of its own); a
// kernel with them all (User-mode Linux has all but wireguard) leaves the test nothing to check
const drivers = rootSkip ? undefined : kindSkips(ABSENT_SPECS.map((s) => s.type));
const absent = ABSENT_SPECS.filter((s) => drivers?.[s.type]);
const absentSkip =
  rootSkip ||
  (absent.length === 0 && `this kernel has a driver for each of ${ABSENT_SPECS.map((s) => s.type).join(', ')}`);

t.test('the kinds this kernel lacks: EOPNOTSUPP naming the driver', { skip: absentSkip }, async (t) => {
  const ns = tempNetns(t);
  await ns.h.link.add({ type: 'veth', name: 'p0', peer: { name: 'p1' } });
  t.comment(`no driver here for: ${absent.map((s) => s.type).join(', ')}`);
  for (const s of absent) {
    const err = await ns.h.link.add(s).then(
      () => undefined,
      (e: unknown) => e as Error & { errno?: number; op?: string },
    );
    t.equal(err?.name, 'NetlinkError', `${s.type}: NetlinkError`);
    t.equal(err?.errno, 95, `${s.type}: EOPNOTSUPP`);
    t.equal((err as { code?: string } | undefined)?.code, 'EOPNOTSUPP', `${s.type}: code EOPNOTSUPP`);
    t.match(
      err?.message,
      'Operation not supported (EOPNOTSUPP): Unknown device type',
      `${s.type}: strerror text and code`,
    );
    t.equal(err?.op, 'RTM_NEWLINK');
    t.match(err?.message, `link.add ${s.name} (type ${s.type}): `, `${s.type}: names the link and kind`);
    t.match(
      err?.message,
      `: Unknown device type — this kernel has no '${s.type}' driver`,
      `${s.type}: names the driver`,
    );
  }
  t.same(
    ipLinks(ns)
      .map((l) => l.ifname)
      .sort(),
    ['lo', 'p0', 'p1'],
    'nothing was made',
  );
});

t.test("EEXIST, ENODEV and a bridge option this kernel refuses keep the kernel's words", opts, async (t) => {
  const ns = tempNetns(t);
  const br0 = await ns.h.link.add({ type: 'bridge', name: 'br0' });
  await t.rejects(ns.h.link.add({ type: 'bridge', name: 'br0' }), {
    name: 'NetlinkError',
    code: 'EEXIST',
    message: /^link\.add br0 \(type bridge\): /,
  });
  await t.rejects(ns.h.link.get('nope0'), { name: 'NetlinkError', code: 'ENODEV' });
  if ('vlanDefaultPvid' in br0) {
    // a kernel with CONFIG_BRIDGE_VLAN_FILTERING (User-mode Linux's) takes it
    t.match(await ns.h.link.add({ type: 'bridge', name: 'br1', vlanFiltering: true }), { vlanFiltering: true });
    return;
  }
  const e = await ns.h.link
    .add({ type: 'bridge', name: 'br1', vlanFiltering: true })
    .catch((x: unknown) => x as Error & { errno: number });
  t.equal((e as { errno?: number }).errno, 95, 'vlan_filtering 1 without CONFIG_BRIDGE_VLAN_FILTERING');
  t.notMatch((e as Error).message, /driver/, 'no missing-driver hint when the kind exists');
  t.match(
    (e as Error).message,
    /"vlanFiltering": this kernel has no bridge VLAN filtering \(CONFIG_BRIDGE_VLAN_FILTERING\)/,
  );
});

t.test('bridge VLAN fields a kernel without VLAN filtering would ignore are an error, not lost', opts, async (t) => {
  const ns = tempNetns(t);
  const br0 = await ns.h.link.add({ type: 'bridge', name: 'br0' });
  if ('vlanDefaultPvid' in br0) {
    // a kernel with CONFIG_BRIDGE_VLAN_FILTERING takes them
    t.match(await ns.h.link.set('br0', { vlanDefaultPvid: 7 }), { vlanDefaultPvid: 7 });
    return;
  }
  await t.rejects(ns.h.link.add({ type: 'bridge', name: 'br1', vlanDefaultPvid: 10 }), {
    name: 'NetlinkError',
    code: 'EOPNOTSUPP',
    field: 'vlanDefaultPvid',
    message:
      /^link\.add br1 \(type bridge\): .*CONFIG_BRIDGE_VLAN_FILTERING\): it ignores "vlanDefaultPvid"; the bridge was not made/,
  });
  t.notOk(
    ns.ipJson<{ ifname: string }[]>('link', 'show').some((l) => l.ifname === 'br1'),
    'no br1 left behind',
  );
  await t.rejects(ns.h.link.set('br0', { mtu: 1400, vlanStatsEnabled: true }), {
    code: 'EOPNOTSUPP',
    field: 'vlanStatsEnabled',
    message: /^link\.set br0: .*it ignores "vlanStatsEnabled"; the rest of the change was made/,
  });
  t.equal((await ns.h.link.get('br0')).mtu, 1400, 'the rest of the change was made');
});
