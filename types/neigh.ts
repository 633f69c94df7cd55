// The public data model of neighbours (≈ `ip neigh`) and bridge forwarding entries
// (≈ `bridge fdb`). See ../shared/API.md ("neigh, fdb, rule").

/** NUD_* states of <linux/neighbour.h>, as `ip neigh … nud STATE` names them. */
export type NeighState =
  'none' | 'incomplete' | 'reachable' | 'stale' | 'delay' | 'probe' | 'failed' | 'noarp' | 'permanent';

/**
 * NTF_* flags of <linux/neighbour.h> (plus NTF_EXT_MANAGED from NDA_FLAGS_EXT), spelled as
 * `ip neigh` and `bridge fdb` print them.
 */
export type NeighFlag =
  'use' | 'self' | 'master' | 'proxy' | 'extern_learn' | 'offload' | 'sticky' | 'router' | 'managed';

/** What `ip neigh add|replace|del` takes. */
export interface NeighSpec {
  /** The device the neighbour is on (name or index). */
  dev: string | number;
  /** The neighbour's protocol address, IPv4 or IPv6 (this picks the family). */
  dst: string;
  /**
   * Its link-layer address, as `ip neigh … lladdr` takes it: colon hex `aa:bb:cc:dd:ee:ff` (1 to 32
   * bytes, a byte of one digit or more: `2:0:0:0:0:1`; the kernel refuses fewer than the device's
   * and keeps its first ones of more), or, on an IP tunnel (gre, ipip, sit: NHRP/DMVPN style), the
   * peer's underlay address as a dotted quad `192.0.2.1`. Beyond `ip`, so that a read entry is taken
   * back: IPv6 text (an ip6gre or ip6tnl neighbour's 16 bytes; text that is colon hex as well, such
   * as `1:2:3:4:5:6:7:8`, is colon hex) and '' (no bytes). Not needed for del, noarp-less proxies
   * or failed entries.
   */
  lladdr?: string | undefined;
  /** NUD state; `add`/`replace` default to 'permanent' as `ip neigh` does. */
  state?: NeighState | undefined;
  /** A proxy entry (`ip neigh add proxy ADDR dev DEV`): answered for, not resolved. */
  proxy?: boolean | undefined;
  /** NTF_ROUTER: the neighbour is a router (IPv6). */
  router?: boolean | undefined;
  /** NTF_EXT_LEARNED: learned by an external control plane. */
  externLearn?: boolean | undefined;
  /** NTF_USE: mark the entry used, triggering resolution. */
  use?: boolean | undefined;
  /** NTF_EXT_MANAGED: the kernel keeps it resolved (state defaults to 'none', as in `ip neigh`). */
  managed?: boolean | undefined;
  /** NDA_PROTOCOL: who installed the entry (a route protocol number or name, e.g. 'static'). */
  protocol?: string | number | undefined;
  /** Flag names as a read returns them, OR'd with the booleans above (so a read entry can be re-added). */
  flags?: NeighFlag[] | undefined;
}

/** What neigh.list() returns: one entry of the ARP / NDISC tables. */
export interface Neigh {
  /** 4 (ARP) or 6 (NDISC). */
  family: 4 | 6;
  /** Device name ('if<N>' when the link vanished meanwhile). */
  dev: string;
  /** The device's ifindex. */
  index: number;
  /** The neighbour's protocol address (NDA_DST). */
  dst: string;
  /**
   * Its link-layer address (NDA_LLADDR), where known, as `ip neigh` prints it by the device's
   * hardware type: colon hex (`aa:bb:cc:dd:ee:ff`, whatever its length; '' where the device has no
   * address, e.g. tun), but on an IPv4 tunnel (ipip, gre, sit) its 4 bytes as an IPv4 address and on
   * an IPv6 tunnel (ip6tnl, ip6gre) its 16 as an IPv6 address (the peer's underlay address).
   */
  lladdr?: string;
  /** The NUD state. */
  state: NeighState;
  /** NTF_* names. */
  flags: NeighFlag[];
  /** Who installed the entry (NDA_PROTOCOL), where set. */
  protocol?: string;
  /** NDA_PROBES: probes sent so far. */
  probes?: number;
  /** NDA_CACHEINFO, in clock ticks (USER_HZ) as the kernel reports them. */
  cacheinfo?: {
    /** Ticks since the neighbour last confirmed it was reachable. */
    confirmed: number;
    /** Ticks since the entry was last used. */
    used: number;
    /** Ticks since the entry last changed. */
    updated: number;
    /** References the kernel holds to the entry. */
    refcnt: number;
  };
}

/**
 * What neigh.list takes (`ip neigh show [dev DEV] [master M] [nud STATE] [proxy]`); absent fields do not
 * filter.
 */
