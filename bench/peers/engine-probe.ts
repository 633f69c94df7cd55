// A diagnostic driver, not a user's view: the same workload through this package's request
// Engine (h.engine.post) with route messages encoded by hand (rtmsg + RTA_DST/GATEWAY/OIF, the
// bytes of bench/ref/route-ref.c) and a dump that only counts. It measures the transport ceiling
// (engine pipelining, the addon's I/O thread, ACK matching) without the route codec or spec
// validation, so the difference to the rtnetlink rows is the cost of lib/route.
import { open } from '../../lib/index.js';
import type { NlWriter } from '../../lib/core/attr.js';
import {
  NLM_F_CREATE,
  NLM_F_EXCL,
  NLM_F_REPLACE,
  RTM_DELROUTE,
  RTM_GETROUTE,
  RTM_NEWROUTE,
} from '../../lib/core/constants.js';
import type { NlMsg } from '../../lib/core/nlmsg.js';
import type { AckOwner } from '../../lib/core/ack-ring.js';
import {
  markIoThreads,
  noteThreads,
  finish,
  parseDriverArgs,
  phase,
  vmRssKb,
  errorText,
  type DriverResult,
  type PhaseResult,
} from './common.js';

const AF_INET = 2;
const RT_TABLE_MAIN = 254;
const RTPROT_BOOT = 3;
const RT_SCOPE_NOWHERE = 255;
const RTN_UNICAST = 1;
const RTA_DST = 1;
const RTA_OIF = 4;
const RTA_GATEWAY = 5;
const RTA_TABLE = 15;

function ipv4(s: string): number {
  const p = s.split('.').map(Number);
  return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
}

function rtmsg(w: NlWriter, del: boolean): void {
  w.u8(AF_INET);
  w.u8(32); // dst_len
  w.u8(0); // src_len
  w.u8(0); // tos
  w.u8(RT_TABLE_MAIN);
  w.u8(del ? 0 : RTPROT_BOOT);
  w.u8(del ? RT_SCOPE_NOWHERE : 0);
  w.u8(del ? 0 : RTN_UNICAST);
  w.u32(0); // flags
}

function attrBe32(w: NlWriter, type: number, v: number): void {
  const s = w.beginAttr(type);
  w.be32(v);
  w.endAttr(s);
}

async function main(): Promise<void> {
  const a = parseDriverArgs(process.argv.slice(2));
  // RTNL_BENCH_WINDOW / RTNL_BENCH_BATCH_BYTES try other engine settings (see bench/README.md).
  const env = (k: string): number | undefined => (process.env[k] ? Number(process.env[k]) : undefined);
  const window = env('RTNL_BENCH_WINDOW');
  const batchBytes = env('RTNL_BENCH_BATCH_BYTES');
  noteThreads();
  const h = open({ netns: a.ns, ...(window ? { window } : {}), ...(batchBytes ? { batchBytes } : {}) });
  markIoThreads();
  const e = h.engine;
  const out: DriverResult = { phases: {} };
  const base = vmRssKb();
  if (base !== undefined) out.baselineKb = base;

  // Through engine.post, the allocation-free path under route.addMany (one owner for the phase,
  // the destination as each message's arg).
  const churn = (type: number, flags: number, gw: number | undefined): Promise<Omit<PhaseResult, 'ms'>> =>
    new Promise((resolve) => {
      let done = 0;
      let ok = 0;
      let firstError: string | undefined;
      const owner: AckOwner<number> = {
        write(w, dst) {
          rtmsg(w, gw === undefined);
          attrBe32(w, RTA_DST, dst);
          if (gw !== undefined) {
            attrBe32(w, RTA_GATEWAY, gw);
            w.attrU32(RTA_OIF, a.ifindex);
          }
        },
        context: () => undefined,
        settle(_dst, _tag, err) {
          if (err) firstError ??= errorText(err);
          else ok++;
          if (++done === a.n) resolve({ count: ok, errors: a.n - ok, ...(firstError ? { firstError } : {}) });
        },
      };
      for (let i = 0; i < a.n; i++) e.post(type, flags, owner, (0x0a000000 | i) >>> 0, i);
    });

  await phase('add', out, () => churn(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, ipv4(a.gw)));
  await phase('dump', out, async () => {
    let ours = 0;
    const count = (m: NlMsg): undefined => {
      if (m.type !== RTM_NEWROUTE) return undefined;
      const b = m.buf;
      let table = b[m.off + 4]!;
      let first = 0;
      for (let o = m.off + 12; o + 4 <= m.end;) {
        const len = b.readUInt16LE(o);
        const t = b.readUInt16LE(o + 2);
        if (len < 4) break;
        if (t === RTA_TABLE) table = b.readUInt32LE(o + 4);
        else if (t === RTA_DST) first = b[o + 4]!;
        o += (len + 3) & ~3;
      }
      if (table === RT_TABLE_MAIN && b[m.off + 1] === 32 && first === 10) ours++;
      return undefined;
    };
    // Family only: the socket has NETLINK_GET_STRICT_CHK, so other header fields would filter.
    await e.dump(
      RTM_GETROUTE,
      (w) => {
        w.u8(AF_INET);
        w.zeros(11);
      },
      count,
    );
    return { count: ours, errors: 0 };
  });
  await phase('replace', out, () => churn(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, ipv4(a.gw2)));
  await phase('delete', out, () => churn(RTM_DELROUTE, 0, undefined));
  h.close();
  finish(out);
}

main().catch((err: unknown) => {
  process.stderr.write(`engine-probe driver: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
