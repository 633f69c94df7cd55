// Routes against the kernel, inside throwaway namespaces, both ways: what we add, `ip -d -j
// route` lists with the same fields; what ip adds, we list with the same values (every route of
// every table, both families); route.get answers what `ip route get` answers; the seed's own
// commands run through the library; kernel refusals are NetlinkErrors with the kernel's text.
import t from 'tap';
import { NetlinkError } from '../../lib/index.js';
import { RTM_GETROUTE } from '../../lib/core/constants.js';
import { tableName } from '../../lib/rt-tables.js';
import type { Route, RouteSpec } from '../../types/route.js';
import { pollSync, rootSkip, tempNetns, submittedTypes, type TempNetns } from '../helpers/netns.js';

/** What `ip -d -j route show` prints per route (iproute2 6.1 ip/iproute.c print_route). */
interface IpRoute {
  type: string;
  dst: string;
  gateway?: string;
  via?: { family: string; host: string };
  dev?: string;
  table?: string;
  protocol?: string;
  scope?: string;
  metric?: number;
  prefsrc?: string;
  flags: string[];
  nhid?: number;
  metrics?: Record<string, number>[];
  nexthops?: { gateway?: string; dev?: string; weight: number; flags: string[] }[];
  pref?: string;
  src?: string;
  tos?: string;
}

/** Our Route in ip's JSON shape (the fields both know), for comparing with t.same. */
function toIp(r: Route): IpRoute {
  const host = r.family === 4 ? '/32' : '/128';
  const o: IpRoute = {
    type: r.type,
    dst: r.dst.endsWith(host) ? r.dst.slice(0, -host.length) : r.dst,
    flags: r.onlink ? ['onlink'] : [],
  };
  if (typeof r.via === 'string') o.gateway = r.via;
  else if (r.via && 'inet6' in r.via) o.via = { family: 'inet6', host: r.via.inet6 };
  if (r.dev !== undefined) o.dev = r.dev;
  o.table = tableName(r.table);
  o.protocol = r.protocol;
  o.scope = r.scope;
  if (r.metric !== undefined) o.metric = r.metric;
  if (r.src !== undefined) o.prefsrc = r.src;
  if (r.nhid !== undefined) o.nhid = r.nhid;
  if (r.mtu !== undefined || r.advmss !== undefined) {
    const m: Record<string, number> = {};
    if (r.mtu !== undefined) m['mtu'] = r.mtu;
    if (r.advmss !== undefined) m['advmss'] = r.advmss;
    o.metrics = [m];
  }
  if (r.nexthops) {
    o.nexthops = r.nexthops.map((nh) => {
      const x: { gateway?: string; dev?: string; weight: number; flags: string[] } = {
        weight: nh.weight!,
        flags: nh.onlink ? ['onlink'] : [],
      };
      if (typeof nh.via === 'string') x.gateway = nh.via;
      if (nh.dev !== undefined) x.dev = nh.dev as string;
      return x;
    });
  }
  if (r.pref !== undefined) o.pref = r.pref;
  return o;
}

/** ip's JSON reduced to the same fields (`ip route show table T` leaves out the table). */
function fromIp(r: IpRoute, table = 'main'): IpRoute {
  const o: IpRoute = { type: r.type, dst: r.dst, flags: r.flags.filter((f) => f === 'onlink') };
  for (const k of [
    'gateway',
    'via',
    'dev',
    'table',
    'protocol',
    'scope',
    'metric',
    'prefsrc',
    'nhid',
    'metrics',
    'pref',
  ] as const) {
    if (r[k] !== undefined) (o as unknown as Record<string, unknown>)[k] = r[k];
  }
  o.table ??= table;
  o.scope ??= 'global';
  o.protocol ??= 'boot';
  if (r.nexthops) o.nexthops = r.nexthops.map((nh) => ({ ...nh, flags: nh.flags.filter((f) => f === 'onlink') }));
  return o;
}

