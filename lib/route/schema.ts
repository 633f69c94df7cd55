// rtmsg and the RTA_* attributes of routes (<linux/rtnetlink.h>, Linux 6.18): RTA_METRICS
// (RTAX_*), RTA_MULTIPATH (struct rtnexthop + attributes), RTA_VIA (struct rtvia). One table
// encodes requests and decodes replies; lib/route/decode.ts and lib/route/encode.ts hold the fast
// paths, tested to agree with it byte for byte.
import type { NlWriter } from '../core/attr.js';
import { rd16, rds32 } from '../core/attr.js';
import { AF_INET, AF_INET6 } from '../core/constants.js';
import { DecodeError } from '../core/errors.js';
import { formatIP, parseIP } from '../core/inet.js';
import {
  defineAttrs,
  describe,
  ip,
  plainNest,
  string,
  struct,
  structAttr,
  u16,
  u32,
  u8,
  type Codec,
  type Decoded,
} from '../core/schema.js';

// enum rtattr_type_t
export const RTA_DST = 1;
export const RTA_SRC = 2;
export const RTA_IIF = 3;
export const RTA_OIF = 4;
export const RTA_GATEWAY = 5;
export const RTA_PRIORITY = 6;
export const RTA_PREFSRC = 7;
export const RTA_METRICS = 8;
export const RTA_MULTIPATH = 9;
export const RTA_FLOW = 11;
export const RTA_CACHEINFO = 12;
export const RTA_TABLE = 15;
export const RTA_MARK = 16;
export const RTA_MFC_STATS = 17;
export const RTA_VIA = 18;
export const RTA_NEWDST = 19;
export const RTA_PREF = 20;
export const RTA_ENCAP_TYPE = 21;
export const RTA_ENCAP = 22;
export const RTA_EXPIRES = 23;
export const RTA_PAD = 24;
export const RTA_UID = 25;
export const RTA_TTL_PROPAGATE = 26;
export const RTA_IP_PROTO = 27;
export const RTA_SPORT = 28;
export const RTA_DPORT = 29;
export const RTA_NH_ID = 30;

// RTAX_* (inside RTA_METRICS)
export const RTAX_LOCK = 1;
export const RTAX_MTU = 2;
export const RTAX_WINDOW = 3;
export const RTAX_RTT = 4;
export const RTAX_RTTVAR = 5;
export const RTAX_SSTHRESH = 6;
export const RTAX_CWND = 7;
export const RTAX_ADVMSS = 8;
export const RTAX_REORDERING = 9;
export const RTAX_HOPLIMIT = 10;
export const RTAX_INITCWND = 11;
export const RTAX_FEATURES = 12;
export const RTAX_RTO_MIN = 13;
export const RTAX_INITRWND = 14;
export const RTAX_QUICKACK = 15;
export const RTAX_CC_ALGO = 16;
export const RTAX_FASTOPEN_NO_COOKIE = 17;

// rtm_flags (RTM_F_*) and rtnh_flags (RTNH_F_*, also used in rtm_flags)
export const RTNH_F_DEAD = 1;
export const RTNH_F_PERVASIVE = 2;
export const RTNH_F_ONLINK = 4;
export const RTNH_F_OFFLOAD = 8;
export const RTNH_F_LINKDOWN = 16;
export const RTNH_F_UNRESOLVED = 32;
export const RTNH_F_TRAP = 64;
export const RTM_F_NOTIFY = 0x100;
export const RTM_F_CLONED = 0x200;
export const RTM_F_EQUALIZE = 0x400;
export const RTM_F_PREFIX = 0x800;
export const RTM_F_LOOKUP_TABLE = 0x1000;
export const RTM_F_FIB_MATCH = 0x2000;
export const RTM_F_OFFLOAD = 0x4000;
export const RTM_F_TRAP = 0x8000;
export const RTM_F_OFFLOAD_FAILED = 0x20000000;

/** rtm_flags / rtnh_flags as names ('onlink' is reported as its own field). */
export const ROUTE_FLAGS: readonly (readonly [string, number])[] = [
  ['dead', RTNH_F_DEAD],
  ['pervasive', RTNH_F_PERVASIVE],
  ['onlink', RTNH_F_ONLINK],
  ['offload', RTNH_F_OFFLOAD],
  ['linkdown', RTNH_F_LINKDOWN],
  ['unresolved', RTNH_F_UNRESOLVED],
  ['trap', RTNH_F_TRAP],
  ['notify', RTM_F_NOTIFY],
  ['cloned', RTM_F_CLONED],
  ['equalize', RTM_F_EQUALIZE],
  ['prefix', RTM_F_PREFIX],
  ['lookupTable', RTM_F_LOOKUP_TABLE],
  ['fibMatch', RTM_F_FIB_MATCH],
  ['rtOffload', RTM_F_OFFLOAD],
  ['rtTrap', RTM_F_TRAP],
  ['offloadFailed', RTM_F_OFFLOAD_FAILED],
];

