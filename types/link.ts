// The public data model of links (≈ `ip link`). Kind fields sit flat beside the common ones;
// LinkSpec is discriminated on `type`, so the compiler rejects a field a kind does not have and
// asks for the ones it needs. Kind fields are the camelCase of iproute2's option names; numbers
// are in iproute2's units (bridge times in centiseconds, as `ip -d link` prints them). See
// ../shared/API.md.
import type {
  BondOptions, BridgeOptions, BridgeState, GeneveOptions, IpvlanOptions, MacvlanOptions, MacvlanState, TunOptions,
  TunState, VethPeer, VlanOptions, VrfOptions, VxlanOptions,
} from './link-kinds.js';

export type * from './link-kinds.js';

/** A link given by name or by ifindex. */
export type LinkRef = string | number;

/** Another network namespace: a name under /run/netns, a namespace file, or an open descriptor of one. */
export type NetnsRef = string | { path: string } | { fd: number };

/** Fields every link takes on add. */
export interface LinkCommon {
  /** Interface name, at most 15 bytes, no '/', ':' or whitespace. */
  name: string;
  mtu?: number;
  /** MAC address `aa:bb:cc:dd:ee:ff`. */
  address?: string;
  /** Bring the link up. */
  up?: boolean;
  /** Master device (a bridge, a bond…): a name or an index. */
  master?: LinkRef;
  txqueuelen?: number;
  alias?: string;
  /** Create the link inside another namespace. */
  netns?: NetnsRef;
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

/** What the kernel reports of every link, beside its kind fields (read-only: link.add ignores them). */
export interface LinkState {
  index: number;
  /** IFF_* names, e.g. ['UP', 'BROADCAST', 'LOWER_UP']. */
  flags: LinkFlag[];
  operstate: Operstate;
  broadcast?: string;
  /** Parent link's index (IFLA_LINK), where set: a vlan's or macvlan's parent, a veth's peer. */
  link?: number;
  /** The namespace id (as this namespace knows it) where the parent link lives, if elsewhere. */
  linkNetnsId?: number;
  stats?: LinkStats;
  /** ARPHRD_* number of the device (1 = ether, 772 = loopback). */
  linkType: number;
  qdisc?: string;
  /** The device group (IFLA_GROUP; `ip link set … group N`). */
  devGroup?: number;
  minMtu?: number;
  maxMtu?: number;
  permAddress?: string;
  /** Attributes of IFLA_INFO_DATA this package does not model, as they came. */
  unknown?: { type: number; data: Buffer }[];
}

/** The common fields as a read reports them. */
export interface LinkBase extends LinkState {
  name: string;
  /** Whether the link is administratively up (IFF_UP). */
  up: boolean;
  mtu?: number;
  address?: string;
  /** The master's index. */
  master?: number;
  txqueuelen?: number;
  alias?: string;
}

// ---- what link.add takes, per kind ----

export interface BridgeSpec extends LinkCommon, BridgeOptions { type: 'bridge' }
export interface BondSpec extends LinkCommon, BondOptions { type: 'bond' }
export interface TeamSpec extends LinkCommon { type: 'team' }
export interface VlanSpec extends LinkCommon, VlanOptions {
  type: 'vlan';
  /** The parent link (required). */
  link: LinkRef;
}
export interface VxlanSpec extends LinkCommon, VxlanOptions { type: 'vxlan' }
export interface MacvlanSpec extends LinkCommon, MacvlanOptions {
  type: 'macvlan';
  /** The parent link (required). */
  link: LinkRef;
}
export interface MacvtapSpec extends LinkCommon, MacvlanOptions {
  type: 'macvtap';
  /** The parent link (required). */
  link: LinkRef;
}
export interface IpvlanSpec extends LinkCommon, IpvlanOptions {
  type: 'ipvlan';
  /** The parent link (required). */
  link: LinkRef;
}
export interface IpvtapSpec extends LinkCommon, IpvlanOptions {
  type: 'ipvtap';
  /** The parent link (required). */
  link: LinkRef;
}
export interface VethSpec extends LinkCommon {
  type: 'veth';
  /** The other end (required); it may live in another namespace. */
  peer: VethPeer;
}
export interface DummySpec extends LinkCommon { type: 'dummy' }
export interface IfbSpec extends LinkCommon { type: 'ifb' }
export interface VrfSpec extends LinkCommon, VrfOptions { type: 'vrf' }
export interface GeneveSpec extends LinkCommon, GeneveOptions { type: 'geneve' }
/** A WireGuard link (creation only: keys and peers are set over generic netlink). */
export interface WireguardSpec extends LinkCommon { type: 'wireguard' }
/** A tun device, made through /dev/net/tun (always persistent). */
export interface TunSpec extends LinkCommon, TunOptions { type: 'tun' }
/** A tap device, made through /dev/net/tun (always persistent). */
export interface TapSpec extends LinkCommon, TunOptions { type: 'tap' }
/** A kind this package does not model: its IFLA_INFO_KIND string and raw IFLA_INFO_DATA. */
export interface OtherSpec extends LinkCommon {
  type: 'other';
  kind: string;
  infoData?: Buffer;
}

/** What link.add takes: a discriminated union on `type`. */
export type LinkSpec =
  | BridgeSpec | BondSpec | TeamSpec | VlanSpec | VxlanSpec | MacvlanSpec | MacvtapSpec | IpvlanSpec | IpvtapSpec
  | VethSpec | DummySpec | IfbSpec | VrfSpec | GeneveSpec | WireguardSpec | TunSpec | TapSpec | OtherSpec;

/** Every `type` link.add knows. */
export type LinkType = LinkSpec['type'];

// ---- what link.get / link.list return, per kind ----

export interface BridgeLink extends LinkBase, BridgeOptions, BridgeState { type: 'bridge' }
export interface BondLink extends LinkBase, BondOptions { type: 'bond' }
export interface TeamLink extends LinkBase { type: 'team' }
export interface VlanLink extends LinkBase, VlanOptions { type: 'vlan'; link: number }
export interface VxlanLink extends LinkBase, VxlanOptions { type: 'vxlan' }
export interface MacvlanLink extends LinkBase, MacvlanOptions, MacvlanState { type: 'macvlan'; link: number }
export interface MacvtapLink extends LinkBase, MacvlanOptions, MacvlanState {
  type: 'macvtap';
  link: number;
  /** The character device a VM opens: `/dev/tap<ifindex>`. */
  tapDevice: string;
}
export interface IpvlanLink extends LinkBase, IpvlanOptions { type: 'ipvlan'; link: number }
export interface IpvtapLink extends LinkBase, IpvlanOptions {
  type: 'ipvtap';
  link: number;
  /** The character device a VM opens: `/dev/tap<ifindex>`. */
  tapDevice: string;
}
/** A veth end; the kernel reports its peer only as `link` (the peer's index) and `linkNetnsId`. */
export interface VethLink extends LinkBase { type: 'veth'; peer?: VethPeer }
export interface DummyLink extends LinkBase { type: 'dummy' }
export interface IfbLink extends LinkBase { type: 'ifb' }
export interface VrfLink extends LinkBase, VrfOptions { type: 'vrf' }
export interface GeneveLink extends LinkBase, GeneveOptions { type: 'geneve' }
export interface WireguardLink extends LinkBase { type: 'wireguard' }
export interface TunLink extends LinkBase, TunOptions, TunState { type: 'tun' }
export interface TapLink extends LinkBase, TunOptions, TunState { type: 'tap' }

/** A link without a kind (a NIC, lo). */
export interface DeviceLink extends LinkBase {
  type: 'device';
}

/** A link of a kind this package does not model: its IFLA_INFO_DATA is kept raw. */
export interface OtherLink extends LinkBase {
  type: 'other';
  kind: string;
  infoData?: Buffer;
}

/** What link.get / link.list return. */
export type Link =
  | BridgeLink | BondLink | TeamLink | VlanLink | VxlanLink | MacvlanLink | MacvtapLink | IpvlanLink | IpvtapLink
  | VethLink | DummyLink | IfbLink | VrfLink | GeneveLink | WireguardLink | TunLink | TapLink | DeviceLink | OtherLink;

// ---- what link.set takes ----

/** The common fields link.set changes. */
export interface LinkChangeCommon {
  up?: boolean;
  mtu?: number;
  address?: string;
  /** Rename. */
  name?: string;
  /** A new master, or null to release it (`nomaster`). */
  master?: LinkRef | null;
  /** Move the link to another namespace. */
  netns?: NetnsRef;
  txqueuelen?: number;
  alias?: string;
}

/** The kind fields the kernel lets change, per kind (`type` may be given to say which kind is meant). */
export interface LinkKindChanges {
  bridge: BridgeOptions & { fdbFlush?: boolean };
  bond: BondOptions;
  vlan: Omit<VlanOptions, 'id' | 'protocol'>;
  vxlan: Omit<VxlanOptions, 'id'>;
  macvlan: MacvlanOptions;
  macvtap: MacvlanOptions;
  ipvlan: IpvlanOptions;
  ipvtap: IpvlanOptions;
  geneve: Omit<GeneveOptions, 'id'>;
}

/** What link.set takes: common fields, plus the changeable fields of one kind. */
export type LinkChange =
  | (LinkChangeCommon & { type?: LinkType })
  | { [K in keyof LinkKindChanges]: LinkChangeCommon & { type?: K } & Partial<LinkKindChanges[K]> }[keyof LinkKindChanges];