const key = (r: IpRoute): string => `${r.table} ${r.type} ${r.dst} ${r.dev ?? ''} ${r.metric ?? ''}`;
const sorted = (l: IpRoute[]): IpRoute[] => [...l].sort((a, b) => key(a).localeCompare(key(b)));

/** Every route ip sees in every table, both families. */
function ipAll(ns: TempNetns): IpRoute[] {
  return [
    ...ns.ipJson<IpRoute[]>('-4', '-d', 'route', 'show', 'table', 'all'),
    ...ns.ipJson<IpRoute[]>('-6', '-d', 'route', 'show', 'table', 'all'),
  ].map((r) => fromIp(r));
}

/**
 * A namespace with lo up and veth0/veth1 up, 192.168.0.1/24 and 2001:db8::1/64 on veth0, once both
 * veths have their IPv6 link-local address. The kernel adds that address, and its route in table
 * local, after the carrier comes up and (by default) a second of duplicate address detection: a
 * test listing routes twice could otherwise see them appear in between (seen under ASan). So DAD
 * is off in the namespace, and setup waits for the two routes (a few ms).
 */
function setup(ns: TempNetns): void {
  ns.exec('sysctl', '-qw', 'net.ipv6.conf.default.accept_dad=0');
  ns.ip('link', 'set', 'lo', 'up');
  ns.ip('link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1');
  ns.ip('link', 'set', 'veth0', 'up');
  ns.ip('link', 'set', 'veth1', 'up');
  ns.ip('addr', 'add', '192.168.0.1/24', 'dev', 'veth0');
  ns.ip('addr', 'add', '2001:db8::1/64', 'dev', 'veth0', 'nodad');
  const linkLocal = (dev: string): boolean =>
    ns
      .ipJson<IpRoute[]>('-6', 'route', 'show', 'table', 'local', 'dev', dev)
      .some((r) => r.type === 'local' && r.dst.startsWith('fe80:'));
  if (!pollSync(() => linkLocal('veth0') && linkLocal('veth1'), 5000, 10))
    throw new Error('veth0 and veth1 have no IPv6 link-local route after 5 s');
}

