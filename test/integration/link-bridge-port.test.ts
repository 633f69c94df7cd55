// Bridge port options against the kernel, in throwaway namespaces: every option link.set takes
// under `bridgePort` is read back by link.get and by `ip -j -d link show` (info_slave_data; ip
// 6.1 does not print mab, neigh_vlan_suppress, backup_nhid, mcast_eht_hosts_limit or
// mcast_max_groups, which are checked through link.get, i.e. the kernel's own report), on a veth
// and on a tap port; link.add applies a read port's options to a new port; refusals are clear.
import t, { type Test } from 'tap';
import type { BridgePort, BridgePortChange, Link } from '../../lib/index.js';
import { NetlinkError } from '../../lib/index.js';
import { rootSkip, tempNetns, type TempNetns } from '../helpers/netns.js';
import { samePortAsIp, type IpLink } from '../fixtures/link/oracle.js';

const opts = { skip: rootSkip };

type IpPort = IpLink & { linkinfo?: { info_slave_kind?: string; info_slave_data?: Record<string, unknown> } };

function ipLink(ns: TempNetns, dev: string): IpPort {
  const [l] = ns.ipJson<IpPort[]>('-d', 'link', 'show', 'dev', dev);
  if (!l) throw new Error(`ip shows no ${dev}`);
  return l;
}

async function names(ns: TempNetns): Promise<Map<string, number>> {
  return new Map((await ns.h.link.list()).map((l) => [l.name, l.index]));
}

/** link.get's bridgePort and ip's info_slave_data agree, and hold `want`. */
async function check(t: Test, ns: TempNetns, dev: string, want: Partial<BridgePort>, got?: Link): Promise<void> {
  const l = await ns.h.link.get(dev);
  t.match(l.bridgePort, want, `${dev}: link.get reads back what was set`);
  if (got) t.match(got.bridgePort, want, `${dev}: link.set returns the port as it now is`);
  const ip = ipLink(ns, dev);
  t.equal(ip.linkinfo?.info_slave_kind, 'bridge', `${dev}: ip: a bridge port`);
  const n = samePortAsIp(
    t,
    dev,
    l.bridgePort as Record<string, unknown>,
    ip.linkinfo?.info_slave_data ?? {},
    await names(ns),
  );
  t.ok(n >= 30, `${dev}: ${n} keys of ip's info_slave_data compared`);
}

/** Every option link.set takes, away from the kernel's defaults (mab comes after: it needs learning). */
const ALL: BridgePortChange = {
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
  mcastToUnicast: true,
  bcastFlood: false,
  groupFwdMask: 0x4000,
  neighSuppress: true,
  neighVlanSuppress: true,
  vlanTunnel: true,
  isolated: true,
  locked: true,
  backupPort: 'p2',
  backupNhid: 7,
  mcastEhtHostsLimit: 100,
  mcastMaxGroups: 50,
};

async function bridgeWithPorts(ns: TempNetns): Promise<void> {
  const { h } = ns;
  await h.link.add({ type: 'bridge', name: 'br0', up: true });
  await h.link.add({ type: 'veth', name: 'p0', master: 'br0', peer: { name: 'p1' } });
  await h.link.add({ type: 'veth', name: 'p2', master: 'br0', peer: { name: 'p3' } });
}

t.test('every option is set, and seen by link.get and by ip', opts, async (t) => {
  const ns = tempNetns(t);
  const { h } = ns;
  await bridgeWithPorts(ns);
  const before = await h.link.get('p0');
  t.match(before.bridgePort, { hairpin: false, learning: true, state: 'disabled', priority: 32 }, 'the defaults');
  await check(t, ns, 'p0', {});

  const p2 = (await h.link.get('p2')).index;
  let l = await h.link.set('p0', { bridgePort: ALL });
  await check(t, ns, 'p0', { ...ALL, backupPort: p2 }, l);

  // mab needs locked and learning on
  l = await h.link.set('p0', { bridgePort: { learning: true, mab: true } });
  await check(t, ns, 'p0', { learning: true, locked: true, mab: true }, l);

  // iproute2's other words: nobackup_port, mcast_fast_leave, fdb_flush
  l = await h.link.set('p0', { bridgePort: { backupPort: null, mcastFastLeave: false, fdbFlush: true, mab: false } });
  t.equal(l.bridgePort?.backupPort, undefined, 'nobackup_port');
  t.equal(ipLink(ns, 'p0').linkinfo?.info_slave_data?.['backup_port'], undefined, 'ip: no backup_port');
  await check(t, ns, 'p0', { fastLeave: false, mab: false }, l);
});

