// What each rtnetlink multicast group carries, for the monitor (<linux/rtnetlink.h> RTNLGRP_* and
// RTM_*, Linux 6.18): which messages, the family header before the attributes, how the kernel tells
// one object from another (the key), which attributes change while the object stays the same
// (statistics, timestamps), and how to dump the objects again for a resync.
import { attrTable, rd16, rd32, rds32, type NlWriter } from './core/attr.js';
import {
  AF_BRIDGE,
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  RTM_DELADDR,
  RTM_DELLINK,
  RTM_DELNEIGH,
  RTM_DELNEXTHOP,
  RTM_DELNSID,
  RTM_DELROUTE,
  RTM_DELRULE,
  RTM_GETADDR,
  RTM_GETLINK,
  RTM_GETNEIGH,
  RTM_GETNEXTHOP,
  RTM_GETROUTE,
  RTM_GETRULE,
  RTM_NEWADDR,
  RTM_NEWLINK,
  RTM_NEWNEIGH,
  RTM_NEWNEXTHOP,
  RTM_NEWNSID,
  RTM_NEWROUTE,
  RTM_NEWRULE,
  RTNLGRP_IPV4_IFADDR,
  RTNLGRP_IPV4_NETCONF,
  RTNLGRP_IPV4_ROUTE,
  RTNLGRP_IPV4_RULE,
  RTNLGRP_IPV6_IFADDR,
  RTNLGRP_IPV6_NETCONF,
  RTNLGRP_IPV6_ROUTE,
  RTNLGRP_IPV6_RULE,
  RTNLGRP_LINK,
  RTNLGRP_NEIGH,
  RTNLGRP_NEXTHOP,
  RTNLGRP_NSID,
} from './core/constants.js';
import { DecodeError } from './core/errors.js';
import type { NlMsg } from './core/nlmsg.js';
import { defineAttrs, s32 } from './core/schema.js';
import { decodeLink } from './link/link.js';
import { ifinfomsg, IFLA_EXT_MASK } from './link/ifla.js';
import { decodeFdb, decodeNeigh } from './neigh.js';
import { decodeAddr } from './addr/ifa.js';
import { decodeRoute } from './route.js';
import { decodeRule } from './rule/fra.js';
import { decodeNexthop } from './nexthop.js';
import type { MonitorGroup, MonitorKind, Netconf, Nsid } from '../types/monitor.js';

// <linux/rtnetlink.h> RTM_*NETCONF (not in core/constants.ts).
export const RTM_NEWNETCONF = 80;
export const RTM_DELNETCONF = 81;
// <linux/netconf.h>
const NETCONFA_IFINDEX = 1;
const NETCONFA_IFINDEX_ALL = -1;
const NETCONFA_IFINDEX_DEFAULT = -2;
// <linux/net_namespace.h>
const NETNSA_NSID = 1;
// Attribute numbers used in keys and volatile sets (<linux/if_link.h>, if_addr.h, rtnetlink.h, neighbour.h, nexthop.h).
const IFLA_STATS = 7;
const IFLA_STATS64 = 23;
const IFLA_AF_SPEC = 26;
const IFLA_EVENT = 44;
const IFLA_NEW_NETNSID = 45;
const IFLA_NEW_IFINDEX = 49;
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const IFA_CACHEINFO = 6;
const RTA_DST = 1;
const RTA_SRC = 2;
const RTA_OIF = 4;
const RTA_GATEWAY = 5;
const RTA_PRIORITY = 6;
const RTA_MULTIPATH = 9;
const RTA_CACHEINFO = 12;
const RTA_TABLE = 15;
const RTA_VIA = 18;
const RTA_EXPIRES = 23;
const RTA_NH_ID = 30;
const RTM_F_CLONED = 0x200;
const NDA_DST = 1;
const NDA_LLADDR = 2;
const NDA_CACHEINFO = 3;
const NDA_PROBES = 4;
const NDA_VLAN = 5;
const NDA_PORT = 6;
const NDA_VNI = 7;
const NDA_SRC_VNI = 11;
const NTF_SELF = 0x02;
const NTF_MASTER = 0x04;
const NTF_PROXY = 0x08;
const NHA_ID = 1;

/** Interface index → name, as the monitor knows it when it decodes an event. */
export type Names = ReadonlyMap<number, string>;
/** Interface index → hardware type (ifi_type), for the links whose type changes how a decoder reads (IP tunnels). */
export type LinkTypes = ReadonlyMap<number, number>;
type Decoder = (m: NlMsg, names: Names, types: LinkTypes) => unknown;