t.test('what we add, ip lists with the same fields', { skip: rootSkip }, async (t) => {
  const ns = tempNetns(t);
  setup(ns);
  const { h } = ns;
  await h.route.add({ dst: '10.1.0.0/16', via: '192.168.0.2', dev: 'veth0', metric: 50, table: 100 });
  await h.route.add({ dst: '10.2.0.0/16', via: '192.168.0.2', mtu: 1400, advmss: 1360 });
  await h.route.add({
    dst: '10.3.0.0/16',
    nexthops: [
      { via: '192.168.0.2', dev: 'veth0', weight: 3 },
      { via: '192.168.0.3', dev: 'veth0' },
    ],
  });
  await h.route.add({ dst: '10.4.0.0/16', type: 'blackhole' });
  await h.route.add({ dst: '10.5.0.0/16', type: 'unreachable', table: 'main', metric: 7 });
  await h.route.add({ dst: '10.6.0.0/16', via: { inet6: 'fe80::1' }, dev: 'veth0' });
  await h.route.add({ dst: '10.7.0.0/16', via: '172.16.0.1', dev: 'veth0', onlink: true, protocol: 'static' });
  await h.route.add({ dst: '10.8.0.0/16', src: '192.168.0.1', via: '192.168.0.2', table: 1000, protocol: 'bgp' });
  await h.route.add({ dst: '10.9.0.0/16', type: 'throw', table: 100 });
  await h.route.add({ dst: '10.10.0.0/16', type: 'prohibit', table: 100 });
  await h.route.add({ dst: '10.11.0.1', type: 'local', dev: 'veth0' });
  await h.route.add({ dst: 'default', via: '192.168.0.254', metric: 600 });
  await h.route.add({ dst: '2001:db8:1::/48', via: '2001:db8::2', dev: 'veth0', metric: 1024, pref: 'high' });
  await h.route.add({ dst: '2001:db8:2::/48', type: 'unreachable' });
  await h.route.add({
    dst: '2001:db8:3::/48',
    nexthops: [
      { via: 'fe80::1', dev: 'veth0' },
      { via: 'fe80::2', dev: 'veth0', weight: 4 },
    ],
  });
  await h.route.add({ dst: 'default', family: 6, via: 'fe80::1', dev: 'veth0', table: 'local' });

  const ours = (await h.route.list({ table: 'all' })).map(toIp);
  t.same(
    sorted(ours),
    sorted(ipAll(ns)),
    'route.list({ table: all }) equals ip route show table all (-4 and -6), field for field',
  );

  t.same(
    sorted((await h.route.list()).map(toIp)),
    sorted(
      [...ns.ipJson<IpRoute[]>('-4', '-d', 'route', 'show'), ...ns.ipJson<IpRoute[]>('-6', '-d', 'route', 'show')].map(
        (r) => fromIp(r),
      ),
    ),
    'route.list() is the main table, both families',
  );
  t.same(
    sorted((await h.route.list({ table: 100 })).map(toIp)),
    sorted(ns.ipJson<IpRoute[]>('-4', '-d', 'route', 'show', 'table', '100').map((r) => fromIp(r, '100'))),
  );
  t.same(
    (await h.route.list({ table: 1000, protocol: 'bgp' })).map((r) => r.dst),
    ['10.8.0.0/16'],
  );
  t.same(
    (await h.route.list({ type: 'blackhole' })).map((r) => r.dst),
    ['10.4.0.0/16'],
  );
  // The kernel's device filter (RTA_OIF) also keeps multipath routes with a nexthop through the
  // device; ip then drops those client-side (they carry no RTA_OIF). We keep the kernel's answer.
  t.same(
    (await h.route.list({ dev: 'veth0', family: 4 })).map((r) => r.dst).sort(),
    [
      ...ns
        .ipJson<IpRoute[]>('-4', 'route', 'show', 'dev', 'veth0')
        .map((r) => (r.dst === 'default' ? 'default' : r.dst.includes('/') ? r.dst : `${r.dst}/32`)),
      '10.3.0.0/16',
    ].sort(),
    'filtered by device, as ip route show dev (plus multipath routes through it)',
  );
  t.same(await h.route.list({ table: 4242 }), [], 'a table that does not exist lists as empty');
  // Asked of IPv4 alone, the kernel answers ENOENT "FIB table does not exist" (not for AF_UNSPEC).
  t.same(await h.route.list({ table: 4242, family: 4 }), [], 'and so for IPv4 alone');
  const streamed: Route[] = [];
  for await (const r of h.route.dump({ table: 'all' })) streamed.push(r);
  t.same(streamed.map(toIp), ours, 'dump() streams what list() returns');
  const none: Route[] = [];
  for await (const r of h.route.dump({ table: 4242, family: 4 })) none.push(r);
  t.same(none, [], 'a table that does not exist dumps as empty');
  await t.rejects(
    (async () => {
      for await (const r of h.route.dump({ dev: 'nosuch0' })) none.push(r);
    })(),
    { code: 'ENODEV' },
    'an unknown device in the filter rejects the first next()',
  );
  const failed = h.route.dump({ dev: 'nosuch0' })[Symbol.asyncIterator]();
  await t.rejects(failed.next(), { code: 'ENODEV' });
  await t.rejects(failed.next(), { code: 'ENODEV' }, 'and every next() after it, as after a failed dump');
  // Leaving a dump early: before it was sent, and after its first route; the handle goes on.
  const early = h.route.dump({ table: 'all' })[Symbol.asyncIterator]();
  t.same(await early.return!(), { value: undefined, done: true });
  t.same(await early.next(), { value: undefined, done: true }, 'return() before the first next() ends it');
  const preparing = h.route.dump({ dev: 'veth0' })[Symbol.asyncIterator]();
  const pending = preparing.next();
  t.same(await preparing.return!(), { value: undefined, done: true });
  t.same(await pending, { value: undefined, done: true }, 'return() while the dump is being prepared ends it');
  t.same(await preparing.next(), { value: undefined, done: true }, 'and a next() after return() is done');
  let first: Route | undefined;
  for await (const r of h.route.dump({ table: 'all' })) {
    first = r;
    break;
  }
  t.same(first && toIp(first), ours[0], 'break after the first route');
  t.same((await h.route.list({ table: 'all' })).map(toIp), ours, 'the handle answers after both');

  // del selects like ip route del: dst, table, and what else is given
  await h.route.del({ dst: '10.1.0.0/16', table: 100 });
  await h.route.del({ dst: 'default', metric: 600 });
  await h.route.del({ dst: '2001:db8:1::/48' });
  t.notOk(
    ipAll(ns).some(
      (r) => ['10.1.0.0/16', '2001:db8:1::/48'].includes(r.dst) || (r.dst === 'default' && r.metric === 600),
    ),
    'deleted',
  );
  // replace changes the gateway in place
  await h.route.replace({ dst: '10.2.0.0/16', via: '192.168.0.3', mtu: 1300 });
  t.match(ns.ipJson<IpRoute[]>('-d', 'route', 'show', '10.2.0.0/16'), [
    { gateway: '192.168.0.3', metrics: [{ mtu: 1300 }] },
  ]);
});

