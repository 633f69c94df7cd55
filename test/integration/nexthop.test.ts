// Nexthop objects against the kernel, inside a throwaway namespace, both ways: what we add,
// `ip -d -j nexthop` lists with the same fields, and what ip adds we list the same; routes that
// point at them with nhid; replace, del, get, filtered lists; kernel refusals.
import t from 'tap';
import type { Nexthop } from '../../types/nexthop.js';
import { rootSkip, tempNetns, type TempNetns } from '../helpers/netns.js';

/** What `ip -d -j nexthop show` prints (iproute2 6.1 ip/ipnexthop.c print_nexthop). */
interface IpNexthop {
  id: number;
  gateway?: string;
  dev?: string;
  scope: string;
  protocol: string;
  flags: string[];
  blackhole?: null;
  group?: { id: number; weight?: number }[];
  type?: string;
  resilient_args?: { buckets: number; idle_timer: number; unbalanced_timer: number; unbalanced_time: number };
  fdb?: null;
}

/** Our Nexthop in ip's JSON shape. */
function toIp(n: Nexthop): IpNexthop {
  const o: IpNexthop = { id: n.id, scope: n.scope, protocol: n.protocol, flags: n.onlink ? ['onlink'] : [] };
  if (n.via !== undefined) o.gateway = n.via;
  if (n.dev !== undefined) o.dev = n.dev;
  if (n.blackhole) o.blackhole = null;
  if (n.group) o.group = n.group.map((g) => (g.weight === 1 ? { id: g.id } : { id: g.id, weight: g.weight }));
  if (n.groupType === 'resilient') {
    o.type = 'resilient';
    o.resilient_args = {
      buckets: n.buckets!,
      idle_timer: n.idleTimer!,
      unbalanced_timer: n.unbalancedTimer!,
      unbalanced_time: n.unbalancedTime!,
    };
  }
  if (n.fdb) o.fdb = null;
  return o;
}

function setup(ns: TempNetns): void {
  ns.ip('link', 'set', 'lo', 'up');
  ns.ip('link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1');
  ns.ip('link', 'set', 'veth0', 'up');
  ns.ip('link', 'set', 'veth1', 'up');
  ns.ip('addr', 'add', '192.168.0.1/24', 'dev', 'veth0');
  ns.ip('addr', 'add', '2001:db8::1/64', 'dev', 'veth0', 'nodad');
}

const byId = (a: { id: number }, b: { id: number }): number => a.id - b.id;

