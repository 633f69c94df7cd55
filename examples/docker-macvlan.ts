// Docker's `macvlan` network driver, rebuilt by hand: each container gets a macvlan of the host's
// NIC, with a MAC address of its own, straight on the LAN — no bridge, no veth, no NAT. Then the
// well-known catch and its fix: the host cannot reach its own macvlan containers through the
// parent NIC, so it gets a macvlan "shim" of its own and a host route to the container through
// it — the seed's `ip route add 192.168.1.60/32 dev macvlan0`.
//
// Three kinds of namespace stand in for the LAN, the host and the containers, so nothing outside
// them is touched; all are removed at the end, also when a step fails.
//
//   <prefix>-lan:  lan0 (bridge) 192.168.1.1/24, the router ── port0 ══ eth0 of the host
//   <prefix>-host: eth0 192.168.1.10/24 (the NIC)
//                   ├─ macvlan → eth0 192.168.1.60/24 in <prefix>-c1 (mode bridge, default via .1)
//                   ├─ macvlan → eth0 192.168.1.61/24 in <prefix>-c2 (mode bridge, default via .1)
//                   └─ macvlan0 192.168.1.59/32 (the shim), route 192.168.1.60/32 dev macvlan0
//
// The same with iproute2 (docker network create -d macvlan --subnet 192.168.1.0/24
// --gateway 192.168.1.1 -o parent=eth0; docker run --ip 192.168.1.60 …):
//   ip -n P-host link add link eth0 name eth0 netns P-c1 type macvlan mode bridge
//   ip -n P-c1 address add 192.168.1.60/24 dev eth0; ip -n P-c1 link set eth0 up
//   ip -n P-c1 route add default via 192.168.1.1
//   ip -n P-host link add link eth0 name macvlan0 up type macvlan mode bridge
//   ip -n P-host address add 192.168.1.59/32 dev macvlan0
//   ip -n P-host route add 192.168.1.60/32 dev macvlan0
//
// Run as root:  node --import=@tapjs/typescript/import examples/docker-macvlan.ts
//   (or npm run build:ts, then node dist/examples/docker-macvlan.js)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { netns, open, type Handle, type Link, type Route } from '../lib/index.js';

export interface Options {
  /** Namespace name prefix (default 'rtnl-ex-macvlan'). */
  prefix?: string;
  log?: (line: string) => void;
}

export interface Result {
  /** The containers' eth0, as each container sees it. */
  containers: Link[];
  /** The host's shim and its route to the first container. */
  shim: Link;
  shimRoute: Route;
  /** Ping results (undefined: ping is not installed). */
  pings: Record<string, boolean | undefined>;
}

/** One ping from inside a namespace (ping observes; it is not part of the set-up). */
function ping(ns: string, addr: string): boolean | undefined {
  const installed = (process.env['PATH'] ?? '/usr/bin:/bin').split(':').some((d) => existsSync(join(d, 'ping')));
  if (!installed) return undefined;
  try {
    execFileSync('ip', ['netns', 'exec', ns, 'ping', '-n', '-q', '-c', '1', '-W', '1', addr], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const GATEWAY = '192.168.1.1';
const CONTAINERS = [
  { ns: 'c1', ip: '192.168.1.60', mac: '02:42:c0:a8:01:3c' },
  { ns: 'c2', ip: '192.168.1.61', mac: '02:42:c0:a8:01:3d' },
];

export async function main({ prefix = 'rtnl-ex-macvlan', log = console.log }: Options = {}): Promise<Result> {
  const lanNs = `${prefix}-lan`;
  const hostNs = `${prefix}-host`;
  const made: string[] = [];
  const handles: Handle[] = [];
  const pings: Result['pings'] = {};
  const check = (from: string, to: string, expect: boolean): void => {
    const r = ping(from, to);
    pings[`${from} → ${to}`] = r;
    log(
      `ping ${to} from ${from}: ${r === undefined ? 'skipped (no ping)' : r ? 'ok' : expect ? 'FAILED' : 'no answer (as expected)'}`,
    );
  };
  try {
    for (const n of [lanNs, hostNs, ...CONTAINERS.map((c) => `${prefix}-${c.ns}`)]) {
      await netns.add(n);
      made.push(n);
    }
    const lan = open({ netns: lanNs });
    const host = open({ netns: hostNs });
    handles.push(lan, host);

    // The LAN: a switch (bridge) with the router's address, wired to the host's NIC.
    await lan.link.add({ type: 'bridge', name: 'lan0', up: true });
    await lan.addr.add({ dev: 'lan0', address: `${GATEWAY}/24` });
    await lan.link.add({
      type: 'veth',
      name: 'port0',
      master: 'lan0',
      up: true,
      peer: { name: 'eth0', netns: hostNs },
    });
    await host.link.set('eth0', { up: true });
    await host.addr.add({ dev: 'eth0', address: '192.168.1.10/24' });

    // docker run: per container, a macvlan of the NIC made straight inside its namespace.
    const containers: Link[] = [];
    for (const c of CONTAINERS) {
      const ns = `${prefix}-${c.ns}`;
      await host.link.add({ type: 'macvlan', name: 'eth0', link: 'eth0', mode: 'bridge', address: c.mac, netns: ns });
      const h = open({ netns: ns });
      handles.push(h);
      await h.link.set('lo', { up: true });
      await h.addr.add({ dev: 'eth0', address: `${c.ip}/24` });
      containers.push(await h.link.set('eth0', { up: true }));
      await h.route.add({ dst: 'default', via: GATEWAY });
      log(`${ns}: eth0 ${c.mac} ${c.ip}/24, a macvlan of ${hostNs}'s eth0`);
    }
    const [c1, c2] = CONTAINERS.map((c) => ({ ...c, ns: `${prefix}-${c.ns}` })) as [
      (typeof CONTAINERS)[0],
      (typeof CONTAINERS)[0],
    ];
    check(c1.ns, c2.ip, true); // container to container: the macvlans bridge between themselves
    check(c1.ns, GATEWAY, true); // container to the LAN's router
    check(hostNs, c1.ip, false); // the host to its own container through eth0: never delivered

    // The fix: the host's own macvlan on the NIC, and a host route to the container through it.
    const shim = await host.link.add({ type: 'macvlan', name: 'macvlan0', link: 'eth0', mode: 'bridge', up: true });
    await host.addr.add({ dev: 'macvlan0', address: '192.168.1.59/32' });
    await host.route.add({ dst: `${c1.ip}/32`, dev: 'macvlan0' }); //    ip route add 192.168.1.60/32 dev macvlan0
    const shimRoute = await host.route.get(c1.ip); //                      ip route get 192.168.1.60
    log(`${hostNs}: route get ${c1.ip} → dev ${shimRoute.dev} src ${shimRoute.src}`);
    check(hostNs, c1.ip, true);

    for (const r of await host.route.list({ family: 4 })) log(`${hostNs}: ${r.dst} dev ${r.dev} scope ${r.scope}`);
    await host.route.del({ dst: `${c1.ip}/32`, dev: 'macvlan0' }); //     ip route del 192.168.1.60/32 dev macvlan0
    return { containers, shim, shimRoute, pings };
  } finally {
    for (const h of handles) h.close();
    for (const n of made.reverse()) await netns.del(n);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