/** One kind of object a monitor yields. */
export interface KindDef {
  kind: MonitorKind;
  newType: number;
  delType: number;
  /** Size of the family header (NLMSG_ALIGNed): attributes follow it. */
  hdr: number;
  /** How many header bytes describe the object's state (ifinfomsg's ifi_change is left out). */
  hdrState: number;
  /** Attributes that change while the object stays the same: ignored when telling a change. */
  volatile: ReadonlySet<number>;
  /** The kernel's identity of the object, from its message's payload b[off, end). */
  key(b: Buffer, off: number, end: number): string;
  /** Whether the message is an object this kind reports (not, e.g., a cached route). */
  accept?(b: Buffer, off: number, end: number): boolean;
  /** The decoder list() uses (undefined: not an object of this kind, e.g. another family). */
  decode: Decoder;
  /** Whether decode names devices (so the monitor keeps an index → name map, and the IP tunnels' types). */
  names: boolean;
  /** Dump requests that list every object of a family, for a resync; undefined: not resynced. */
  dump?: { type: number; bodies(family: number): DumpBody[] };
}

/** One dump request, and which messages are its own (to forget them if the kernel interrupts it). */
export interface DumpBody {
  write(w: NlWriter): void;
  owns(b: Buffer, off: number): boolean;
}

/** A multicast group as the caller names it: the RTNLGRP_* numbers, the kind and families it yields. */
export interface GroupDef {
  groups: readonly number[];
  kind: MonitorKind;
  /** Families (first byte of the family header) this group reports; null = any. */
  families: readonly number[] | null;
}

export const GROUPS: Readonly<Record<MonitorGroup, GroupDef>> = {
  link: { groups: [RTNLGRP_LINK], kind: 'link', families: [AF_UNSPEC] },
  'ipv4-addr': { groups: [RTNLGRP_IPV4_IFADDR], kind: 'addr', families: [AF_INET] },
  'ipv6-addr': { groups: [RTNLGRP_IPV6_IFADDR], kind: 'addr', families: [AF_INET6] },
  'ipv4-route': { groups: [RTNLGRP_IPV4_ROUTE], kind: 'route', families: [AF_INET] },
  'ipv6-route': { groups: [RTNLGRP_IPV6_ROUTE], kind: 'route', families: [AF_INET6] },
  neigh: { groups: [RTNLGRP_NEIGH], kind: 'neigh', families: [AF_INET, AF_INET6] },
  fdb: { groups: [RTNLGRP_NEIGH], kind: 'fdb', families: [AF_BRIDGE] },
  rule: { groups: [RTNLGRP_IPV4_RULE, RTNLGRP_IPV6_RULE], kind: 'rule', families: [AF_INET, AF_INET6] },
  'ipv4-rule': { groups: [RTNLGRP_IPV4_RULE], kind: 'rule', families: [AF_INET] },
  'ipv6-rule': { groups: [RTNLGRP_IPV6_RULE], kind: 'rule', families: [AF_INET6] },
  nexthop: { groups: [RTNLGRP_NEXTHOP], kind: 'nexthop', families: null },
  'ipv4-netconf': { groups: [RTNLGRP_IPV4_NETCONF], kind: 'netconf', families: [AF_INET] },
  'ipv6-netconf': { groups: [RTNLGRP_IPV6_NETCONF], kind: 'netconf', families: [AF_INET6] },
  nsid: { groups: [RTNLGRP_NSID], kind: 'nsid', families: null },
};

/** The attributes after a family header of `hdr` bytes (a DecodeError if the payload is shorter). */
function attrs(b: Buffer, off: number, end: number, hdr: number, what: string): Array<[number, number] | undefined> {
  if (end - off < hdr) throw new DecodeError(`${what} needs ${hdr} bytes, has ${end - off}`, off, [what]);
  return attrTable(b, off + hdr, end, [what]);
}

function hex(b: Buffer, a: [number, number] | undefined): string {
  return a ? b.toString('hex', a[0], a[0] + a[1]) : '';
}

function u32At(b: Buffer, a: [number, number] | undefined): number | undefined {
  return a && a[1] >= 4 ? rd32(b, a[0]) : undefined;
}

function u16At(b: Buffer, a: [number, number] | undefined): number | undefined {
  return a && a[1] >= 2 ? rd16(b, a[0]) : undefined;
}

/**
 * A dump request that is a zeroed family header of `size` bytes but for the family byte (and a
 * flags byte `flag.at` set to `flag.value`); it owns the replies of that family whose flags byte
 * has `flag.value` under `flag.mask`.
 */