// <linux/icmpv6.h> ICMPV6_ROUTER_PREF_*
export const ROUTER_PREF = { low: 0x3, medium: 0x0, high: 0x1 } as const;

/** struct rtmsg (12 bytes). */
export type RtmsgFields = {
  /** rtm_family: AF_INET or AF_INET6. */
  family: number;
  /** rtm_dst_len: the destination prefix length. */
  dstLen: number;
  /** rtm_src_len: the source prefix length. */
  srcLen: number;
  /** rtm_tos: the TOS matched. */
  tos: number;
  /** rtm_table: the table id when below 256 (else RTA_TABLE; RT_TABLE_UNSPEC in dumps). */
  table: number;
  /** rtm_protocol: RTPROT_*, who installed it. */
  protocol: number;
  /** rtm_scope: RT_SCOPE_*. */
  scope: number;
  /** rtm_type: RTN_*. */
  type: number;
  /** rtm_flags: RTM_F_* and RTNH_F_* bits. */
  flags: number;
};
/** struct rtmsg: the family header of route messages. */
export const rtmsg = struct<RtmsgFields>('rtmsg', 12, {
  family: [0, 'u8'],
  dstLen: [1, 'u8'],
  srcLen: [2, 'u8'],
  tos: [3, 'u8'],
  table: [4, 'u8'],
  protocol: [5, 'u8'],
  scope: [6, 'u8'],
  type: [7, 'u8'],
  flags: [8, 'u32'],
});
export const RTMSG_SIZE = 12;

/** RTA_VIA: struct rtvia { __kernel_sa_family_t rtvia_family; __u8 rtvia_addr[]; }. */
export interface RtVia {
  /** 4 or 6: the gateway's family (rtvia_family). */
  family: 4 | 6;
  /** The gateway (rtvia_addr). */
  address: string;
}

/** The RTA_VIA codec: struct rtvia, a gateway of any family. */
export const rtvia: Codec<RtVia> = {
  kind: 'struct rtvia',
  put(w, type, v, field) {
    const a = v && typeof v === 'object' && typeof v.address === 'string' ? parseIP(v.address) : undefined;
    if (!a) throw new TypeError(`Expected "${field}" to hold an IP address, got ${describe(v?.address)}`);
    const s = w.beginAttr(type);
    w.u16(a.family === 4 ? AF_INET : AF_INET6);
    w.bytes(a.bytes);
    w.endAttr(s);
  },
  get(b, off, len, path) {
    if (len < 2) throw new DecodeError(`rtvia needs 2 bytes, has ${len}`, off, path);
    const fam = rd16(b, off);
    const n = len - 2;
    if (fam === AF_INET && n === 4) return { family: 4, address: formatIP(b, off + 2, 4) };
    if (fam === AF_INET6 && n === 16) return { family: 6, address: formatIP(b, off + 2, 16) };
    throw new DecodeError(`rtvia of family ${fam} with ${n} address bytes`, off, path);
  },
};

/** RTA_METRICS: RTAX_* u32 values (RTAX_CC_ALGO a string). */
export interface Metrics {
  /** `RTAX_LOCK` (u32). */
  lock: number;
  /** `RTAX_MTU` (u32). */
  mtu: number;
  /** `RTAX_WINDOW` (u32). */
  window: number;
  /** `RTAX_RTT` (u32). */
  rtt: number;
  /** `RTAX_RTTVAR` (u32). */
  rttvar: number;
  /** `RTAX_SSTHRESH` (u32). */
  ssthresh: number;
  /** `RTAX_CWND` (u32). */
  cwnd: number;
  /** `RTAX_ADVMSS` (u32). */
  advmss: number;
  /** `RTAX_REORDERING` (u32). */
  reordering: number;
  /** `RTAX_HOPLIMIT` (u32). */
  hoplimit: number;
  /** `RTAX_INITCWND` (u32). */
  initcwnd: number;
  /** `RTAX_FEATURES` (u32). */
  features: number;
  /** `RTAX_RTO_MIN` (u32). */
  rtoMin: number;
  /** `RTAX_INITRWND` (u32). */
  initrwnd: number;
  /** `RTAX_QUICKACK` (u32). */
  quickack: number;
  /** `RTAX_CC_ALGO` (string). */
  ccAlgo: string;
  /** `RTAX_FASTOPEN_NO_COOKIE` (u32). */
  fastopenNoCookie: number;
}

