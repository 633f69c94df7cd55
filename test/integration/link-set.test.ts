// link.set and namespaces against the kernel, in throwaway namespaces: every change is seen by
// `ip -j -d link show`, a veth's peer goes straight into another namespace, links and tun/tap
// devices are made in or moved to another namespace, and del removes.
import t from 'tap';
import { openSync, closeSync } from 'node:fs';
import { rootSkip, tempNetns, type TempNetns } from '../helpers/netns.js';
import type { IpLink } from '../fixtures/link/oracle.js';

const opts = { skip: rootSkip };

function ipLink(ns: TempNetns, dev: string): IpLink & { linkinfo?: { info_data?: Record<string, unknown> } } {
  const [l] = ns.ipJson<IpLink[]>('-d', 'link', 'show', 'dev', dev);
  if (!l) throw new Error(`ip shows no ${dev}`);
  return l;
}

t.test('every common change is seen by ip', opts, async (t) => {
  const ns = tempNetns(t);
  const { h } = ns;
  await h.link.add({ type: 'veth', name: 'p0', peer: { name: 'p1' } });
  await h.link.add({ type: 'bridge', name: 'br0' });

  let l = await h.link.set('p0', {
    up: true,
    mtu: 1400,
    address: '02:00:00:00:00:01',
    txqueuelen: 123,
    alias: 'to the world',
  });
  const ip = ipLink(ns, 'p0');
  t.ok(ip.flags.includes('UP'), 'ip: up');
  t.match(ip, { mtu: 1400, address: '02:00:00:00:00:01', txqlen: 123, ifalias: 'to the world' });
  t.match(
    l,
    { up: true, mtu: 1400, address: '02:00:00:00:00:01', txqueuelen: 123, alias: 'to the world' },
    'set returns the link as it now is',
  );

  l = await h.link.set('p0', { up: false });
  t.notOk(ipLink(ns, 'p0').flags.includes('UP'), 'ip: down');
  t.equal(l.up, false);

  l = await h.link.set('p0', { master: 'br0' });
  t.equal(ipLink(ns, 'p0').master, 'br0', 'ip: master br0');
  t.equal(l.master, (await h.link.get('br0')).index);
  l = await h.link.set(l.index, { master: null });
  t.equal(ipLink(ns, 'p0').master, undefined, 'ip: nomaster');
  t.equal(l.master, undefined);

  const index = l.index;
  l = await h.link.set('p0', { name: 'uplink0' });
  t.equal(ipLink(ns, 'uplink0').ifindex, index, 'ip: renamed, same index');
  t.equal(l.name, 'uplink0');
  await t.rejects(h.link.get('p0'), { code: 'ENODEV' });
});

