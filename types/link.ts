// The public data model of links (≈ `ip link`). Kind fields sit flat beside the common ones;
// LinkSpec is discriminated on `type`. See ../shared/API.md.

/** Fields every link has, on add and on read. */
export interface LinkCommon {
  /** Interface name, at most 15 bytes, no '/', ':' or whitespace. */
  name: string;
  mtu?: number;
  /** MAC address `aa:bb:cc:dd:ee:ff`. */
  address?: string;
  /** Bring the link up (add / set), or whether it is up (read). */
  up?: boolean;
  /** Master device (a bridge, a bond…): a name or an index; reads give the index. */
  master?: string | number;
  txqueuelen?: number;
  alias?: string;
  /** Create the link inside another namespace: a name under /run/netns, or a namespace file path / fd object. */
  netns?: string | { path: string } | { fd: number };
}

/** Link statistics (rtnl_link_stats64). */
export interface LinkStats {
  rxPackets: number;
  txPackets: number;
  rxBytes: number;
  txBytes: number;
  rxErrors: number;
  txErrors: number;
  rxDropped: number;
  txDropped: number;
}

export type Operstate = 'unknown' | 'notpresent' | 'down' | 'lowerlayerdown' | 'testing' | 'dormant' | 'up';

export type LinkFlag =
  | 'UP' | 'BROADCAST' | 'DEBUG' | 'LOOPBACK' | 'POINTOPOINT' | 'NOTRAILERS' | 'RUNNING' | 'NOARP'
  | 'PROMISC' | 'ALLMULTI' | 'MASTER' | 'SLAVE' | 'MULTICAST' | 'PORTSEL' | 'AUTOMEDIA' | 'DYNAMIC'
  | 'LOWER_UP' | 'DORMANT' | 'ECHO';

/** What the kernel reports of every link, beside its kind fields. */
export interface LinkState {
  index: number;
  /** IFF_* names, e.g. ['UP', 'BROADCAST', 'LOWER_UP']. */
  flags: LinkFlag[];
  operstate: Operstate;
  broadcast?: string;
  /** Parent link's index (IFLA_LINK), where set. */
  link?: number;
  /** The namespace id (as this namespace knows it) of the parent link, where it lives elsewhere. */
  linkNetnsId?: number;
  stats?: LinkStats;
  /** ARPHRD_* number of the device (1 = ether, 772 = loopback). */
  linkType: number;
  qdisc?: string;
  group?: number;
  minMtu?: number;
  maxMtu?: number;
  permAddress?: string;
  /** For macvtap / ipvtap: the character device a VM opens. */
  tapDevice?: string;
}

/** A link without a kind (a NIC, lo). */
export interface DeviceLink extends LinkCommon, LinkState {
  type: 'device';
}

/** A link of a kind this package does not model: its IFLA_INFO_DATA is kept raw. */
export interface OtherLink extends LinkCommon, LinkState {
  type: 'other';
  kind: string;
  infoData?: Buffer;
}

/** What link.get / link.list return. (Kind-specific variants are added by the kinds table.) */
export type Link = DeviceLink | OtherLink;
