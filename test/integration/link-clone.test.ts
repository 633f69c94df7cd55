// Links whose parent lives in another namespace, and names the kernel would pick, against the
// kernel in throwaway namespaces with `ip -j -d link show` as the oracle: a read link re-added
// with its `linkNetnsId` lands on the same parent (macvlan), keeps its peer's namespace (veth) and
// its sockets' namespace (vxlan); a name template is refused by
// link.add (nothing is left behind) and, for link.set, returns the name the kernel picked.
import t from 'tap';
import { open } from '../../lib/index.js';
import { rootSkip, tempNetns, uniqueName, type TempNetns } from '../helpers/netns.js';
import type { IpLink } from '../fixtures/link/oracle.js';

const opts = { skip: rootSkip };

type IpDetail = IpLink & { link_index?: number; link_netnsid?: number; link?: string; flags: string[] };

function ipLink(ns: TempNetns, dev: string): IpDetail {
  const [l] = ns.ipJson<IpDetail[]>('-d', 'link', 'show', 'dev', dev);
  if (!l) throw new Error(`ip shows no ${dev}`);
  return l;
}

t.test('a link whose parent is in another namespace, read back and re-added, keeps that parent', opts, async (t) => {
  const a = tempNetns(t);
  const b = tempNetns(t);
  // pa (in a) ↔ pb (in b); b gets a link of pa's index of its own, so a parent looked up in b is wrong
  await a.h.link.add({ type: 'veth', name: 'pa', peer: { name: 'pb', netns: b.name } });
  const pa = ipLink(a, 'pa').ifindex;
  while (b.ipJson<IpLink[]>('link', 'show').every((l) => l.ifindex !== pa))
    await b.h.link.add({ type: 'bridge', name: `pad${b.ipJson<IpLink[]>('link', 'show').length}` });

  // macvlan: made in a on pa, moved to b; its parent is pa, in a
  await a.h.link.add({ type: 'macvlan', name: 'mv0', link: 'pa', mode: 'bridge' });
  await a.h.link.set('mv0', { netns: b.name });
  const mv0 = await b.h.link.get('mv0');
  if (mv0.type !== 'macvlan') throw new Error(`mv0 is ${mv0.type}`);
  t.equal(mv0.link, pa, "the read reports pa's index…");
  t.type(mv0.linkNetnsId, 'number', '…and the namespace it counts in');
  const mv1 = await b.h.link.add({ ...mv0, name: 'mv1' });
  const ipMv1 = ipLink(b, 'mv1');
  t.equal(ipMv1.link_netnsid, mv0.linkNetnsId, 'ip: the clone’s parent is in the other namespace');
  t.equal(ipMv1.link_index, pa, 'ip: and it is pa');
  t.match(mv1, { link: pa, linkNetnsId: mv0.linkNetnsId, mode: 'bridge' }, 'our read says so too');

  // veth: the peer of a re-added end goes where the read end's peer is
  const pb = await b.h.link.get('pb');
  t.type(pb.linkNetnsId, 'number');
  if (pb.type !== 'veth') throw new Error(`pb is ${pb.type}`);
  await b.h.link.add({ ...pb, name: 'pb2', peer: { name: 'pa2' } });
  t.equal(ipLink(a, 'pa2').ifname, 'pa2', "the new peer is in pb's peer's namespace");
  t.equal(ipLink(b, 'pb2').link_netnsid, pb.linkNetnsId);

  // vxlan: made in a, moved to b, its sockets stay in a; the clone's too
  await a.h.link.add({ type: 'vxlan', name: 'vx0', id: 42, port: 4789 });
  await a.h.link.set('vx0', { netns: b.name });
  const vx0 = await b.h.link.get('vx0');
  if (vx0.type !== 'vxlan') throw new Error(`vx0 is ${vx0.type}`);
  t.type(vx0.linkNetnsId, 'number', 'a moved vxlan reports where its sockets are');
  await b.h.link.add({ ...vx0, name: 'vx1', id: 43 });
  t.equal(ipLink(b, 'vx1').link_netnsid, vx0.linkNetnsId, 'ip: the clone’s sockets are there too');

  // a link of this namespace reads back without linkNetnsId, and re-adds as before
  await b.h.link.add({ type: 'macvlan', name: 'mv2', link: 'pb', mode: 'private' });
  const mv2 = await b.h.link.get('mv2');
  if (mv2.type !== 'macvlan') throw new Error(`mv2 is ${mv2.type}`);
  t.equal(mv2.linkNetnsId, undefined);
  const mv3 = await b.h.link.add({ ...mv2, name: 'mv3' });
  t.equal(ipLink(b, 'mv3').link, 'pb', 'ip: on pb, here');
  t.equal(mv3.link, mv2.link);

  await t.rejects(b.h.link.add({ ...mv0, name: 'mv4', linkNetnsId: 999 }), {
    name: 'NetlinkError',
    code: 'EINVAL',
    message: /^link\.add mv4 \(type macvlan\): .*Unknown network namespace id/,
  });
});

