// The public data model of policy-routing rules (≈ `ip rule`). See ../shared/API.md.

/**
 * FR_ACT_* of <linux/fib_rules.h>: what a matching rule does. 'to_tbl' is `lookup TABLE`;
 * 'unspec' (0) only appears when decoding a del request, which leaves the action open.
 */
export type RuleAction = 'to_tbl' | 'goto' | 'nop' | 'blackhole' | 'unreachable' | 'prohibit' | 'unspec';

/** A port range (FRA_SPORT_RANGE / FRA_DPORT_RANGE); a single port reads back as a number. */
export type PortRange =
  | number
  | {
      /** The first port. */
      start: number;
      /** The last port, inclusive. */
      end: number;
    };

/** What `ip rule add|del` takes. */
export interface RuleSpec {
  /** 4 or 6; follows from `from` / `to`, else 4 as in `ip rule`. */
  family?: 4 | 6 | undefined;
  /** The rule's preference (FRA_PRIORITY); the kernel picks one when absent. */
  priority?: number | undefined;
  /** Source prefix, '10.0.0.0/24' (a bare address is a host prefix); 'all' or absent = any. */
  from?: string | undefined;
  /** Destination prefix, like `from`. */
  to?: string | undefined;
  /** `not`: the selector is inverted (FIB_RULE_INVERT). */
  not?: boolean | undefined;
  /** Table to look up: a number or a name ('main', 'local', 'default', rt_tables names). Default 'main' for to_tbl. */
  table?: number | string | undefined;
  /** Firewall mark: a number, or iproute2's 'MARK/MASK' text ('0x10/0xff'). */
  fwmark?: number | string | undefined;
  /** Mask for fwmark (the kernel uses 0xffffffff when a mark is given without one). */
  fwmask?: number | undefined;
  /** Incoming interface name (need not exist yet); `iif lo` matches locally generated traffic. */
  iif?: string | undefined;
  /** Outgoing interface name (for sockets bound to a device). */
  oif?: string | undefined;
  /** Default 'to_tbl'; a `goto` target implies 'goto'. */
  action?: Exclude<RuleAction, 'unspec'> | 'lookup' | undefined;
  /** FR_ACT_GOTO: the priority of the rule to jump to. */
  goto?: number | undefined;
  /** TOS / DSCP field to match. */
  tos?: number | undefined;
  /** Look up the table of the VRF (l3mdev) the packet's device belongs to. */
  l3mdev?: boolean | undefined;
  /** UID range of the socket's owner: { start, end } or 'start-end'. */
  uidrange?:
    | {
        /** The first UID. */
        start: number;
        /** The last UID, inclusive. */
        end: number;
      }
    | string
    | undefined;
  /** IP protocol: a number or a name ('tcp', 'udp', 'icmp', 'ipv6-icmp', …). */
  ipproto?: number | string | undefined;
  /** Source port or range: 80, { start: 1000, end: 2000 } or '1000-2000'. */
  sport?: PortRange | string | undefined;
  /** Destination port or range, like sport. */
  dport?: PortRange | string | undefined;
  /** Who installed the rule (FRA_PROTOCOL): a number or a rt_protos name. */
  protocol?: number | string | undefined;
  /** `suppress_prefixlength N`: reject lookup results with a prefix this short or shorter. */
  suppressPrefixlength?: number | undefined;
  /** `suppress_ifgroup N`: reject lookup results through devices of this group. */
  suppressIfgroup?: number | undefined;
  /** `realms`: FRA_FLOW, the route realm (to | from << 16). */
  realms?: number | undefined;
}

/** What rule.list() returns. */
export interface Rule {
  /** 4 or 6. */
  family: 4 | 6;
  /** The rule's preference (FRA_PRIORITY): rules are tried in increasing order. */
  priority: number;
  /** Prefixes in CIDR form; absent = any (`from all`). */
  from?: string;
  /** The destination prefix in CIDR form; absent = any. */
  to?: string;
  /** The selector is inverted (`not`). */
  not?: boolean;
  /** The table looked up; absent when the action needs none (blackhole, goto …). */
  table?: number;
  /** The firewall mark matched (FRA_FWMARK). */
  fwmark?: number;
  /** The mask applied to the mark (FRA_FWMASK). */
  fwmask?: number;
  /** The incoming interface matched (FRA_IIFNAME). */
  iif?: string;
  /** The outgoing interface matched (FRA_OIFNAME). */
  oif?: string;
  /** What a match does ('to_tbl' = `lookup TABLE`). */
  action: RuleAction;
  /** The priority of the rule a `goto` jumps to (FRA_GOTO). */
  goto?: number;
  /** The TOS matched. */
  tos?: number;
  /** Looks up the table of the packet's VRF (FRA_L3MDEV). */
  l3mdev?: boolean;
  /** The socket owner's UID range (FRA_UID_RANGE). */
  uidrange?: {
    /** The first UID. */
    start: number;
    /** The last UID, inclusive. */
    end: number;
  };
  /** The IP protocol matched, as a name where known (FRA_IP_PROTO). */
  ipproto?: string;
  /** The source port or range (FRA_SPORT_RANGE). */
  sport?: PortRange;
  /** The destination port or range (FRA_DPORT_RANGE). */
  dport?: PortRange;
  /** Who installed the rule (FRA_PROTOCOL), as a rt_protos name or a number. */
  protocol?: string;
  /** `suppress_prefixlength`: lookup results with a prefix this short or shorter are rejected. */
  suppressPrefixlength?: number;
  /** `suppress_ifgroup`: lookup results through devices of this group are rejected. */
  suppressIfgroup?: number;
  /** The route realm (FRA_FLOW). */
  realms?: number;
  /** The iif device does not exist (FIB_RULE_IIF_DETACHED). */
  iifDetached?: boolean;
  /** The oif device does not exist (FIB_RULE_OIF_DETACHED). */
  oifDetached?: boolean;
  /** A goto whose target rule does not exist (FIB_RULE_UNRESOLVED). */
  unresolved?: boolean;
}

/**
 * What rule.list takes (`ip rule show [-4|-6] [priority P] [table T] [from P] [to P] [iif D] [oif D]
 * [fwmark M[/M]] [tos T] [not]`); absent fields do not filter, and a field not listed here is refused.
 */
export interface RuleFilter {
  /** Only IPv4 (4) or IPv6 (6) rules; default both. */
  family?: 4 | 6 | undefined;
  /** Only rules looking up this table (number or name). */
  table?: number | string | undefined;
  /** Only the rule(s) with this priority. */
  priority?: number | undefined;
  /**
   * Only rules whose source prefix lies inside this one (`ip rule show from 10.0.0.0/8` lists
   * `from 10.1.0.0/16` too; a rule `from all` only for a /0); 'all' does not filter.
   */
  from?: string | undefined;
  /** Only rules whose destination prefix lies inside this one, like `from`. */
  to?: string | undefined;
  /** Only rules matching this incoming interface name. */
  iif?: string | undefined;
  /** Only rules matching this outgoing interface name. */
  oif?: string | undefined;
  /** Only rules with this firewall mark (0: none): a number or 'MARK/MASK' text, which filters the mask too. */
  fwmark?: number | string | undefined;
  /** Only rules with this mark mask (a mark given without one reads 0xffffffff). */
  fwmask?: number | undefined;
  /** Only rules matching this TOS (0: none). */
  tos?: number | undefined;
  /** true: only inverted (`not`) rules; false: only the others. */
  not?: boolean | undefined;
}
