// Options bags and filters declare `field?: T | undefined` (so code built with
// exactOptionalPropertyTypes can pass `{ signal: opts.signal }` on): every call must take an
// explicit undefined as the field being absent — same answer as without it, nothing refused.
import t from 'tap';
import { open, type Link } from '../../lib/index.js';
import { ADDR, LINK_COMMON, NEIGH, PEER, ROUTE, RULE } from '../helpers/all-undefined.js';
import { rootSkip, tempNetns } from '../helpers/netns.js';

t.test('an undefined option or filter field is an absent one', { skip: rootSkip }, async (t) => {
  const ns = tempNetns(t);
  const { h } = ns;
  ns.ip('link', 'set', 'lo', 'up');
  await h.link.add({ type: 'bridge', name: 'br0', up: true });
  await h.link.add({ type: 'veth', name: 'p0', peer: { name: 'p1' }, master: 'br0' });
  await h.addr.add({ dev: 'br0', address: '10.7.0.1/24' });
  await h.route.add({ dst: '10.8.0.0/16', via: '10.7.0.2' });
  await h.rule.add({ priority: 100, to: '10.9.0.0/16', table: 100 });
  await h.neigh.add({ dev: 'br0', dst: '10.7.0.9', lladdr: '02:00:00:00:00:09', state: 'permanent' });
  const signal = undefined;
  const same = async <T>(name: string, bare: () => Promise<T>, withUndefined: () => Promise<T>): Promise<void> => {
    t.same(await withUndefined(), await bare(), name);
  };

  // stable fields only: counters and carrier states move while the test runs
  const links = (l: { name: string; index: number }[]): string[] => l.map((x) => `${x.name}:${x.index}`);
  await same(
    'link.list',
    async () => links(await h.link.list()),
    async () => links(await h.link.list({ type: undefined, master: undefined, up: undefined }, { signal })),
  );
  await same(
    'addr.list',
    () => h.addr.list(),
    () => h.addr.list({ dev: undefined, family: undefined }, { signal }),
  );
  const routes = (r: { dst: string }[]): string[] => r.map((x) => x.dst).sort();
  await same(
    'route.list',
    async () => routes(await h.route.list()),
    async () =>
      routes(
        await h.route.list(
          { table: undefined, family: undefined, dev: undefined, protocol: undefined, type: undefined },
          { signal },
        ),
      ),
  );
  await same(
    'route.get',
    () => h.route.get('10.8.1.1'),
    () =>
      h.route.get('10.8.1.1', {
        src: undefined,
        oif: undefined,
        iif: undefined,
        table: undefined,
        mark: undefined,
        fibmatch: undefined,
        signal,
      }),
  );
  const bulk = await h.route.addMany([{ dst: '10.10.0.0/16', via: '10.7.0.2' }], {
    onProgress: undefined,
    signal,
    window: undefined,
  });
  t.same(bulk, { ok: 1, failed: [] }, 'route.addMany');
  // entries by key (their ages tick meanwhile), only those made on purpose (not what neighbour
  // discovery, multicast and bridge learning add meanwhile)
  const fixed = (l: { state: string; dev?: string; dst?: string; lladdr?: string }[]): string[] =>
    l.filter((x) => x.state === 'permanent').map((x) => `${x.dev} ${x.dst ?? ''} ${x.lladdr ?? ''}`);
  await same(
    'neigh.list',
    async () => fixed(await h.neigh.list()),
    async () =>
      fixed(
        await h.neigh.list({
          dev: undefined,
          master: undefined,
          family: undefined,
          state: undefined,
          proxy: undefined,
        }),
      ),
  );
  await same(
    'fdb.list',
    async () => fixed(await h.fdb.list()),
    async () => fixed(await h.fdb.list({ dev: undefined, master: undefined, vlan: undefined, state: undefined })),
  );
  await same(
    'nexthop.list',
    () => h.nexthop.list(),
    () => h.nexthop.list({ dev: undefined, groups: undefined, master: undefined, fdb: undefined, family: undefined }),
  );
  await same(
    'rule.list',
    () => h.rule.list(),
    () =>
      h.rule.list({
        family: undefined,
        table: undefined,
        priority: undefined,
        from: undefined,
        to: undefined,
        iif: undefined,
        oif: undefined,
        fwmark: undefined,
        fwmask: undefined,
        tos: undefined,
        not: undefined,
      }),
  );
  await same(
    'sysctl.list',
    () => h.sysctl.list('net.ipv4.conf.br0'),
    () => h.sysctl.list('net.ipv4.conf.br0', { signal, onError: undefined }),
  );

  const o = open({
    netns: ns.name,
    netnsPath: undefined,
    netnsFd: undefined,
    rcvbuf: undefined,
    sndbuf: undefined,
    window: undefined,
    batchBytes: undefined,
    dumpRetries: undefined,
  });
  t.teardown(() => o.close());
  t.same((await o.link.list()).map((l) => l.name).sort(), ['br0', 'lo', 'p0', 'p1'], 'open() in the namespace');
  const m = o.monitor(['link'], { resync: undefined, rcvbuf: undefined, maxQueue: undefined });
  t.equal(m.resync, false, 'monitor(): resync undefined is off');
  m.close();
});