function header(size: number, family: number, flag?: { at: number; mask: number; value: number }): DumpBody {
  return {
    write: (w) => {
      const start = w.pos;
      w.zeros(size);
      w.buf[start] = family;
      if (flag) w.buf[start + flag.at] = flag.value;
    },
    owns: (b, off) =>
      (family === AF_UNSPEC || b[off] === family) && (!flag || (b[off + flag.at]! & flag.mask) === flag.value),
  };
}

// ---- netconf and nsid: small enough to decode here ----

/** NETCONFA_* as read from an RTM_NEWNETCONF (each only where the kernel sent it). */
export interface NetconfAttrs {
  /** NETCONFA_IFINDEX: the device, or -1 (all) / -2 (default). */
  index: number;
  /** NETCONFA_FORWARDING. */
  forwarding: number;
  /** NETCONFA_RP_FILTER. */
  rpFilter: number;
  /** NETCONFA_MC_FORWARDING. */
  mcForwarding: number;
  /** NETCONFA_PROXY_NEIGH. */
  proxyNeigh: number;
  /** NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN. */
  ignoreRoutesWithLinkdown: number;
  /** NETCONFA_INPUT (MPLS). */
  input: number;
  /** NETCONFA_BC_FORWARDING. */
  bcForwarding: number;
}

/** NETCONFA_* (<linux/netconf.h>): every value a signed 32-bit integer. */
export const netconfa = defineAttrs<NetconfAttrs>('NETCONFA', {
  index: [NETCONFA_IFINDEX, s32],
  forwarding: [2, s32], // NETCONFA_FORWARDING
  rpFilter: [3, s32], // NETCONFA_RP_FILTER
  mcForwarding: [4, s32], // NETCONFA_MC_FORWARDING
  proxyNeigh: [5, s32], // NETCONFA_PROXY_NEIGH
  ignoreRoutesWithLinkdown: [6, s32], // NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN
  input: [7, s32], // NETCONFA_INPUT
  bcForwarding: [8, s32], // NETCONFA_BC_FORWARDING
});

/** Decodes RTM_NEWNETCONF / RTM_DELNETCONF (struct netconfmsg, padded to 4 bytes). */
export function decodeNetconf(m: NlMsg, names: Names): Netconf {
  if (m.end - m.off < 4) throw new DecodeError('netconfmsg needs 4 bytes', m.off, ['netconfmsg']);
  const { index, ...rest } = netconfa.decode(m.buf, m.off + 4, m.end, ['NETCONFA']);
  const out: Netconf = { family: m.buf[m.off] === AF_INET6 ? 6 : 4, index: 'all', ...rest };
  if (index === NETCONFA_IFINDEX_DEFAULT) out.index = 'default';
  else if (index !== undefined && index !== NETCONFA_IFINDEX_ALL) {
    out.index = index;
    const dev = names.get(index);
    if (dev !== undefined) out.dev = dev;
  }
  return out;
}

/** Decodes RTM_NEWNSID / RTM_DELNSID (struct rtgenmsg, padded to 4 bytes). */
export function decodeNsid(m: NlMsg): Nsid {
  const a = attrs(m.buf, m.off, m.end, 4, 'rtgenmsg');
  const nsid = a[NETNSA_NSID];
  const current = a[5]; // NETNSA_CURRENT_NSID
  const out: Nsid = { nsid: nsid && nsid[1] >= 4 ? rds32(m.buf, nsid[0]) : -1 };
  if (current && current[1] >= 4) out.currentNsid = rds32(m.buf, current[0]);
  return out;
}

// ---- the table ----

const none: ReadonlySet<number> = new Set();

const link: KindDef = {
  kind: 'link',
  newType: RTM_NEWLINK,
  delType: RTM_DELLINK,
  hdr: 16,
  hdrState: 12,
  volatile: new Set([IFLA_STATS, IFLA_STATS64, IFLA_AF_SPEC, IFLA_EVENT, IFLA_NEW_NETNSID, IFLA_NEW_IFINDEX]),
  key: (b, off, end) => {
    if (end - off < 16) throw new DecodeError('ifinfomsg needs 16 bytes', off, ['ifinfomsg']);
    return String(rds32(b, off + 4));
  },
  decode: decodeLink,
  names: false,
  dump: {
    type: RTM_GETLINK,
    bodies: () => [
      {
        write: (w) => {
          ifinfomsg.write(w, { family: AF_UNSPEC });
          w.attrU32(IFLA_EXT_MASK, 0);
        },
        owns: () => true,
      },
    ],
  },
};

