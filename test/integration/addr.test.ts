// Addresses against the kernel, inside throwaway namespaces, both ways: what we add, `ip -j
// address` lists with the same fields, and what ip adds we list with the same values; waitDad
// resolves once IPv6 DAD is over, rejects on a duplicate (dadfailed) and on a timeout; del and
// flush; kernel refusals are NetlinkErrors.
import t, { type Test } from 'tap';
import { NetlinkError } from '../../lib/index.js';
import { RTM_GETADDR } from '../../lib/core/constants.js';
import type { Addr } from '../../types/addr.js';
import { ip, rootSkip, tempNetns, submittedTypes, type TempNetns } from '../helpers/netns.js';

/** What `ip -j address show` prints per address (iproute2 6.1 ip/ipaddress.c print_addrinfo). */
type IpAddr = Record<string, string | number | boolean>;

const FOREVER = 4294967295;

/** Our Addr in ip's JSON shape. */
function toIp(a: Addr): IpAddr {
  const o: IpAddr = { family: a.family === 4 ? 'inet' : 'inet6', local: a.address, prefixlen: a.prefixlen };
  if (a.peer) o['address'] = a.peer.split('/')[0]!;
  if (a.broadcast) o['broadcast'] = a.broadcast;
  o['scope'] = a.scope;
  for (const f of a.flags) o[f === 'stablePrivacy' ? 'stable-privacy' : f] = true;
  if (a.label) o['label'] = a.label;
  o['valid_life_time'] = a.validLft === 'forever' ? FOREVER : a.validLft!;
  o['preferred_life_time'] = a.preferredLft === 'forever' ? FOREVER : a.preferredLft!;
  if (a.metric !== undefined) o['metric'] = a.metric;
  // iproute2 6.1 does not print IFA_PROTO (6.3 does, as "protocol")
  return o;
}

function ipAddrs(ns: TempNetns, dev: string): IpAddr[] {
  const [link] = ns.ipJson<{ addr_info: IpAddr[] }[]>('address', 'show', 'dev', dev);
  return link!.addr_info;
}

/** Lifetimes count down between the two reads: compare them within a second. */
function same(t: Test, ours: IpAddr[], theirs: IpAddr[], msg: string): void {
  const strip = (l: IpAddr[]): IpAddr[] =>
    l.map((x) => {
      const c = { ...x };
      for (const k of ['valid_life_time', 'preferred_life_time'])
        if (c[k] !== FOREVER) c[k] = Math.round(Number(c[k]) / 5);
      return c;
    });
  t.same(strip(ours), strip(theirs), msg);
}

function setup(ns: TempNetns): void {
  ns.ip('link', 'set', 'lo', 'up');
  ns.ip('link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1');
  ns.ip('link', 'set', 'veth0', 'up');
  ns.ip('link', 'set', 'veth1', 'up');
}

t.test('what we add, ip lists the same; what ip adds, we list the same', { skip: rootSkip }, async (t) => {
  const ns = tempNetns(t);
  setup(ns);
  const { h } = ns;
  await h.addr.add({ dev: 'veth0', address: '192.168.0.1/24', broadcast: '+', label: 'veth0:a' });
  await h.addr.add({ dev: 'veth0', address: '192.168.0.2/24' });
  await h.addr.add({ dev: 'veth0', address: '10.0.0.1', peer: '10.0.0.2/32', validLft: 300, preferredLft: 200 });
  await h.addr.add({ dev: 'veth0', address: '172.16.0.1/16', scope: 'link', metric: 77, noprefixroute: true });
  await h.addr.add({ dev: 'veth0', address: '2001:db8::1/64', nodad: true });
  await h.addr.add({ dev: 'veth0', address: '2001:db8:1::1/64', nodad: true, mngtmpaddr: true, noprefixroute: true });
  ns.ip('address', 'add', '198.51.100.7/25', 'broadcast', '198.51.100.127', 'dev', 'veth0', 'label', 'veth0:ip');
  ns.ip('address', 'add', '2001:db8:2::2/56', 'dev', 'veth0', 'nodad', 'valid_lft', '900', 'preferred_lft', '0');
  ns.ip('address', 'add', '127.0.0.2/8', 'dev', 'lo');

  same(
    t,
    (await h.addr.list({ dev: 'veth0' })).map(toIp),
    ipAddrs(ns, 'veth0'),
    'veth0: every address, field for field',
  );
  same(t, (await h.addr.list({ dev: 'lo' })).map(toIp), ipAddrs(ns, 'lo'), 'lo');
  const v4 = await h.addr.list({ family: 4 });
  t.ok(v4.every((a) => a.family === 4) && v4.length === 7, 'family 4: 5 on veth0 and 2 on lo');
  const all = await h.addr.list();
  t.same(new Set(all.map((a) => a.dev)), new Set(['lo', 'veth0', 'veth1']), 'no filter: every device, both families');
  const secondary = all.find((a) => a.address === '192.168.0.2');
  t.same(secondary?.flags, ['secondary'], 'the second address of a subnet is a secondary');
  t.match(
    all.find((a) => a.address === '198.51.100.7'),
    { label: 'veth0:ip', broadcast: '198.51.100.127', dev: 'veth0', cidr: '198.51.100.7/25' },
  );
  const temp = all.find((a) => a.address === '2001:db8:2::2');
  t.match(temp, { validLft: Number, preferredLft: 0 });
  t.same(temp?.flags.slice().sort(), ['deprecated', 'dynamic', 'nodad'], 'lifetimes: dynamic; preferred 0: deprecated');
  t.same(
    all.filter((a) => a.dev === 'lo' && a.family === 6).map((a) => a.proto),
    ['kernel_lo'],
    "IFA_PROTO of the kernel's ::1",
  );
  t.same(ns.ipJson('route', 'show', '172.16.0.0/16'), [], 'noprefixroute: no prefix route');
});

