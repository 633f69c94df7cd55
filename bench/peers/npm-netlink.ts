// The route-churn driver for the npm `netlink` package (mildsunrise/node_netlink), installed by
// the harness's instructions into bench/.peers (never a dependency of this package) and loaded from
// --module PATH. It has no namespace option, so the harness runs it under `ip netns exec`.
// Requests are kept 32 in flight (32 workers each awaiting its own newRoute/delRoute), as a
// careful user of its promise API would; the dump is its getRoutes() (one array).
import { createRequire } from 'node:module';
import {
  finish,
  parseDriverArgs,
  phase,
  routeDstBytes,
  skip,
  vmRssKb,
  errorText,
  type DriverResult,
  type PhaseResult,
} from './common.js';

/** The part of the package's API this driver uses (its own typings are not installed at build time). */
interface RouteHdr {
  family: number;
  dstLen: number;
  table: number;
  protocol?: string;
  scope?: string;
  type?: string;
}
interface RouteAttrs {
  dst?: Buffer;
  gateway?: Buffer;
  oif?: number;
  table?: number;
}
interface SendOptions {
  flags?: number;
}
interface RtSocket {
  newRoute(data: RouteHdr, attrs: RouteAttrs, options?: SendOptions): Promise<unknown>;
  delRoute(data: RouteHdr, attrs: RouteAttrs, options?: SendOptions): Promise<unknown>;
  getRoutes(data?: Partial<RouteHdr>): Promise<{ data: { dstLen?: number; table?: number }; attrs: RouteAttrs }[]>;
  socket: { socket?: { close?: () => void }; close?: () => void };
}
interface NetlinkModule {
  createRtNetlink(options?: object): RtSocket;
  FlagsNew: { REPLACE: number; EXCL: number; CREATE: number };
}

const IN_FLIGHT = 32;
const AF_INET = 2;
const RT_TABLE_MAIN = 254;

async function pool(n: number, fn: (i: number) => Promise<unknown>): Promise<Omit<PhaseResult, 'ms'>> {
  let next = 0;
  let ok = 0;
  let errors = 0;
  let firstError: string | undefined;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      try {
        await fn(i);
        ok++;
      } catch (e) {
        errors++;
        firstError ??= errorText(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, n) }, worker));
  return { count: ok, errors, ...(firstError ? { firstError } : {}) };
}

async function main(): Promise<void> {
  const a = parseDriverArgs(process.argv.slice(2));
  let nl: NetlinkModule;
  try {
    nl = createRequire(import.meta.url)(a.module) as NetlinkModule;
  } catch (e) {
    skip(`the npm netlink package does not load: ${errorText(e)}`);
  }
  const sock = nl.createRtNetlink();
  const hdr = (del: boolean): RouteHdr =>
    del
      ? { family: AF_INET, dstLen: 32, table: RT_TABLE_MAIN, scope: 'NOWHERE' }
      : { family: AF_INET, dstLen: 32, table: RT_TABLE_MAIN, protocol: 'BOOT', scope: 'UNIVERSE', type: 'UNICAST' };
  const gw = Buffer.from(a.gw.split('.').map(Number));
  const gw2 = Buffer.from(a.gw2.split('.').map(Number));
  const { CREATE, EXCL, REPLACE } = nl.FlagsNew;
  const out: DriverResult = { phases: {} };
  const base = vmRssKb();
  if (base !== undefined) out.baselineKb = base;

  await phase('add', out, () =>
    pool(a.n, (i) =>
      sock.newRoute(hdr(false), { dst: routeDstBytes(i), gateway: gw, oif: a.ifindex }, { flags: CREATE | EXCL }),
    ),
  );
  await phase('dump', out, async () => {
    const all = await sock.getRoutes({ family: AF_INET });
    let ours = 0;
    for (const r of all) {
      const table = r.attrs.table ?? r.data.table;
      if (table === RT_TABLE_MAIN && r.data.dstLen === 32 && r.attrs.dst?.[0] === 10) ours++;
    }
    return { count: ours, errors: 0 };
  });
  await phase('replace', out, () =>
    pool(a.n, (i) =>
      sock.newRoute(hdr(false), { dst: routeDstBytes(i), gateway: gw2, oif: a.ifindex }, { flags: CREATE | REPLACE }),
    ),
  );
  await phase('delete', out, () => pool(a.n, (i) => sock.delRoute(hdr(true), { dst: routeDstBytes(i) })));
  finish(out);
  process.exit(0); // its socket keeps no handle we can close portably
}

main().catch((e: unknown) => {
  process.stderr.write(`npm-netlink driver: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
