// Bond port options against the kernel, in throwaway rtnl-bond-* namespaces. This kernel (6.18,
// without CONFIG_BONDING) makes no bond, so what runs here is the refusals: `bondPort` on a link
// without a master is the kernel's EOPNOTSUPP, worded as bridgePort's; on a bridge's port, or
// with a bridge as `master`, it is refused before anything is sent (the kernel would read
// IFLA_BOND_SLAVE_QUEUE_ID as IFLA_BRPORT_GUARD). Where the kernel has a bonding driver, the
// options are also set and read back beside `ip -j -d link show`.
import t, { type Test } from 'tap';
import { kindSkip, rootSkip, tempNetns, type TempNetns } from '../helpers/netns.js';

const opts = { skip: rootSkip };

type IpPort = { linkinfo?: { info_slave_kind?: string; info_slave_data?: Record<string, unknown> } };

function slaveData(ns: TempNetns, dev: string): IpPort['linkinfo'] {
  const [l] = ns.ipJson<IpPort[]>('-d', 'link', 'show', 'dev', dev);
  if (!l) throw new Error(`ip shows no ${dev}`);
  return l.linkinfo;
}

async function bridgeAndPorts(t: Test): Promise<TempNetns> {
  const ns = tempNetns(t, { tag: 'bond' });
  const { h } = ns;
  await h.link.add({ type: 'bridge', name: 'br0' });
  await h.link.add({ type: 'veth', name: 'p0', master: 'br0', peer: { name: 'p1' } });
  await h.link.add({ type: 'veth', name: 'n0', peer: { name: 'n1' } });
  return ns;
}

t.test('bondPort on a link without a master: the kernel refuses, and the error says why', opts, async (t) => {
  const ns = await bridgeAndPorts(t);
  await t.rejects(ns.h.link.set('p1', { bondPort: { queueId: 1 } }), {
    name: 'NetlinkError',
    code: 'EOPNOTSUPP',
    message: /^link\.set p1: .*EOPNOTSUPP.* — "bondPort" needs a port of a bond, and p1 has no master$/,
  });
  t.equal((await ns.h.link.get('p1')).bondPort, undefined, 'a link without a master reads no bondPort');
});

t.test('bondPort on a bridge port, or with a bridge as master: refused before sending', opts, async (t) => {
  const ns = await bridgeAndPorts(t);
  const { h } = ns;
  const p0 = await h.link.get('p0');
  t.equal(p0.bondPort, undefined, 'a bridge port reads no bondPort');
  t.equal(slaveData(ns, 'p0')?.info_slave_kind, 'bridge');

  await t.rejects(h.link.set('p0', { bondPort: { queueId: 1 } }), {
    name: 'TypeError',
    message: /^Expected "bondPort" only on a port of a bond: p0's master \(index \d+\) is not a bond$/,
  });
  // IFLA_BOND_SLAVE_QUEUE_ID (5) read by the bridge's table would have been IFLA_BRPORT_GUARD
  t.equal(slaveData(ns, 'p0')?.info_slave_data?.['guard'], false, 'nothing was sent: guard still off');

  await t.rejects(h.link.set('n0', { master: 'br0', bondPort: { prio: 1 } }), {
    name: 'TypeError',
    message: /^Expected "master" to be a bond with "bondPort", got br0 \(type bridge\)$/,
  });
  t.equal((await h.link.get('n0')).master, undefined, 'n0 was not enslaved');

  await t.rejects(
    h.link.add({ type: 'veth', name: 'n2', master: 'br0', peer: { name: 'n3' }, bondPort: { queueId: 1 } }),
    { name: 'TypeError', message: /"master" to be a bond with "bondPort"/ },
  );
  await t.rejects(h.link.get('n2'), { code: 'ENODEV' }, 'nothing was made');
});

t.test('a bond port: options set, read back by link.get and by ip', { skip: kindSkip('bond') }, async (t) => {
  const ns = tempNetns(t, { tag: 'bond' });
  const { h } = ns;
  await h.link.add({ type: 'bond', name: 'b0', mode: 'active-backup' });
  await h.link.add({ type: 'veth', name: 'p0', peer: { name: 'p1' } });
  let l = await h.link.set('p0', { master: 'b0', bondPort: { queueId: 1, prio: 7 } });
  // the bond's first port is its active one (no miimon: a port counts as up)
  t.match(l.bondPort, { queueId: 1, prio: 7, state: 'ACTIVE' });
  const data = slaveData(ns, 'p0');
  t.equal(data?.info_slave_kind, 'bond');
  t.match(data?.info_slave_data, { queue_id: 1, prio: 7, state: 'ACTIVE' });
  const p4 = await h.link.add({ type: 'veth', name: 'p4', peer: { name: 'p5' }, master: 'b0' });
  t.match(p4.bondPort, { queueId: 0, state: 'BACKUP' }, 'a second port is a backup');
  t.match(slaveData(ns, 'p4')?.info_slave_data, { queue_id: 0, state: 'BACKUP' });
  l = await h.link.set('p0', { bondPort: { prio: -3 } });
  t.match(l.bondPort, { queueId: 1, prio: -3 });
  // a read port re-added: a like port of the same bond (queue ids are unique within a bond)
  const read = await h.link.set('p0', { bondPort: { queueId: 0 } });
  if (read.type !== 'veth') throw new Error('p0 is a veth');
  const clone = await h.link.add({ ...read, name: 'p2', address: '02:00:00:00:00:02', peer: { name: 'p3' } });
  t.match(clone.bondPort, { queueId: 0, prio: -3 });
  t.equal(clone.master, read.master);
});
