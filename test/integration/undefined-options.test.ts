// Options bags and filters declare `field?: T | undefined` (so code built with
// exactOptionalPropertyTypes can pass `{ signal: opts.signal }` on): every call must take an
// explicit undefined as the field being absent — same answer as without it, nothing refused.
import t from 'tap';
import { open } from '../../lib/index.js';
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
