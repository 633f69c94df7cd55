// The public data model of links (≈ `ip link`). Kind fields sit flat beside the common ones;
// LinkSpec is discriminated on `type`, so the compiler rejects a field a kind does not have and
// asks for the ones it needs. Kind fields are the camelCase of iproute2's option names; numbers
// are in iproute2's units (bridge times in centiseconds, as `ip -d link` prints them). See
// ../shared/API.md.
import type {
  BondOptions,
  BondState,
  BridgeOptions,
  BridgeState,
  GeneveOptions,
  IpvlanOptions,
  MacvlanOptions,
  MacvlanState,
  TunOptions,
  TunState,
  VethPeer,
  VlanOptions,
  VrfOptions,
  VxlanOptions,
} from './link-kinds.js';
import type { BridgePort, BridgePortChange, BridgePortOptions } from './bridge-port.js';
import type { BondPort, BondPortChange, BondPortOptions } from './bond-port.js';
import type { VrfPort } from './vrf-port.js';

export type * from './link-kinds.js';
export type * from './bridge-port.js';
export type * from './bond-port.js';
export type * from './vrf-port.js';

/** A link given by name or by ifindex. */
export type LinkRef = string | number;

/** Another network namespace: a name under /run/netns, a namespace file, or an open descriptor of one. */
export type NetnsRef =
  | string
  | {
      /** A namespace file, e.g. /proc/PID/ns/net. */
      path: string;
    }
  | {
      /** An open descriptor of a namespace file. */
      fd: number;
    };

/** Fields every link takes on add. */
export interface LinkCommon {
  /** Interface name, at most 15 bytes, no '/', ':' or whitespace. */
  name: string;
  /** `mtu`: the maximum transmission unit in bytes (IFLA_MTU). */
  mtu?: number | undefined;
  /**
   * `address`: the hardware address, a MAC `aa:bb:cc:dd:ee:ff`. Text with a '.' is a dotted quad,
   * written as its 4 bytes as `ip link` takes an IPv4 tunnel's address, so a read tunnel re-added
   * keeps its `address` (the kernel's IP tunnels then set it from their local address).
   */
  address?: string | undefined;
  /** Bring the link up. */
  up?: boolean | undefined;
  /** Master device (a bridge, a bond…): a name or an index. */
  master?: LinkRef | undefined;
  /** `txqueuelen`: the transmit queue length in packets (IFLA_TXQLEN). */
  txqueuelen?: number | undefined;
  /** `alias`: a free-text description, up to 255 bytes (IFLA_IFALIAS). */
  alias?: string | undefined;
  /** Create the link inside another namespace. */
  netns?: NetnsRef | undefined;
  /**
   * `link-netnsid`: the id of the namespace where the parent (`link`, a vxlan's `dev`) lives, as the
   * namespace the link is created in knows it (IFLA_LINK_NETNSID); `link` is then an index there. A
   * read reports it for a link whose parent is elsewhere, so a read link re-added keeps its parent.
   */
  linkNetnsId?: number | undefined;
  /**
   * The link's options as a port of its `master` bridge (`ip link set dev X type bridge_slave …`),
   * applied by a second request once the link is made and enslaved (the kernel ignores port options
   * on creation); `master` must then be a bridge. A read link's `state` and read-only fields are
   * ignored, so a read bridge port re-added is a like port of the same bridge.
   */
  bridgePort?: BridgePortOptions | undefined;
  /**
   * The link's options as a port of its `master` bond (`ip link set dev X type bond_slave …`),
   * applied, like bridgePort, by a second request once the link is made and enslaved; `master`
   * must then be a bond. A read link's read-only port fields are ignored, and an option at a new
   * port's own value (`queueId` 0, `prio` 0, `actorPortPrio` 255) is not sent: a read reports
   * `prio` in every bond mode, where only three take it. A read port's `queueId` other than 0 is
   * refused (EPERM) while the port it was read from is still in the bond with it: give `queueId: 0`
   * or a free id to re-add beside it.
   */
  bondPort?: BondPortOptions | undefined;
}

