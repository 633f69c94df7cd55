// The public data model of routes (≈ `ip route`). See ../shared/API.md.
import type { NetlinkError } from '../lib/core/errors.js';

/** rtm_type names. */
export type RouteType =
  | 'unicast'
  | 'local'
  | 'broadcast'
  | 'anycast'
  | 'multicast'
  | 'blackhole'
  | 'unreachable'
  | 'prohibit'
  | 'throw'
  | 'nat'
  | 'xresolve'
  | 'unspec';

/** Well-known protocol names (RTPROT_*); /etc/iproute2/rt_protos may add more, and numbers are taken too. */
export type RouteProtocol =
  | 'unspec'
  | 'redirect'
  | 'kernel'
  | 'boot'
  | 'static'
  | 'gated'
  | 'ra'
  | 'mrt'
  | 'zebra'
  | 'bird'
  | 'babel'
  | 'dnrouted'
  | 'xorp'
  | 'ntk'
  | 'dhcp'
  | 'keepalived'
  | 'bgp'
  | 'isis'
  | 'ospf'
  | 'rip'
  | 'eigrp'
  | (string & {});

/** Scope names; 'universe' is accepted for 'global' (reads say 'global', as ip does). */
export type RouteScope = 'global' | 'universe' | 'site' | 'link' | 'host' | 'nowhere' | (string & {});

/** A table: a number, or a name ('main', 'local', 'default', or one from rt_tables). */
export type RouteTable = number | 'main' | 'local' | 'default' | (string & {});

/**
 * A gateway: an address of the route's family (RTA_GATEWAY), or an address of the other family
 * written `{ inet6: 'fe80::1' }` (RTA_VIA, an IPv4 route through an IPv6 gateway).
 */
export type RouteVia =
  | string
  | {
      /** An IPv6 gateway of an IPv4 route (RTA_VIA). */
      inet6: string;
    }
  | {
      /** An IPv4 gateway of an IPv6 route (RTA_VIA). */
      inet: string;
    };

/** One path of a multipath route (struct rtnexthop in RTA_MULTIPATH). */
export interface RouteNexthop {
  /** `via ADDRESS`: this path's gateway. */
  via?: RouteVia | undefined;
  /** Device name or index; reads give the name (and `index`). */
  dev?: string | number | undefined;
  /** 1..256 (rtnh_hops + 1); reads always give it. */
  weight?: number | undefined;
  /** `onlink`: the gateway is on the link even without a matching prefix (RTNH_F_ONLINK). */
  onlink?: boolean | undefined;
  /** Read only: the nexthop's device index. */
  index?: number | undefined;
  /** Read only: RTNH_F_* names other than onlink ('dead', 'linkdown', 'offload', …). */
  flags?: string[] | undefined;
  /** Attributes of this path this package does not model (RTA_ENCAP…), kept raw and re-emitted. */
  unknown?:
    | {
        /** The attribute type number (RTA_*). */
        type: number;
        /** Its payload. */
        data: Buffer;
      }[]
    | undefined;
}

/** RTA_METRICS values other than the ones with their own field (mtu, advmss, hoplimit, initcwnd, initrwnd). */
export interface RouteMetrics {
  /** RTAX_LOCK: bit mask of locked metrics (1 << RTAX_*). */
  lock?: number | undefined;
  /** `window`: the largest TCP window to advertise (RTAX_WINDOW). */
  window?: number | undefined;
  /** `rtt`: the initial RTT estimate (RTAX_RTT). */
  rtt?: number | undefined;
  /** `rttvar`: the initial RTT variance (RTAX_RTTVAR). */
  rttvar?: number | undefined;
  /** `ssthresh`: the initial slow-start threshold (RTAX_SSTHRESH). */
  ssthresh?: number | undefined;
  /** `cwnd`: the congestion window clamp (RTAX_CWND). */
  cwnd?: number | undefined;
  /** `reordering`: the initial reordering level (RTAX_REORDERING). */
  reordering?: number | undefined;
  /** `features`: RTAX_FEATURE_* bits, e.g. ECN (RTAX_FEATURES). */
  features?: number | undefined;
  /** `rto_min`: the smallest TCP retransmission timeout (RTAX_RTO_MIN). */
  rtoMin?: number | undefined;
  /** `quickack`: disable delayed ACKs (RTAX_QUICKACK). */
  quickack?: number | undefined;
  /** Congestion control algorithm name. */
  ccAlgo?: string | undefined;
  /** `fastopen_no_cookie`: TCP Fast Open without a cookie (RTAX_FASTOPEN_NO_COOKIE). */
  fastopenNoCookie?: number | undefined;
}

