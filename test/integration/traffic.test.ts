// Traffic really flows through what the library builds, in throwaway namespaces: (a) two
// namespaces on a bridge in a third, joined by veth pairs, addressed and routed through the
// library, ping each other; (b) a VXLAN overlay between two namespaces over a veth underlay
// carries a ping once fdb.append has made its flood entries — and not before. Every link,
// address, route and FDB entry is made by the library; `ip`, `bridge` and ping only observe.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { rootSkip, tempNetns, type TempNetns } from '../helpers/netns.js';

const hasPing = (() => {
  try {
    execFileSync('ping', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const skip = rootSkip || (hasPing ? false : 'needs ping (apt-get install -y iputils-ping)');

/** One echo request from inside ns; true when a reply came back within 2 s. */
function ping(ns: TempNetns, addr: string): boolean {
  try {
    execFileSync('ip', ['netns', 'exec', ns.name, 'ping', '-n', '-q', '-c', '1', '-W', '2', addr], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function bridgeFdb(ns: TempNetns, ...args: string[]): { mac: string; ifname?: string; dst?: string; state: string }[] {
  const out = execFileSync('bridge', ['-n', ns.name, '-j', 'fdb', 'show', ...args], { encoding: 'utf8' }).trim();
  return out ? (JSON.parse(out) as { mac: string; ifname?: string; dst?: string; state: string }[]) : [];
}

t.test(
  'bridge: two namespaces on a bridge in a third ping each other, directly and through a route',
  { skip },
  async (t) => {
    const sw = tempNetns(t);
    const a = tempNetns(t);
    const b = tempNetns(t);
    await sw.h.link.add({ type: 'bridge', name: 'br0', up: true });
    await sw.h.link.add({ type: 'veth', name: 'va', master: 'br0', up: true, peer: { name: 'eth0', netns: a.name } });
    await sw.h.link.add({ type: 'veth', name: 'vb', master: 'br0', up: true, peer: { name: 'eth0', netns: b.name } });
    await sw.h.addr.add({ dev: 'br0', address: '172.30.0.1/24' });
    for (const [ns, ip] of [
      [a, '172.30.0.2/24'],
      [b, '172.30.0.3/24'],
    ] as const) {
      await ns.h.link.set('lo', { up: true });
      await ns.h.link.set('eth0', { up: true });
      await ns.h.addr.add({ dev: 'eth0', address: ip });
    }
    await b.h.addr.add({ dev: 'lo', address: '10.77.0.2/32' });
    const macA = (await a.h.link.get('eth0')).address;
    const macB = (await b.h.link.get('eth0')).address;

    t.ok(ping(a, '172.30.0.3'), 'a → b across the bridge');
    t.ok(ping(b, '172.30.0.2'), 'b → a across the bridge');
    t.ok(ping(a, '172.30.0.1'), "a → the bridge's own address");

    t.notOk(ping(a, '10.77.0.2'), "b's loopback address is unreachable from a without a route");
    await a.h.route.add({ dst: '10.77.0.0/24', via: '172.30.0.3' });
    t.same(
      a
        .ipJson<{ dst: string; gateway: string; dev: string }[]>('route', 'show', '10.77.0.0/24')
        .map((r) => [r.dst, r.gateway, r.dev]),
      [['10.77.0.0/24', '172.30.0.3', 'eth0']],
      'ip sees the route',
    );
    t.ok(ping(a, '10.77.0.2'), "a → b's loopback address through the route via b");

    // The neighbours ping resolved, and the bridge's learned entries, as our API and ip see them.
    const seen = (await a.h.neigh.list({ dev: 'eth0', family: 4 })).find((n) => n.dst === '172.30.0.3');
    t.equal(seen?.lladdr, macB, "a resolved b's MAC");
    t.same(
      a
        .ipJson<{ dst: string; lladdr: string }[]>('neigh', 'show', 'dev', 'eth0', 'to', '172.30.0.3')
        .map((n) => n.lladdr),
      [macB],
    );
    const learned = (await sw.h.fdb.list({ master: 'br0' })).filter((e) => e.lladdr === macA || e.lladdr === macB);
    t.same(
      learned.map((e) => [e.lladdr, e.dev, e.master]).sort(),
      [
        [macA, 'va', 'br0'],
        [macB, 'vb', 'br0'],
      ].sort(),
      'the bridge learned both MACs on their ports',
    );
    t.same(
      bridgeFdb(sw, 'br', 'br0')
        .filter((e) => e.mac === macA || e.mac === macB)
        .map((e) => [e.mac, e.ifname])
        .sort(),
      learned.map((e) => [e.lladdr, e.dev]).sort(),
      'bridge fdb agrees',
    );

    // A static neighbour pinned with neigh.add carries traffic and stays as it was made.
    await a.h.neigh.replace({ dev: 'eth0', dst: '172.30.0.3', lladdr: macB! });
    t.ok(ping(a, '172.30.0.3'), 'ping through a permanent neighbour entry');
    t.same(
      a.ipJson<{ state: string[] }[]>('neigh', 'show', 'dev', 'eth0', 'to', '172.30.0.3').map((n) => n.state),
      [['PERMANENT']],
    );
  },
);

t.test(
  'vxlan: an overlay over a veth underlay carries a ping once fdb.append made the flood entries',
  { skip },
  async (t) => {
    const a = tempNetns(t);
    const b = tempNetns(t);
    await a.h.link.add({ type: 'veth', name: 'ul0', up: true, peer: { name: 'ul0', netns: b.name } });
    await b.h.link.set('ul0', { up: true });
    const under = { a: '192.168.100.1', b: '192.168.100.2' };
    await a.h.addr.add({ dev: 'ul0', address: `${under.a}/24` });
    await b.h.addr.add({ dev: 'ul0', address: `${under.b}/24` });
    for (const [ns, local, overlay] of [
      [a, under.a, '10.200.0.1/24'],
      [b, under.b, '10.200.0.2/24'],
    ] as const) {
      await ns.h.link.add({ type: 'vxlan', name: 'vx0', id: 42, local, dev: 'ul0', port: 4789, up: true });
      await ns.h.addr.add({ dev: 'vx0', address: overlay });
    }
    t.ok(ping(a, under.b), 'the underlay works');
    t.notOk(ping(a, '10.200.0.2'), 'without flood entries the overlay has nowhere to send');

    await a.h.fdb.append({ dev: 'vx0', lladdr: '00:00:00:00:00:00', dst: under.b });
    await b.h.fdb.append({ dev: 'vx0', lladdr: '00:00:00:00:00:00', dst: under.a });
    t.same(
      bridgeFdb(a, 'dev', 'vx0')
        .filter((e) => e.mac === '00:00:00:00:00:00')
        .map((e) => [e.dst, e.state]),
      [[under.b, 'permanent']],
      'bridge fdb sees the flood entry',
    );

    // The failed ping left a's neighbour entry for 10.200.0.2 INCOMPLETE, its last ARP probe sent
    // as that ping gave up; if that was before the flood entries existed, the entry goes FAILED a
    // second later and drops the packet waiting on it (reproduced by appending them 0.3 s late;
    // seen in CI under ASan). Start from no entry: this ping's own ARP request then goes out.
    a.ip('neigh', 'flush', 'dev', 'vx0');
    t.ok(ping(a, '10.200.0.2'), 'a → b over the overlay');
    t.ok(ping(b, '10.200.0.1'), 'b → a over the overlay');

    // VXLAN learning: a now knows b's overlay MAC behind b's underlay address.
    const macB = (await b.h.link.get('vx0')).address;
    const entries = await a.h.fdb.list({ dev: 'vx0' });
    t.match(
      entries.find((e) => e.lladdr === macB),
      { dev: 'vx0', dst: under.b, flags: ['self'] },
      "a learned b's MAC behind its VTEP",
    );
    t.same(
      entries.map((e) => [e.lladdr, e.dst ?? '-']).sort(),
      bridgeFdb(a, 'dev', 'vx0')
        .map((e) => [e.mac, e.dst ?? '-'])
        .sort(),
      'fdb.list = bridge fdb show dev vx0',
    );
  },
);