/** Link statistics (rtnl_link_stats64). */
export interface LinkStats {
  /** Packets received. */
  rxPackets: number;
  /** Packets sent. */
  txPackets: number;
  /** Bytes received. */
  rxBytes: number;
  /** Bytes sent. */
  txBytes: number;
  /** Receive errors. */
  rxErrors: number;
  /** Transmit errors. */
  txErrors: number;
  /** Received packets dropped (no buffer, unknown protocol…). */
  rxDropped: number;
  /** Packets dropped on transmit. */
  txDropped: number;
}

/** RFC 2863 operational state, as `ip link` prints it in lower case (IFLA_OPERSTATE). */
export type Operstate =
  'unknown' | 'notpresent' | 'down' | 'lowerlayerdown' | 'testing' | 'dormant' | 'up' | `${number}`;

/** An IFF_* device flag, as `ip link` prints it between `<` and `>`. */
export type LinkFlag =
  | 'UP'
  | 'BROADCAST'
  | 'DEBUG'
  | 'LOOPBACK'
  | 'POINTOPOINT'
  | 'NOTRAILERS'
  | 'RUNNING'
  | 'NOARP'
  | 'PROMISC'
  | 'ALLMULTI'
  | 'MASTER'
  | 'SLAVE'
  | 'MULTICAST'
  | 'PORTSEL'
  | 'AUTOMEDIA'
  | 'DYNAMIC'
  | 'LOWER_UP'
  | 'DORMANT'
  | 'ECHO';

/** What the kernel reports of every link, beside its kind fields (read-only: link.add ignores them). */
export interface LinkState {
  /** The interface index (ifindex), unique within its namespace. */
  index: number;
  /** IFF_* names, e.g. ['UP', 'BROADCAST', 'LOWER_UP']. */
  flags: LinkFlag[];
  /** Operational state: `up` when the link can pass traffic (IFLA_OPERSTATE). */
  operstate: Operstate;
  /**
   * The link-layer broadcast address (IFLA_BROADCAST), as `ip link` prints it (see `address`): an
   * IP tunnel's is its remote address ('0.0.0.0' or '::' with none), which `ip link` shows as
   * `peer` on a point-to-point link.
   */
  broadcast?: string;
  /** Parent link's index (IFLA_LINK), where set: a vlan's or macvlan's parent, a veth's peer. */
  link?: number;
  /**
   * The namespace id (as this namespace knows it) where the parent link lives, if elsewhere;
   * unlike the other fields here, link.add takes it (see LinkCommon.linkNetnsId).
   */
  linkNetnsId?: number;
  /** Traffic counters (IFLA_STATS64). */
  stats?: LinkStats;
  /**
   * ARPHRD_* number of the device (1 = ether, 772 = loopback, 768 = ipip, 778 = gre): it says how
   * `address`, `broadcast` and `permAddress` read.
   */
  linkType: number;
  /** The root queueing discipline, e.g. `noqueue`, `fq_codel` (IFLA_QDISC). */
  qdisc?: string;
  /** The device group (IFLA_GROUP; `ip link set … group N`). */
  devGroup?: number;
  /** The smallest MTU the device accepts (IFLA_MIN_MTU). */
  minMtu?: number;
  /** The largest MTU the device accepts (IFLA_MAX_MTU). */
  maxMtu?: number;
  /**
   * The device's permanent (factory) address, where it has one (IFLA_PERM_ADDRESS), printed as
   * `address` is; an IP tunnel reports the local address it was made with.
   */
  permAddress?: string;
  /** Attributes of IFLA_INFO_DATA this package does not model, as they came. */
  unknown?: {
    /** The attribute's type number (IFLA_*_ of the kind). */
    type: number;
    /** Its payload, as it came. */
    data: Buffer;
  }[];
}

