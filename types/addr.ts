// The public data model of interface addresses (≈ `ip address`). See ../shared/API.md.

/**
 * IFA_F_* flag names as ip prints them (camelCase: 'stable-privacy' → 'stablePrivacy'): like ip,
 * 'dynamic' stands for a clear IFA_F_PERMANENT, and 'permanent' is not listed.
 */
export type AddrFlag =
  | 'secondary'
  | 'temporary'
  | 'nodad'
  | 'optimistic'
  | 'dadfailed'
  | 'home'
  | 'deprecated'
  | 'tentative'
  | 'dynamic'
  | 'mngtmpaddr'
  | 'noprefixroute'
  | 'autojoin'
  | 'stablePrivacy'
  | (string & {});

/** Address scope names ('global', 'site', 'link', 'host', 'nowhere'; rt_scopes names; or a number). */
export type AddrScope = 'global' | 'universe' | 'site' | 'link' | 'host' | 'nowhere' | (string & {});

/** A lifetime in seconds, or 'forever' (the default). */
export type Lifetime = number | 'forever';

/** What addr.add takes (`ip address add ADDRESS/PREFIX dev DEV …`). */
export interface AddrSpec {
  /** Device name or index. */
  dev: string | number;
  /** '10.0.0.1/24', '2001:db8::1/64'; without a prefix length, a host prefix (/32, /128). */
  address: string;
  /** Point-to-point peer prefix ('10.0.0.2/32'): IFA_ADDRESS becomes the peer. */
  peer?: string | undefined;
  /** IPv4 broadcast address, or '+' (host bits set) / '-' (host bits clear) as ip computes them. */
  broadcast?: string | undefined;
  /** IPv4 label (at most 15 bytes; by convention DEV or DEV:N). */
  label?: string | undefined;
  /** Default 'host' for 127.0.0.0/8, else 'global' (as ip). */
  scope?: AddrScope | number | undefined;
  /** `valid_lft`: seconds the address stays valid, or 'forever' (IFA_CACHEINFO). */
  validLft?: Lifetime | undefined;
  /**
   * `preferred_lft`: seconds the address stays preferred as a source, or 'forever'; 0 deprecates it
   * (IFA_CACHEINFO).
   */
  preferredLft?: Lifetime | undefined;
  /** Do not add the prefix route (IFA_F_NOPREFIXROUTE). */
  noprefixroute?: boolean | undefined;
  /** IPv6: skip duplicate address detection (IFA_F_NODAD). */
  nodad?: boolean | undefined;
  /** IPv6: optimistic DAD (IFA_F_OPTIMISTIC). */
  optimistic?: boolean | undefined;
  /** IPv6: home address (IFA_F_HOMEADDRESS). */
  home?: boolean | undefined;
  /** IPv6: manage temporary addresses from this prefix (IFA_F_MANAGETEMPADDR). */
  mngtmpaddr?: boolean | undefined;
  /** Join the multicast group of a multicast address (IFA_F_MCAUTOJOIN). */
  autojoin?: boolean | undefined;
  /** Metric of the prefix route (IFA_RT_PRIORITY). */
  metric?: number | undefined;
  /**
   * Address protocol (IFA_PROTO): a number or 'kernel_lo', 'kernel_ra', 'kernel_ll' (or a number in
   * a string, as a read Addr gives a protocol without a name).
   */
  proto?: number | string | undefined;
  /**
   * IPv6: resolve only once duplicate address detection has finished (the address is no longer
   * tentative); a failed DAD rejects with code 'EDADFAILED'. Ignored for IPv4 and with nodad.
   */
  waitDad?: boolean | undefined;
  /** How long waitDad waits, in ms (default 10000); then it rejects with code 'ETIMEDOUT'. */
  dadTimeout?: number | undefined;
}

/** What addr.list returns. */
export interface Addr {
  /** The device's name. */
  dev: string;
  /** The device's ifindex. */
  index: number;
  /** 4 or 6. */
  family: 4 | 6;
  /** The interface's own address (IFA_LOCAL, else IFA_ADDRESS). */
  address: string;
  /** The prefix length. */
  prefixlen: number;
  /** `${address}/${prefixlen}` */
  cidr: string;
  /** IFA_LOCAL where the kernel sent it (IPv4 always). */
  local?: string;
  /** The point-to-point peer (IFA_ADDRESS where it differs from IFA_LOCAL), as a prefix. */
  peer?: string;
  /** The IPv4 broadcast address (IFA_BROADCAST). */
  broadcast?: string;
  /** An IPv6 anycast address (IFA_ANYCAST). */
  anycast?: string;
  /** The IPv4 label (IFA_LABEL), e.g. `eth0:1`. */
  label?: string;
  /** The scope name ('global', 'link', 'host', …). */
  scope: AddrScope;
  /** IFA_F_* names, as `ip address` prints them. */
  flags: AddrFlag[];
  /** Seconds, or 'forever'. */
  validLft?: Lifetime;
  /** Seconds the address stays preferred, or 'forever'. */
  preferredLft?: Lifetime;
  /** Metric of the prefix route (IFA_RT_PRIORITY). */
  metric?: number;
  /** Who added the address (IFA_PROTO), where set: 'kernel_lo', 'kernel_ra', 'kernel_ll' or a number. */
  proto?: string;
}

/** What addr.list takes (`ip address show [dev DEV] [-4|-6]`); absent fields do not filter. */
export interface AddrFilter {
  /** Only addresses on this device (name or index). */
  dev?: string | number | undefined;
  /** Only IPv4 (4) or IPv6 (6) addresses. */
  family?: 4 | 6 | undefined;
}

/** What addr.del takes (`ip address del ADDRESS dev DEV`). */
export interface AddrDelSpec {
  /** The device (name or index). */
  dev: string | number;
  /** '10.0.0.1/24'; an IPv4 address without a prefix length deletes that address whatever its prefix (as ip). */
  address: string;
  /** The point-to-point peer of the address to delete, where it has one. */
  peer?: string | undefined;
  /** The IPv4 label of the address to delete. */
  label?: string | undefined;
}

/** What addr.flush takes (`ip address flush dev DEV [-4|-6]`). */
export interface AddrFlushSpec {
  /** The device whose addresses go (name or index). */
  dev: string | number;
  /** Only IPv4 (4) or IPv6 (6) addresses; default both. */
  family?: 4 | 6 | undefined;
}
