// The public data model of interface addresses (≈ `ip address`). See ../shared/API.md.

/**
 * IFA_F_* flag names as ip prints them (camelCase: 'stable-privacy' → 'stablePrivacy'): like ip,
 * 'dynamic' stands for a clear IFA_F_PERMANENT, and 'permanent' is not listed.
 */
export type AddrFlag =
  | 'secondary' | 'temporary' | 'nodad' | 'optimistic' | 'dadfailed' | 'home' | 'deprecated' | 'tentative'
  | 'dynamic' | 'mngtmpaddr' | 'noprefixroute' | 'autojoin' | 'stablePrivacy' | (string & {});

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
  peer?: string;
  /** IPv4 broadcast address, or '+' (host bits set) / '-' (host bits clear) as ip computes them. */
  broadcast?: string;
  /** IPv4 label (at most 15 bytes; by convention DEV or DEV:N). */
  label?: string;
  /** Default 'host' for 127.0.0.0/8, else 'global' (as ip). */
  scope?: AddrScope | number;
  validLft?: Lifetime;
  preferredLft?: Lifetime;
  /** Do not add the prefix route (IFA_F_NOPREFIXROUTE). */
  noprefixroute?: boolean;
  /** IPv6: skip duplicate address detection (IFA_F_NODAD). */
  nodad?: boolean;
  /** IPv6: optimistic DAD (IFA_F_OPTIMISTIC). */
  optimistic?: boolean;
  /** IPv6: home address (IFA_F_HOMEADDRESS). */
  home?: boolean;
  /** IPv6: manage temporary addresses from this prefix (IFA_F_MANAGETEMPADDR). */
  mngtmpaddr?: boolean;
  /** Join the multicast group of a multicast address (IFA_F_MCAUTOJOIN). */
  autojoin?: boolean;
  /** Metric of the prefix route (IFA_RT_PRIORITY). */
  metric?: number;
  /** Address protocol (IFA_PROTO): a number or 'kernel_lo', 'kernel_ra', 'kernel_ll'. */
  proto?: number | string;
  /**
   * IPv6: resolve only once duplicate address detection has finished (the address is no longer
   * tentative); a failed DAD rejects with code 'EDADFAILED'. Ignored for IPv4 and with nodad.
   */
  waitDad?: boolean;
  /** How long waitDad waits, in ms (default 10000); then it rejects with code 'ETIMEDOUT'. */
  dadTimeout?: number;
}

/** What addr.list returns. */
export interface Addr {
  dev: string;
  index: number;
  family: 4 | 6;
  /** The interface's own address (IFA_LOCAL, else IFA_ADDRESS). */
  address: string;
  prefixlen: number;
  /** `${address}/${prefixlen}` */
  cidr: string;
  /** IFA_LOCAL where the kernel sent it (IPv4 always). */
  local?: string;
  /** The point-to-point peer (IFA_ADDRESS where it differs from IFA_LOCAL), as a prefix. */
  peer?: string;
  broadcast?: string;
  anycast?: string;
  label?: string;
  scope: AddrScope;
  flags: AddrFlag[];
  /** Seconds, or 'forever'. */
  validLft?: Lifetime;
  preferredLft?: Lifetime;
  /** Metric of the prefix route (IFA_RT_PRIORITY). */
  metric?: number;
  proto?: string;
}

export interface AddrFilter {
  dev?: string | number;
  family?: 4 | 6;
}

export interface AddrDelSpec {
  dev: string | number;
  /** '10.0.0.1/24'; an IPv4 address without a prefix length deletes that address whatever its prefix (as ip). */
  address: string;
  peer?: string;
  label?: string;
}

export interface AddrFlushSpec {
  dev: string | number;
  family?: 4 | 6;
}
