// Neighbours' link-layer addresses against the kernel and `ip`, in throwaway namespaces. On IP
// tunnels — an NBMA gre (no remote: NHRP / DMVPN style, `ip neigh add 10.0.0.2 lladdr 192.0.2.1
// dev gre1`), ipip, sit, ip6gre, ip6tnl — a neighbour's lladdr is the peer's underlay address, and
// `ip neigh` prints it as an IP address by the device's hardware type: our list, get and monitor
// events must read it as `ip -j neigh` does, beside Ethernet entries, whether we or ip added it.
// This host's kernel has none of those drivers (the tunnel tests are skipped, saying so);
// `scripts/uml-test.sh test/integration/neigh-lladdr.test.ts` runs them on User-mode Linux 6.1
// with ip_gre, ipip, sit and ip6_gre loaded (also with UML_FB_TUNNELS=1, beside gre0, tunl0 …).
// The Ethernet test runs everywhere.
import t, { type Test } from 'tap';
import { NetlinkError, type Monitor } from '../../lib/index.js';
import type { Neigh } from '../../types/neigh.js';
import { kindSkips, rootSkip, tempNetns, type TempNetns } from '../helpers/netns.js';

interface IpNeigh {
  dst: string;
  dev?: string;
  lladdr?: string;
  state?: string[];
}

const ipKey = (n: IpNeigh, dev?: string): string =>
  [n.dst, n.dev ?? dev, n.lladdr ?? '-', (n.state ?? ['NONE']).join('|').toLowerCase()].join(' ');
const ourKey = (n: Neigh): string => [n.dst, n.dev, n.lladdr ?? '-', n.state].join(' ');

/** `ip -j neigh show nud all [ARGS]` as keys (ip leaves out "dev" when filtering by it: put back). */
function ipList(ns: TempNetns, ...args: string[]): string[] {
  const at = args.indexOf('dev');
  const dev = at < 0 ? undefined : args[at + 1];
  return ns.ipJson<IpNeigh[]>('neigh', 'show', 'nud', 'all', ...args).map((n) => ipKey(n, dev));
}

/** Lists both ways until they agree (the kernel adds IPv6 multicast entries as links settle). */
async function agree(t: Test, ours: () => Promise<Neigh[]>, theirs: () => string[], what: string): Promise<string[]> {
  let a: string[] = [];
  let b: string[] = [];
  for (let i = 0; i < 10; i++) {
    a = (await ours()).map(ourKey).sort();
    b = theirs().sort();
    if (JSON.stringify(a) === JSON.stringify(b)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  t.same(a, b, what);
  t.ok(a.length > 0, `${what}: not empty`);
  return a;
}

/** The next neighbour event matching `want` (fails after `ms`). */
async function neighEvent(m: Monitor, want: (n: Neigh) => boolean, ms = 10_000): Promise<Neigh> {
  const deadline = Date.now() + ms;
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), deadline - Date.now())));
    const r = await Promise.race([m.next(), timeout]);
    clearTimeout(timer);
    if (r === 'timeout') throw new Error(`no matching neighbour event within ${ms} ms`);
    if (r.done) throw new Error('the monitor ended');
    const ev = r.value;
    if (ev.kind === 'neigh' && ev.action === 'new' && want(ev.object)) return ev.object;
  }
}