t.test('name templates: link.add refuses them, link.set returns the name the kernel picked', opts, async (t) => {
  const ns = tempNetns(t);
  await t.rejects(ns.h.link.add({ type: 'bridge', name: 'br%d' }), { name: 'TypeError', message: /"name"/ });
  await t.rejects(ns.h.link.add({ type: 'veth', name: 'v0', peer: { name: 'p%d' } }), {
    name: 'TypeError',
    message: /"peer\.name"/,
  });
  t.same(
    ns
      .ipJson<IpLink[]>('link', 'show')
      .map((l) => l.ifname)
      .sort(),
    ['lo'],
    'nothing was made',
  );
  await ns.h.link.add({ type: 'bridge', name: 'brx0' });
  const br = await ns.h.link.add({ type: 'bridge', name: 'bry' });
  const renamed = await ns.h.link.set('bry', { name: 'brx%d' });
  t.equal(renamed.name, 'brx1', 'the name the kernel picked');
  t.equal(renamed.index, br.index, 'the same link');
  t.equal(ipLink(ns, 'brx1').ifindex, br.index, 'ip agrees');
});

t.test("a lookup's ENODEV names the call and the field; open names a missing namespace", opts, async (t) => {
  const ns = tempNetns(t);
  await t.rejects(ns.h.link.set('nope0', { mtu: 1400 }), {
    code: 'ENODEV',
    message: /^link\.set nope0: No such device \(ENODEV\)/,
  });
  await ns.h.link.add({ type: 'bridge', name: 'br0' });
  await ns.h.link.add({ type: 'vxlan', name: 'vx6', id: 6, port: 4789 });
  await t.rejects(ns.h.link.add({ type: 'macvlan', name: 'mv1', link: 'br0', master: 'nope' }), {
    code: 'ENODEV',
    field: 'master',
    message: /^link\.add mv1 \(type macvlan\): master nope: No such device \(ENODEV\)/,
  });
  await t.rejects(ns.h.link.set('vx6', { ttl: 3, master: 'nope' }), {
    code: 'ENODEV',
    field: 'master',
    message: /^link\.set vx6: master nope: /,
  });
  await t.rejects(ns.h.link.set('vx7', { ttl: 3 }), { code: 'ENODEV', message: /^link\.set vx7: No such device/ });
  const missing = uniqueName('gone');
  t.throws(() => open({ netns: missing }), {
    code: 'ENOENT',
    message: new RegExp(`^open netns ${missing} \\(/run/netns/${missing}\\): .*No such file or directory`),
  });
});