t.test('del and flush', { skip: rootSkip }, async (t) => {
  const ns = tempNetns(t);
  setup(ns);
  const { h } = ns;
  await h.addr.add({ dev: 'veth0', address: '192.168.0.1/24' });
  await h.addr.add({ dev: 'veth0', address: '192.168.1.1/24' });
  await h.addr.add({ dev: 'veth0', address: '192.168.1.2/24' });
  await h.addr.add({ dev: 'veth0', address: '2001:db8::1/64', nodad: true });
  await h.addr.del({ dev: 'veth0', address: '192.168.0.1' });
  t.notOk(
    (await h.addr.list({ dev: 'veth0' })).some((a) => a.address === '192.168.0.1'),
    'an IPv4 address without prefix length: deleted whatever its prefix',
  );
  await t.rejects(h.addr.del({ dev: 'veth0', address: '192.168.0.1/24' }), {
    name: 'NetlinkError',
    code: 'EADDRNOTAVAIL',
  });
  await t.rejects(h.addr.add({ dev: 'veth0', address: '192.168.1.1/24' }), { name: 'NetlinkError', code: 'EEXIST' });
  await t.rejects(h.addr.add({ dev: 'nosuch0', address: '192.168.1.1/24' }), { code: 'ENODEV' });
  const n = await h.addr.flush({ dev: 'veth0', family: 4 });
  t.equal(n, 2, 'flush -4 counts the primary and its secondary');
  t.same(
    ipAddrs(ns, 'veth0')
      .map((a) => a['family'])
      .filter((f) => f === 'inet'),
    [],
    'no IPv4 left',
  );
  t.ok(
    ipAddrs(ns, 'veth0').some((a) => a['local'] === '2001:db8::1'),
    'IPv6 kept',
  );
  await h.addr.flush({ dev: 'veth0' });
  t.same(ipAddrs(ns, 'veth0'), [], 'flush without family: nothing left, link-local included');
});

t.test('flush counts every address that went, secondaries included', { skip: rootSkip }, async (t) => {
  const ns = tempNetns(t);
  setup(ns);
  const { h } = ns;
  const inet = (): string[] =>
    ipAddrs(ns, 'veth0')
      .filter((a) => a['family'] === 'inet')
      .map((a) => `${a['local']}/${a['prefixlen']}${a['secondary'] ? ' secondary' : ''}`);
  for (const promote of [0, 1]) {
    // The kernel promotes when either the device's or `all`'s setting is on.
    for (const dev of ['all', 'veth0'])
      ns.exec('sysctl', '-q', '-w', `net.ipv4.conf.${dev}.promote_secondaries=${promote}`);
    for (const a of ['10.180.0.1/24', '10.180.0.2/24', '10.180.0.3/24', '10.181.0.1/16'])
      await h.addr.add({ dev: 'veth0', address: a });
    await h.addr.add({ dev: 'veth0', address: '2001:db8::1/64', nodad: true });
    t.same(
      inet(),
      ['10.180.0.1/24', '10.181.0.1/16', '10.180.0.2/24 secondary', '10.180.0.3/24 secondary'],
      `promote_secondaries=${promote}: two primaries, two secondaries`,
    );
    t.equal(await h.addr.flush({ dev: 'veth0', family: 4 }), 4, `promote_secondaries=${promote}: all 4 counted`);
    t.same(inet(), [], 'no IPv4 left');
    t.ok(
      ipAddrs(ns, 'veth0').some((a) => a['local'] === '2001:db8::1'),
      'IPv6 kept',
    );
    await h.addr.del({ dev: 'veth0', address: '2001:db8::1/64' });
  }
});