/** The RTAX_* table inside RTA_METRICS. */
export const rtax = defineAttrs<Metrics>('RTAX', {
  mtu: [RTAX_MTU, u32],
  advmss: [RTAX_ADVMSS, u32],
  hoplimit: [RTAX_HOPLIMIT, u32],
  initcwnd: [RTAX_INITCWND, u32],
  initrwnd: [RTAX_INITRWND, u32],
  window: [RTAX_WINDOW, u32],
  rtt: [RTAX_RTT, u32],
  rttvar: [RTAX_RTTVAR, u32],
  ssthresh: [RTAX_SSTHRESH, u32],
  cwnd: [RTAX_CWND, u32],
  reordering: [RTAX_REORDERING, u32],
  features: [RTAX_FEATURES, u32],
  rtoMin: [RTAX_RTO_MIN, u32],
  quickack: [RTAX_QUICKACK, u32],
  ccAlgo: [RTAX_CC_ALGO, string],
  fastopenNoCookie: [RTAX_FASTOPEN_NO_COOKIE, u32],
  lock: [RTAX_LOCK, u32],
});

/** The attributes inside one rtnexthop. */
export interface RtnhAttrs {
  /** `RTA_GATEWAY` (ip). */
  via: string;
  /** `RTA_VIA` (struct rtvia): a gateway of the other family. */
  rtvia: RtVia;
  /** `RTA_FLOW` (u32). */
  realm: number;
}

/** Attributes this package does not model (RTA_NEWDST, RTA_ENCAP…) are kept raw in `unknown`. */
export const rtnhAttrs = defineAttrs<RtnhAttrs>('RTNH', {
  via: [RTA_GATEWAY, ip],
  rtvia: [RTA_VIA, rtvia],
  realm: [RTA_FLOW, u32],
});

/** One struct rtnexthop { u16 len; u8 flags; u8 hops; s32 ifindex; } and its attributes. */
export interface RtNexthop {
  /** rtnh_flags: RTNH_F_* bits. */
  flags: number;
  /** weight - 1 */
  hops: number;
  /** rtnh_ifindex: the path's device. */
  ifindex: number;
  /** The path's attributes (gateway, realm…). */
  attrs: Decoded<RtnhAttrs>;
}

/** RTA_MULTIPATH: an array of rtnexthop, each followed by its attributes. */
export const multipath: Codec<RtNexthop[]> = {
  kind: 'array(rtnexthop)',
  put(w, type, v, field) {
    if (!Array.isArray(v)) throw new TypeError(`Expected "${field}" to be an array`);
    const s = w.beginAttr(type);
    v.forEach((nh, i) => {
      const f = `${field}[${i}]`;
      const start = w.pos;
      w.u16(0);
      w.u8(nh.flags);
      w.u8(nh.hops);
      w.s32(nh.ifindex);
      rtnhAttrs.encode(w, nh.attrs, `${f}.`);
      const end = w.pos;
      w.pos = start;
      w.u16(end - start);
      w.pos = end;
    });
    w.endAttr(s);
  },
  get(b, off, len, path) {
    const out: RtNexthop[] = [];
    const end = off + len;
    while (end - off >= 8) {
      const l = rd16(b, off);
      if (l < 8 || off + l > end) throw new DecodeError(`rtnexthop length ${l}, ${end - off} bytes remain`, off, path);
      out.push({
        flags: b[off + 2]!,
        hops: b[off + 3]!,
        ifindex: rds32(b, off + 4),
        attrs: rtnhAttrs.decode(b, off + 8, off + l, path),
      });
      off += (l + 3) & ~3;
    }
    return out;
  },
};

/** struct rta_cacheinfo (read only). */
export const rtaCacheinfo = struct<{
  /** rta_clntref: references held by sockets. */
  clntref: number;
  /** rta_lastuse: when the route was last used. */
  lastuse: number;
  /** rta_expires: clock ticks until it expires (0: never). */
  expires: number;
  /** rta_error: the route's error (a negative errno). */
  error: number;
  /** rta_used: how often it was used. */
  used: number;
  /** rta_id: the IP id of the last packet. */
  id: number;
  /** rta_ts: a TCP timestamp. */
  ts: number;
  /** rta_tsage: the age of that timestamp. */
  tsage: number;
}>('rta_cacheinfo', 32, {
  clntref: [0, 'u32'],
  lastuse: [4, 'u32'],
  expires: [8, 's32'],
  error: [12, 'u32'],
  used: [16, 'u32'],
  id: [20, 'u32'],
  ts: [24, 'u32'],
  tsage: [28, 'u32'],
});

