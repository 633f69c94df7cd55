// Policy routing for a host with two uplinks: everything leaves through ISP A by default, but
// traffic from ISP B's address, traffic marked 0x2 by the firewall, and traffic to 203.0.113.0/24
// leave through ISP B. Each uplink has its own routing table (table 100 "isp-a", table 101
// "isp-b"), and rules pick the table. Two namespaces stand in for the ISPs' routers; all three are
// removed at the end, also when a step fails. route.get shows which way the kernel sends each
// flow (rules included), and, where ping is installed, each gateway answers.
//
//   <prefix>-a: 192.0.2.1/24 ── a0 ══ eth-a 192.0.2.2/24 ─┐
//                                                        ├─ <prefix>-host
//   <prefix>-b: 198.51.100.1/24 ─ b0 ══ eth-b 198.51.100.2/24 ─┘
//
// The same with iproute2:
//   ip route add default via 192.0.2.1 dev eth-a table 100
//   ip route add default via 198.51.100.1 dev eth-b table 101
//   ip route add default via 192.0.2.1 dev eth-a metric 10            (main)
//   ip rule add priority 1000 from 198.51.100.2 table 101
//   ip rule add priority 1010 fwmark 0x2 table 101
//   ip rule add priority 1020 to 203.0.113.0/24 table 101
//   ip route get 203.0.113.7; ip route get 8.8.8.8 mark 2; ip route get 8.8.8.8 from 198.51.100.2
//
// Run as root:  node --import=@tapjs/typescript/import examples/policy-routing.ts
//   (or npm run build:ts, then node dist/examples/policy-routing.js)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { netns, open, type Handle, type Route } from '../lib/index.js';

export interface Options {
  /** Namespace name prefix (default 'rtnl-ex-pr'). */
  prefix?: string;
  log?: (line: string) => void;
}

export interface Result {
  /** What route.get answered for each flow, by name. */
  flows: Record<string, Route>;
  /** Ping of each gateway from the host (undefined: ping is not installed). */
  pings: Record<string, boolean | undefined>;
}

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

const describe = (r: Route): string =>
  `${r.via ? `via ${typeof r.via === 'string' ? r.via : JSON.stringify(r.via)} ` : ''}dev ${r.dev ?? '?'}${r.src ? ` src ${r.src}` : ''}`;

export async function main({ prefix = 'rtnl-ex-pr', log = console.log }: Options = {}): Promise<Result> {
  const hostNs = `${prefix}-host`;
  const ispNs = { a: `${prefix}-a`, b: `${prefix}-b` };
  const made: string[] = [];
  const handles: Handle[] = [];
  try {
    for (const n of [hostNs, ispNs.a, ispNs.b]) {
      await netns.add(n);
      made.push(n);
    }
    const host = open({ netns: hostNs });
    const isp = { a: open({ netns: ispNs.a }), b: open({ netns: ispNs.b }) };
    handles.push(host, isp.a, isp.b);

    // The uplinks: a veth per ISP, the router's end in the ISP's namespace.
    const uplinks = [
      { nic: 'eth-a', peer: 'a0', h: isp.a, ns: ispNs.a, net: '192.0.2', table: 100 },
      { nic: 'eth-b', peer: 'b0', h: isp.b, ns: ispNs.b, net: '198.51.100', table: 101 },
    ] as const;
    for (const u of uplinks) {
      await host.link.add({ type: 'veth', name: u.nic, up: true, peer: { name: u.peer, netns: u.ns } });
      await u.h.link.set(u.peer, { up: true });
      await u.h.addr.add({ dev: u.peer, address: `${u.net}.1/24` });
      await host.addr.add({ dev: u.nic, address: `${u.net}.2/24` });
      // One table per uplink, holding that uplink's default route.
      await host.route.add({ dst: 'default', via: `${u.net}.1`, dev: u.nic, table: u.table });
    }
    await host.route.add({ dst: 'default', via: '192.0.2.1', dev: 'eth-a', metric: 10 });

    // The rules that pick ISP B's table.
    await host.rule.add({ priority: 1000, from: '198.51.100.2', table: 101 });
    await host.rule.add({ priority: 1010, fwmark: 0x2, table: 101 });
    await host.rule.add({ priority: 1020, to: '203.0.113.0/24', table: 101 });
    for (const r of (await host.rule.list({ family: 4 })).filter((x) => x.priority >= 1000 && x.priority < 2000)) {
      log(
        `rule ${r.priority}: ${r.from ? `from ${r.from} ` : ''}${r.to ? `to ${r.to} ` : ''}${r.fwmark !== undefined ? `fwmark 0x${r.fwmark.toString(16)} ` : ''}lookup ${r.table}`,
      );
    }
    for (const table of [100, 101]) {
      for (const r of await host.route.list({ table })) log(`table ${table}: ${r.dst} ${describe(r)}`);
    }

    const flows: Result['flows'] = {
      'to 8.8.8.8': await host.route.get('8.8.8.8'),
      'to 203.0.113.7': await host.route.get('203.0.113.7'),
      'to 8.8.8.8 mark 0x2': await host.route.get('8.8.8.8', { mark: 0x2 }),
      'to 8.8.8.8 from 198.51.100.2': await host.route.get('8.8.8.8', { src: '198.51.100.2' }),
    };
    for (const [flow, r] of Object.entries(flows)) log(`route get ${flow} → ${describe(r)}`);

    const pings: Result['pings'] = {};
    for (const gw of ['192.0.2.1', '198.51.100.1']) {
      pings[gw] = ping(hostNs, gw);
      log(`ping ${gw} from ${hostNs}: ${pings[gw] === undefined ? 'skipped (no ping)' : pings[gw] ? 'ok' : 'FAILED'}`);
    }
    return { flows, pings };
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