/** What route.add / replace / del take (`ip route add …`). */
export interface RouteSpec {
  /** '10.0.0.0/24', '192.168.1.60' (a host prefix), 'default' (the zero prefix), IPv6 likewise. */
  dst: string;
  /** 4 or 6; follows from the addresses, needed only for `dst: 'default'` without any other address. */
  family?: 4 | 6 | undefined;
  /** `via ADDRESS`: the gateway (RTA_GATEWAY, or RTA_VIA for a gateway of the other family). */
  via?: RouteVia | undefined;
  /** Output device: a name or an index. */
  dev?: string | number | undefined;
  /** Preferred source address (RTA_PREFSRC, `ip route … src`). */
  src?: string | undefined;
  /** Default 'main' ('local' for local/broadcast/anycast/nat types, as ip does). */
  table?: RouteTable | undefined;
  /** `metric N` (`preference`): the route's priority, lower wins (RTA_PRIORITY). */
  metric?: number | undefined;
  /** Default 'boot' on add/replace, as ip does. */
  protocol?: RouteProtocol | number | undefined;
  /** Default as ip: 'host' for local, 'link' for direct unicast routes via a device, else 'global'. */
  scope?: RouteScope | number | undefined;
  /** Default 'unicast'. */
  type?: RouteType | undefined;
  /** RTAX_MTU in RTA_METRICS. */
  mtu?: number | undefined;
  /** RTAX_ADVMSS in RTA_METRICS. */
  advmss?: number | undefined;
  /** RTAX_HOPLIMIT in RTA_METRICS. */
  hoplimit?: number | undefined;
  /** RTAX_INITCWND in RTA_METRICS. */
  initcwnd?: number | undefined;
  /** RTAX_INITRWND in RTA_METRICS. */
  initrwnd?: number | undefined;
  /** Other RTA_METRICS values. */
  metrics?: RouteMetrics | undefined;
  /** The gateway is on the link even if it does not match a prefix (RTNH_F_ONLINK). */
  onlink?: boolean | undefined;
  /** A multipath route (`nexthop via … weight …` repeated). */
  nexthops?: RouteNexthop[] | undefined;
  /** Use nexthop object `id` (`ip route add … nhid N`). */
  nhid?: number | undefined;
  /** Type of service (rtm_tos). */
  tos?: number | undefined;
  /** IPv6 router preference (RTA_PREF): 'low', 'medium', 'high'. */
  pref?: 'low' | 'medium' | 'high' | undefined;
  /** Source prefix (RTA_SRC, `ip route add … from PREFIX`, IPv6 subtrees). */
  from?: string | undefined;
  /** Route realm(s) (RTA_FLOW). */
  realm?: number | undefined;
  /** IPv6 route lifetime in seconds (RTA_EXPIRES). */
  expires?: number | undefined;
  /** Attributes this package does not model, kept raw (as a Route read back carries them) and re-emitted. */
  unknown?:
    | {
        /** The attribute type number (RTA_*). */
        type: number;
        /** Its payload. */
        data: Buffer;
      }[]
    | undefined;
}