t.test('Ethernet: the lladdr forms ip takes, read as ip reads them', { skip: rootSkip }, async (t) => {
  const ns = tempNetns(t, { tag: 'nll' });
  const { h } = ns;
  ns.ip('link', 'add', 'e0', 'type', 'veth', 'peer', 'name', 'e1');
  ns.ip('link', 'set', 'e0', 'up');
  ns.ip('link', 'set', 'e1', 'up');
  await h.neigh.add({ dev: 'e0', dst: '10.0.0.2', lladdr: '2:0:0:0:0:a' });
  t.same(ipList(ns, 'to', '10.0.0.2'), ['10.0.0.2 e0 02:00:00:00:00:0a permanent'], 'bytes of one digit');
  // 20 bytes (InfiniBand-sized): the kernel keeps the device's 6, as from `ip neigh … lladdr`
  const ib = '80:00:00:48:fe:80:00:00:00:00:00:00:02:00:5e:10:00:00:00:01';
  await h.neigh.add({ dev: 'e0', dst: '10.0.0.3', lladdr: ib });
  ns.ip('neigh', 'add', '10.0.0.4', 'lladdr', ib, 'dev', 'e0');
  t.same(
    ipList(ns, 'dev', 'e0', 'to', '10.0.0.3'),
    ['10.0.0.3 e0 80:00:00:48:fe:80 permanent'],
    'a longer address: its first 6 bytes',
  );
  t.same(ipList(ns, 'to', '10.0.0.4'), ['10.0.0.4 e0 80:00:00:48:fe:80 permanent'], 'the same as ip');
  // a dotted quad is 4 bytes, fewer than a MAC: the kernel refuses it, as it does ip's
  const quad = await h.neigh.add({ dev: 'e0', dst: '10.0.0.5', lladdr: '192.0.2.1' }).catch((e: unknown) => e);
  t.ok(quad instanceof NetlinkError && quad.code === 'EINVAL', `a dotted quad on Ethernet: EINVAL (${String(quad)})`);
  t.throws(() => ns.ip('neigh', 'add', '10.0.0.5', 'lladdr', '192.0.2.1', 'dev', 'e0'), 'ip: refused too');
  await t.rejects(
    h.neigh.add({ dev: 'e0', dst: '10.0.0.5', lladdr: Array(33).fill('02').join(':') }),
    RangeError,
    '33 bytes: refused before sending (the kernel takes at most 32)',
  );
  await h.neigh.add({ dev: 'e0', dst: '10.0.0.6', lladdr: Array(32).fill('02').join(':') });
  t.same(ipList(ns, 'to', '10.0.0.6'), ['10.0.0.6 e0 02:02:02:02:02:02 permanent'], '32 bytes: taken');
  await agree(
    t,
    () => h.neigh.list(),
    () => ipList(ns),
    'list() = ip -j neigh show nud all',
  );
  // what a read gives is taken back
  const n = await h.neigh.get({ dev: 'e0', dst: '10.0.0.3' });
  await h.neigh.replace({ ...n, state: 'stale' });
  t.same(ipList(ns, 'to', '10.0.0.3'), ['10.0.0.3 e0 80:00:00:48:fe:80 stale'], 'replace of a read entry');
  await h.neigh.del(n);
  t.same(ipList(ns, 'to', '10.0.0.3'), [], 'del of a read entry');
});

const skips = kindSkips(['gre', 'ipip', 'sit', 'ip6gre', 'ip6tnl']);