// The input data objects too (LinkSpec, AddrSpec, RouteSpec, NeighSpec, RuleSpec…): each optional
// field is `?: T | undefined`, and the kernel must end up as if the field were left out.
t.test('an undefined field of an add spec is an absent one', { skip: rootSkip }, async (t) => {
  const ns = tempNetns(t);
  const other = tempNetns(t, { tag: 'u' });
  const { h } = ns;
  ns.ip('link', 'set', 'lo', 'up');

  // links: a bridge and a veth pair made bare and with every common field undefined read back alike
  const bridgeFields = (l: Link): unknown =>
    l.type === 'bridge'
      ? [l.up, l.mtu, l.master, l.stpState, l.vlanFiltering, l.forwardDelay, l.ageingTime, l.mcastSnooping]
      : l.type;
  const bare = await h.link.add({ type: 'bridge', name: 'brb', up: true });
  const br = await h.link.add({
    ...LINK_COMMON,
    type: 'bridge',
    name: 'br0',
    up: true,
    stpState: undefined,
    vlanFiltering: undefined,
    forwardDelay: undefined,
    ageingTime: undefined,
    mcastSnooping: undefined,
    fdbMaxLearned: undefined,
  });
  t.same(bridgeFields(br), bridgeFields(bare), 'link.add bridge');
  t.equal(br.alias, undefined, 'no alias set');
  const p0 = await h.link.add({
    ...LINK_COMMON,
    type: 'veth',
    name: 'p0',
    peer: { ...PEER, name: 'p1' },
    master: 'br0',
  });
  const p1 = await h.link.get('p1');
  t.match(
    [p0, p1],
    [
      { type: 'veth', up: false, mtu: 1500 },
      { type: 'veth', up: false, mtu: 1500 },
    ],
    'link.add veth',
  );
  t.equal(p0.master, br.index, 'p0 enslaved, nothing else');
  t.equal(p0.bridgePort?.learning, true, 'port options at their defaults');

  // a namespace given as { path, fd: undefined } is that path (not descriptor 0)
  const path = `/run/netns/${other.name}`;
  const d = await h.link.add({ type: 'bridge', name: 'd0', netns: { path, fd: undefined } });
  t.equal(d.name, 'd0', 'link.add netns { path, fd: undefined }: read back there');
  t.same(
    (await other.h.link.list({ type: 'bridge' })).map((l) => l.name),
    ['d0'],
    'the bridge is in the other namespace',
  );
  t.notOk(
    (await h.link.list()).some((l) => l.name === 'd0'),
    'and not here',
  );
  await h.link.add({ type: 'veth', name: 'q0', peer: { name: 'q1', netns: { path, fd: undefined } } });
  t.equal((await other.h.link.get('q1')).type, 'veth', 'the veth peer went there too');

  await h.addr.add({ ...ADDR, dev: 'br0', address: '10.7.0.1/24' });
  t.match(
    await h.addr.list({ dev: 'br0', family: 4 }),
    [{ address: '10.7.0.1', prefixlen: 24, scope: 'global', label: 'br0', validLft: 'forever', broadcast: undefined }],
    'addr.add',
  );

  await h.route.add({ ...ROUTE, dst: '10.8.0.0/16', via: '10.7.0.2' });
  await h.route.add({ ...ROUTE, dst: '10.9.0.0/16', dev: 'br0' });
  const ok = await h.route.addMany([{ ...ROUTE, dst: '10.10.0.0/16', via: '10.7.0.2' }]);
  t.same(ok, { ok: 1, failed: [] }, 'route.addMany');
  const routes = (await h.route.list({ family: 4 })).filter((r) => r.dst.startsWith('10.') && r.dst !== '10.7.0.0/24');
  t.match(
    routes.sort((a, b) => a.dst.localeCompare(b.dst)),
    [
      { dst: '10.10.0.0/16', via: '10.7.0.2', dev: 'br0', protocol: 'boot', scope: 'global', table: 254 },
      { dst: '10.8.0.0/16', via: '10.7.0.2', dev: 'br0', protocol: 'boot', scope: 'global', table: 254 },
      { dst: '10.9.0.0/16', via: undefined, dev: 'br0', protocol: 'boot', scope: 'link', table: 254 },
    ],
    'route.add / addMany',
  );
  t.notOk(
    routes.some((r) => r.metric || r.mtu),
    'no metric, no metrics',
  );

  await h.neigh.add({ ...NEIGH, dev: 'br0', dst: '10.7.0.9', lladdr: '02:00:00:00:00:09' });
  t.match(
    await h.neigh.get({ dev: 'br0', dst: '10.7.0.9', proxy: undefined }),
    { state: 'permanent', lladdr: '02:00:00:00:00:09', flags: [] },
    'neigh.add: permanent, as without a state',
  );

  await h.rule.add({ ...RULE, priority: 100, to: '10.9.0.0/16', table: 100 });
  t.match(
    await h.rule.list({ priority: 100 }),
    [{ family: 4, priority: 100, to: '10.9.0.0/16', table: 100, action: 'to_tbl', from: undefined }],
    'rule.add',
  );
});