t.test('what ip adds, we list with the same values', { skip: rootSkip }, async (t) => {
  const ns = tempNetns(t);
  setup(ns);
  const cmds = [
    ['route', 'add', '10.20.0.0/16', 'via', '192.168.0.2', 'dev', 'veth0', 'metric', '5', 'proto', 'zebra'],
    [
      'route',
      'add',
      '10.21.0.0/24',
      'nexthop',
      'via',
      '192.168.0.2',
      'weight',
      '2',
      'nexthop',
      'via',
      '192.168.0.3',
      'weight',
      '5',
    ],
    ['route', 'add', '10.22.0.0/16', 'dev', 'veth0', 'scope', 'link', 'table', '300', 'mtu', '1280', 'advmss', '1200'],
    ['route', 'add', 'unreachable', '10.23.0.0/16', 'metric', '9'],
    ['-6', 'route', 'add', '2001:db8:9::/64', 'via', 'fe80::9', 'dev', 'veth0', 'pref', 'low', 'table', '300'],
    ['route', 'add', '10.24.0.0/16', 'via', 'inet6', 'fe80::2', 'dev', 'veth0'],
  ];
  for (const c of cmds) ns.ip(...c);
  t.same(
    sorted((await ns.h.route.list({ table: 'all' })).map(toIp)),
    sorted(ipAll(ns)),
    'every table, both families, field for field',
  );
  const [mp] = await ns.h.route
    .list({ family: 4, protocol: 'boot' })
    .then((l) => l.filter((r) => r.dst === '10.21.0.0/24'));
  t.same(mp?.nexthops, [
    { via: '192.168.0.2', dev: 'veth0', index: mp?.nexthops?.[0]?.index, weight: 2 },
    { via: '192.168.0.3', dev: 'veth0', index: mp?.nexthops?.[1]?.index, weight: 5 },
  ]);
});

