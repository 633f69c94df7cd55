// Links against the kernel, in throwaway namespaces, with `ip -j -d link show` as the oracle:
// every kind this kernel has (bridge, veth, macvlan and macvtap in each mode, vxlan, tun, tap,
// ifb) made by us reads the same in ip, made by ip decodes the same here, and a Link read back
// makes a like link; the kinds it lacks fail with EOPNOTSUPP naming the driver.
import t, { type Test } from 'tap';
import { statSync, readlinkSync, readdirSync, unlinkSync } from 'node:fs';
import { addon } from '../../lib/binding.js';
import type { Link, LinkSpec } from '../../lib/index.js';
import { rootSkip, tempNetns, type TempNetns } from '../helpers/netns.js';
import { sameAsIp, type IpLink } from '../fixtures/link/oracle.js';

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

/** Every field of the spec (names resolved) is what the link reports. */
function specHolds(t: Test, l: Link, spec: Record<string, unknown>, names: Map<string, number>): void {
  for (const [k, v] of Object.entries(spec)) {
    if (k === 'peer' || k === 'netns' || k === 'macaddrMode') continue; // not reported (macaddrMode says how macaddrData applies)
    const want = typeof v === 'string' && ['link', 'master', 'dev'].includes(k) ? names.get(v) : v;
    const got = (l as unknown as Record<string, unknown>)[k];
    if (k === 'macaddrData') t.same([...(got as string[])].sort(), [...(v as string[])].sort(), `${l.name}.${k}`);
    else t.same(got, want, `${l.name}.${k}`);
  }
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
  const made: Link[] = [];
  for (const s of specs) made.push(await h.link.add(s));
  const ip = ipLinks(ns);
  const names = new Map(ip.map((l) => [l.ifname, l.ifindex]));
  specs.forEach((s, i) => specHolds(t, made[i]!, s as unknown as Record<string, unknown>, names));
  const ours = await compareAll(t, ns);
  t.equal(ours.get('p1')?.link, names.get('p0'), 'a veth reports its peer as link');
  for (const mode of modes) {
    const l = ours.get(`mvt-${mode}`);
    t.equal(
      l?.type === 'macvtap' && l.tapDevice,
      `/dev/tap${names.get(`mvt-${mode}`)}`,
      `macvtap ${mode} reports its tap device`,
    );
  }
});

t.test("a macvtap's /dev/tapN is the character device of that link", opts, async (t) => {
  const ns = tempNetns(t);
  await ns.h.link.add({ type: 'veth', name: 'p0', peer: { name: 'p1' } });
  // a high ifindex of our own: /dev/tap<ifindex> is one devtmpfs for every namespace, and parallel
  // tests' fresh namespaces would otherwise all number their macvtaps 4, 5, …
  const index = 100000 + (process.pid % 50000);
  ns.ip('link', 'add', 'mvt0', 'index', String(index), 'link', 'p0', 'type', 'macvtap', 'mode', 'bridge');
  const l = await ns.h.link.get('mvt0');
  if (l.type !== 'macvtap') throw new Error('not a macvtap');
  t.equal(l.tapDevice, `/dev/tap${index}`);
  const target = (e: string): string => {
    try {
      return readlinkSync(`/sys/dev/char/${e}`);
    } catch {
      return ''; // another test's device, gone since readdir
    }
  };
  const entry = readdirSync('/sys/dev/char').find((e) => target(e).endsWith(`/net/mvt0/macvtap/tap${index}`));
  t.ok(entry, `/sys/dev/char holds tap${index}`);
  const st = statSync(l.tapDevice);
  t.ok(st.isCharacterDevice(), `${l.tapDevice} is a character device`);
  const [maj, min] = entry!.split(':').map(Number);
  t.same(
    [(st.rdev >>> 8) & 0xfff, (st.rdev & 0xff) | ((st.rdev >>> 12) & 0xfff00)],
    [maj, min],
    `major:minor ${entry}`,
  );

  // the node gone (a /dev without devtmpfs): link.get makes it again where the addon can mknod,
  // and says so where it cannot — never a silent wrong path
  unlinkSync(l.tapDevice);
  const warnings: string[] = [];
  const onWarning = (w: Error & { code?: string }): void => {
    if (w.code === 'RTNETLINK_TAPDEV') warnings.push(w.message);
  };
  process.on('warning', onWarning);
  t.teardown(() => process.off('warning', onWarning));
  await ns.h.link.get('mvt0');
  await new Promise((r) => setImmediate(r));
  if (typeof (addon() as unknown as { mknod?: unknown }).mknod === 'function') {
    t.ok(statSync(l.tapDevice).isCharacterDevice(), `${l.tapDevice} made again`);
  } else {
    t.match(
      warnings,
      [new RegExp(`^${l.tapDevice} is missing; the character device of mvt0 is ${entry}$`)],
      'a warning names the missing node and its major:minor',
    );
  }
});

t.test('what ip creates, we decode with the same values', opts, async (t) => {
  const ns = tempNetns(t);
  const cmds = [
    'link add p0 type veth peer name p1',
    'link add br0 type bridge stp_state 1 forward_delay 500 hello_time 150 priority 7 mcast_snooping 0 mcast_querier 1 nf_call_arptables 1 group_fwd_mask 0x8',
    'link set p1 master br0',
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
      'unknown',
      ...Object.keys(tweak),
    ]);
    const strip = (x: Link): Record<string, unknown> =>
      Object.fromEntries(Object.entries(x).filter(([k]) => !skip.has(k)));
    t.same(strip(copy), strip(l), `${to} is like ${from}`);
  }
});

t.test('the kinds this kernel lacks: EOPNOTSUPP naming the driver', opts, async (t) => {
  const ns = tempNetns(t);
  await ns.h.link.add({ type: 'veth', name: 'p0', peer: { name: 'p1' } });
  const specs: LinkSpec[] = [
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
  for (const s of specs) {
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
  await ns.h.link.add({ type: 'bridge', name: 'br0' });
  await t.rejects(ns.h.link.add({ type: 'bridge', name: 'br0' }), {
    name: 'NetlinkError',
    code: 'EEXIST',
    message: /^link\.add br0 \(type bridge\): /,
  });
  await t.rejects(ns.h.link.get('nope0'), { name: 'NetlinkError', code: 'ENODEV' });
  const e = await ns.h.link
    .add({ type: 'bridge', name: 'br1', vlanFiltering: true })
    .catch((x: unknown) => x as Error & { errno: number });
  t.equal((e as { errno?: number }).errno, 95, 'vlan_filtering 1 without CONFIG_BRIDGE_VLAN_FILTERING');
  t.notMatch((e as Error).message, /driver/, 'no missing-driver hint when the kind exists');
});