const addr: KindDef = {
  kind: 'addr',
  newType: RTM_NEWADDR,
  delType: RTM_DELADDR,
  hdr: 8,
  hdrState: 8,
  volatile: new Set([IFA_CACHEINFO]),
  key: (b, off, end) => {
    // IPv4 tells addresses apart by local address, prefix length and peer; IPv6 by address alone.
    const a = attrs(b, off, end, 8, 'ifaddrmsg');
    const family = b[off]!;
    const local = hex(b, a[IFA_LOCAL] ?? a[IFA_ADDRESS]);
    const id = `${family}/${rd32(b, off + 4)}/${local}`;
    return family === AF_INET ? `${id}/${b[off + 1]!}/${hex(b, a[IFA_ADDRESS])}` : id;
  },
  decode: decodeAddr,
  names: true,
  dump: { type: RTM_GETADDR, bodies: (f) => [header(8, f)] },
};

/**
 * A route's key is `slot#path`. The slot (table, dst, src, tos, metric) is what NLM_F_REPLACE
 * replaces. The path tells apart routes that share a slot: IPv4 aliases added with NLM_F_APPEND
 * (the kernel's own prefix and broadcast routes when two links share a subnet), and IPv6 routes
 * without a gateway on different links (fe80::/64 on every link); IPv6 gateway routes of one slot
 * are one (multipath) route.
 */
export function routeSlot(key: string): string {
  return key.slice(0, key.indexOf('#'));
}

const route: KindDef = {
  kind: 'route',
  newType: RTM_NEWROUTE,
  delType: RTM_DELROUTE,
  hdr: 12,
  hdrState: 12,
  volatile: new Set([RTA_CACHEINFO, RTA_EXPIRES]),
  key: (b, off, end) => {
    const a = attrs(b, off, end, 12, 'rtmsg');
    const family = b[off]!;
    const table = u32At(b, a[RTA_TABLE]) ?? b[off + 4]!;
    const slot = `${family}/${table}/${hex(b, a[RTA_DST])}/${b[off + 1]!}/${hex(b, a[RTA_SRC])}/${b[off + 2]!}/${b[off + 3]!}/${u32At(b, a[RTA_PRIORITY]) ?? 0}`;
    let path: string;
    if (family === AF_INET6)
      path = a[RTA_GATEWAY] || a[RTA_MULTIPATH] || a[RTA_NH_ID] ? 'gw' : `${u32At(b, a[RTA_OIF]) ?? ''}`;
    else if (a[RTA_MULTIPATH]) path = 'mp';
    else if (a[RTA_NH_ID]) path = `nh${u32At(b, a[RTA_NH_ID]) ?? ''}`;
    else path = `${u32At(b, a[RTA_OIF]) ?? ''}/${hex(b, a[RTA_GATEWAY] ?? a[RTA_VIA])}`;
    return `${slot}#${path}`;
  },
  // Cached (cloned) routes are exceptions of the route cache, not routes a dump lists.
  accept: (b, off, end) => end - off >= 12 && (rd32(b, off + 8) & RTM_F_CLONED) === 0,
  decode: decodeRoute,
  names: true,
  dump: { type: RTM_GETROUTE, bodies: (f) => [header(12, f)] },
};

const neigh: KindDef = {
  kind: 'neigh',
  newType: RTM_NEWNEIGH,
  delType: RTM_DELNEIGH,
  hdr: 12,
  hdrState: 12,
  volatile: new Set([NDA_CACHEINFO, NDA_PROBES]),
  key: (b, off, end) => {
    const a = attrs(b, off, end, 12, 'ndmsg');
    const proxy = (b[off + 10]! & NTF_PROXY) !== 0 ? '/proxy' : '';
    return `${b[off]!}/${rds32(b, off + 4)}/${hex(b, a[NDA_DST])}${proxy}`;
  },
  decode: decodeNeigh,
  names: true,
  // Proxy entries are dumped separately (ndm_flags NTF_PROXY), as `ip neigh show proxy` does.
  dump: {
    type: RTM_GETNEIGH,
    bodies: (f) => [
      header(12, f, { at: 10, mask: NTF_PROXY, value: 0 }),
      header(12, f, { at: 10, mask: NTF_PROXY, value: NTF_PROXY }),
    ],
  },
};

