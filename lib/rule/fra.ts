// The wire form of policy-routing rules: struct fib_rule_hdr and the FRA_* attributes
// (<linux/fib_rules.h>, Linux 6.1 UAPI headers) as one table, and the decoder of
// RTM_NEWRULE / RTM_DELRULE into a Rule (what `ip -j rule` prints).
import { AF_INET, AF_INET6 } from '../core/constants.js';
import type { Family } from '../core/inet.js';
import type { NlMsg } from '../core/nlmsg.js';
import {
  bool8,
  defineAttrs,
  enumOf,
  ip,
  s32,
  string,
  struct,
  structAttr,
  u32,
  u8,
  type Decoded,
} from '../core/schema.js';
import { protocolName } from '../rt-tables.js';
import type { PortRange, Rule, RuleAction } from '../../types/rule.js';

export const FRA_DST = 1;
export const FRA_SRC = 2;
export const FRA_IIFNAME = 3;
export const FRA_GOTO = 4;
export const FRA_PRIORITY = 6;
export const FRA_FWMARK = 10;
export const FRA_FLOW = 11;
export const FRA_TUN_ID = 12;
export const FRA_SUPPRESS_IFGROUP = 13;
export const FRA_SUPPRESS_PREFIXLEN = 14;
export const FRA_TABLE = 15;
export const FRA_FWMASK = 16;
export const FRA_OIFNAME = 17;
export const FRA_PAD = 18;
export const FRA_L3MDEV = 19;
export const FRA_UID_RANGE = 20;
export const FRA_PROTOCOL = 21;
export const FRA_IP_PROTO = 22;
export const FRA_SPORT_RANGE = 23;
export const FRA_DPORT_RANGE = 24;

export const FIB_RULE_PERMANENT = 0x1;
export const FIB_RULE_INVERT = 0x2;
export const FIB_RULE_UNRESOLVED = 0x4;
export const FIB_RULE_IIF_DETACHED = 0x8;
export const FIB_RULE_OIF_DETACHED = 0x10;

/** FR_ACT_* */
export const FR_ACT: Readonly<Record<Exclude<RuleAction, 'unspec'>, number>> = {
  to_tbl: 1,
  goto: 2,
  nop: 3,
  blackhole: 6,
  unreachable: 7,
  prohibit: 8,
};
const ACTION_BY_VALUE = new Map<number, RuleAction>([
  [0, 'unspec'],
  ...Object.entries(FR_ACT).map(([k, v]): [number, RuleAction] => [v, k as RuleAction]),
]);

/** The fields of struct fib_rule_hdr (a type, not an interface: struct() wants a record of numbers). */
export type FibRuleHdr = {
  /** AF_INET or AF_INET6. */
  family: number;
  /** dst_len: the destination prefix length. */
  dstLen: number;
  /** src_len: the source prefix length. */
  srcLen: number;
  /** tos: the TOS matched. */
  tos: number;
  /** table: the table id when below 256 (else FRA_TABLE). */
  table: number;
  /** action: FR_ACT_*. */
  action: number;
  /** flags: FIB_RULE_* (FIB_RULE_INVERT for `not`). */
  flags: number;
};

/** struct fib_rule_hdr (12 bytes). */
export const fibRuleHdr = struct<FibRuleHdr>('fib_rule_hdr', 12, {
  family: [0, 'u8'],
  dstLen: [1, 'u8'],
  srcLen: [2, 'u8'],
  tos: [3, 'u8'],
  table: [4, 'u8'],
  action: [7, 'u8'],
  flags: [8, 'u32'],
});

const uidRange = struct<{ start: number; end: number }>('fib_rule_uid_range', 8, {
  start: [0, 'u32'],
  end: [4, 'u32'],
});
const portRange = struct<{ start: number; end: number }>('fib_rule_port_range', 4, {
  start: [0, 'u16'],
  end: [2, 'u16'],
});

/** IP protocol numbers by their /etc/protocols names (the common ones; others as numbers). */
export const IPPROTO = {
  ip: 0,
  icmp: 1,
  igmp: 2,
  ipencap: 4,
  tcp: 6,
  egp: 8,
  udp: 17,
  dccp: 33,
  ipv6: 41,
  'ipv6-route': 43,
  'ipv6-frag': 44,
  rsvp: 46,
  gre: 47,
  esp: 50,
  ah: 51,
  'ipv6-icmp': 58,
  'ipv6-nonxt': 59,
  'ipv6-opts': 60,
  ospf: 89,
  ipip: 94,
  pim: 103,
  vrrp: 112,
  l2tp: 115,
  sctp: 132,
  udplite: 136,
  'mpls-in-ip': 137,
  ethernet: 143,
} as const;
export type IpProto = keyof typeof IPPROTO;

/**
 * The FRA_* attributes, wire-level, in the order this package writes them. Keys are the RuleSpec
 * fields they come from (so an extended ACK pointing at one names the caller's field): `from` and
 * `to` hold the bare address (FRA_SRC / FRA_DST), the prefix length travelling in the header.
 */