export interface NeighFilter {
  /** Only entries on this device (filtered by the kernel). */
  dev?: string | number | undefined;
  /** Only entries on ports of this master, e.g. a bridge or VRF (filtered by the kernel). */
  master?: string | number | undefined;
  /** Only ARP (4) or NDISC (6) entries. */
  family?: 4 | 6 | undefined;
  /** Only entries in these states ('none' matches NUD_NONE). Default: every state (`nud all`). */
  state?: NeighState | NeighState[] | undefined;
  /** List the proxy entries instead (`ip neigh show proxy`). */
  proxy?: boolean | undefined;
}

/** Bridge FDB entry states as `bridge fdb` names them (NUD_PERMANENT, NUD_NOARP, NUD_REACHABLE, NUD_STALE). */
export type FdbState = 'permanent' | 'static' | 'dynamic' | 'stale';

/** What `bridge fdb add|append|replace|del` takes. */
export interface FdbSpec {
  /** The port (or VXLAN device) the entry points at. */
  dev: string | number;
  /** The MAC address; '00:00:00:00:00:00' with `dst` is a VXLAN flood (BUM) entry. */
  lladdr: string;
  /** VXLAN: the remote VTEP's IP address (NDA_DST). */
  dst?: string | undefined;
  /** VXLAN: the remote's UDP port (NDA_PORT). */
  port?: number | undefined;
  /** VXLAN: the remote's VNI (NDA_VNI), 0..2^24-1. */
  vni?: number | undefined;
  /** VXLAN collect-metadata: the source VNI (NDA_SRC_VNI). */
  srcVni?: number | undefined;
  /** Bridge: the VLAN (NDA_VLAN), 1..4094. */
  vlan?: number | undefined;
  /** VXLAN: the outgoing device towards the remote (NDA_IFINDEX, `via DEV`). */
  via?: string | number | undefined;
  /** VXLAN: a nexthop group id (NDA_NH_ID) instead of dst/port/vni. */
  nhid?: number | undefined;
  /** NTF_SELF: the device's own table (the default when neither self nor master is given). */
  self?: boolean | undefined;
  /** NTF_MASTER: the master bridge's table. */
  master?: boolean | undefined;
  /** `permanent` (`local`): NUD_PERMANENT, the default. */
  permanent?: boolean | undefined;
  /** `static` (`temp`): NUD_NOARP|NUD_REACHABLE — not aged, not local. */
  static?: boolean | undefined;
  /** `dynamic`: NUD_REACHABLE — ages out like a learned entry. */
  dynamic?: boolean | undefined;
  /** NTF_ROUTER. */
  router?: boolean | undefined;
  /** NTF_USE. */
  use?: boolean | undefined;
  /** NTF_EXT_LEARNED. */
  externLearn?: boolean | undefined;
  /** NTF_STICKY: the entry cannot roam. */
  sticky?: boolean | undefined;
}

/** What fdb.list() returns (like `bridge -j fdb show`). */
export interface Fdb {
  /** Port / device name ('if<N>' when the link vanished meanwhile). */
  dev: string;
  /** The port's / device's ifindex. */
  index: number;
  /** The MAC address. */
  lladdr: string;
  /** The remote VTEP (NDA_DST) of a VXLAN entry. */
  dst?: string;
  /** The remote UDP port (NDA_PORT) of a VXLAN entry, where it differs from the device's. */
  port?: number;
  /** The VNI (NDA_VNI) of a VXLAN entry, where it differs from the device's. */
  vni?: number;
  /** The source VNI (NDA_SRC_VNI) of a collect-metadata VXLAN entry. */
  srcVni?: number;
  /** The VLAN (NDA_VLAN) of a bridge entry. */
  vlan?: number;
  /** NDA_IFINDEX: the outgoing device name (VXLAN `via`), or its index when it lives in another namespace. */
  via?: string | number;
  /** The nexthop group (NDA_NH_ID) the entry points at. */
  nhid?: number;
  /** The master bridge's name (NDA_MASTER). */
  master?: string;
  /** The namespace id of the `via` device, when it lives in another namespace. */
  linkNetnsId?: number;
  /** permanent (local), static, dynamic (learned, ageing) or stale. */
  state: FdbState;
  /** NTF_* names: 'self' (the device's own table), 'master' (the bridge's), 'extern_learn', 'sticky', … */
  flags: NeighFlag[];
}

/**
 * What fdb.list takes (`bridge fdb show [br BR] [brport DEV] [vlan VID] [state S]`); absent fields do not
 * filter.
 */
export interface FdbFilter {
  /** Only entries of this port / device (`bridge fdb show brport DEV`; filtered by the kernel). */
  dev?: string | number | undefined;
  /** Only entries of this bridge (`bridge fdb show br BR`; filtered by the kernel). */
  master?: string | number | undefined;
  /** Only entries of this VLAN. */
  vlan?: number | undefined;
  /** Only entries in these states. */
  state?: FdbState | FdbState[] | undefined;
}