t.test('kind changes are seen by ip', opts, async (t) => {
  const ns = tempNetns(t);
  const { h } = ns;
  await h.link.add({ type: 'veth', name: 'p0', peer: { name: 'p1' } });
  await h.link.add({ type: 'bridge', name: 'br0' });
  await h.link.add({ type: 'macvlan', name: 'mv0', link: 'p0', mode: 'bridge' });
  await h.link.add({ type: 'macvtap', name: 'mvt0', link: 'p1', mode: 'bridge' });
  await h.link.add({ type: 'vxlan', name: 'vx0', id: 7, remote: '10.0.0.2', port: 4789 });

  const br = await h.link.set('br0', {
    stpState: 1,
    helloTime: 300,
    forwardDelay: 500,
    priority: 100,
    mcastSnooping: false,
    nfCallIptables: true,
    ageingTime: 6000,
  });
  t.match(ipLink(ns, 'br0').linkinfo?.info_data, {
    stp_state: 1,
    hello_time: 300,
    forward_delay: 500,
    priority: 100,
    mcast_snooping: 0,
    nf_call_iptables: 1,
    ageing_time: 6000,
  });
  t.match(br, {
    type: 'bridge',
    stpState: 1,
    helloTime: 300,
    forwardDelay: 500,
    priority: 100,
    mcastSnooping: false,
    nfCallIptables: true,
    ageingTime: 6000,
  });

  await h.link.set('br0', { type: 'bridge', mcastSnooping: true, up: true });
  t.match(ipLink(ns, 'br0').linkinfo?.info_data, { mcast_snooping: 1 });
  t.ok(ipLink(ns, 'br0').flags.includes('UP'), 'kind and common fields in one request');

  for (const mode of ['private', 'vepa', 'bridge'] as const) {
    const mv = await h.link.set('mv0', { mode });
    t.equal(ipLink(ns, 'mv0').linkinfo?.info_data?.['mode'], mode, `ip: macvlan mode ${mode}`);
    t.match(mv, { type: 'macvlan', mode });
    await h.link.set('mvt0', { mode });
    t.equal(ipLink(ns, 'mvt0').linkinfo?.info_data?.['mode'], mode, `ip: macvtap mode ${mode}`);
  }

  const vx = await h.link.set('vx0', { ttl: 9, tos: 0x20, ageing: 50, learning: false, remote: '10.0.0.3' });
  t.match(ipLink(ns, 'vx0').linkinfo?.info_data, {
    ttl: 9,
    tos: '0x20',
    ageing: 50,
    learning: false,
    remote: '10.0.0.3',
  });
  t.match(vx, { type: 'vxlan', ttl: 9, tos: 0x20, ageing: 50, learning: false, remote: '10.0.0.3' });

  const e = await h.link.set('vx0', { port: 4790 }).then(
    () => undefined,
    (x: unknown) => x as Error,
  );
  t.equal(e?.name, 'NetlinkError', 'the kernel refuses to change a vxlan port');
  t.match(e?.message, /^link\.set vx0: /, 'the error says what was being done');
});

t.test('a veth peer straight into another namespace, and links moved between namespaces', opts, async (t) => {
  const host = tempNetns(t);
  const box = tempNetns(t);
  const v = await host.h.link.add({
    type: 'veth',
    name: 'veth-c1',
    peer: { name: 'eth0', netns: box.name, mtu: 1450, address: '02:00:00:00:00:c1' },
  });
  const peer = ipLink(box, 'eth0');
  t.match(peer, { mtu: 1450, address: '02:00:00:00:00:c1' }, 'ip in the container sees the peer');
  t.equal(v.link, peer.ifindex, "our end reports the peer's index");
  t.type(v.linkNetnsId, 'number', 'and the namespace it lives in');
  const inBox = await box.h.link.get('eth0');
  t.match(inBox, { type: 'veth', mtu: 1450, link: v.index });

  // a whole link made inside another namespace, by name, by path and by descriptor
  const d1 = await host.h.link.add({ type: 'bridge', name: 'br-a', netns: box.name });
  t.equal(d1.index, ipLink(box, 'br-a').ifindex, 'made in the other namespace, read back there');
  await host.h.link.add({ type: 'bridge', name: 'br-b', netns: { path: `/run/netns/${box.name}` } });
  const fd = openSync(`/run/netns/${box.name}`, 'r');
  t.teardown(() => closeSync(fd));
  await host.h.link.add({ type: 'bridge', name: 'br-c', netns: { fd } });
  for (const n of ['br-b', 'br-c']) t.ok(ipLink(box, n), `${n} is in the other namespace`);
  t.same(
    host
      .ipJson<IpLink[]>('link', 'show')
      .map((l) => l.ifname)
      .sort(),
    ['lo', 'veth-c1'],
    'none of them here',
  );

  // move a link back, renamed in the same request (bridges are netns-local: a veth end moves)
  await box.h.link.add({ type: 'veth', name: 'x0', peer: { name: 'x1' } });
  const back = await box.h.link.set('x1', { netns: host.name, name: 'x-home' });
  t.equal(back.name, 'x-home');
  t.equal(ipLink(host, 'x-home').ifindex, back.index, 'ip sees it moved and renamed');
  await t.rejects(box.h.link.get('x1'), { code: 'ENODEV' });
  const x0 = await box.h.link.get('x0');
  const home = await box.h.link.set(x0.index, { netns: { path: `/run/netns/${host.name}` } });
  t.match(home, { name: 'x0', type: 'veth' }, 'moved by index, read back there by name');
  t.equal(ipLink(host, 'x0').ifindex, home.index);
  const e = await box.h.link.set('br-c', { netns: host.name }).then(
    () => undefined,
    (x: unknown) => x as Error,
  );
  t.match(e?.message, /^link\.set br-c: .*netns is immutable/, "a bridge stays: the kernel's words reach the caller");

  await host.h.link.del('veth-c1');
  t.same(
    box
      .ipJson<IpLink[]>('link', 'show')
      .map((l) => l.ifname)
      .sort(),
    ['br-a', 'br-b', 'br-c', 'lo'],
    'deleting one end removes the peer',
  );
});