const fdb: KindDef = {
  kind: 'fdb',
  newType: RTM_NEWNEIGH,
  delType: RTM_DELNEIGH,
  hdr: 12,
  hdrState: 12,
  volatile: new Set([NDA_CACHEINFO]),
  key: (b, off, end) => {
    // A VXLAN device holds one entry per remote for a MAC: dst, port and VNI are part of it.
    const a = attrs(b, off, end, 12, 'ndmsg');
    const table = b[off + 10]! & (NTF_SELF | NTF_MASTER);
    return (
      `${rds32(b, off + 4)}/${hex(b, a[NDA_LLADDR])}/${u16At(b, a[NDA_VLAN]) ?? ''}/${hex(b, a[NDA_DST])}` +
      `/${hex(b, a[NDA_PORT])}/${u32At(b, a[NDA_VNI]) ?? ''}/${u32At(b, a[NDA_SRC_VNI]) ?? ''}/${table}`
    );
  },
  decode: decodeFdb,
  names: true,
  dump: { type: RTM_GETNEIGH, bodies: () => [header(12, AF_BRIDGE)] },
};

const rule: KindDef = {
  kind: 'rule',
  newType: RTM_NEWRULE,
  delType: RTM_DELRULE,
  hdr: 12,
  hdrState: 12,
  volatile: none,
  // A rule has no identity beside its whole content (the kernel matches every attribute on delete).
  key: (b, off, end) => {
    attrs(b, off, end, 12, 'fib_rule_hdr');
    return b.toString('hex', off, end);
  },
  decode: decodeRule,
  names: false,
  dump: { type: RTM_GETRULE, bodies: (f) => [header(12, f)] },
};

const nexthop: KindDef = {
  kind: 'nexthop',
  newType: RTM_NEWNEXTHOP,
  delType: RTM_DELNEXTHOP,
  hdr: 8,
  hdrState: 8,
  volatile: none,
  key: (b, off, end) => String(u32At(b, attrs(b, off, end, 8, 'nhmsg')[NHA_ID]) ?? 0),
  decode: decodeNexthop,
  names: true,
  dump: { type: RTM_GETNEXTHOP, bodies: () => [header(8, AF_UNSPEC)] },
};

const netconf: KindDef = {
  kind: 'netconf',
  newType: RTM_NEWNETCONF,
  delType: RTM_DELNETCONF,
  hdr: 4,
  hdrState: 4,
  volatile: none,
  key: (b, off, end) => {
    const a = attrs(b, off, end, 4, 'netconfmsg')[NETCONFA_IFINDEX];
    return `${b[off]!}/${a && a[1] >= 4 ? rds32(b, a[0]) : NETCONFA_IFINDEX_ALL}`;
  },
  decode: decodeNetconf,
  names: true,
};

const nsid: KindDef = {
  kind: 'nsid',
  newType: RTM_NEWNSID,
  delType: RTM_DELNSID,
  hdr: 4,
  hdrState: 4,
  volatile: none,
  key: (b, off, end) => {
    const a = attrs(b, off, end, 4, 'rtgenmsg')[NETNSA_NSID];
    return String(a && a[1] >= 4 ? rds32(b, a[0]) : -1);
  },
  decode: decodeNsid,
  names: false,
};

export const KINDS: Readonly<Record<MonitorKind, KindDef>> = {
  link,
  addr,
  route,
  neigh,
  fdb,
  rule,
  nexthop,
  netconf,
  nsid,
};

/** Kinds by message type (RTM_NEWNEIGH is both neigh and fdb: the family tells). */
export const KINDS_BY_TYPE: ReadonlyMap<number, readonly KindDef[]> = (() => {
  const m = new Map<number, KindDef[]>();
  for (const d of Object.values(KINDS)) {
    for (const t of [d.newType, d.delType]) m.set(t, [...(m.get(t) ?? []), d]);
  }
  return m;
})();

/**
 * Whether two messages of one kind describe the same state: the header's state bytes and every
 * attribute but the volatile ones, in order (the kernel fills events and dumps alike).
 */
export function sameState(d: KindDef, a: NlMsg, b: NlMsg): boolean {
  if (a.end - a.off < d.hdr || b.end - b.off < d.hdr) return false;
  if (a.buf.compare(b.buf, b.off, b.off + d.hdrState, a.off, a.off + d.hdrState) !== 0) return false;
  const x = stable(d, a);
  const y = stable(d, b);
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) {
    const [xo, xl] = x[i]!;
    const [yo, yl] = y[i]!;
    if (xl !== yl || a.buf.compare(b.buf, yo, yo + yl, xo, xo + xl) !== 0) return false;
  }
  return true;
}

/** [offset, length] of each non-volatile attribute, header included. */
function stable(d: KindDef, m: NlMsg): [number, number][] {
  const out: [number, number][] = [];
  let off = m.off + d.hdr;
  while (off + 4 <= m.end) {
    const len = rd16(m.buf, off);
    if (len < 4 || off + len > m.end) break;
    if (!d.volatile.has(rd16(m.buf, off + 2) & 0x3fff)) out.push([off, len]);
    off += (len + 3) & ~3;
  }
  return out;
}