t.test('flush without "dev" is refused: the loopback addresses stay', { skip: rootSkip }, async (t) => {
  const ns = tempNetns(t);
  setup(ns);
  const { h } = ns;
  const before = ns.ipJson('address', 'show');
  for (const spec of [{}, { family: 4 }, { family: 6 }])
    await t.rejects(h.addr.flush(spec as never), /"dev"/, JSON.stringify(spec));
  t.same(ns.ipJson('address', 'show'), before, 'every address is still there');
  t.ok(
    ipAddrs(ns, 'lo').some((a) => a['local'] === '127.0.0.1'),
    '127.0.0.1',
  );
  t.ok(
    ipAddrs(ns, 'lo').some((a) => a['local'] === '::1'),
    '::1',
  );
});

t.test(
  'waitDad: resolves once DAD is over; a duplicate is dadfailed; a down link times out',
  { skip: rootSkip },
  async (t) => {
    const a = tempNetns(t);
    const b = tempNetns(t);
    a.ip('link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb', 'netns', b.name);
    a.ip('link', 'set', 'va', 'up');
    b.ip('link', 'set', 'vb', 'up');
    // Fast DAD: one probe, 100 ms apart (the sysctls of these throwaway namespaces only).
    for (const ns of [a, b]) {
      ns.exec('sysctl', '-q', '-w', 'net.ipv6.conf.all.dad_transmits=1');
      ns.exec('sysctl', '-q', '-w', `net.ipv6.neigh.${ns === a ? 'va' : 'vb'}.retrans_time_ms=100`);
    }
    const t0 = Date.now();
    await a.h.addr.add({ dev: 'va', address: '2001:db8::a/64', waitDad: true });
    const waited = Date.now() - t0;
    const [mine] = ipAddrs(a, 'va').filter((x) => x['local'] === '2001:db8::a');
    t.notOk(mine!['tentative'], `no longer tentative when add resolves (after ${waited} ms)`);

    b.ip('address', 'add', '2001:db8::d/64', 'dev', 'vb', 'nodad');
    const dup = await a.h.addr
      .add({ dev: 'va', address: '2001:db8::d/64', waitDad: true })
      .catch((e: unknown) => e as Error & { code?: string });
    t.match(dup, { code: 'EDADFAILED' });
    t.match(String(dup), /dadfailed/);
    t.ok(
      ipAddrs(a, 'va').some((x) => x['local'] === '2001:db8::d' && x['dadfailed']),
      'ip shows dadfailed too',
    );

    a.ip('link', 'set', 'va', 'down');
    const slow = await a.h.addr
      .add({ dev: 'va', address: '2001:db8::e/64', waitDad: true, dadTimeout: 300 })
      .catch((e: unknown) => e as Error & { code?: string });
    t.match(slow, { code: 'ETIMEDOUT' }, 'a down link keeps the address tentative: timed out');
    await a.h.addr.add({ dev: 'va', address: '2001:db8::f/64', waitDad: true, nodad: true });
    t.pass('nodad: nothing to wait for');
    void ip;
    void NetlinkError;
  },
);

t.test(
  'list names each device as the kernel names it then, without dumping the links',
  { skip: rootSkip },
  async (t) => {
    const ns = tempNetns(t);
    setup(ns);
    const { h } = ns;
    ns.ip('address', 'add', '192.0.2.1/24', 'dev', 'veth0');
    ns.ip('address', 'add', '192.0.2.129/25', 'dev', 'veth1');
    const types = submittedTypes(h);
    const mine = async (filter = {}): Promise<string[]> =>
      (await h.addr.list({ family: 4, ...filter }))
        .filter((a) => a.address.startsWith('192.0.2.'))
        .map((a) => `${a.cidr} ${a.dev}`)
        .sort();
    t.same(await mine(), ['192.0.2.1/24 veth0', '192.0.2.129/25 veth1']);
    t.same(types, [RTM_GETADDR], 'the address dump is the only request: no link dump before it');
    ns.ip('link', 'set', 'veth1', 'name', 'vethQ');
    t.same(
      await mine(),
      ['192.0.2.1/24 veth0', '192.0.2.129/25 vethQ'],
      'a renamed device, under its new name (as ip shows it)',
    );
    t.match(ns.ip('-4', 'address', 'show', 'dev', 'vethQ'), /192\.0\.2\.129\/25/);
    t.same(await mine({ dev: 'vethQ' }), ['192.0.2.129/25 vethQ'], 'a dev filter by name');
    t.same(types, [RTM_GETADDR, RTM_GETADDR, RTM_GETADDR]);
    await t.rejects(mine({ dev: 'veth1' }), { code: 'ENODEV', field: 'dev' }, 'the old name is gone');
  },
);