/** The common fields as a read reports them. */
export interface LinkBase extends LinkState {
  /** The interface name (IFLA_IFNAME). */
  name: string;
  /** Whether the link is administratively up (IFF_UP). */
  up: boolean;
  /** The MTU in bytes (IFLA_MTU). */
  mtu?: number;
  /**
   * The hardware address (IFLA_ADDRESS), as `ip link` prints it by the link's `linkType`: colon hex
   * ('aa:bb:cc:dd:ee:ff'), but an IPv4 tunnel's (ipip, gre, sit: ARPHRD_TUNNEL, ARPHRD_IPGRE,
   * ARPHRD_SIT) as an IPv4 address and an IPv6 tunnel's (ip6tnl, ip6gre: ARPHRD_TUNNEL6,
   * ARPHRD_IP6GRE) as an IPv6 one: its local address, '0.0.0.0' or '::' for none (tunl0, gre0,
   * sit0, ip6tnl0). gretap and erspan are Ethernet devices, with a MAC.
   */
  address?: string;
  /** The master's index. */
  master?: number;
  /** The transmit queue length (IFLA_TXQLEN). */
  txqueuelen?: number;
  /** The alias, where set (IFLA_IFALIAS). */
  alias?: string;
  /**
   * Where the link is a port of a bridge: its port options and STP state (IFLA_INFO_SLAVE_DATA,
   * `info_slave_data` of `ip -d -j link show`).
   */
  bridgePort?: BridgePort;
  /**
   * Where the link is a port of a bond: its port options and state (IFLA_INFO_SLAVE_DATA,
   * `info_slave_data` of `ip -d -j link show`). A team's ports report none (see BondPort).
   */
  bondPort?: BondPort;
  /**
   * Where the link is a port of a VRF: the VRF's table (IFLA_INFO_SLAVE_DATA, `vrf_slave table N`
   * of `ip -d link show`). Read-only: link.set refuses it, and a read link re-added leaves it out.
   */
  vrfPort?: VrfPort;
}

// ---- what link.add takes, per kind ----

