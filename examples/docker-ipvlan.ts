// Docker's `ipvlan` network driver (L2 mode), rebuilt by hand: like macvlan, each container gets a
// link of the host's NIC straight on the LAN — but every ipvlan shares the NIC's MAC address, and
// the driver tells the containers apart by IP address (full control over addressing, and no MAC
// per container for switches that limit them). Three kinds of namespace stand in for the LAN, the
// host and the containers, so nothing outside them is touched; all are removed at the end, also
// when a step fails.
//
//   <prefix>-lan:  lan0 (bridge) 192.168.2.1/24, the router ── port0 ══ eth0 of the host
//   <prefix>-host: eth0 (the NIC, no address needed)
//                   ├─ ipvlan l2 → eth0 192.168.2.60/24 in <prefix>-c1 (default via .1)
//                   └─ ipvlan l2 → eth0 192.168.2.61/24 in <prefix>-c2 (default via .1)
//
// The same with iproute2 (docker network create -d ipvlan -o ipvlan_mode=l2 -o parent=eth0 …):
//   ip -n P-host link add link eth0 name eth0 netns P-c1 type ipvlan mode l2
//   ip -n P-c1 address add 192.168.2.60/24 dev eth0; ip -n P-c1 link set eth0 up
//   ip -n P-c1 route add default via 192.168.2.1
// (L3 mode, `mode: 'l3'`, routes between the containers' subnets in the driver instead: no
// broadcast, no ARP, and the LAN needs a route to them via the host.)
//
// Needs the kernel's `ipvlan` driver; without it the example says so and exits 0.
//
// Run as root:  node --import=@tapjs/typescript/import examples/docker-ipvlan.ts
//   (or npm run build:ts, then node dist/examples/docker-ipvlan.js)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NetlinkError, netns, open, type Handle, type Link } from '../lib/index.js';

export interface Options {
  /** Namespace name prefix (default 'rtnl-ex-ipvlan'). */
  prefix?: string;
  log?: (line: string) => void;
}

export interface Result {
  nic: Link;
  /** The containers' eth0, as each container sees it: the NIC's MAC address on each. */
  containers: Link[];
  /** Ping results (undefined: ping is not installed). */
  pings: Record<string, boolean | undefined>;
}

/** One ping from inside a namespace (ping observes; it is not part of the set-up). */
function ping(ns: string, addr: string): boolean | undefined {
  const installed = (process.env['PATH'] ?? '/usr/bin:/bin').split(':').some((d) => existsSync(join(d, 'ping')));
  if (!installed) return undefined;
  try {
    execFileSync('ip', ['netns', 'exec', ns, 'ping', '-n', '-q', '-c', '1', '-W', '2', addr], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const GATEWAY = '192.168.2.1';
const CONTAINERS = [
  { ns: 'c1', ip: '192.168.2.60' },
  { ns: 'c2', ip: '192.168.2.61' },
];

export async function main({ prefix = 'rtnl-ex-ipvlan', log = console.log }: Options = {}): Promise<Result> {
  const lanNs = `${prefix}-lan`;
  const hostNs = `${prefix}-host`;
  const made: string[] = [];
  const handles: Handle[] = [];
  const pings: Result['pings'] = {};
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
    const nic = await host.link.set('eth0', { up: true });

    // docker run: per container, an ipvlan of the NIC made straight inside its namespace.
    const containers: Link[] = [];
    for (const c of CONTAINERS) {
      const ns = `${prefix}-${c.ns}`;
      await host.link.add({ type: 'ipvlan', name: 'eth0', link: 'eth0', mode: 'l2', netns: ns });
      const h = open({ netns: ns });
      handles.push(h);
      await h.link.set('lo', { up: true });
      await h.addr.add({ dev: 'eth0', address: `${c.ip}/24` });
      const eth0 = await h.link.set('eth0', { up: true });
      containers.push(eth0);
      await h.route.add({ dst: 'default', via: GATEWAY });
      log(`${ns}: eth0 ${c.ip}/24, MAC ${eth0.address} (the NIC's is ${nic.address})`);
    }
    const c1 = `${prefix}-${CONTAINERS[0]!.ns}`;
    for (const to of [CONTAINERS[1]!.ip, GATEWAY]) {
      const r = ping(c1, to);
      pings[to] = r;
      log(`ping ${to} from ${c1}: ${r === undefined ? 'skipped (no ping)' : r ? 'ok' : 'FAILED'}`);
    }
    return { nic, containers, pings };
  } finally {
    for (const h of handles) h.close();
    for (const n of made.reverse()) await netns.del(n);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    // A kernel without the driver: the error names it ("… this kernel has no 'ipvlan' driver").
    if (e instanceof NetlinkError && e.code === 'EOPNOTSUPP') console.log(`skipped: ${e.message}`);
    else {
      console.error(e);
      process.exitCode = 1;
    }
  });
}