t.test(
  'gre (NBMA): an IPv4 lladdr, added by us and by ip, read as ip reads it, beside Ethernet entries',
  { skip: skips.gre },
  async (t) => {
    const ns = tempNetns(t, { tag: 'nll' });
    const { h } = ns;
    ns.ip('link', 'add', 'e0', 'type', 'veth', 'peer', 'name', 'e1');
    ns.ip('addr', 'add', '192.0.2.10/24', 'dev', 'e0');
    ns.ip('link', 'add', 'gre1', 'type', 'gre', 'local', '192.0.2.10', 'key', '1');
    ns.ip('addr', 'add', '10.0.0.1/24', 'dev', 'gre1');
    for (const d of ['e0', 'e1', 'gre1']) ns.ip('link', 'set', d, 'up');
    const m = h.monitor(['neigh']);
    t.teardown(() => m.close());

    await h.neigh.add({ dev: 'gre1', dst: '10.0.0.2', lladdr: '192.0.2.1' });
    ns.ip('neigh', 'add', '10.0.0.3', 'lladdr', '192.0.2.3', 'dev', 'gre1', 'nud', 'reachable');
    // a MAC on a tunnel: the kernel keeps the device's 4 bytes (ip prints 2.0.0.0)
    await h.neigh.add({ dev: 'gre1', dst: '10.0.0.4', lladdr: '02:00:00:00:00:98' });
    await h.neigh.add({ dev: 'e0', dst: '192.0.2.99', lladdr: '02:00:00:00:00:99' });
    ns.ip('neigh', 'add', '192.0.2.98', 'lladdr', '02:00:00:00:00:98', 'dev', 'e0');

    t.same(ipList(ns, 'to', '10.0.0.2'), ['10.0.0.2 gre1 192.0.2.1 permanent'], 'ours, as ip reads it');
    t.same(ipList(ns, 'to', '10.0.0.4'), ['10.0.0.4 gre1 2.0.0.0 permanent'], 'a MAC cut to 4 bytes');
    const gre1 = (await h.link.get('gre1')).index;
    t.match(await h.neigh.get({ dev: 'gre1', dst: '10.0.0.3' }), {
      dev: 'gre1',
      index: gre1,
      lladdr: '192.0.2.3',
      state: 'reachable',
    });
    t.match(await h.neigh.get({ dev: gre1, dst: '10.0.0.2' }), { dev: 'gre1', lladdr: '192.0.2.1' }, 'get by index');
    t.equal((await h.neigh.get({ dev: 'e0', dst: '192.0.2.98' })).lladdr, '02:00:00:00:00:98', 'Ethernet: a MAC');

    const all = await agree(
      t,
      () => h.neigh.list(),
      () => ipList(ns),
      'list() = ip -j neigh show nud all',
    );
    t.ok(all.includes('10.0.0.3 gre1 192.0.2.3 reachable'), "ip's entry, in our list");
    await agree(
      t,
      () => h.neigh.list({ dev: 'gre1' }),
      () => ipList(ns, 'dev', 'gre1'),
      'dev gre1',
    );
    await agree(
      t,
      () => h.neigh.list({ family: 6 }),
      () => ns.ipJson<IpNeigh[]>('-6', 'neigh', 'show', 'nud', 'all').map((n) => ipKey(n)),
      "family 6 (the kernel's own NOARP entries on gre1: lladdr 0.0.0.0)",
    );

    // events: ours and ip's, on gre1 and on a gre made after the monitor started
    t.equal((await neighEvent(m, (n) => n.dst === '10.0.0.2')).lladdr, '192.0.2.1', 'event: ours');
    t.equal((await neighEvent(m, (n) => n.dst === '10.0.0.3')).lladdr, '192.0.2.3', "event: ip's");
    ns.ip('link', 'add', 'gre3', 'type', 'gre', 'local', '192.0.2.10', 'key', '3');
    ns.ip('link', 'set', 'gre3', 'up');
    ns.ip('neigh', 'add', '10.0.3.2', 'lladdr', '192.0.2.32', 'dev', 'gre3');
    t.match(await neighEvent(m, (n) => n.dst === '10.0.3.2'), { dev: 'gre3', lladdr: '192.0.2.32' }, 'event: new gre');

    // a read entry is taken back
    const n = await h.neigh.get({ dev: 'gre1', dst: '10.0.0.2' });
    await h.neigh.replace({ ...n, lladdr: '192.0.2.11' });
    t.same(ipList(ns, 'to', '10.0.0.2'), ['10.0.0.2 gre1 192.0.2.11 permanent'], 'replace');
    await h.neigh.del(await h.neigh.get({ dev: 'gre1', dst: '10.0.0.2' }));
    t.same(ipList(ns, 'to', '10.0.0.2'), [], 'del of a read entry');
  },
);

