// What a list returns, the write calls take back: `del(x)` of a listed address, neighbour, FDB
// entry, rule, route or nexthop removes that object, and `add(x)` makes it again — the loop
// `for (const n of await neigh.list()) await neigh.del(n)` works as it reads. Checked with `ip`.
import t from 'tap';
import type { Rule } from '../../types/rule.js';
import { rootSkip, tempNetns } from '../helpers/netns.js';

const opts = { skip: rootSkip };

t.test('listed objects go back into del and add', opts, async (t) => {
  const ns = tempNetns(t);
  const { h } = ns;
  ns.ip('link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
  ns.ip('link', 'add', 'br0', 'type', 'bridge');
  ns.ip('link', 'set', 'v1', 'master', 'br0');
  for (const dev of ['v0', 'v1', 'br0']) ns.ip('link', 'set', dev, 'up');
  await h.addr.add({ dev: 'v0', address: '10.9.0.1/24' });
  await h.addr.add({ dev: 'v0', address: '2001:db8:9::1/64', nodad: true });
  await h.addr.add({ dev: 'v0', address: '10.8.0.1', peer: '10.8.0.2/32' });

  const addrs = (await h.addr.list({ dev: 'v0' })).filter((a) => a.scope === 'global');
  t.equal(addrs.length, 3);
  for (const a of addrs) await h.addr.del(a);
  t.same(
    (await h.addr.list({ dev: 'v0' })).filter((a) => a.scope === 'global'),
    [],
    'addr.del of each listed address removes it (IPv4, IPv6 /64, point-to-point)',
  );
  for (const a of addrs) await h.addr.add(a);
  const again = (await h.addr.list({ dev: 'v0' })).filter((a) => a.scope === 'global');
  t.same(
    again.map((a) => [a.cidr, a.peer, a.flags.includes('nodad')]).sort(),
    addrs.map((a) => [a.cidr, a.peer, a.flags.includes('nodad')]).sort(),
    'addr.add of each makes it again: same prefix, peer and nodad',
  );

  await h.neigh.add({ dev: 'v0', dst: '10.9.0.5', lladdr: '02:00:00:00:00:05', state: 'permanent' });
  await h.neigh.add({ dev: 'v0', dst: '2001:db8:9::5', lladdr: '02:00:00:00:00:06', state: 'reachable', router: true });
  const neighs = (await h.neigh.list({ dev: 'v0' })).filter((n) => n.dst === '10.9.0.5' || n.dst === '2001:db8:9::5');
  t.equal(neighs.length, 2);
  for (const n of neighs) await h.neigh.del(n);
  t.same(ns.ipJson('neigh', 'show', 'dev', 'v0', 'nud', 'permanent'), [], 'neigh.del of each listed entry');
  for (const n of neighs) await h.neigh.replace(n);
  t.match(
    ns.ipJson('-6', 'neigh', 'show', 'dev', 'v0'),
    [{ dst: '2001:db8:9::5', router: null }],
    'replace takes one back',
  );

  await h.fdb.add({ dev: 'v1', lladdr: '02:00:00:00:00:09', master: true, static: true });
  const fdbs = (await h.fdb.list({ dev: 'v1' })).filter((e) => e.lladdr === '02:00:00:00:00:09');
  t.match(fdbs, [{ master: 'br0', state: 'static' }]);
  await h.fdb.del(fdbs[0]!);
  const bridgeFdb = (): { mac: string }[] =>
    (JSON.parse(ns.exec('bridge', '-j', 'fdb', 'show', 'dev', 'v1')) as { mac: string }[]).filter(
      (e) => e.mac === '02:00:00:00:00:09',
    );
  t.same(bridgeFdb(), [], 'fdb.del of a listed bridge entry');
  await h.fdb.add(fdbs[0]!);
  t.match(bridgeFdb(), [{ master: 'br0', state: 'static' }], 'fdb.add of it makes it again, static, on the bridge');
  // the bridge's own entry reads with dev and master both br0: it is deleted with self
  ns.exec('bridge', 'fdb', 'add', '02:00:00:00:02:06', 'dev', 'br0', 'self', 'local');
  const own = (await h.fdb.list({ dev: 'br0' })).filter((e) => e.lladdr === '02:00:00:00:02:06');
  t.match(own, [{ dev: 'br0', master: 'br0' }]);
  await h.fdb.del(own[0]!);
  t.same(
    (await h.fdb.list({ dev: 'br0' })).filter((e) => e.lladdr === '02:00:00:00:02:06'),
    [],
    "fdb.del of the bridge's own listed entry",
  );

  await h.rule.add({ priority: 100, from: '10.1.0.0/16', table: 100, fwmark: 5, fwmask: 0xff, iif: 'v0' });
  const [rule] = await h.rule.list({ priority: 100 });
  await h.rule.del(rule!);
  t.same(await h.rule.list({ priority: 100 }), [], 'rule.del of a listed rule');
  await h.rule.add(rule!);
  t.same(await h.rule.list({ priority: 100 }), [rule], 'rule.add of it');

  // rules a read reports with state flags (a missing iif device, an unresolved goto) and a
  // protocol without a name
  ns.ip('rule', 'add', 'pref', '104', 'iif', 'ghost0', 'table', '400');
  ns.ip('rule', 'add', 'pref', '106', 'goto', '999');
  ns.ip('-6', 'rule', 'add', 'pref', '103', 'ipproto', '200', 'table', '101');
  const oddRules = async (): Promise<Rule[]> =>
    (await h.rule.list())
      .filter((r) => [103, 104, 106].includes(r.priority ?? 0))
      .sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0));
  const odd = await oddRules();
  t.match(odd, [{ priority: 103, ipproto: '200' }, { iifDetached: true }, { unresolved: true }]);
  for (const r of odd) await h.rule.del(r);
  t.same(
    (await h.rule.list()).filter((r) => [103, 104, 106].includes(r.priority ?? 0)),
    [],
    'rule.del of each',
  );
  for (const r of odd) await h.rule.add(r);
  t.same(await oddRules(), odd, 'rule.add of each makes it again');

  // a route through a nexthop object reads with the nexthop's gateway and device beside nhid
  await h.nexthop.add({ id: 3, via: '10.9.0.2', dev: 'v0' });
  await h.route.add({ dst: '10.30.0.0/16', nhid: 3 });
  const [viaNh] = (await h.route.list()).filter((r) => r.dst === '10.30.0.0/16');
  t.match(viaNh, { nhid: 3, via: '10.9.0.2', dev: 'v0' });
  await h.route.del(viaNh!);
  t.same(ns.ipJson('route', 'show', '10.30.0.0/16'), [], 'route.del of a listed nhid route');
  await h.route.add(viaNh!);
  t.match(ns.ipJson('route', 'show', '10.30.0.0/16'), [{ nhid: 3 }], 'route.add of it');
  t.match(
    await h.route.get('10.30.1.1', { src: '10.9.0.1/32' }),
    { via: '10.9.0.2' },
    'route.get takes src as a /32 too',
  );

  await h.route.add({ dst: '10.50.0.0/16', via: '10.9.0.2', metric: 7 });
  const [route] = (await h.route.list()).filter((r) => r.dst === '10.50.0.0/16');
  await h.route.del(route!);
  t.same(ns.ipJson('route', 'show', '10.50.0.0/16'), [], 'route.del of a listed route');
  await h.route.add(route!);
  t.match(ns.ipJson('route', 'show', '10.50.0.0/16'), [{ gateway: '10.9.0.2', metric: 7 }], 'route.add of it');
});