/** The RTA_* attributes, wire-level: addresses as text, devices as indexes, metrics nested. */
export interface RtaAttrs {
  /** `RTA_DST` (ip): the destination prefix's address. */
  dst: string;
  /** `RTA_SRC` (ip): the source prefix's address. */
  from: string;
  /** `RTA_PREFSRC` (ip): the preferred source. */
  src: string;
  /** `RTA_GATEWAY` (ip). */
  via: string;
  /** `RTA_VIA` (struct rtvia): a gateway of the other family. */
  rtvia: RtVia;
  /** `RTA_PRIORITY` (u32). */
  metric: number;
  /** `RTA_TABLE` (u32). */
  table: number;
  /** `RTA_NH_ID` (u32). */
  nhid: number;
  /** `RTA_IIF` (u32): the input device's ifindex. */
  iif: number;
  /** `RTA_OIF` (u32): the output device's ifindex. */
  dev: number;
  /** `RTA_MARK` (u32). */
  mark: number;
  /** `RTA_UID` (u32). */
  uid: number;
  /** `RTA_METRICS` (nested RTAX_*). */
  metrics: Decoded<Metrics>;
  /** `RTA_MULTIPATH` (an array of struct rtnexthop). */
  nexthops: RtNexthop[];
  /** `RTA_FLOW` (u32). */
  realm: number;
  /** `RTA_PREF` (u8). */
  pref: number;
  /** `RTA_EXPIRES` (u32). */
  expires: number;
  /** `RTA_IP_PROTO` (u8). */
  ipProto: number;
  /** `RTA_SPORT` (u16). */
  sport: number;
  /** `RTA_DPORT` (u16). */
  dport: number;
  /** `RTA_CACHEINFO` (struct rta_cacheinfo, read only). */
  cacheinfo: ReturnType<typeof rtaCacheinfo.read>;
}

/**
 * Attributes not modelled here (RTA_ENCAP, RTA_NEWDST, RTA_TTL_PROPAGATE, RTA_MFC_STATS…) are kept
 * raw in `unknown` and re-emitted. Row order is the order `ip route add DST from … src … via … metric … table … nhid … dev …
 * mtu …` writes them (iproute2 adds attributes as it parses, RTA_OIF and RTA_METRICS after).
 */
export const rta = defineAttrs<RtaAttrs>('RTA', {
  dst: [RTA_DST, ip],
  from: [RTA_SRC, ip],
  src: [RTA_PREFSRC, ip],
  via: [RTA_GATEWAY, ip],
  rtvia: [RTA_VIA, rtvia],
  metric: [RTA_PRIORITY, u32],
  table: [RTA_TABLE, u32],
  nhid: [RTA_NH_ID, u32],
  iif: [RTA_IIF, u32],
  dev: [RTA_OIF, u32],
  mark: [RTA_MARK, u32],
  uid: [RTA_UID, u32],
  metrics: [RTA_METRICS, plainNest(rtax)],
  nexthops: [RTA_MULTIPATH, multipath],
  realm: [RTA_FLOW, u32],
  pref: [RTA_PREF, u8],
  expires: [RTA_EXPIRES, u32],
  ipProto: [RTA_IP_PROTO, u8],
  sport: [RTA_SPORT, u16],
  dport: [RTA_DPORT, u16],
  cacheinfo: [RTA_CACHEINFO, structAttr(rtaCacheinfo)],
}).padded(RTA_PAD);

/** Writes a whole route message body (rtmsg + attributes) through the table: the general encoder. */
export function encodeRouteTable(w: NlWriter, hdr: RtmsgFields, attrs: Decoded<RtaAttrs>): void {
  rtmsg.write(w, hdr);
  rta.encode(w, attrs);
}

/** Decodes a route message body through the table (the reference the fast decoder is tested against). */
export function decodeRouteTable(b: Buffer, off: number, end: number): { hdr: RtmsgFields; attrs: Decoded<RtaAttrs> } {
  const hdr = rtmsg.read(b, off, end - off, ['rtmsg']);
  return { hdr, attrs: rta.decode(b, off + RTMSG_SIZE, end, ['RTA']) };
}