t.test('tun and tap through /dev/net/tun, here and in another namespace', opts, async (t) => {
  const ns = tempNetns(t);
  const other = tempNetns(t);
  await ns.h.link.add({ type: 'bridge', name: 'br0' });
  const tap = await ns.h.link.add({
    type: 'tap',
    name: 'vm0',
    owner: 4242,
    group: 4343,
    vnetHdr: true,
    multiQueue: true,
    mtu: 1400,
    master: 'br0',
    up: true,
    alias: 'a guest',
  });
  t.match(tap, {
    type: 'tap',
    owner: 4242,
    group: 4343,
    vnetHdr: true,
    multiQueue: true,
    pi: false,
    persist: true,
    mtu: 1400,
    up: true,
    alias: 'a guest',
  });
  const ip = ipLink(ns, 'vm0');
  t.match(ip, { mtu: 1400, master: 'br0', ifalias: 'a guest' });
  t.match(ip.linkinfo?.info_data, {
    type: 'tap',
    vnet_hdr: true,
    multi_queue: true,
    persist: true,
    pi: false,
    user: 4242,
    group: 4343,
  });

  const tun = await ns.h.link.add({ type: 'tun', name: 'tun0', netns: other.name, pi: true });
  t.match(tun, { type: 'tun', pi: true, persist: true });
  t.match(ipLink(other, 'tun0').linkinfo?.info_data, { type: 'tun', pi: true, persist: true });

  await t.rejects(
    ns.h.link.add({ type: 'tap', name: 'vm0' }),
    { name: 'NetlinkError', code: 'EEXIST' },
    'an existing name: EEXIST, as for any link',
  );
  await t.rejects(
    ns.h.link.add({ type: 'tun', name: 'br0' }),
    { name: 'NetlinkError', code: 'EEXIST', op: 'TUNSETIFF' },
    'a name another kind of link holds: EEXIST too',
  );
  // two adds racing for one name: one creates, the other is refused (IFF_TUN_EXCL) — it neither
  // attaches to the first's device nor, failing later, deletes it
  const race = await Promise.allSettled([
    ns.h.link.add({ type: 'tap', name: 'race0', owner: 1000 }),
    ns.h.link.add({ type: 'tap', name: 'race0', mtu: 10 }),
    ns.h.link.add({ type: 'tun', name: 'race0' }),
  ]);
  t.equal(race.filter((r) => r.status === 'fulfilled').length, 1, 'one of three racing adds creates race0');
  for (const r of race)
    if (r.status === 'rejected') t.match(r.reason, { name: 'NetlinkError', code: 'EEXIST' }, 'the others: EEXIST');
  const won = race.find((r) => r.status === 'fulfilled');
  t.equal(ipLink(ns, 'race0').ifname, 'race0', 'race0 is still there');
  t.equal(won?.status === 'fulfilled' ? won.value.index : -1, ipLink(ns, 'race0').ifindex, 'and it is the winner’s');
  await ns.h.link.del('race0');
  await t.rejects(
    ns.h.link.add({ type: 'tap', name: 'vm1', master: 'nope0' }),
    { code: 'ENODEV', field: 'master', message: /^link\.add vm1 \(type tap\): master nope0: / },
    'a bad master: refused…',
  );
  t.same(
    ns
      .ipJson<IpLink[]>('link', 'show')
      .map((l) => l.ifname)
      .sort(),
    ['br0', 'lo', 'vm0'],
    '…and the new device removed again',
  );

  await ns.h.link.del('vm0');
  t.same(
    ns
      .ipJson<IpLink[]>('link', 'show')
      .map((l) => l.ifname)
      .sort(),
    ['br0', 'lo'],
  );
});
