// A bonded interface for failover: two NICs enslaved to bond0 in active-backup mode, with the
// MII monitor watching their carrier. When the active port loses its link, the bond moves to the
// other one and traffic goes on. A "switch" namespace (a bridge with the peer address) and a
// "host" namespace stand in for the real machines; both are removed at the end, also when a
// step fails.
//
//   <prefix>-sw:   sw0 (bridge) 10.20.0.1/24 ── p1 ══ eth1 ─┐
//                                           └─ p2 ══ eth2 ─┴─ bond0 10.20.0.2/24 in <prefix>-host
//
// The same with iproute2:
//   ip -n P-host link add bond0 type bond mode active-backup miimon 100
//   ip -n P-host link add eth1 master bond0 type veth peer name p1 netns P-sw   (and eth2/p2)
//   ip -n P-host address add 10.20.0.2/24 dev bond0; ip -n P-host link set bond0 up
//   ip -n P-sw link set p1 down        # pull the active port's cable
//
// Needs the kernel's `bonding` driver; without it the example says so and exits 0.
//
// Run as root:  node --import=@tapjs/typescript/import examples/bond.ts
//   (or npm run build:ts, then node dist/examples/bond.js)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { NetlinkError, netns, open, type BondLink, type Handle, type Link } from '../lib/index.js';

export interface Options {
  /** Namespace name prefix (default 'rtnl-ex-bond'). */
  prefix?: string;
  log?: (line: string) => void;
}

export interface Result {
  bond: BondLink;
  ports: Link[];
  /** The active port's name before and after its cable was pulled. */
  activeBefore: string;
  activeAfter: string;
  /** Ping results (undefined: ping is not installed). */
  pings: (boolean | undefined)[];
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

function asBond(l: Link): BondLink {
  if (l.type !== 'bond') throw new Error(`expected a bond, got ${l.type}`);
  return l;
}

/** The name of the bond's active port (the kernel reports its index). */
async function activePort(h: Handle): Promise<string> {
  const { activeSlave } = asBond(await h.link.get('bond0'));
  return activeSlave === undefined ? '(none)' : (await h.link.get(activeSlave)).name;
}

export async function main({ prefix = 'rtnl-ex-bond', log = console.log }: Options = {}): Promise<Result> {
  const swNs = `${prefix}-sw`;
  const hostNs = `${prefix}-host`;
  const made: string[] = [];
  const handles: Handle[] = [];
  const pings: Result['pings'] = [];
  try {
    for (const n of [swNs, hostNs]) {
      await netns.add(n);
      made.push(n);
    }
    const sw = open({ netns: swNs });
    const host = open({ netns: hostNs });
    handles.push(sw, host);
    await sw.link.add({ type: 'bridge', name: 'sw0', up: true });
    await sw.addr.add({ dev: 'sw0', address: '10.20.0.1/24' });

    // The bond first (this is where a kernel without the bonding driver refuses), then its ports:
    // each NIC is one end of a veth whose other end is a port of the switch.
    await host.link.add({ type: 'bond', name: 'bond0', mode: 'active-backup', miimon: 100 });
    for (const [nic, port] of [
      ['eth1', 'p1'],
      ['eth2', 'p2'],
    ] as const) {
      await host.link.add({ type: 'veth', name: nic, master: 'bond0', up: true, peer: { name: port, netns: swNs } });
      await sw.link.set(port, { master: 'sw0', up: true });
    }
    await host.addr.add({ dev: 'bond0', address: '10.20.0.2/24' });
    const bond = asBond(await host.link.set('bond0', { up: true }));
    const ports = await host.link.list({ master: 'bond0' });
    log(`${hostNs}: bond0 mode ${bond.mode} miimon ${bond.miimon}, ports ${ports.map((p) => p.name).join(', ')}`);

    await sleep(300); // let the MII monitor see both carriers and pick the active port
    const activeBefore = await activePort(host);
    pings.push(ping(hostNs, '10.20.0.1'));
    log(
      `active port ${activeBefore}; ping 10.20.0.1: ${pings[0] === undefined ? 'skipped (no ping)' : pings[0] ? 'ok' : 'FAILED'}`,
    );

    // Pull the active port's cable: its switch side goes down, so the NIC loses carrier.
    await sw.link.set(activeBefore === 'eth1' ? 'p1' : 'p2', { up: false });
    let activeAfter = activeBefore;
    for (let i = 0; i < 30 && activeAfter === activeBefore; i++) {
      await sleep(100);
      activeAfter = await activePort(host);
    }
    pings.push(ping(hostNs, '10.20.0.1'));
    log(
      `after the cable of ${activeBefore} was pulled: active port ${activeAfter}; ping 10.20.0.1: ${pings[1] === undefined ? 'skipped (no ping)' : pings[1] ? 'ok' : 'FAILED'}`,
    );
    return { bond: asBond(await host.link.get('bond0')), ports, activeBefore, activeAfter, pings };
  } finally {
    for (const h of handles) h.close();
    for (const n of made.reverse()) await netns.del(n);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    // A kernel without the driver: the error names it ("… this kernel has no 'bond' driver").
    if (e instanceof NetlinkError && e.code === 'EOPNOTSUPP') console.log(`skipped: ${e.message}`);
    else {
      console.error(e);
      process.exitCode = 1;
    }
  });
}
