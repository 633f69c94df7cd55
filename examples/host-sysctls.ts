// The host preparation for bridged containers and VMs: IPv4 forwarding on, and bridged traffic
// kept out of iptables/ip6tables/arptables (libvirt's advice: it is overhead, and confusing when
// troubleshooting). One call, sysctl.prepareHost(), all or nothing, returning what it replaced so
// that sysctl.apply(previous) undoes it. Here it prepares a throwaway namespace (these keys are
// per network namespace), so the real host's values are read but never written; the namespace
// is removed at the end, also when a step fails.
//
// The same with sysctl(8):
//   ip netns exec P-host sysctl -w net.ipv4.ip_forward=1 \
//     net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
//   ip netns exec P-host sysctl -a | grep bridge        # verify
//
// The net.bridge.* keys exist only while the br_netfilter module is loaded; without it they are
// listed as missing (and bridged traffic does not pass through netfilter at all).
//
// Run as root:  node --import=@tapjs/typescript/import examples/host-sysctls.ts
//   (or npm run build:ts, then node dist/examples/host-sysctls.js)
import { pathToFileURL } from 'node:url';
import { netns, open, sysctl, type Handle } from '../lib/index.js';

export interface Options {
  /** Namespace name prefix (default 'rtnl-ex-sysctl'). */
  prefix?: string;
  log?: (line: string) => void;
}

export interface Result {
  /** What prepareHost replaced, changed, and found missing. */
  previous: Record<string, string>;
  changed: string[];
  missing: string[];
  /** The namespace's values after prepareHost, and after undoing it. */
  prepared: Record<string, string>;
  undone: Record<string, string>;
  /** The real host's ip_forward, before and after (never written). */
  hostForward: [string, string];
}

export async function main({ prefix = 'rtnl-ex-sysctl', log = console.log }: Options = {}): Promise<Result> {
  const ns = `${prefix}-host`;
  let made = false;
  let h: Handle | undefined;
  const hostBefore = await sysctl.get('net.ipv4.ip_forward');
  try {
    await netns.add(ns);
    made = true;
    h = open({ netns: ns });

    const { previous, changed, missing } = await h.sysctl.prepareHost({ skipMissing: true });
    log(
      `${ns}: changed ${changed.join(', ') || 'nothing'}${missing.length ? `; missing (no br_netfilter): ${missing.join(', ')}` : ''}`,
    );
    const keys = Object.keys(previous);
    const read = async (): Promise<Record<string, string>> =>
      Object.fromEntries(await Promise.all(keys.map(async (k) => [k, await h!.sysctl.get(k)] as const)));
    const prepared = await read();
    for (const [k, v] of Object.entries(prepared)) log(`${ns}: ${k} = ${v} (was ${previous[k]})`);

    await h.sysctl.apply(previous); // undo
    const undone = await read();
    log(
      `${ns}: undone: ${Object.entries(undone)
        .map(([k, v]) => `${k} = ${v}`)
        .join(', ')}`,
    );
    const hostAfter = await sysctl.get('net.ipv4.ip_forward');
    log(`host: net.ipv4.ip_forward = ${hostAfter} (untouched)`);
    return { previous, changed, missing, prepared, undone, hostForward: [hostBefore, hostAfter] };
  } finally {
    h?.close();
    if (made) await netns.del(ns);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
