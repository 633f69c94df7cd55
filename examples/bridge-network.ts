// Docker's bridge network driver, rebuilt by hand: a bridge with the gateway address, one veth
// pair per container (one end a bridge port, the other `eth0` inside the container's network
// namespace), container addresses and default routes, and IP forwarding on the host. A "host"
// namespace stands in for the real host, so running this touches nothing outside it; all three
// namespaces are removed at the end. (Docker adds iptables NAT for the outside world; that is
// netfilter, not rtnetlink, and is left out.)
//
//   rtnl-ex-host: docker0 172.18.0.1/16, ip_forward=1
//     ├─ veth-c1 ── eth0 172.18.0.2/16 in rtnl-ex-c1, default via 172.18.0.1
//     └─ veth-c2 ── eth0 172.18.0.3/16 in rtnl-ex-c2, default via 172.18.0.1
//
// Run as root:  node --import=@tapjs/typescript/import examples/bridge-network.ts
//   (or npm run build:ts, then node dist/examples/bridge-network.js)
import { execFileSync } from 'node:child_process';
import { netns, open, type Handle } from '../lib/index.js';

const HOST = 'rtnl-ex-host';
const GATEWAY = '172.18.0.1';
const CONTAINERS = [
  { ns: 'rtnl-ex-c1', port: 'veth-c1', ip: '172.18.0.2' },
  { ns: 'rtnl-ex-c2', port: 'veth-c2', ip: '172.18.0.3' },
];

function ping(ns: string, addr: string): boolean {
  try {
    execFileSync('ip', ['netns', 'exec', ns, 'ping', '-n', '-q', '-c', '1', '-W', '2', addr], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const names = [HOST, ...CONTAINERS.map((c) => c.ns)];
  for (const n of names) await netns.add(n);
  const handles: Handle[] = [];
  try {
    const host = open({ netns: HOST });
    handles.push(host);
    // docker network create: the bridge and its gateway address; forwarding for routed traffic.
    await host.link.add({ type: 'bridge', name: 'docker0', up: true });
    await host.addr.add({ dev: 'docker0', address: `${GATEWAY}/16` });
    await host.sysctl.set('net.ipv4.ip_forward', 1);

    // docker run: per container, a veth pair into its namespace, an address and a default route.
    for (const c of CONTAINERS) {
      await host.link.add({
        type: 'veth',
        name: c.port,
        master: 'docker0',
        up: true,
        peer: { name: 'eth0', netns: c.ns },
      });
      const h = open({ netns: c.ns });
      handles.push(h);
      await h.link.set('lo', { up: true });
      await h.link.set('eth0', { up: true });
      await h.addr.add({ dev: 'eth0', address: `${c.ip}/16` });
      await h.route.add({ dst: 'default', via: GATEWAY });
    }

    const [c1, c2] = CONTAINERS as [(typeof CONTAINERS)[0], (typeof CONTAINERS)[0]];
    console.log(`${c1.ns} → ${c2.ip}:`, ping(c1.ns, c2.ip) ? 'ok' : 'FAILED');
    console.log(`${c2.ns} → ${GATEWAY}:`, ping(c2.ns, GATEWAY) ? 'ok' : 'FAILED');
    // What the bridge learned (`bridge fdb show br docker0`), leaving out its own permanent entries.
    for (const e of await host.fdb.list({ master: 'docker0' })) {
      if (e.state !== 'permanent') console.log(`docker0 learned ${e.lladdr} on ${e.dev}`);
    }
  } finally {
    for (const h of handles) h.close();
    for (const n of names) await netns.del(n).catch(() => undefined);
  }
}

await main();