t.test('route.get answers what ip route get answers', { skip: rootSkip }, async (t) => {
  const ns = tempNetns(t);
  setup(ns);
  const { h } = ns;
  await h.route.add({ dst: '10.3.0.0/16', via: '192.168.0.2', dev: 'veth0', mtu: 1400 });
  await h.route.add({ dst: '2001:db8:1::/48', via: '2001:db8::2', dev: 'veth0', metric: 1024 });
  await h.route.add({ dst: '10.50.0.0/16', via: '192.168.0.9', table: 50 });
  await h.route.add({ dst: '10.50.1.0/24', via: '192.168.0.8', table: 50, metric: 5 });
  await h.route.add({ dst: '10.50.1.0/24', via: '192.168.0.7', table: 50, metric: 3 });
  for (const [dst, opts, ipArgs] of [
    ['10.3.2.1', {}, ['10.3.2.1']],
    ['192.168.0.77', {}, ['192.168.0.77']],
    ['10.3.2.1', { src: '192.168.0.1' }, ['10.3.2.1', 'from', '192.168.0.1']],
    ['10.3.2.1', { oif: 'veth0' }, ['10.3.2.1', 'oif', 'veth0']],
    ['192.168.0.1', {}, ['192.168.0.1']],
    ['2001:db8:1::5', {}, ['2001:db8:1::5']],
  ] as const) {
    const r = await h.route.get(dst, opts);
    const [ip] = ns.ipJson<
      { dst: string; gateway?: string; dev: string; prefsrc?: string; type?: string; metric?: number }[]
    >('route', 'get', ...ipArgs);
    t.equal(r.dst, ip!.dst.includes('/') ? ip!.dst : `${ip!.dst}/${r.family === 4 ? 32 : 128}`, `${dst}: dst`);
    t.equal(r.via, ip!.gateway, `${dst}: gateway`);
    t.equal(r.dev, ip!.dev, `${dst}: dev`);
    t.equal(r.src, ip!.prefsrc, `${dst}: preferred source`);
    t.equal(r.type, ip!.type ?? 'unicast', `${dst}: type`);
    if (ip!.metric !== undefined) t.equal(r.metric, ip!.metric);
  }
  t.equal((await h.route.get('10.3.2.1')).mtu, 1400, "the route's metrics come with it");
  t.equal((await h.route.get('10.3.2.1')).table, 254, 'RTM_F_LOOKUP_TABLE: the table it came from');
  await t.rejects(
    h.route.get('10.50.1.1'),
    { name: 'NetlinkError', code: 'ENETUNREACH' },
    'table 50 has no rule: unreachable',
  );
  t.match(
    await h.route.get('10.50.1.1', { table: 50 }),
    { dst: '10.50.1.0/24', via: '192.168.0.7', metric: 3, table: 50 },
    'a lookup in one table: longest prefix, lowest metric',
  );
  t.match(await h.route.get('10.50.9.9', { table: 50 }), { dst: '10.50.0.0/16', via: '192.168.0.9' });
  await t.rejects(h.route.get('10.99.0.1', { table: 50 }), { code: 'ENETUNREACH' });
  t.match(
    await h.route.get('10.3.2.1', { fibmatch: true }),
    { dst: '10.3.0.0/16', via: '192.168.0.2' },
    'fibmatch: the FIB entry',
  );
});

