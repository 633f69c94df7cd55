// A VXLAN link: VNI, the remote VTEP (unicast) or a multicast group, the UDP port, the underlay
// device, TTL, learning — made, read back, changed and removed, as `ip link add vx0 type vxlan id
// 100 remote 10.0.0.2 local 10.0.0.1 dev eth0 dstport 4789 ttl 64 nolearning` would. Two
// namespaces joined by a veth stand in for two hosts; they are removed at the end.
//
//   <prefix>-a: vx100 (id 100, remote 10.0.0.2) over eth0 ══ eth0 in <prefix>-b: vx100 (remote 10.0.0.1)
//
// Run as root:  node --import=@tapjs/typescript/import examples/vxlan.ts
//   (or npm run build:ts, then node dist/examples/vxlan.js)
import { pathToFileURL } from 'node:url';
import { netns, open, type Handle, type VxlanLink } from '../lib/index.js';

export interface Options {
  /** Namespace name prefix (default 'rtnl-ex'). */
  prefix?: string;
  log?: (line: string) => void;
}

export interface Result {
  a: VxlanLink;
  b: VxlanLink;
  /** A second VXLAN on a multicast group, as read back. */
  group: VxlanLink;
  /** vx100 in a after link.set. */
  changed: VxlanLink;
}

function vxlan(l: { type: string }): VxlanLink {
  if (l.type !== 'vxlan') throw new Error(`expected a vxlan, got ${l.type}`);
  return l as VxlanLink;
}

export async function main({ prefix = 'rtnl-ex', log = console.log }: Options = {}): Promise<Result> {
  const names = [`${prefix}-a`, `${prefix}-b`];
  const made: string[] = [];
  const handles: Handle[] = [];
  try {
    for (const n of names) {
      await netns.add(n);
      made.push(n);
    }
    const [a, b] = names.map((n) => open({ netns: n })) as [Handle, Handle];
    handles.push(a, b);
    // the underlay: one wire between the two "hosts"
    await a.link.add({ type: 'veth', name: 'eth0', peer: { name: 'eth0', netns: names[1]! }, up: true });
    await b.link.set('eth0', { up: true });

    const ends: VxlanLink[] = [];
    for (const [h, local, remote] of [
      [a, '10.0.0.1', '10.0.0.2'],
      [b, '10.0.0.2', '10.0.0.1'],
    ] as const) {
      ends.push(
        vxlan(
          await h.link.add({
            type: 'vxlan',
            name: 'vx100',
            id: 100,
            local,
            remote,
            dev: 'eth0',
            port: 4789,
            ttl: 64,
            learning: false,
            mtu: 1450,
            up: true,
          }),
        ),
      );
    }
    for (const [i, l] of ends.entries()) {
      log(
        `${names[i]}: ${l.name} id ${l.id} local ${l.local} remote ${l.remote} dstport ${l.port} dev index ${l.dev} ttl ${l.ttl} learning ${l.learning}`,
      );
    }

    // a second overlay on a multicast group: the same attribute, read back as `group`
    const group = vxlan(
      await a.link.add({ type: 'vxlan', name: 'vx200', id: 200, group: '239.1.1.200', dev: 'eth0', port: 4789 }),
    );
    log(`${names[0]}: ${group.name} id ${group.id} group ${group.group}`);

    // what the kernel lets change in place
    const changed = vxlan(await a.link.set('vx100', { ttl: 16, ageing: 120 }));
    log(`${names[0]}: ${changed.name} now ttl ${changed.ttl}, ageing ${changed.ageing}`);
    await a.link.del('vx200');
    return { a: ends[0]!, b: ends[1]!, group, changed };
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