export interface BridgeSpec extends LinkCommon, BridgeOptions {
  /** The kind: `ip link add … type bridge`. */
  type: 'bridge';
}
export interface BondSpec extends LinkCommon, BondOptions {
  /** The kind: `ip link add … type bond`. */
  type: 'bond';
}
export interface TeamSpec extends LinkCommon {
  /** The kind: `ip link add … type team`. */
  type: 'team';
}
export interface VlanSpec extends LinkCommon, VlanOptions {
  /** The kind: `ip link add … type vlan`. */
  type: 'vlan';
  /** The parent link (required). */
  link: LinkRef;
}
export interface VxlanSpec extends LinkCommon, VxlanOptions {
  /** The kind: `ip link add … type vxlan`. */
  type: 'vxlan';
}
export interface MacvlanSpec extends LinkCommon, MacvlanOptions {
  /** The kind: `ip link add … type macvlan`. */
  type: 'macvlan';
  /** The parent link (required). */
  link: LinkRef;
}
export interface MacvtapSpec extends LinkCommon, MacvlanOptions {
  /** The kind: `ip link add … type macvtap`. */
  type: 'macvtap';
  /** The parent link (required). */
  link: LinkRef;
}
export interface IpvlanSpec extends LinkCommon, IpvlanOptions {
  /** The kind: `ip link add … type ipvlan`. */
  type: 'ipvlan';
  /** The parent link (required). */
  link: LinkRef;
  /**
   * API.md's name for `ipvlanFlags` (`bridge`, `private`, `vepa`). An array here is a read Link's
   * IFF_* `flags` and is ignored.
   */
  flags?: IpvlanOptions['ipvlanFlags'] | LinkFlag[] | undefined;
}
export interface IpvtapSpec extends LinkCommon, IpvlanOptions {
  /** The kind: `ip link add … type ipvtap`. */
  type: 'ipvtap';
  /** The parent link (required). */
  link: LinkRef;
  /**
   * API.md's name for `ipvlanFlags` (`bridge`, `private`, `vepa`). An array here is a read Link's
   * IFF_* `flags` and is ignored.
   */
  flags?: IpvlanOptions['ipvlanFlags'] | LinkFlag[] | undefined;
}
export interface VethSpec extends LinkCommon {
  /** The kind: `ip link add … type veth`. */
  type: 'veth';
  /** The other end (required); it may live in another namespace. */
  peer: VethPeer;
}
export interface DummySpec extends LinkCommon {
  /** The kind: `ip link add … type dummy`. */
  type: 'dummy';
}
export interface IfbSpec extends LinkCommon {
  /** The kind: `ip link add … type ifb`. */
  type: 'ifb';
}
export interface VrfSpec extends LinkCommon, VrfOptions {
  /** The kind: `ip link add … type vrf`. */
  type: 'vrf';
}
export interface GeneveSpec extends LinkCommon, GeneveOptions {
  /** The kind: `ip link add … type geneve`. */
  type: 'geneve';
}
/** A WireGuard link (creation only: keys and peers are set over generic netlink). */
export interface WireguardSpec extends LinkCommon {
  /** The kind: `ip link add … type wireguard`. */
  type: 'wireguard';
}
/** A tun device, made through /dev/net/tun (always persistent). */
export interface TunSpec extends LinkCommon, TunOptions {
  /** The kind: `ip tuntap add … mode tun`. */
  type: 'tun';
}
/** A tap device, made through /dev/net/tun (always persistent). */
export interface TapSpec extends LinkCommon, TunOptions {
  /** The kind: `ip tuntap add … mode tap`. */
  type: 'tap';
}
/** A kind this package does not model: its IFLA_INFO_KIND string and raw IFLA_INFO_DATA. */
export interface OtherSpec extends LinkCommon {
  /** A kind this package does not model: see `kind`. */
  type: 'other';
  /** The kind, as `ip link add … type KIND` names it (IFLA_INFO_KIND). */
  kind: string;
  /** The kind's attributes, already encoded (IFLA_INFO_DATA's payload). */
  infoData?: Buffer | undefined;
}

/** What link.add takes: a discriminated union on `type`. */
export type LinkSpec =
  | BridgeSpec
  | BondSpec
  | TeamSpec
  | VlanSpec
  | VxlanSpec
  | MacvlanSpec
  | MacvtapSpec
  | IpvlanSpec
  | IpvtapSpec
  | VethSpec
  | DummySpec
  | IfbSpec
  | VrfSpec
  | GeneveSpec
  | WireguardSpec
  | TunSpec
  | TapSpec
  | OtherSpec;

/** Every `type` link.add knows. */
export type LinkType = LinkSpec['type'];

// ---- what link.get / link.list return, per kind ----