t.test('nexthops both ways, routes with nhid', { skip: rootSkip }, async (t) => {
  const ns = tempNetns(t);
  setup(ns);
  const { h } = ns;
  await h.nexthop.add({ id: 10, via: '192.168.0.2', dev: 'veth0' });
  await h.nexthop.add({ id: 11, via: '192.168.0.3', dev: 'veth0', onlink: true });
  await h.nexthop.add({ id: 12, blackhole: true });
  await h.nexthop.add({ id: 13, blackhole: true, family: 6, protocol: 'static' });
  await h.nexthop.add({ id: 14, via: '2001:db8::2', dev: 'veth0' });
  await h.nexthop.add({ id: 20, group: [{ id: 10, weight: 2 }, { id: 11 }] });
  await h.nexthop.add({
    id: 21,
    group: [{ id: 10 }, { id: 11 }],
    groupType: 'resilient',
    buckets: 32,
    idleTimer: 60,
    unbalancedTimer: 30,
  });
  ns.ip('nexthop', 'add', 'id', '30', 'via', '192.168.0.4', 'dev', 'veth0', 'proto', 'zebra');
  ns.ip('nexthop', 'add', 'id', '31', 'group', '30/10,7', 'type', 'mpath');

  const ours = await h.nexthop.list();
  t.same(
    ours.map(toIp).sort(byId),
    ns.ipJson<IpNexthop[]>('-d', 'nexthop', 'show').sort(byId),
    'nexthop.list equals ip nexthop show, field for field',
  );
  t.match(
    ours.find((n) => n.id === 13),
    { family: 6, blackhole: true, protocol: 'static' },
  );
  t.match(
    ours.find((n) => n.id === 31),
    {
      group: [
        { id: 30, weight: 1 },
        { id: 10, weight: 7 },
      ],
      groupType: 'mpath',
    },
  );
  t.notOk(ours.find((n) => n.id === 20)?.family, 'a group has no family');
  t.same(
    ours.filter((n) => 'unknown' in n).map((n) => n.id),
    [],
    'no raw attributes (a group reply carries NHA_OP_FLAGS on Linux 6.10+)',
  );
  await h.nexthop.add({ ...ours.find((n) => n.id === 20)!, id: 22 });
  t.match(
    await h.nexthop.get(22),
    {
      id: 22,
      group: [
        { id: 10, weight: 2 },
        { id: 11, weight: 1 },
      ],
    },
    'a group read back makes a like group',
  );
  await h.nexthop.del({ id: 22 });
  // a group for VXLAN FDB entries (`ip nexthop add id N group … fdb`) of fdb nexthops, and 16-bit weights
  await h.nexthop.add({ id: 40, via: '192.168.0.9', fdb: true });
  await h.nexthop.add({ id: 41, via: '192.168.0.10', fdb: true });
  await h.nexthop.add({ id: 42, group: [{ id: 40, weight: 300 }, { id: 41 }], fdb: true });
  t.match(await h.nexthop.get(42), {
    id: 42,
    fdb: true,
    group: [
      { id: 40, weight: 300 },
      { id: 41, weight: 1 },
    ],
  });
  // (this machine's ip, 6.1, reads only the low byte of a weight: 300 shows as 44)
  t.match(ns.ipJson('nexthop', 'show', 'id', '42'), [{ id: 42, fdb: null, group: [{ id: 40 }, { id: 41 }] }]);
  for (const id of [42, 41, 40]) await h.nexthop.del({ id });

  t.same((await h.nexthop.list({ groups: true })).map((n) => n.id).sort(), [20, 21, 31], 'groups only (NHA_GROUPS)');
  t.same((await h.nexthop.list({ dev: 'veth0' })).map((n) => n.id).sort(), [10, 11, 14, 30], 'by device (NHA_OIF)');
  t.same((await h.nexthop.list({ family: 6 })).map((n) => n.id).sort(), [13, 14]);
  t.match(await h.nexthop.get(21), { id: 21, groupType: 'resilient', buckets: 32, idleTimer: 60, unbalancedTimer: 30 });
  await t.rejects(h.nexthop.get(99), { name: 'NetlinkError', code: 'ENOENT' });

  // routes that point at nexthop objects
  await h.route.add({ dst: '10.5.0.0/16', nhid: 20 });
  await h.route.add({ dst: '10.6.0.0/16', nhid: 12 });
  await h.route.add({ dst: '2001:db8:5::/48', nhid: 14 });
  const routes = await h.route.list();
  t.match(
    routes.find((r) => r.dst === '10.5.0.0/16'),
    {
      nhid: 20,
      scope: 'global',
      nexthops: [
        { via: '192.168.0.2', dev: 'veth0', weight: 2 },
        { via: '192.168.0.3', dev: 'veth0', weight: 1, onlink: true },
      ],
    },
  );
  t.match(
    routes.find((r) => r.dst === '10.6.0.0/16'),
    { nhid: 12 },
  );
  t.match(
    routes.find((r) => r.dst === '2001:db8:5::/48'),
    { nhid: 14, family: 6 },
  );
  t.match(ns.ipJson('route', 'show', '10.5.0.0/16'), [{ nhid: 20 }], 'ip sees the route with nhid 20');
  const got = await h.route.get('10.5.1.1');
  t.ok(
    ['192.168.0.2', '192.168.0.3'].includes(got.via as string) && got.dev === 'veth0',
    `route.get resolves through the group (via ${JSON.stringify(got.via)})`,
  );
  t.match(
    await h.route.get('10.5.1.1', { fibmatch: true }),
    { dst: '10.5.0.0/16', nhid: 20 },
    'fibmatch: the entry with its nhid',
  );

  // replace a nexthop in place: the routes follow it
  await h.nexthop.replace({ id: 10, via: '192.168.0.9', dev: 'veth0' });
  t.match(ns.ipJson('-d', 'nexthop', 'show', 'id', '10'), [{ id: 10, gateway: '192.168.0.9' }]);
  t.match((await h.route.list()).find((r) => r.dst === '10.5.0.0/16')?.nexthops?.[0], { via: '192.168.0.9' });

  // refusals
  await t.rejects(h.nexthop.add({ id: 10, blackhole: true }), { name: 'NetlinkError', code: 'EEXIST' });
  await t.rejects(h.nexthop.add({ id: 40, group: [{ id: 99 }] }), {
    name: 'NetlinkError',
    extack: { message: /nexthop/i },
  });
  await t.rejects(h.nexthop.add({ id: 41, via: '10.99.0.1', dev: 'veth0' }), {
    name: 'NetlinkError',
    extack: { message: /gateway|Nexthop/i },
  });

  await h.nexthop.del({ id: 31 });
  await h.nexthop.del({ id: 30 });
  t.notOk(
    ns.ipJson<IpNexthop[]>('nexthop', 'show').some((n) => n.id === 30 || n.id === 31),
    'deleted',
  );
  await t.rejects(h.nexthop.del({ id: 30 }), { code: 'ENOENT' });
});