t.test(
  'the seed: ip route add 192.168.1.60/32 dev macvlan0; ip route del 192.168.1.0/24',
  { skip: rootSkip },
  async (t) => {
    const ns = tempNetns(t);
    ns.ip('link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'p1');
    ns.ip('link', 'add', 'macvlan0', 'link', 'p0', 'type', 'macvlan', 'mode', 'bridge');
    ns.ip('link', 'set', 'p0', 'up');
    ns.ip('link', 'set', 'p1', 'up');
    ns.ip('link', 'set', 'macvlan0', 'up');
    await ns.h.addr.add({ dev: 'macvlan0', address: '192.168.1.10/24' });
    t.match(
      ns.ipJson('route', 'show', '192.168.1.0/24'),
      [{ dst: '192.168.1.0/24', dev: 'macvlan0' }],
      'the prefix route of the address',
    );
    await ns.h.route.add({ dst: '192.168.1.60/32', dev: 'macvlan0' });
    t.same(
      ns.ipJson('route', 'show', '192.168.1.60'),
      [{ dst: '192.168.1.60', dev: 'macvlan0', scope: 'link', flags: [] }],
      'ip sees the host route, scope link',
    );
    await ns.h.route.del({ dst: '192.168.1.0/24' });
    t.same(ns.ipJson('route', 'show', '192.168.1.0/24'), [], 'the /24 is gone');
    t.same(
      (await ns.h.route.list({ family: 4 })).map((r) => [r.dst, r.dev, r.scope]),
      [['192.168.1.60/32', 'macvlan0', 'link']],
    );
  },
);

t.test("kernel refusals are NetlinkErrors with the kernel's text", { skip: rootSkip }, async (t) => {
  const ns = tempNetns(t);
  setup(ns);
  const { h } = ns;
  await h.route.add({ dst: '10.1.0.0/16', via: '192.168.0.2' });
  const exists = await h.route.add({ dst: '10.1.0.0/16', via: '192.168.0.2' }).catch((e: unknown) => e);
  t.ok(exists instanceof NetlinkError);
  t.match(exists, { code: 'EEXIST', errno: 17, op: 'RTM_NEWROUTE' });
  t.match(String(exists), /route\.add 10\.1\.0\.0\/16: /);
  const gw = await h.route.add({ dst: '10.2.0.0/16', via: '10.99.0.1' }).catch((e: unknown) => e);
  t.match(
    gw,
    { name: 'NetlinkError', code: 'ENETUNREACH', extack: { message: /gateway|Nexthop/i } },
    "an unreachable gateway, with the kernel's words",
  );
  await t.rejects(h.route.del({ dst: '10.77.0.0/16' }), { code: 'ESRCH' });
  await t.rejects(h.route.add({ dst: '10.3.0.0/16', dev: 'nosuch0' }), { code: 'ENODEV' });
  await t.rejects(h.route.add({ dst: '10.3.0.0/16', nhid: 4242 }), {
    name: 'NetlinkError',
    extack: { message: /nexthop/i },
  });
  const hostBits = await h.route.add({ dst: '10.4.1.1/16', via: '192.168.0.2' }).catch((e: unknown) => e);
  t.match(hostBits, { code: 'EINVAL', extack: { message: /prefix/i } }, 'host bits set: the kernel says so');
});

t.test(
  'a spec object reused and changed between calls: each call sends what it was given',
  { skip: rootSkip },
  async (t) => {
    const ns = tempNetns(t);
    setup(ns);
    const { h } = ns;
    // The spec changes after each call (test/codec/route.test.ts does the same while the calls wait
    // for a lookup of the name; here the transport reads veth0's index at once).
    const spec: RouteSpec = { dst: '', via: '192.168.0.2', dev: 'veth0' };
    const calls: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) {
      spec.dst = `10.77.0.${i}/32`;
      spec.metric = i + 1;
      calls.push(h.route.add(spec));
    }
    await Promise.all(calls);
    const got = (await h.route.list({ family: 4 })).filter((r) => r.dst.startsWith('10.77.'));
    t.same(
      got.map((r) => [r.dst, r.metric]).sort((a, b) => Number(a[1]) - Number(b[1])),
      Array.from({ length: 50 }, (_, i) => [`10.77.0.${i}/32`, i + 1]),
    );
  },
);