export interface BridgeLink extends LinkBase, BridgeOptions, BridgeState {
  /** The kind (IFLA_INFO_KIND). */
  type: 'bridge';
}
export interface BondLink extends LinkBase, BondOptions, BondState {
  /** The kind (IFLA_INFO_KIND). */
  type: 'bond';
}
export interface TeamLink extends LinkBase {
  /** The kind (IFLA_INFO_KIND). */
  type: 'team';
}
export interface VlanLink extends LinkBase, VlanOptions {
  /** The kind (IFLA_INFO_KIND). */
  type: 'vlan';
  /** The parent link's index (IFLA_LINK). */
  link: number;
}
export interface VxlanLink extends LinkBase, VxlanOptions {
  /** The kind (IFLA_INFO_KIND). */
  type: 'vxlan';
}
export interface MacvlanLink extends LinkBase, MacvlanOptions, MacvlanState {
  /** The kind (IFLA_INFO_KIND). */
  type: 'macvlan';
  /** The parent link's index (IFLA_LINK). */
  link: number;
}
export interface MacvtapLink extends LinkBase, MacvlanOptions, MacvlanState {
  /** The kind (IFLA_INFO_KIND). */
  type: 'macvtap';
  link: number;
  /**
   * The character device a VM opens: `/dev/tap<ifindex>`, checked to be this link's (made if
   * missing). Absent where /dev/tap<ifindex> is another namespace's link of that index (devtmpfs
   * has one /dev for all namespaces); a warning (code RTNETLINK_TAPDEV) gives the device's
   * major:minor, to make a node for it where the VM runs.
   */
  tapDevice?: string;
}
export interface IpvlanLink extends LinkBase, IpvlanOptions {
  /** The kind (IFLA_INFO_KIND). */
  type: 'ipvlan';
  /** The parent link's index (IFLA_LINK). */
  link: number;
}
export interface IpvtapLink extends LinkBase, IpvlanOptions {
  /** The kind (IFLA_INFO_KIND). */
  type: 'ipvtap';
  link: number;
  /**
   * The character device a VM opens: `/dev/tap<ifindex>`, checked to be this link's (made if
   * missing). Absent where /dev/tap<ifindex> is another namespace's link of that index (devtmpfs
   * has one /dev for all namespaces); a warning (code RTNETLINK_TAPDEV) gives the device's
   * major:minor, to make a node for it where the VM runs.
   */
  tapDevice?: string;
}
/** A veth end; the kernel reports its peer only as `link` (the peer's index) and `linkNetnsId`. */
export interface VethLink extends LinkBase {
  /** The kind (IFLA_INFO_KIND). */
  type: 'veth';
  /** Not reported by the kernel, which gives the peer only as `link` (its index) and `linkNetnsId`. */
  peer?: VethPeer;
}
export interface DummyLink extends LinkBase {
  /** The kind (IFLA_INFO_KIND). */
  type: 'dummy';
}
export interface IfbLink extends LinkBase {
  /** The kind (IFLA_INFO_KIND). */
  type: 'ifb';
}
export interface VrfLink extends LinkBase, VrfOptions {
  /** The kind (IFLA_INFO_KIND). */
  type: 'vrf';
}
export interface GeneveLink extends LinkBase, GeneveOptions {
  /** The kind (IFLA_INFO_KIND). */
  type: 'geneve';
}
export interface WireguardLink extends LinkBase {
  /** The kind (IFLA_INFO_KIND). */
  type: 'wireguard';
}
export interface TunLink extends LinkBase, TunOptions, TunState {
  /** The kind (IFLA_INFO_KIND). */
  type: 'tun';
}
export interface TapLink extends LinkBase, TunOptions, TunState {
  /** The kind (IFLA_INFO_KIND). */
  type: 'tap';
}

/** A link without a kind (a NIC, lo). */
export interface DeviceLink extends LinkBase {
  /** A link without a kind: a NIC, `lo`. */
  type: 'device';
}

/** A link of a kind this package does not model: its IFLA_INFO_DATA is kept raw. */
export interface OtherLink extends LinkBase {
  /** A kind this package does not model: see `kind`. */
  type: 'other';
  /** The kind the kernel reported (IFLA_INFO_KIND). */
  kind: string;
  /** The kind's attributes as they came (IFLA_INFO_DATA's payload). */
  infoData?: Buffer;
}

/** What link.get / link.list return. */
export type Link =
  | BridgeLink
  | BondLink
  | TeamLink
  | VlanLink
  | VxlanLink
  | MacvlanLink
  | MacvtapLink
  | IpvlanLink
  | IpvtapLink
  | VethLink
  | DummyLink
  | IfbLink
  | VrfLink
  | GeneveLink
  | WireguardLink
  | TunLink
  | TapLink
  | DeviceLink
  | OtherLink;

// ---- what link.set takes ----