t.test('every family names the call and the field when a device does not exist', opts, async (t) => {
  const ns = tempNetns(t);
  const { h } = ns;
  await h.link.add({ type: 'bridge', name: 'br0' });
  const cases: [string, () => Promise<unknown>, string, RegExp][] = [
    [
      'addr.add',
      () => h.addr.add({ dev: 'nope0', address: '10.9.0.1/24' }),
      'dev',
      /^addr\.add 10\.9\.0\.1\/24: dev nope0: /,
    ],
    [
      'addr.del',
      () => h.addr.del({ dev: 'nope0', address: '10.9.0.1/24' }),
      'dev',
      /^addr\.del 10\.9\.0\.1\/24: dev nope0: /,
    ],
    ['addr.list', () => h.addr.list({ dev: 'nope0' }), 'dev', /^addr\.list: dev nope0: /],
    ['addr.flush', () => h.addr.flush({ dev: 'nope0' }), 'dev', /^addr\.flush: dev nope0: /],
    [
      'neigh.add',
      () => h.neigh.add({ dev: 'nope0', dst: '10.9.0.2', lladdr: '02:00:00:00:00:02' }),
      'dev',
      /^neigh\.add 10\.9\.0\.2: dev nope0: /,
    ],
    ['neigh.get', () => h.neigh.get({ dev: 'nope0', dst: '10.9.0.2' }), 'dev', /^neigh\.get 10\.9\.0\.2: dev nope0: /],
    ['neigh.list', () => h.neigh.list({ master: 'nope1' }), 'master', /^neigh\.list: master nope1: /],
    [
      'fdb.add',
      () => h.fdb.add({ dev: 'nope0', lladdr: '02:00:00:00:00:03', master: true }),
      'dev',
      /^fdb\.add 02:00:00:00:00:03: dev nope0: /,
    ],
    ['fdb.list', () => h.fdb.list({ dev: 'nope0' }), 'dev', /^fdb\.list: dev nope0: /],
    ['nexthop.add', () => h.nexthop.add({ id: 9, dev: 'nope0' }), 'dev', /^nexthop\.add id 9: dev nope0: /],
    ['nexthop.list', () => h.nexthop.list({ master: 'nope1' }), 'master', /^nexthop\.list: master nope1: /],
    [
      'route.list',
      () => h.route.list({ dev: 'nope0' }),
      'dev',
      /^route\.list: dev nope0: No such device \(ENODEV\) \[/,
    ],
    ['route.get', () => h.route.get('10.9.0.2', { oif: 'nope0' }), 'oif', /^route\.get 10\.9\.0\.2: oif nope0: /],
  ];
  for (const [name, call, field, message] of cases)
    await t.rejects(call(), { name: 'NetlinkError', code: 'ENODEV', field, message }, name);
});

t.test('a source-mode macvlan/macvtap read back and re-added keeps its MAC list', opts, async (t) => {
  const ns = tempNetns(t);
  ns.ip('link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'p1');
  const macs = ['02:00:00:00:00:01', '02:00:00:00:00:02'];
  for (const type of ['macvlan', 'macvtap'] as const) {
    const l = await ns.h.link.add({
      type,
      name: `${type}0`,
      link: 'p0',
      mode: 'source',
      macaddrMode: 'set',
      macaddrData: macs,
    });
    if (l.type !== 'macvlan' && l.type !== 'macvtap') throw new Error(`expected a ${type}, got ${l.type}`);
    t.match(l, { mode: 'source', macaddrCount: 2 }, `${type}: made with two MACs`);
    t.same([...(l.macaddrData ?? [])].sort(), macs);
    t.equal('macaddrMode' in l, false, 'a read reports the list, not a mode');
    const copy = await ns.h.link.add({ ...l, name: `${type}1` });
    if (copy.type !== 'macvlan' && copy.type !== 'macvtap') throw new Error(`expected a ${type}, got ${copy.type}`);
    t.match(copy, { mode: 'source', macaddrCount: 2 }, `${type}: the copy has them too`);
    t.same([...(copy.macaddrData ?? [])].sort(), macs);
    const ip = ns.ipJson<{ linkinfo: { info_data: { macaddr_count: number } } }[]>('-d', 'link', 'show', `${type}1`);
    t.equal(ip[0]?.linkinfo.info_data.macaddr_count, 2, 'ip counts two');
  }
});
