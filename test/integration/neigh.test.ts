// Neighbours and the bridge FDB against the kernel, inside throwaway namespaces, both ways:
// what we add, `ip -j neigh` / `bridge -j fdb` list with the same fields; what they add, we
// list with the same values; and our whole list equals theirs. Links are set up with `ip`.
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { NetlinkError } from '../../lib/index.js';
import { RTM_GETNEIGH } from '../../lib/core/constants.js';
import type { Fdb, Neigh } from '../../types/neigh.js';
import { rootSkip, tempNetns, submittedTypes, type TempNetns } from '../helpers/netns.js';

interface IpNeigh {
  dst: string;
  dev: string;
  lladdr?: string;
  state?: string[];
  router?: null;
  proxy?: null;
}
interface IpFdb {
  mac: string;
  ifname?: string;
  dst?: string;
  vlan?: number;
  port?: number;
  vni?: number;
  master?: string;
  flags: string[];
  state: string;
}

/** One comparable line per entry, from ip's JSON and from ours. */
const ipNeighKey = (n: IpNeigh): string =>
  [
    n.dst,
    n.dev,
    n.lladdr ?? '-',
    (n.state ?? ['NONE']).join('|').toLowerCase(),
    n.router === null ? 'router' : '',
    n.proxy === null ? 'proxy' : '',
  ].join(' ');
const ourNeighKey = (n: Neigh): string =>
  [
    n.dst,
    n.dev,
    n.lladdr ?? '-',
    n.state,
    n.flags.includes('router') ? 'router' : '',
    n.flags.includes('proxy') ? 'proxy' : '',
  ].join(' ');
const ipFdbKey = (e: IpFdb): string =>
  [
    e.mac,
    e.ifname ?? '-',
    e.dst ?? '-',
    e.vlan ?? '-',
    e.port ?? '-',
    e.vni ?? '-',
    e.master ?? '-',
    e.flags.join(','),
    e.state || 'dynamic',
  ].join(' ');
const ourFdbKey = (e: Fdb): string =>
  [
    e.lladdr,
    e.dev,
    e.dst ?? '-',
    e.vlan ?? '-',
    e.port ?? '-',
    e.vni ?? '-',
    e.master ?? '-',
    e.flags.filter((f) => f !== 'managed').join(','),
    e.state,
  ].join(' ');

function bridgeJson<T>(ns: TempNetns, ...args: string[]): T {
  const out = execFileSync('bridge', ['-n', ns.name, '-j', ...args], { encoding: 'utf8' }).trim();
  return (out ? JSON.parse(out) : []) as T;
}

