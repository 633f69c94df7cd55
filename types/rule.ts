// The public data model of policy-routing rules (≈ `ip rule`). See ../shared/API.md.

/**
 * FR_ACT_* of <linux/fib_rules.h>: what a matching rule does. 'to_tbl' is `lookup TABLE`;
 * 'unspec' (0) only appears when decoding a del request, which leaves the action open.
 */
export type RuleAction = 'to_tbl' | 'goto' | 'nop' | 'blackhole' | 'unreachable' | 'prohibit' | 'unspec';

/** A port range (FRA_SPORT_RANGE / FRA_DPORT_RANGE); a single port reads back as a number. */
export type PortRange = number | { start: number; end: number };

/** What `ip rule add|del` takes. */
export interface RuleSpec {
  /** 4 or 6; follows from `from` / `to`, else 4 as in `ip rule`. */
  family?: 4 | 6;
  /** The rule's preference (FRA_PRIORITY); the kernel picks one when absent. */
  priority?: number;
  /** Source prefix, '10.0.0.0/24' (a bare address is a host prefix); 'all' or absent = any. */
  from?: string;
  /** Destination prefix, like `from`. */
  to?: string;
  /** `not`: the selector is inverted (FIB_RULE_INVERT). */
  not?: boolean;
  /** Table to look up: a number or a name ('main', 'local', 'default', rt_tables names). Default 'main' for to_tbl. */
  table?: number | string;
  /** Firewall mark: a number, or iproute2's 'MARK/MASK' text ('0x10/0xff'). */
  fwmark?: number | string;
  /** Mask for fwmark (the kernel uses 0xffffffff when a mark is given without one). */
  fwmask?: number;
  /** Incoming interface name (need not exist yet); `iif lo` matches locally generated traffic. */
  iif?: string;
  /** Outgoing interface name (for sockets bound to a device). */
  oif?: string;
  /** Default 'to_tbl'; a `goto` target implies 'goto'. */
  action?: Exclude<RuleAction, 'unspec'> | 'lookup';
  /** FR_ACT_GOTO: the priority of the rule to jump to. */
  goto?: number;
  /** TOS / DSCP field to match. */
  tos?: number;
  /** Look up the table of the VRF (l3mdev) the packet's device belongs to. */
  l3mdev?: boolean;
  /** UID range of the socket's owner: { start, end } or 'start-end'. */
  uidrange?: { start: number; end: number } | string;
  /** IP protocol: a number or a name ('tcp', 'udp', 'icmp', 'ipv6-icmp', …). */
  ipproto?: number | string;
  /** Source port or range: 80, { start: 1000, end: 2000 } or '1000-2000'. */
  sport?: PortRange | string;
  /** Destination port or range, like sport. */
  dport?: PortRange | string;
  /** Who installed the rule (FRA_PROTOCOL): a number or a rt_protos name. */
  protocol?: number | string;
  /** `suppress_prefixlength N`: reject lookup results with a prefix this short or shorter. */
  suppressPrefixlength?: number;
  /** `suppress_ifgroup N`: reject lookup results through devices of this group. */
  suppressIfgroup?: number;
  /** `realms`: FRA_FLOW, the route realm (to | from << 16). */
  realms?: number;
}

/** What rule.list() returns. */
export interface Rule {
  family: 4 | 6;
  priority: number;
  /** Prefixes in CIDR form; absent = any (`from all`). */
  from?: string;
  to?: string;
  not?: boolean;
  /** The table looked up; absent when the action needs none (blackhole, goto …). */
  table?: number;
  fwmark?: number;
  fwmask?: number;
  iif?: string;
  oif?: string;
  action: RuleAction;
  goto?: number;
  tos?: number;
  l3mdev?: boolean;
  uidrange?: { start: number; end: number };
  ipproto?: string;
  sport?: PortRange;
  dport?: PortRange;
  protocol?: string;
  suppressPrefixlength?: number;
  suppressIfgroup?: number;
  realms?: number;
  /** The iif device does not exist (FIB_RULE_IIF_DETACHED). */
  iifDetached?: boolean;
  /** The oif device does not exist (FIB_RULE_OIF_DETACHED). */
  oifDetached?: boolean;
  /** A goto whose target rule does not exist (FIB_RULE_UNRESOLVED). */
  unresolved?: boolean;
}

export interface RuleFilter {
  family?: 4 | 6;
  /** Only rules looking up this table (number or name). */
  table?: number | string;
  priority?: number;
}