t.test('the STP state of a running port, with common fields in the same change', opts, async (t) => {
  const ns = tempNetns(t);
  const { h } = ns;
  await bridgeWithPorts(ns);
  await h.link.set('p1', { up: true });
  let l = await h.link.set('p0', { up: true, bridgePort: { hairpin: true } });
  t.equal(l.up, true);
  await check(t, ns, 'p0', { hairpin: true }, l);
  // a port takes a state only once it is operational (ENETDOWN before); with STP off the bridge
  // then moves it to forwarding itself (linkwatch runs a moment after `up`)
  for (let i = 0; i < 100 && (await h.link.get('p0')).bridgePort?.state !== 'forwarding'; i++)
    await new Promise((r) => setTimeout(r, 20));
  // without STP the bridge's own port state selection puts a running port back to forwarding at
  // once (so does `ip link set dev p0 type bridge_slave state 0`): the request is taken, and
  // forwarding is what reads back
  await h.link.set('p0', { bridgePort: { state: 'disabled' } });
  l = await h.link.set('p0', { bridgePort: { state: 'forwarding' } });
  await check(t, ns, 'p0', { state: 'forwarding' }, l);
  // under kernel STP the kernel keeps the state to itself
  await h.link.set('br0', { stpState: 1 });
  await t.rejects(h.link.set('p0', { bridgePort: { state: 'disabled' } }), { code: 'EBUSY' });
});

t.test('a tap port: link.add with master and bridgePort, and link.set', opts, async (t) => {
  const ns = tempNetns(t);
  const { h } = ns;
  await h.link.add({ type: 'bridge', name: 'br0' });
  const tap = await h.link.add({
    type: 'tap',
    name: 'tap0',
    master: 'br0',
    bridgePort: { hairpin: true, learning: false, isolated: true },
  });
  t.match(tap.bridgePort, { hairpin: true, learning: false, isolated: true }, 'add returns the port as set');
  await check(t, ns, 'tap0', { hairpin: true, learning: false, isolated: true });
  const l = await h.link.set('tap0', { bridgePort: { hairpin: false, cost: 7 } });
  await check(t, ns, 'tap0', { hairpin: false, cost: 7, isolated: true }, l);
});

t.test('link.add of a read port makes a like port; link.set with master enslaves first', opts, async (t) => {
  const ns = tempNetns(t);
  const { h } = ns;
  await bridgeWithPorts(ns);
  await h.link.set('p0', { bridgePort: { ...ALL, learning: true, mab: true } });
  const read = await h.link.get('p0');
  if (read.type !== 'veth') throw new Error('p0 is a veth');
  const clone = await h.link.add({ ...read, name: 'p4', address: '02:00:00:00:00:04', peer: { name: 'p5' } });
  const { state: _s, id: _i, no: _n, designatedPort: _d, ...options } = read.bridgePort ?? {};
  const same = Object.fromEntries(
    Object.entries(options).filter(([k]) => !/Timer$|^designated|^mcast(N|EhtHostsCnt)|Ack$|Pending$|^mrp/.test(k)),
  );
  t.ok(Object.keys(same).length >= 24, 'the writable options compared');
  t.match(clone.bridgePort, same, "the new port has the read port's options");
  await check(t, ns, 'p4', same);

  await h.link.add({ type: 'veth', name: 'p6', peer: { name: 'p7' } });
  const l = await h.link.set('p6', { master: 'br0', bridgePort: { hairpin: true, priority: 5 } });
  t.equal(l.master, (await h.link.get('br0')).index);
  await check(t, ns, 'p6', { hairpin: true, priority: 5 }, l);
});

t.test('refusals: not a port, bad values (nothing changes), a port of no bridge', opts, async (t) => {
  const ns = tempNetns(t);
  const { h } = ns;
  await bridgeWithPorts(ns);
  const e = await h.link.set('p1', { bridgePort: { hairpin: true } }).catch((x: unknown) => x);
  t.ok(e instanceof NetlinkError, 'the kernel refuses');
  t.match(e, { code: 'EOPNOTSUPP', message: /"bridgePort" needs a port of a bridge, and p1 has no master/ });

  await t.rejects(h.link.set('p0', { bridgePort: { hairpin: true, priority: 64 } }), {
    name: 'RangeError',
    message: /"bridgePort\.priority"/,
  });
  await t.rejects(h.link.set('p0', { bridgePort: { cost: 0 } }), { name: 'RangeError', message: /"bridgePort\.cost"/ });
  await t.rejects(h.link.set('p0', { bridgePort: { id: 1 } } as never), {
    name: 'TypeError',
    message: /"bridgePort\.id" is read-only/,
  });
  await t.rejects(h.link.set('p0', { bridgePort: { backupPort: 'nope0' } }), {
    code: 'ENODEV',
    field: 'bridgePort.backupPort',
  });
  t.equal(ipLink(ns, 'p0').linkinfo?.info_slave_data?.['hairpin'], false, 'nothing was sent: hairpin still off');

  // the kernel's own refusal, with its extended ACK
  await t.rejects(h.link.set('p0', { bridgePort: { mab: true, learning: false } }), {
    code: 'EINVAL',
    message: /must be locked and have learning enabled/,
  });

  await t.rejects(h.link.add({ type: 'veth', name: 'p8', peer: { name: 'p9' }, bridgePort: { hairpin: true } }), {
    name: 'TypeError',
    message: /"master" with "bridgePort"/,
  });
  await t.rejects(h.link.get('p8'), { code: 'ENODEV' }, 'nothing was made');
});