export interface FraAttrs {
  /** `FRA_PRIORITY` (u32). */
  priority: number;
  /** `FRA_SRC` (ip). */
  from: string;
  /** `FRA_DST` (ip). */
  to: string;
  /** `FRA_FWMARK` (u32). */
  fwmark: number;
  /** `FRA_FWMASK` (u32). */
  fwmask: number;
  /** `FRA_FLOW` (u32). */
  realms: number;
  /** `FRA_PROTOCOL` (u8). */
  protocol: number;
  /** `FRA_TABLE` (u32). */
  table: number;
  /** `FRA_SUPPRESS_PREFIXLEN` (s32). */
  suppressPrefixlength: number;
  /** `FRA_SUPPRESS_IFGROUP` (s32). */
  suppressIfgroup: number;
  /** `FRA_IIFNAME` (string). */
  iif: string;
  /** `FRA_OIFNAME` (string). */
  oif: string;
  /** `FRA_L3MDEV` (bool8). */
  l3mdev: boolean;
  /** `FRA_UID_RANGE` (struct). */
  uidrange: {
    /** The first UID. */
    start: number;
    /** The last UID, inclusive. */
    end: number;
  };
  /** `FRA_IP_PROTO`. */
  ipproto: IpProto;
  /** `FRA_SPORT_RANGE` (struct). */
  sport: {
    /** The first port. */
    start: number;
    /** The last port, inclusive. */
    end: number;
  };
  /** `FRA_DPORT_RANGE` (struct). */
  dport: {
    /** The first port. */
    start: number;
    /** The last port, inclusive. */
    end: number;
  };
  /** `FRA_GOTO` (u32). */
  goto: number;
}

/** The FRA_* table of rule messages (`ip rule`). */
export const fra = defineAttrs<FraAttrs>('FRA', {
  priority: [FRA_PRIORITY, u32],
  from: [FRA_SRC, ip],
  to: [FRA_DST, ip],
  fwmark: [FRA_FWMARK, u32],
  fwmask: [FRA_FWMASK, u32],
  realms: [FRA_FLOW, u32],
  protocol: [FRA_PROTOCOL, u8],
  table: [FRA_TABLE, u32],
  suppressPrefixlength: [FRA_SUPPRESS_PREFIXLEN, s32],
  suppressIfgroup: [FRA_SUPPRESS_IFGROUP, s32],
  iif: [FRA_IIFNAME, string],
  oif: [FRA_OIFNAME, string],
  l3mdev: [FRA_L3MDEV, bool8],
  uidrange: [FRA_UID_RANGE, structAttr(uidRange)],
  ipproto: [FRA_IP_PROTO, enumOf<IpProto>(u8, IPPROTO, 'a protocol number or one of')],
  sport: [FRA_SPORT_RANGE, structAttr(portRange)],
  dport: [FRA_DPORT_RANGE, structAttr(portRange)],
  goto: [FRA_GOTO, u32],
}).padded(FRA_PAD);

function rangeOut(r: { start: number; end: number }): PortRange {
  return r.start === r.end ? r.start : { start: r.start, end: r.end };
}

/** Decodes one RTM_NEWRULE / RTM_DELRULE of IPv4 or IPv6; undefined for other families. */
export function decodeRule(m: NlMsg): Rule | undefined {
  const h = fibRuleHdr.read(m.buf, m.off, m.end - m.off, ['fib_rule_hdr']);
  if (h.family !== AF_INET && h.family !== AF_INET6) return undefined;
  const a: Decoded<FraAttrs> = fra.decode(m.buf, m.off + fibRuleHdr.size, m.end, ['FRA']);
  const family: Family = h.family === AF_INET ? 4 : 6;
  const any = family === 4 ? '0.0.0.0' : '::';
  const r: Rule = {
    family,
    priority: a.priority ?? 0,
    action: ACTION_BY_VALUE.get(h.action) ?? (String(h.action) as RuleAction),
  };
  if (a.from !== undefined || h.srcLen) r.from = `${a.from ?? any}/${h.srcLen}`;
  if (a.to !== undefined || h.dstLen) r.to = `${a.to ?? any}/${h.dstLen}`;
  if (h.flags & FIB_RULE_INVERT) r.not = true;
  const table = a.table ?? h.table;
  if (table) r.table = table;
  if (a.fwmark !== undefined) r.fwmark = a.fwmark;
  if (a.fwmask !== undefined) r.fwmask = a.fwmask;
  if (a.iif !== undefined) r.iif = a.iif;
  if (a.oif !== undefined) r.oif = a.oif;
  if (a.goto !== undefined) r.goto = a.goto;
  if (h.tos) r.tos = h.tos;
  if (a.l3mdev) r.l3mdev = true;
  if (a.uidrange !== undefined) r.uidrange = a.uidrange;
  if (a.ipproto !== undefined) r.ipproto = a.ipproto;
  if (a.sport !== undefined) r.sport = rangeOut(a.sport);
  if (a.dport !== undefined) r.dport = rangeOut(a.dport);
  if (a.protocol) r.protocol = protocolName(a.protocol);
  if (a.suppressPrefixlength !== undefined && a.suppressPrefixlength !== -1)
    r.suppressPrefixlength = a.suppressPrefixlength;
  if (a.suppressIfgroup !== undefined && a.suppressIfgroup !== -1) r.suppressIfgroup = a.suppressIfgroup;
  if (a.realms !== undefined) r.realms = a.realms;
  if (h.flags & FIB_RULE_IIF_DETACHED) r.iifDetached = true;
  if (h.flags & FIB_RULE_OIF_DETACHED) r.oifDetached = true;
  if (h.flags & FIB_RULE_UNRESOLVED) r.unresolved = true;
  return r;
}
