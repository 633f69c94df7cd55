// The links of Docker's bridge network driver: a bridge, and for each container a veth pair whose
// one end is a bridge port and whose other end goes straight into the container's network
// namespace as `eth0` — with no `ip` command forked. A "host" namespace stands in for the real
// host, so nothing outside the namespaces made here is touched; they are all removed at the end.
//
//   <prefix>-host: br0 (up)
//     ├─ veth-c1 (port of br0) ── eth0 in <prefix>-c1
//     └─ veth-c2 (port of br0) ── eth0 in <prefix>-c2
//
// Run as root:  node --import=@tapjs/typescript/import examples/bridge-veth-namespaces.ts
//   (or npm run build:ts, then node dist/examples/bridge-veth-namespaces.js)
import { pathToFileURL } from 'node:url';
import { netns, open, type Handle, type Link } from '../lib/index.js';

export interface Options {
  /** Namespace name prefix (default 'rtnl-ex'). */
  prefix?: string;
  log?: (line: string) => void;
}

export interface Result {
  bridge: Link;
  /** Per container: the host end (a port of the bridge) and eth0 as the container sees it. */
  containers: { ns: string; port: Link; eth0: Link }[];
}

export async function main({ prefix = 'rtnl-ex', log = console.log }: Options = {}): Promise<Result> {
  const hostNs = `${prefix}-host`;
  const containerNs = [`${prefix}-c1`, `${prefix}-c2`];
  const made: string[] = [];
  const handles: Handle[] = [];
  try {
    for (const n of [hostNs, ...containerNs]) {
      await netns.add(n);
      made.push(n);
    }
    const host = open({ netns: hostNs });
    handles.push(host);

    // docker network create: the bridge (STP off, 2 s forward delay, as Docker's default bridge)
    const bridge = await host.link.add({ type: 'bridge', name: 'br0', stpState: 0, forwardDelay: 200, up: true });
    log(`${hostNs}: ${bridge.name} index ${bridge.index}, ${bridge.flags.join(',')}`);

    const containers: Result['containers'] = [];
    for (const [i, ns] of containerNs.entries()) {
      // docker run: a veth pair; eth0 is created inside the container's namespace directly
      const port = await host.link.add({
        type: 'veth',
        name: `veth-c${i + 1}`,
        master: 'br0',
        up: true,
        peer: { name: 'eth0', netns: ns, address: `02:42:ac:11:00:0${i + 2}` },
      });
      const c = open({ netns: ns });
      handles.push(c);
      const eth0 = await c.link.set('eth0', { up: true });
      containers.push({ ns, port, eth0 });
      log(
        `${hostNs}: ${port.name} master ${port.master} ↔ ${ns}: ${eth0.name} ${eth0.address} (peer index ${eth0.link})`,
      );
    }
    const ports = await host.link.list({ master: 'br0' });
    log(`br0 has ports: ${ports.map((p) => p.name).join(', ')}`);
    return { bridge: await host.link.get('br0'), containers };
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