/** What list / dump / get return. */
export interface Route {
  /** Always CIDR ('192.168.1.60/32'); 'default' for the zero prefix. */
  dst: string;
  /** 4 or 6. */
  family: 4 | 6;
  /** The table id (254 = main, 255 = local). */
  table: number;
  /** The route type ('unicast', 'local', 'blackhole', …). */
  type: RouteType;
  /** Who installed it ('kernel', 'boot', 'static', a rt_protos name, …). */
  protocol: RouteProtocol;
  /** The scope ('global', 'link', 'host', …). */
  scope: RouteScope;
  /** Output device name (absent when the device is unknown to the reader). */
  dev?: string;
  /** Output device index. */
  index?: number;
  /** The gateway, where there is one. */
  via?: RouteVia;
  /** The preferred source address (RTA_PREFSRC). */
  src?: string;
  /** The priority (RTA_PRIORITY). */
  metric?: number;
  /** RTAX_MTU, where set. */
  mtu?: number;
  /** RTAX_ADVMSS, where set. */
  advmss?: number;
  /** RTAX_HOPLIMIT, where set. */
  hoplimit?: number;
  /** RTAX_INITCWND, where set. */
  initcwnd?: number;
  /** RTAX_INITRWND, where set. */
  initrwnd?: number;
  /** The other RTA_METRICS values, where set. */
  metrics?: RouteMetrics;
  /** RTNH_F_ONLINK is set. */
  onlink?: boolean;
  /** The paths of a multipath route, each with its weight. */
  nexthops?: RouteNexthop[];
  /** The nexthop object the route uses (RTA_NH_ID). */
  nhid?: number;
  /** The TOS the route matches. */
  tos?: number;
  /** IPv6 router preference (RTA_PREF). */
  pref?: 'low' | 'medium' | 'high';
  /** The source prefix (RTA_SRC) of an IPv6 source-specific route. */
  from?: string;
  /** The route realm(s) (RTA_FLOW). */
  realm?: number;
  /** Seconds left before the route expires (IPv6 routes from RAs, `expires N`). */
  expires?: number;
  /** Input device (route.get with `iif`): its name, or the index when unknown. */
  iif?: string | number;
  /** Firewall mark of the flow (route.get). */
  mark?: number;
  /** UID of the flow (route.get). */
  uid?: number;
  /** rtm_flags and RTNH_F_* names other than onlink ('cloned', 'linkdown', 'dead', 'offload', …). */
  flags?: string[];
  /** Attributes this package does not model, as they came. */
  unknown?: {
    /** The attribute type number (RTA_*). */
    type: number;
    /** Its payload. */
    data: Buffer;
  }[];
}

/** route.list / route.dump filter; absent fields do not filter. */
export interface RouteFilter {
  /** Default 'main' (like `ip route show`); 'all' for every table. */
  table?: RouteTable | 'all' | undefined;
  /** Only IPv4 (4) or IPv6 (6) routes; default both. */
  family?: 4 | 6 | undefined;
  /**
   * Only routes through this device (name or index; filtered by the kernel): a multipath route
   * with a nexthop on it too, which `ip route show dev DEV` leaves out (it keeps RTA_OIF matches).
   */
  dev?: string | number | undefined;
  /** Only routes of this protocol (`proto P`; filtered by the kernel). */
  protocol?: RouteProtocol | number | undefined;
  /** Only routes of this type (`type T`; filtered by the kernel). */
  type?: RouteType | undefined;
  /** Only routes of this scope. */
  scope?: RouteScope | number | undefined;
}

/** route.get options (`ip route get DST from SRC oif DEV iif DEV …`). */
export interface RouteGetOptions {
  /** Source address of the flow (RTA_SRC). */
  src?: string | undefined;
  /** `oif DEV`: the output device (name or index). */
  oif?: string | number | undefined;
  /** `iif DEV`: look up as if the packet arrived on this device (name or index). */
  iif?: string | number | undefined;
  /** Look the destination up in this table only (RTA_TABLE). */
  table?: RouteTable | undefined;
  /** Firewall mark of the flow. */
  mark?: number | undefined;
  /** Return the FIB entry that matched (`ip route get … fibmatch`) rather than the resolved route. */
  fibmatch?: boolean | undefined;
  /** Aborts the request. */
  signal?: AbortSignal | undefined;
}

/** One spec that failed in a bulk operation. */
export interface BulkFailure<S = RouteSpec> {
  /** Its position in the input (0-based). */
  index: number;
  /** The spec as it was given. */
  spec: S;
  /** The kernel's refusal, or a TypeError/RangeError naming the field when the spec itself was malformed (never sent). */
  error: NetlinkError | TypeError | RangeError;
}

/** route.addMany / replaceMany / delMany: every spec is either counted in `ok` or listed in `failed`. */
export interface BulkResult<S = RouteSpec> {
  /** How many specs the kernel accepted. */
  ok: number;
  /** The specs that failed, each with its index and error. */
  failed: BulkFailure<S>[];
  /** True when the signal stopped the operation before every spec was sent; `ok + failed.length` then counts only what was. */
  aborted?: boolean;
}

/** Options of route.addMany / replaceMany / delMany. */
export interface BulkOptions {
  /**
   * Called as confirmations arrive (at most once per event-loop turn): done so far, and the total
   * when known (arrays). Each `done` is reported once, the last (every spec done) exactly once.
   */
  onProgress?: ((done: number, total?: number) => void) | undefined;
  /**
   * Stops sending, also while an async source is still producing its next spec (its return() is
   * called, so a generator's finally runs); rejects with an AbortError whose `result` reports what
   * was confirmed.
   */
  signal?: AbortSignal | undefined;
  /** Most specs sent or encoded and awaiting their ACK at once (default 4,096). */
  window?: number | undefined;
}
