// A team device: like a bond, it groups NICs into one link, but its policy (the "runner":
// activebackup, loadbalance, lacp…) lives in user space, in teamd, which configures the driver
// over generic netlink. What rtnetlink does is the part shown here: create team0, enslave the
// ports, address it and bring it up; `teamd -d -t team0 -c '{"runner":{"name":"activebackup"}}'`
// would then make it pass traffic. A "host" namespace stands in for the real host, so nothing
// outside it is touched; it is removed at the end, also when a step fails.
//
//   <prefix>-host: team0 10.30.0.2/24 ── ports eth1, eth2 (veth ends; their peers stay unconnected)
//
// The same with iproute2:
//   ip -n P-host link add team0 type team
//   ip -n P-host link add eth1 type veth peer name wire1; ip -n P-host link set eth1 master team0
//   ip -n P-host address add 10.30.0.2/24 dev team0; ip -n P-host link set team0 up
//
// Needs the kernel's `team` driver; without it the example says so and exits 0.
//
// Run as root:  node --import=@tapjs/typescript/import examples/team.ts
//   (or npm run build:ts, then node dist/examples/team.js)
import { pathToFileURL } from 'node:url';
import { NetlinkError, netns, open, type Addr, type Handle, type Link } from '../lib/index.js';

export interface Options {
  /** Namespace name prefix (default 'rtnl-ex-team'). */
  prefix?: string;
  log?: (line: string) => void;
}

export interface Result {
  team: Link;
  ports: Link[];
  addrs: Addr[];
}

export async function main({ prefix = 'rtnl-ex-team', log = console.log }: Options = {}): Promise<Result> {
  const ns = `${prefix}-host`;
  let made = false;
  let h: Handle | undefined;
  try {
    await netns.add(ns);
    made = true;
    h = open({ netns: ns });

    const team = await h.link.add({ type: 'team', name: 'team0' });
    log(`${ns}: ${team.name} (index ${team.index}) type ${team.type}`);
    for (const [nic, wire] of [
      ['eth1', 'wire1'],
      ['eth2', 'wire2'],
    ] as const) {
      await h.link.add({ type: 'veth', name: nic, peer: { name: wire } });
      await h.link.set(nic, { master: 'team0' }); // ip link set eth1 master team0
      await h.link.set(wire, { up: true });
    }
    await h.addr.add({ dev: 'team0', address: '10.30.0.2/24' });
    const up = await h.link.set('team0', { up: true });
    const ports = await h.link.list({ master: 'team0' });
    const addrs = await h.addr.list({ dev: 'team0', family: 4 });
    log(
      `${ns}: team0 ${up.flags.join(',')}, ports ${ports.map((p) => p.name).join(', ')}, address ${addrs.map((a) => a.cidr).join(', ')}`,
    );
    log(
      `${ns}: the runner is teamd's business (generic netlink): teamd -d -t team0 -c '{"runner":{"name":"activebackup"}}'`,
    );
    return { team: up, ports, addrs };
  } finally {
    h?.close();
    if (made) await netns.del(ns);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    // A kernel without the driver: the error names it ("… this kernel has no 'team' driver").
    if (e instanceof NetlinkError && e.code === 'EOPNOTSUPP') console.log(`skipped: ${e.message}`);
    else {
      console.error(e);
      process.exitCode = 1;
    }
  });
}
