// VLANs: one wire (a trunk) carries two separate networks, told apart by their 802.1Q tag. Each
// side gets a VLAN link per tag on its end of the trunk, with an address per network; traffic of
// VLAN 10 never meets VLAN 20. Two namespaces joined by a veth stand in for two machines; both
// are removed at the end, also when a step fails.
//
//   <prefix>-a: eth0.10 10.0.10.1/24, eth0.20 10.0.20.1/24 on eth0 ══ trunk ══ eth0 in <prefix>-b:
//               eth0.10 10.0.10.2/24, eth0.20 10.0.20.2/24
//
// The same with iproute2:
//   ip -n P-a link add link eth0 name eth0.10 up type vlan id 10
//   ip -n P-a address add 10.0.10.1/24 dev eth0.10                  (and VLAN 20, and side b)
//
// Needs the kernel's `8021q` driver (link type 'vlan'); without it the example says so and exits 0.
//
// Run as root:  node --import=@tapjs/typescript/import examples/vlan.ts
//   (or npm run build:ts, then node dist/examples/vlan.js)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NetlinkError, netns, open, type Handle, type VlanLink } from '../lib/index.js';

export interface Options {
  /** Namespace name prefix (default 'rtnl-ex-vlan'). */
  prefix?: string;
  log?: (line: string) => void;
}

export interface Result {
  /** Side a's VLAN links, as read back. */
  vlans: VlanLink[];
  /** Ping results per VLAN (undefined: ping is not installed). */
  pings: Record<number, boolean | undefined>;
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

const VLANS = [10, 20];

export async function main({ prefix = 'rtnl-ex-vlan', log = console.log }: Options = {}): Promise<Result> {
  const names = [`${prefix}-a`, `${prefix}-b`] as const;
  const made: string[] = [];
  const handles: Handle[] = [];
  try {
    for (const n of names) {
      await netns.add(n);
      made.push(n);
    }
    const [a, b] = names.map((n) => open({ netns: n })) as [Handle, Handle];
    handles.push(a, b);
    // The trunk: one veth, an end in each namespace.
    await a.link.add({ type: 'veth', name: 'eth0', up: true, peer: { name: 'eth0', netns: names[1] } });
    await b.link.set('eth0', { up: true });

    const vlans: VlanLink[] = [];
    for (const [side, h] of [
      [1, a],
      [2, b],
    ] as const) {
      for (const id of VLANS) {
        const l = await h.link.add({ type: 'vlan', name: `eth0.${id}`, link: 'eth0', id, up: true });
        await h.addr.add({ dev: l.name, address: `10.0.${id}.${side}/24` });
        if (side === 1 && l.type === 'vlan') vlans.push(l);
      }
    }
    for (const v of vlans)
      log(`${names[0]}: ${v.name} id ${v.id} protocol ${v.protocol ?? '802.1Q'} on link index ${v.link}`);
    const pings: Result['pings'] = {};
    for (const id of VLANS) {
      pings[id] = ping(names[0], `10.0.${id}.2`);
      log(
        `VLAN ${id}: ping 10.0.${id}.2 from ${names[0]}: ${pings[id] === undefined ? 'skipped (no ping)' : pings[id] ? 'ok' : 'FAILED'}`,
      );
    }
    return { vlans, pings };
  } finally {
    for (const h of handles) h.close();
    for (const n of made.reverse()) await netns.del(n);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    // A kernel without the driver: the error names it ("… this kernel has no 'vlan' driver").
    if (e instanceof NetlinkError && e.code === 'EOPNOTSUPP') console.log(`skipped: ${e.message}`);
    else {
      console.error(e);
      process.exitCode = 1;
    }
  });
}