t.test('a device name means the device that has it when the call is made', { skip: rootSkip }, async (t) => {
  const ns = tempNetns(t);
  setup(ns);
  const { h } = ns;
  const index = await h.link.indexOf('veth0', 'dev');
  await h.route.add({ dst: '10.78.0.1/32', via: '192.168.0.2', dev: 'veth0' });
  t.match(ns.ip('-4', 'route', 'show', '10.78.0.1'), /dev veth0/);
  ns.ip('link', 'set', 'veth0', 'down'); // (which takes the route away)
  ns.ip('link', 'set', 'veth0', 'name', 'vethR');
  ns.ip('link', 'set', 'vethR', 'up');
  const err = await h.route.add({ dst: '10.78.0.2/32', via: '192.168.0.2', dev: 'veth0' }).catch((e: unknown) => e);
  t.match(err, { code: 'ENODEV', message: /dev veth0/ }, 'the old name is refused');
  ns.ip('link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth9');
  ns.ip('link', 'set', 'veth0', 'up');
  await h.route.add({ dst: '10.78.0.3/32', dev: 'veth0' });
  await h.route.add({ dst: '10.78.0.4/32', via: '192.168.0.2', dev: 'vethR' });
  const got = ns.ipJson<IpRoute[]>('-4', 'route', 'show', 'table', 'main').filter((r) => r.dst.startsWith('10.78.'));
  t.same(
    got.map((r) => [r.dst, r.dev]),
    [
      ['10.78.0.3', 'veth0'],
      ['10.78.0.4', 'vethR'],
    ],
    'each on the device its name meant then (ip agrees)',
  );
  t.not(await h.link.indexOf('veth0', 'dev'), index, 'the new veth0 is another device');
});

t.test(
  "a dump names each route's device as the kernel names it then, without dumping the links",
  { skip: rootSkip },
  async (t) => {
    const ns = tempNetns(t);
    setup(ns);
    const { h } = ns;
    for (let i = 0; i < 40; i++) ns.ip('link', 'add', `vx${i}`, 'type', 'veth', 'peer', 'name', `vy${i}`);
    await h.route.addMany([
      { dst: '10.79.0.1/32', via: '192.168.0.2', dev: 'veth0' },
      { dst: '10.79.0.2/32', dev: 'veth1' },
    ]);
    const types = submittedTypes(h);
    const mine = async (filter = {}): Promise<string[][]> => {
      const out: string[][] = [];
      for await (const r of h.route.dump({ family: 4, ...filter }))
        if (r.dst.startsWith('10.79.')) out.push([r.dst, r.dev ?? '-']);
      return out;
    };
    t.same(await mine(), [
      ['10.79.0.1/32', 'veth0'],
      ['10.79.0.2/32', 'veth1'],
    ]);
    t.same(types, [RTM_GETROUTE], 'the route dump is the only request: no link dump before it');
    ns.ip('link', 'set', 'veth1', 'name', 'vethQ');
    t.same(
      await mine(),
      [
        ['10.79.0.1/32', 'veth0'],
        ['10.79.0.2/32', 'vethQ'],
      ],
      'a renamed device, under its new name (as ip shows it)',
    );
    t.match(ns.ip('-4', 'route', 'show', '10.79.0.2'), /dev vethQ/);
    t.same(await mine({ dev: 'vethQ' }), [['10.79.0.2/32', 'vethQ']], 'a dev filter by name');
    t.same(types, [RTM_GETROUTE, RTM_GETROUTE, RTM_GETROUTE]);
    await t.rejects(mine({ dev: 'veth1' }), { code: 'ENODEV', field: 'dev' }, 'the old name is gone');
  },
);

t.test('per-route calls issued at once are pipelined and all land', { skip: rootSkip }, async (t) => {
  const ns = tempNetns(t);
  setup(ns);
  const { h } = ns;
  const n = 3000;
  const dsts = Array.from({ length: n }, (_, i) => `10.${100 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32`);
  await Promise.all(dsts.map((dst) => h.route.add({ dst, via: '192.168.0.2', dev: 'veth0' })));
  const listed = new Set((await h.route.list({ family: 4 })).map((r) => r.dst));
  t.ok(
    dsts.every((d) => listed.has(d)),
    `all ${n} routes are in the kernel`,
  );
  const res = await Promise.allSettled(
    dsts.map((dst, i) => (i % 100 === 0 ? h.route.add({ dst, via: '192.168.0.2' }) : h.route.del({ dst }))),
  );
  t.equal(res.filter((r) => r.status === 'rejected').length, n / 100, 'the duplicates fail, each on its own promise');
  t.equal((await h.route.list({ family: 4 })).filter((r) => r.dst.startsWith('10.100.')).length, n / 100);
});