/** The common fields link.set changes. */
export interface LinkChangeCommon {
  /** `up` / `down`: set or clear IFF_UP. */
  up?: boolean | undefined;
  /** `mtu`: a new MTU. */
  mtu?: number | undefined;
  /**
   * `address`: a new hardware address, a MAC, or a dotted quad as its 4 bytes (see
   * LinkCommon.address). The kernel's IP tunnels take no new address (EOPNOTSUPP: theirs is their
   * local address), and a link with a longer one refuses 4 bytes (EINVAL).
   */
  address?: string | undefined;
  /** Rename. */
  name?: string | undefined;
  /** A new master, or null to release it (`nomaster`). */
  master?: LinkRef | null | undefined;
  /** Move the link to another namespace. */
  netns?: NetnsRef | undefined;
  /** `txqueuelen`: a new transmit queue length. */
  txqueuelen?: number | undefined;
  /** `alias`: a new alias ('' clears it). */
  alias?: string | undefined;
  /**
   * `type bridge_slave …`: options of the link as a bridge port (only the fields given change).
   * With `master` or `up: true` in the same change, they are set by a second request once the link
   * is enslaved and up (the kernel would apply them first).
   */
  bridgePort?: BridgePortChange | undefined;
  /**
   * `type bond_slave …`: options of the link as a bond port (only the fields given change), sent
   * like bridgePort (after the enslaving request where `master` or `up: true` come with them).
   */
  bondPort?: BondPortChange | undefined;
}

/** The kind fields the kernel lets change, per kind (`type` may be given to say which kind is meant). */
export interface LinkKindChanges {
  /** A bridge's options, and `fdbFlush` (`ip link set br0 type bridge fdb_flush`). */
  bridge: BridgeOptions & {
    /** `fdb_flush`: flush the bridge's forwarding database. */
    fdbFlush?: boolean | undefined;
  };
  /** A bond's options (some only while it has no ports, or is down, as the kernel decides). */
  bond: BondOptions;
  /** A VLAN's flags and QoS maps (not its id or protocol). */
  vlan: Omit<VlanOptions, 'id' | 'protocol'>;
  /** A VXLAN's options the kernel lets change (not its VNI). */
  vxlan: Omit<VxlanOptions, 'id'>;
  /** A macvlan's mode and source-MAC list. */
  macvlan: MacvlanOptions;
  /** A macvtap's mode and source-MAC list. */
  macvtap: MacvlanOptions;
  /** An ipvlan's mode and flags. */
  ipvlan: IpvlanOptions & {
    /** API.md's name for `ipvlanFlags`. */
    flags?: IpvlanOptions['ipvlanFlags'] | undefined;
  };
  /** An ipvtap's mode and flags. */
  ipvtap: IpvlanOptions & {
    /** API.md's name for `ipvlanFlags`. */
    flags?: IpvlanOptions['ipvlanFlags'] | undefined;
  };
  /** A geneve's options the kernel lets change (not its VNI). */
  geneve: Omit<GeneveOptions, 'id'>;
}

/** Every kind field link.set takes, of any kind. */
type KindChangeField = { [K in keyof LinkKindChanges]: keyof LinkKindChanges[K] }[keyof LinkKindChanges];

/** A kind's fields that other kinds do not have, as absent: a change carries one kind's fields. */
type OnlyKind<Own extends PropertyKey> = { [F in Exclude<KindChangeField, Own>]?: undefined };

/**
 * What link.set takes: common fields, plus the changeable fields of one kind (fields of two kinds
 * together are a compile error, as link.set refuses a field the link's kind does not have).
 */
export type LinkChange =
  | (LinkChangeCommon & {
      /** The link's type, saying which kind's fields are meant (checked against the link). */
      type?: LinkType | undefined;
    } & OnlyKind<never>)
  | {
      [K in keyof LinkKindChanges]: LinkChangeCommon & {
        /** The link's type (checked against the link). */
        type?: K | undefined;
      } & Partial<LinkKindChanges[K]> &
        OnlyKind<keyof LinkKindChanges[K]>;
    }[keyof LinkKindChanges];
