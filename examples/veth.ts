// A veth pair between a host and a container: the simplest wire between two network namespaces.
// One end stays on the host, the other is created straight inside the container's namespace as
// `eth0`; each end gets an address, the container a default route through the host's end.
// A "host" namespace stands in for the real host, so nothing outside the namespaces made here
// is touched; both are removed at the end, also when a step fails.
//
//   <prefix>-host: veth0 10.10.0.1/30 ──── eth0 10.10.0.2/30 in <prefix>-ctr (default via 10.10.0.1)
//
// The same with iproute2:
//   ip netns add P-host; ip netns add P-ctr
//   ip -n P-host link add veth0 up type veth peer name eth0 netns P-ctr
//   ip -n P-host address add 10.10.0.1/30 dev veth0
//   ip -n P-ctr link set lo up; ip -n P-ctr link set eth0 up
//   ip -n P-ctr address add 10.10.0.2/30 dev eth0
//   ip -n P-ctr route add default via 10.10.0.1
//
// Run as root:  node --import=@tapjs/typescript/import examples/veth.ts
//   (or npm run build:ts, then node dist/examples/veth.js)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { netns, open, type Handle, type Link, type Route } from '../lib/index.js';

export interface Options {
  /** Namespace name prefix (default 'rtnl-ex-veth'). */
  prefix?: string;
  log?: (line: string) => void;
}

export interface Result {
  /** The host's end, and the container's end as the container sees it. */
  host: Link;
  container: Link;
  /** The container's main routing table. */
  routes: Route[];
  /** Whether the container answered a ping from the host (undefined: ping is not installed). */
  reachable: boolean | undefined;
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

export async function main({ prefix = 'rtnl-ex-veth', log = console.log }: Options = {}): Promise<Result> {
  const hostNs = `${prefix}-host`;
  const ctrNs = `${prefix}-ctr`;
  const made: string[] = [];
  const handles: Handle[] = [];
  try {
    for (const n of [hostNs, ctrNs]) {
      await netns.add(n);
      made.push(n);
    }
    const host = open({ netns: hostNs });
    const ctr = open({ netns: ctrNs });
    handles.push(host, ctr);

    // The pair: veth0 here, eth0 made directly in the container's namespace.
    const veth0 = await host.link.add({ type: 'veth', name: 'veth0', up: true, peer: { name: 'eth0', netns: ctrNs } });
    await host.addr.add({ dev: 'veth0', address: '10.10.0.1/30' });

    await ctr.link.set('lo', { up: true });
    const eth0 = await ctr.link.set('eth0', { up: true });
    await ctr.addr.add({ dev: 'eth0', address: '10.10.0.2/30' });
    await ctr.route.add({ dst: 'default', via: '10.10.0.1' });

    log(
      `${hostNs}: ${veth0.name} (index ${veth0.index}) ↔ ${ctrNs}: ${eth0.name} (its peer is index ${eth0.link} in namespace id ${eth0.linkNetnsId})`,
    );
    const routes = await ctr.route.list({ family: 4 });
    for (const r of routes)
      log(`${ctrNs}: ${r.dst}${typeof r.via === 'string' ? ` via ${r.via}` : ''} dev ${r.dev} scope ${r.scope}`);
    const reachable = ping(hostNs, '10.10.0.2');
    log(
      `ping 10.10.0.2 from ${hostNs}: ${reachable === undefined ? 'skipped (no ping)' : reachable ? 'ok' : 'FAILED'}`,
    );
    return { host: await host.link.get('veth0'), container: await ctr.link.get('eth0'), routes, reachable };
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