for (const [kind, link, v4, v6] of [
  ['ipip', ['local', '192.0.2.10'], '192.0.2.5', undefined],
  ['sit', ['local', '192.0.2.10'], '192.0.2.6', '192.0.2.7'],
] as const) {
  t.test(`${kind}: an IPv4 lladdr read as ip reads it`, { skip: skips[kind] }, async (t) => {
    const ns = tempNetns(t, { tag: 'nll' });
    const { h } = ns;
    ns.ip('link', 'add', 't1', 'type', kind, ...link);
    ns.ip('link', 'set', 't1', 'up');
    await h.neigh.add({ dev: 't1', dst: '10.0.2.2', lladdr: v4 });
    ns.ip('neigh', 'add', '10.0.2.3', 'lladdr', '192.0.2.33', 'dev', 't1');
    if (v6) await h.neigh.add({ dev: 't1', dst: '2001:db8:3::2', lladdr: v6 });
    t.same(ipList(ns, 'to', '10.0.2.2'), [`10.0.2.2 t1 ${v4} permanent`], 'ours, as ip reads it');
    t.equal((await h.neigh.get({ dev: 't1', dst: '10.0.2.3' })).lladdr, '192.0.2.33', "ip's, as we read it");
    await agree(
      t,
      () => h.neigh.list(),
      () => ipList(ns),
      'list() = ip -j neigh show nud all',
    );
  });
}

t.test(
  'ip6gre and ip6tnl: a 16-byte lladdr read as IPv6, written by us as IPv6 text and by ip as colon hex',
  { skip: skips.ip6gre || skips.ip6tnl },
  async (t) => {
    const ns = tempNetns(t, { tag: 'nll' });
    const { h } = ns;
    ns.ip('link', 'add', 'e0', 'type', 'veth', 'peer', 'name', 'e1');
    ns.ip('addr', 'add', '2001:db8:ff::10/64', 'dev', 'e0', 'nodad');
    ns.ip('link', 'add', 'g6', 'type', 'ip6gre', 'local', '2001:db8:ff::10', 'key', '2');
    ns.ip('link', 'add', 't6', 'type', 'ip6tnl', 'local', '2001:db8:ff::10', 'mode', 'ip6ip6');
    for (const d of ['e0', 'e1', 'g6', 't6']) ns.ip('link', 'set', d, 'up');
    const m = h.monitor(['neigh']);
    t.teardown(() => m.close());

    // ip takes no IPv6 text for lladdr, only its 16 bytes as colon hex
    const hex = (last: string): string => `20:01:0d:b8:00:ff:00:00:00:00:00:00:00:00:00:${last}`;
    await h.neigh.add({ dev: 'g6', dst: '2001:db8:4::2', lladdr: '2001:db8:ff::21' });
    await h.neigh.add({ dev: 'g6', dst: '10.0.4.2', lladdr: hex('20') });
    ns.ip('neigh', 'add', '2001:db8:4::3', 'lladdr', hex('23'), 'dev', 'g6');
    await h.neigh.add({ dev: 't6', dst: '2001:db8:5::2', lladdr: '2001:db8:ff::22' });
    ns.ip('neigh', 'add', '10.0.5.2', 'lladdr', hex('24'), 'dev', 't6');

    t.same(ipList(ns, 'to', '2001:db8:4::2'), ['2001:db8:4::2 g6 2001:db8:ff::21 permanent'], 'IPv6 text: ip reads it');
    t.same(ipList(ns, 'to', '10.0.4.2'), ['10.0.4.2 g6 2001:db8:ff::20 permanent'], 'colon hex: the same bytes');
    t.equal((await h.neigh.get({ dev: 'g6', dst: '2001:db8:4::3' })).lladdr, '2001:db8:ff::23', "ip's, by us");
    t.equal((await h.neigh.get({ dev: 't6', dst: '10.0.5.2' })).lladdr, '2001:db8:ff::24', 'ip6tnl');
    await agree(
      t,
      () => h.neigh.list(),
      () => ipList(ns),
      'list() = ip -j neigh show nud all',
    );
    t.equal((await neighEvent(m, (n) => n.dst === '2001:db8:4::2')).lladdr, '2001:db8:ff::21', 'event');

    const n = await h.neigh.get({ dev: 'g6', dst: '2001:db8:4::2' });
    await h.neigh.replace({ ...n, state: 'noarp' });
    t.same(ipList(ns, 'to', '2001:db8:4::2'), ['2001:db8:4::2 g6 2001:db8:ff::21 noarp'], 'replace of a read entry');
    await h.neigh.del(n);
    t.same(ipList(ns, 'to', '2001:db8:4::2'), [], 'del of a read entry');
  },
);
