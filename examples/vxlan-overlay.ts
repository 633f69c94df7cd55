// A VXLAN overlay between two network namespaces over a veth underlay, flooded by FDB entries
// (`bridge fdb append 00:00:00:00:00:00 dev vx0 dst REMOTE`) instead of multicast: the head-end
// replication a container overlay (flannel's vxlan backend, Docker swarm) uses. Everything lives
// in two throwaway namespaces, removed at the end, so the host is not touched.
//
//   rtnl-ex-vx-a                                   rtnl-ex-vx-b
//   vx0 10.200.0.1/24 (VNI 42)  ── UDP 4789 ──     vx0 10.200.0.2/24 (VNI 42)
//   ul0 192.168.100.1/24  ───────── veth ─────────  ul0 192.168.100.2/24
//
// Run as root:  node --import=@tapjs/typescript/import examples/vxlan-overlay.ts
//   (or npm run build:ts, then node dist/examples/vxlan-overlay.js)
import { execFileSync } from 'node:child_process';
import { netns, open, type Handle } from '../lib/index.js';

const A = 'rtnl-ex-vx-a';
const B = 'rtnl-ex-vx-b';
const UNDER = { [A]: '192.168.100.1', [B]: '192.168.100.2' };
const OVER = { [A]: '10.200.0.1', [B]: '10.200.0.2' };

/** One ping from inside a namespace (ping is the observer here, not part of the set-up). */
function ping(ns: string, addr: string): boolean {
  try {
    execFileSync('ip', ['netns', 'exec', ns, 'ping', '-n', '-q', '-c', '1', '-W', '2', addr], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  await netns.add(A);
  await netns.add(B);
  const handles: Handle[] = [];
  try {
    const a = open({ netns: A });
    const b = open({ netns: B });
    handles.push(a, b);

    // The underlay: a veth pair with one end in each namespace.
    await a.link.add({ type: 'veth', name: 'ul0', up: true, peer: { name: 'ul0', netns: B } });
    await b.link.set('ul0', { up: true });

    for (const [h, ns, peer] of [
      [a, A, B],
      [b, B, A],
    ] as const) {
      await h.addr.add({ dev: 'ul0', address: `${UNDER[ns]}/24` });
      // The VTEP: no multicast group and no remote — where to send is the FDB's business.
      await h.link.add({ type: 'vxlan', name: 'vx0', id: 42, local: UNDER[ns], dev: 'ul0', port: 4789, up: true });
      await h.addr.add({ dev: 'vx0', address: `${OVER[ns]}/24` });
      // The flood entry: broadcast, unknown unicast and multicast go to the peer VTEP.
      // Several appends make a head-end replication list, one entry per remote.
      await h.fdb.append({ dev: 'vx0', lladdr: '00:00:00:00:00:00', dst: UNDER[peer] });
    }

    console.log(`ping ${OVER[B]} from ${A}:`, ping(A, OVER[B]) ? 'ok' : 'FAILED');
    console.log(`ping ${OVER[A]} from ${B}:`, ping(B, OVER[A]) ? 'ok' : 'FAILED');
    for (const e of await a.fdb.list({ dev: 'vx0' })) {
      console.log(`${A}: ${e.lladdr} dev ${e.dev} dst ${e.dst ?? '-'} ${e.flags.join(' ')} ${e.state}`);
    }
  } finally {
    for (const h of handles) h.close();
    await netns.del(A).catch(() => undefined);
    await netns.del(B).catch(() => undefined);
  }
}

await main();