/** Lists both ways until they agree (IPv6 multicast entries come and go as links settle). */
async function agree(t: Test, ours: () => Promise<string[]>, theirs: () => string[], what: string): Promise<void> {
  let a: string[] = [];
  let b: string[] = [];
  for (let i = 0; i < 10; i++) {
    a = (await ours()).sort();
    b = theirs().sort();
    if (JSON.stringify(a) === JSON.stringify(b)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  t.same(a, b, what);
  t.ok(a.length > 0, `${what}: not empty`);
}

t.test('neigh', { skip: rootSkip }, async (t) => {
  const ns = tempNetns(t);
  const { h } = ns;
  ns.ip('link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1');
  ns.ip('link', 'set', 'veth0', 'up');
  ns.ip('link', 'set', 'veth1', 'up');
  const ipNeigh = (...a: string[]): IpNeigh[] => ns.ipJson<IpNeigh[]>('neigh', 'show', ...a);

  // ours → ip
  await h.neigh.add({ dev: 'veth0', dst: '10.0.0.2', lladdr: '02:00:00:00:00:02' });
  await h.neigh.replace({
    dev: 'veth0',
    dst: '2001:db8::2',
    lladdr: '02:00:00:00:00:12',
    state: 'stale',
    router: true,
  });
  await h.neigh.add({ dev: 'veth0', dst: '10.0.0.3', lladdr: '02:00:00:00:00:03', state: 'noarp' });
  await h.neigh.add({ dev: 'veth0', dst: '10.0.0.9', proxy: true });
  t.same(
    ipNeigh('to', '10.0.0.2'),
    [{ dst: '10.0.0.2', dev: 'veth0', lladdr: '02:00:00:00:00:02', state: ['PERMANENT'] }],
    'add: permanent by default',
  );
  t.same(
    ipNeigh('to', '2001:db8::2'),
    [{ dst: '2001:db8::2', dev: 'veth0', lladdr: '02:00:00:00:00:12', router: null, state: ['STALE'] }],
    'replace: stale router',
  );
  t.same(ipNeigh('nud', 'noarp', 'to', '10.0.0.3'), [
    { dst: '10.0.0.3', dev: 'veth0', lladdr: '02:00:00:00:00:03', state: ['NOARP'] },
  ]);
  t.same(ipNeigh('proxy'), [{ dst: '10.0.0.9', dev: 'veth0', proxy: null }], 'proxy entry');
  await t.rejects(
    h.neigh.add({ dev: 'veth0', dst: '10.0.0.2', lladdr: '02:00:00:00:00:02' }),
    { name: 'NetlinkError', code: 'EEXIST' },
    'add twice: EEXIST',
  );
  await h.neigh.replace({ dev: 'veth0', dst: '10.0.0.2', lladdr: '02:00:00:00:00:22', state: 'reachable' });
  t.same(
    ipNeigh('to', '10.0.0.2').map((n) => [n.lladdr, n.state]),
    [['02:00:00:00:00:22', ['REACHABLE']]],
    'replace overwrites',
  );

  // ip → ours
  ns.ip('neigh', 'add', '10.0.0.4', 'lladdr', '02:00:00:00:00:04', 'dev', 'veth1', 'nud', 'permanent');
  ns.ip(
    '-6',
    'neigh',
    'add',
    '2001:db8::4',
    'lladdr',
    '02:00:00:00:00:14',
    'dev',
    'veth1',
    'nud',
    'reachable',
    'router',
    'protocol',
    'static',
  );
  const v1 = await h.neigh.list({ dev: 'veth1' });
  const idx1 = (await h.link.get('veth1')).index;
  const n4 = v1.find((n) => n.dst === '10.0.0.4');
  t.match(n4, {
    family: 4,
    dev: 'veth1',
    index: idx1,
    dst: '10.0.0.4',
    lladdr: '02:00:00:00:00:04',
    state: 'permanent',
    flags: [],
  });
  t.type(n4?.cacheinfo?.updated, 'number', "the kernel's cacheinfo is decoded");
  t.match(
    v1.find((n) => n.dst === '2001:db8::4'),
    { family: 6, dev: 'veth1', lladdr: '02:00:00:00:00:14', state: 'reachable', flags: ['router'], protocol: 'static' },
  );
  t.ok(
    v1.every((n) => n.dev === 'veth1'),
    'dev filter (NDA_IFINDEX)',
  );
  t.same((await h.neigh.get({ dev: 'veth1', dst: '10.0.0.4' })).lladdr, '02:00:00:00:00:04', 'get');
  await t.rejects(h.neigh.get({ dev: 'veth1', dst: '10.9.9.9' }), { code: 'ENOENT' }, 'get of nothing: ENOENT');

  // whole lists agree
  await agree(
    t,
    async () => (await h.neigh.list()).map(ourNeighKey),
    () => ipNeigh('nud', 'all').map(ipNeighKey),
    'list() = ip neigh show nud all',
  );
  await agree(
    t,
    async () => (await h.neigh.list({ family: 6 })).map(ourNeighKey),
    () => ns.ipJson<IpNeigh[]>('-6', 'neigh', 'show', 'nud', 'all').map(ipNeighKey),
    'family 6 = ip -6 neigh',
  );
  await agree(
    t,
    async () => (await h.neigh.list({ state: ['permanent', 'reachable'] })).map(ourNeighKey),
    () => ipNeigh('nud', 'permanent', 'nud', 'reachable').map(ipNeighKey),
    'state filter = ip neigh show nud permanent nud reachable',
  );
  await agree(
    t,
    async () => (await h.neigh.list({ proxy: true })).map(ourNeighKey),
    () => ipNeigh('proxy').map(ipNeighKey),
    'proxy list',
  );

  // del
  await h.neigh.del({ dev: 'veth0', dst: '10.0.0.2' });
  await h.neigh.del({ dev: 'veth0', dst: '10.0.0.9', proxy: true });
  t.same(ipNeigh('to', '10.0.0.2'), [], 'deleted');
  t.same(ipNeigh('proxy'), [], 'proxy deleted');
  await t.rejects(h.neigh.del({ dev: 'veth0', dst: '10.0.0.2' }), { code: 'ENOENT' });
  const err = await h.neigh
    .add({ dev: 'nosuch0', dst: '10.0.0.5', lladdr: '02:00:00:00:00:05' })
    .catch((e: unknown) => e);
  t.ok(err instanceof NetlinkError && err.code === 'ENODEV', 'an absent device: NetlinkError ENODEV');
});

t.test('fdb', { skip: rootSkip }, async (t) => {
  const ns = tempNetns(t);
  const { h } = ns;
  ns.ip('link', 'add', 'br0', 'type', 'bridge');
  ns.ip('link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1');
  ns.ip('link', 'set', 'veth0', 'master', 'br0');
  ns.ip('link', 'add', 'vx0', 'type', 'vxlan', 'id', '42', 'dstport', '4789', 'local', '10.0.0.1', 'nolearning');
  for (const d of ['br0', 'veth0', 'veth1', 'vx0']) ns.ip('link', 'set', d, 'up');
  // bridge leaves out "ifname" when filtering by a port: put it back.
  const show = (...a: string[]): IpFdb[] => {
    const port = a[a.findIndex((x) => x === 'dev' || x === 'brport') + 1];
    return bridgeJson<IpFdb[]>(ns, 'fdb', 'show', ...a).map((e): IpFdb =>
      port === undefined || e.ifname !== undefined ? e : { ...e, ifname: port },
    );
  };

  // ours → bridge
  await h.fdb.append({ dev: 'vx0', lladdr: '00:00:00:00:00:00', dst: '10.0.0.2' });
  await h.fdb.append({ dev: 'vx0', lladdr: '00:00:00:00:00:00', dst: '10.0.0.3' });
  await h.fdb.add({ dev: 'vx0', lladdr: '02:00:00:00:00:06', dst: '10.0.0.3', port: 4790, vni: 100 });
  await h.fdb.add({ dev: 'veth0', lladdr: '02:00:00:00:00:05', master: true, static: true });
  await h.fdb.replace({ dev: 'veth0', lladdr: '02:00:00:00:00:07', master: true, dynamic: true });
  t.same(
    show('dev', 'vx0').map(ipFdbKey).sort(),
    [
      '00:00:00:00:00:00 vx0 10.0.0.2 - - - - self permanent',
      '00:00:00:00:00:00 vx0 10.0.0.3 - - - - self permanent',
      '02:00:00:00:00:06 vx0 10.0.0.3 - 4790 100 - self permanent',
    ],
    'vxlan: two flood remotes appended, one unicast entry with port and vni',
  );
  t.same(
    show('br', 'br0', 'brport', 'veth0')
      .filter((e) => e.mac.startsWith('02:00'))
      .map(ipFdbKey)
      .sort(),
    ['02:00:00:00:00:05 veth0 - - - - br0  static', '02:00:00:00:00:07 veth0 - - - - br0  dynamic'],
    "bridge: static and dynamic entries in the master's table",
  );
  await t.rejects(h.fdb.add({ dev: 'vx0', lladdr: '02:00:00:00:00:06', dst: '10.0.0.3' }), { code: 'EEXIST' });
  const vlanErr = await h.fdb
    .add({ dev: 'veth0', lladdr: '02:00:00:00:00:08', master: true, vlan: 10 })
    .catch((e: unknown) => e);
  t.ok(
    vlanErr instanceof NetlinkError && vlanErr.code === 'EINVAL',
    `vlan without VLAN filtering: the kernel refuses (${String(vlanErr)})`,
  );

  // bridge → ours
  execFileSync('bridge', ['-n', ns.name, 'fdb', 'append', '00:00:00:00:00:00', 'dev', 'vx0', 'dst', '10.0.0.4']);
  execFileSync('bridge', ['-n', ns.name, 'fdb', 'add', '02:00:00:00:00:09', 'dev', 'veth0', 'master', 'static']);
  const vx = await h.fdb.list({ dev: 'vx0' });
  const vxIndex = (await h.link.get('vx0')).index;
  t.same(
    vx.filter((e) => e.dst === '10.0.0.4'),
    [{ dev: 'vx0', index: vxIndex, lladdr: '00:00:00:00:00:00', dst: '10.0.0.4', state: 'permanent', flags: ['self'] }],
  );
  t.ok(
    vx.every((e) => e.dev === 'vx0'),
    'dev filter',
  );
  t.match(
    (await h.fdb.list({ master: 'br0' })).find((e) => e.lladdr === '02:00:00:00:00:09'),
    { dev: 'veth0', master: 'br0', state: 'static', flags: [] },
  );
  t.same(
    (await h.fdb.list({ dev: 'veth0', state: 'static' })).map((e) => e.lladdr).sort(),
    ['02:00:00:00:00:05', '02:00:00:00:00:09'],
    'state filter',
  );

  // whole lists agree
  await agree(
    t,
    async () => (await h.fdb.list()).map(ourFdbKey),
    () => show().map(ipFdbKey),
    'list() = bridge fdb show',
  );
  await agree(
    t,
    async () => (await h.fdb.list({ master: 'br0' })).map(ourFdbKey),
    () => show('br', 'br0').map(ipFdbKey),
    'master filter = bridge fdb show br br0',
  );

  // del picks one remote
  await h.fdb.del({ dev: 'vx0', lladdr: '00:00:00:00:00:00', dst: '10.0.0.2' });
  t.same(
    show('dev', 'vx0')
      .filter((e) => e.mac === '00:00:00:00:00:00')
      .map((e) => e.dst)
      .sort(),
    ['10.0.0.3', '10.0.0.4'],
    'del removed that remote only',
  );
  await h.fdb.del({ dev: 'veth0', lladdr: '02:00:00:00:00:05', master: true });
  t.same(
    show('brport', 'veth0').filter((e) => e.mac === '02:00:00:00:00:05'),
    [],
    'bridge entry deleted',
  );
  await t.rejects(h.fdb.del({ dev: 'veth0', lladdr: '02:00:00:00:00:05', master: true }), { code: 'ENOENT' });
});

t.test('misspelt fields are refused, not ignored: nothing is added', { skip: rootSkip }, async (t) => {
  const ns = tempNetns(t);
  const { h } = ns;
  ns.ip('link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1');
  ns.ip('link', 'add', 'br0', 'type', 'bridge');
  ns.ip('link', 'set', 'veth1', 'master', 'br0');
  for (const d of ['veth0', 'veth1', 'br0']) ns.ip('link', 'set', d, 'up');
  // `stat` for `state`: ignored, this made a PERMANENT entry.
  await t.rejects(
    h.neigh.add({ dev: 'veth0', dst: '10.0.0.2', lladdr: '02:00:00:00:00:02', stat: 'reachable' } as never),
    new TypeError('Unknown field "stat" in the neighbour spec'),
  );
  t.same(ns.ipJson('neigh', 'show', 'nud', 'all', 'to', '10.0.0.2'), [], 'no entry');
  await t.rejects(h.neigh.list({ nud: 'stale' } as never), /Unknown field "nud" in the neighbour filter/);
  await t.rejects(
    h.fdb.add({ dev: 'veth1', lladdr: '02:00:00:00:00:05', master: true, vid: 10 } as never),
    new TypeError('Unknown field "vid" in the fdb spec'),
  );
  // (the bridge may learn veth0's own MAC meanwhile, from its IPv6 traffic: only this one counts)
  t.same(
    bridgeJson<IpFdb[]>(ns, 'fdb', 'show', 'dev', 'veth1').filter((e) => e.mac === '02:00:00:00:00:05'),
    [],
    'no fdb entry',
  );
  await t.rejects(h.fdb.list({ br: 'br0' } as never), /Unknown field "br" in the fdb filter/);
});

t.test(
  'list names each device as the kernel names it then, without dumping the links',
  { skip: rootSkip },
  async (t) => {
    const ns = tempNetns(t);
    ns.ip('link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1');
    ns.ip('link', 'set', 'veth0', 'up');
    ns.ip('neigh', 'add', '192.0.2.7', 'lladdr', '02:00:00:00:00:07', 'dev', 'veth0', 'nud', 'permanent');
    const { h } = ns;
    const types = submittedTypes(h);
    const mine = async (): Promise<string[]> =>
      (await h.neigh.list({ family: 4 })).filter((n) => n.dst === '192.0.2.7').map(ourNeighKey);
    t.same(await mine(), ['192.0.2.7 veth0 02:00:00:00:00:07 permanent  ']);
    t.same(types, [RTM_GETNEIGH], 'the neighbour dump is the only request: no link dump before it');
    ns.ip('link', 'set', 'veth0', 'name', 'vethQ');
    const theirs = ns.ipJson<IpNeigh[]>('-4', 'neigh', 'show', 'nud', 'all').filter((n) => n.dst === '192.0.2.7');
    t.same(await mine(), theirs.map(ipNeighKey), 'a renamed device, under its new name, as ip shows it');
    t.same(types, [RTM_GETNEIGH, RTM_GETNEIGH]);
  },
);
