// ifinfomsg and the IFLA_* attributes common to every link (<linux/if_link.h>, <linux/if.h>,
// Linux 6.18): one table both encodes requests and decodes replies.
import {
  binary,
  defineAttrs,
  enumOf,
  nest,
  s32,
  string,
  struct,
  u32,
  u8,
  type AttrSchema,
  type Codec,
  type Rows,
} from '../core/schema.js';
import { DecodeError } from '../core/errors.js';
import { rd32, LITTLE_ENDIAN } from '../core/attr.js';
import type { LinkFlag, LinkStats, NetnsRef, Operstate, VethPeer } from '../../types/link.js';
import { ifname, linkIndex, llAddr, nestedBody, netnsFd, ranged, unterminated, type NestedBody } from './words.js';

export const IFLA_ADDRESS = 1;
export const IFLA_BROADCAST = 2;
export const IFLA_IFNAME = 3;
export const IFLA_MTU = 4;
export const IFLA_LINK = 5;
export const IFLA_QDISC = 6;
export const IFLA_MASTER = 10;
export const IFLA_TXQLEN = 13;
export const IFLA_OPERSTATE = 16;
export const IFLA_LINKMODE = 17;
export const IFLA_LINKINFO = 18;
export const IFLA_NET_NS_PID = 19;
export const IFLA_IFALIAS = 20;
export const IFLA_STATS64 = 23;
export const IFLA_GROUP = 27;
export const IFLA_NET_NS_FD = 28;
export const IFLA_EXT_MASK = 29;
export const IFLA_PROMISCUITY = 30;
export const IFLA_NUM_TX_QUEUES = 31;
export const IFLA_NUM_RX_QUEUES = 32;
export const IFLA_CARRIER = 33;
export const IFLA_LINK_NETNSID = 37;
export const IFLA_MIN_MTU = 50;
export const IFLA_MAX_MTU = 51;
export const IFLA_ALT_IFNAME = 53;
export const IFLA_PERM_ADDRESS = 54;
/** Padding before a 64-bit attribute (IFLA_STATS64), where unaligned access is slow. */
export const IFLA_PAD = 42;

/** ARPHRD_* (<linux/if_arp.h>): the hardware types (ifi_type) of IP tunnels. */
export const ARPHRD_TUNNEL = 768; // ipip
export const ARPHRD_TUNNEL6 = 769; // ip6tnl (ip6ip6, ipip6)
export const ARPHRD_SIT = 776; // sit
export const ARPHRD_IPGRE = 778; // gre
export const ARPHRD_IP6GRE = 823; // ip6gre

export const IFLA_INFO_KIND = 1;
export const IFLA_INFO_DATA = 2;
export const IFLA_INFO_SLAVE_KIND = 4;
export const IFLA_INFO_SLAVE_DATA = 5;

/** struct ifinfomsg (16 bytes). */
export const ifinfomsg = struct<{
  /** ifi_family: AF_UNSPEC for links. */
  family: number;
  /** ifi_type: ARPHRD_* (1 = Ethernet, 772 = loopback, 768 = ipip); iflaOf picks the IFLA table by it. */
  type: number;
  /** ifi_index: the ifindex (0 to pick by name, or for a new link). */
  index: number;
  /** ifi_flags: IFF_* bits. */
  flags: number;
  /** ifi_change: which IFF_* bits to change (a mask). */
  change: number;
}>('ifinfomsg', 16, {
  family: [0, 'u8'],
  type: [2, 'u16'],
  index: [4, 's32'],
  flags: [8, 'u32'],
  change: [12, 'u32'],
});

/** enum net_device_flags (IFF_*), <linux/if.h>. */
export const IFF: Readonly<Record<LinkFlag, number>> = {
  UP: 1 << 0,
  BROADCAST: 1 << 1,
  DEBUG: 1 << 2,
  LOOPBACK: 1 << 3,
  POINTOPOINT: 1 << 4,
  NOTRAILERS: 1 << 5,
  RUNNING: 1 << 6,
  NOARP: 1 << 7,
  PROMISC: 1 << 8,
  ALLMULTI: 1 << 9,
  MASTER: 1 << 10,
  SLAVE: 1 << 11,
  MULTICAST: 1 << 12,
  PORTSEL: 1 << 13,
  AUTOMEDIA: 1 << 14,
  DYNAMIC: 1 << 15,
  LOWER_UP: 1 << 16,
  DORMANT: 1 << 17,
  ECHO: 1 << 18,
};
export const IFF_UP = IFF.UP;

/** IF_OPER_* (RFC 2863 operational states). */
export const operstate = enumOf<Operstate>(u8, {
  unknown: 0,
  notpresent: 1,
  down: 2,
  lowerlayerdown: 3,
  testing: 4,
  dormant: 5,
  up: 6,
});

const STATS_FIELDS = [
  'rxPackets',
  'txPackets',
  'rxBytes',
  'txBytes',
  'rxErrors',
  'txErrors',
  'rxDropped',
  'txDropped',
] as const;

/** struct rtnl_link_stats64: the first eight counters (read only). */
export const stats64: Codec<LinkStats> = {
  kind: 'struct rtnl_link_stats64',
  put() {
    throw new TypeError('"stats" is read-only');
  },
  get(b, off, len, path) {
    if (len < 64) throw new DecodeError(`rtnl_link_stats64 needs 64 bytes, has ${len}`, off, path);
    const out = {} as LinkStats;
    STATS_FIELDS.forEach((k, i) => {
      const o = off + i * 8;
      out[k] = LITTLE_ENDIAN ? rd32(b, o) + rd32(b, o + 4) * 0x100000000 : rd32(b, o + 4) + rd32(b, o) * 0x100000000;
    });
    return out;
  },
};

/** IFLA_LINKINFO as raw parts; lib/link/kinds dispatches IFLA_INFO_DATA by kind. */
export interface LinkInfoRaw {
  /** `IFLA_INFO_KIND`: the kind's name ('bridge', 'vxlan', …). */
  kind?: string;
  /** `IFLA_INFO_DATA`: the kind's attributes, raw (lib/link/kinds decodes them by kind). */
  data?: Buffer;
  /** `IFLA_INFO_SLAVE_KIND`: the master's kind, on a port. */
  slaveKind?: string;
  /** `IFLA_INFO_SLAVE_DATA`: the port's attributes for its master, raw. */
  slaveData?: Buffer;
}

/** The IFLA_LINKINFO nest, with IFLA_INFO_DATA left raw. */
export const linkinfoRaw = defineAttrs<LinkInfoRaw>('IFLA_LINKINFO', {
  kind: [IFLA_INFO_KIND, string],
  data: [IFLA_INFO_DATA, binary],
  slaveKind: [IFLA_INFO_SLAVE_KIND, string],
  slaveData: [IFLA_INFO_SLAVE_DATA, binary],
});

/** The common IFLA_* attributes, named as the public Link fields. */
export interface IflaAttrs {
  /** `IFLA_ADDRESS` (lladdr: colon hex, an IP tunnel's as an IP address). */
  address: string;
  /** `IFLA_BROADCAST` (lladdr, as `address`). */
  broadcast: string;
  /** `IFLA_IFNAME` (string). */
  name: string;
  /** `IFLA_MTU` (u32). */
  mtu: number;
  /** `IFLA_LINK` (u32). */
  link: number;
  /** `IFLA_QDISC` (string). */
  qdisc: string;
  /** `IFLA_MASTER` (u32). */
  master: number;
  /** `IFLA_TXQLEN` (u32). */
  txqueuelen: number;
  /** `IFLA_OPERSTATE` (u8, as a name). */
  operstate: Operstate;
  /** `IFLA_LINKMODE` (u8). */
  linkmode: number;
  /** `IFLA_LINKINFO` (nested). */
  linkinfo: LinkInfoRaw;
  /** `IFLA_NET_NS_PID` (u32). */
  netnsPid: number;
  /** `IFLA_IFALIAS` (string). */
  alias: string;
  /** `IFLA_STATS64` (struct rtnl_link_stats64). */
  stats: LinkStats;
  /** `IFLA_GROUP` (u32). */
  devGroup: number;
  /** `IFLA_NET_NS_FD` (u32). */
  netnsFd: number;
  /** `IFLA_EXT_MASK` (u32). */
  extMask: number;
  /** `IFLA_PROMISCUITY` (u32). */
  promiscuity: number;
  /** `IFLA_NUM_TX_QUEUES` (u32). */
  numTxQueues: number;
  /** `IFLA_NUM_RX_QUEUES` (u32). */
  numRxQueues: number;
  /** `IFLA_CARRIER` (u8). */
  carrier: number;
  /** `IFLA_LINK_NETNSID` (s32). */
  linkNetnsId: number;
  /** `IFLA_MIN_MTU` (u32). */
  minMtu: number;
  /** `IFLA_MAX_MTU` (u32). */
  maxMtu: number;
  /** `IFLA_PERM_ADDRESS` (lladdr, as `address`). */
  permAddress: string;
}

/** A link address read as colon hex (ARPHRD_VOID's way), written from a MAC or an IPv4 tunnel's dotted quad. */
const lladdr = llAddr();

/** The link addresses of the common IFLA_* table: the link's hardware type (ifi_type) says how they read. */
type IflaAddress = 'address' | 'broadcast' | 'permAddress';

/** The common IFLA_* rows, but the addresses'. */
const IFLA_ROWS: Omit<Rows<IflaAttrs>, IflaAddress> = {
  name: [IFLA_IFNAME, string],
  mtu: [IFLA_MTU, u32],
  link: [IFLA_LINK, u32],
  qdisc: [IFLA_QDISC, string],
  master: [IFLA_MASTER, u32],
  txqueuelen: [IFLA_TXQLEN, u32],
  operstate: [IFLA_OPERSTATE, operstate],
  linkmode: [IFLA_LINKMODE, u8],
  linkinfo: [IFLA_LINKINFO, nest(linkinfoRaw)],
  netnsPid: [IFLA_NET_NS_PID, u32],
  alias: [IFLA_IFALIAS, string],
  stats: [IFLA_STATS64, stats64],
  devGroup: [IFLA_GROUP, u32],
  netnsFd: [IFLA_NET_NS_FD, u32],
  extMask: [IFLA_EXT_MASK, u32],
  promiscuity: [IFLA_PROMISCUITY, u32],
  numTxQueues: [IFLA_NUM_TX_QUEUES, u32],
  numRxQueues: [IFLA_NUM_RX_QUEUES, u32],
  carrier: [IFLA_CARRIER, u8],
  linkNetnsId: [IFLA_LINK_NETNSID, s32],
  minMtu: [IFLA_MIN_MTU, u32],
  maxMtu: [IFLA_MAX_MTU, u32],
};

/** The common IFLA_* table (IFLA_PAD skipped), its addresses read and written with `addr`. */
function iflaTable(addr: Codec<string>): AttrSchema<IflaAttrs> {
  return defineAttrs<IflaAttrs>('IFLA', {
    address: [IFLA_ADDRESS, addr],
    broadcast: [IFLA_BROADCAST, addr],
    ...IFLA_ROWS,
    permAddress: [IFLA_PERM_ADDRESS, addr],
  }).padded(IFLA_PAD);
}

/**
 * The hardware types whose addresses iproute2 prints as IP addresses (lib/ll_addr.c,
 * ll_addr_n2a): an IPv4 tunnel's 4 bytes as IPv4, an IPv6 tunnel's 16 as IPv6. Other lengths,
 * and other types, stay colon hex.
 */
const LLADDR_IP_LEN: ReadonlyMap<number, 4 | 16> = new Map([
  [ARPHRD_TUNNEL, 4],
  [ARPHRD_SIT, 4],
  [ARPHRD_IPGRE, 4],
  [ARPHRD_TUNNEL6, 16],
  [ARPHRD_IP6GRE, 16],
]);

/**
 * How long a link-layer address of hardware type `type` (ifi_type) is where iproute2 prints it as
 * an IP address: 4 (IPv4 tunnels), 16 (IPv6 tunnels), else undefined (colon hex). Link addresses
 * and neighbours' (NDA_LLADDR, by their device's type) both read so.
 */
export function lladdrIpLen(type: number): 4 | 16 | undefined {
  return LLADDR_IP_LEN.get(type);
}

/** A table whose link-layer addresses read by their link's hardware type, in its three forms. */
export interface ByHardwareType<T> {
  /** The addresses as colon hex whatever their length (written as the table's codec takes them). */
  readonly plain: AttrSchema<T>;
  /** The form for hardware type `type` (ifi_type; undefined: not known, the plain one). */
  of(type: number | undefined): AttrSchema<T>;
}

/**
 * Builds a table three times with `make`, given the address length that reads as an IP address
 * (none, 4, 16): the link tables (IFLA_ADDRESS…) and the neighbour ones (NDA_LLADDR) both pick
 * theirs by a hardware type so, as ll_addr_n2a prints them.
 */
export function byHardwareType<T>(make: (ipLen?: 4 | 16) => AttrSchema<T>): ByHardwareType<T> {
  const plain = make();
  const ip4 = make(4);
  const ip6 = make(16);
  return {
    plain,
    of(type) {
      const len = type === undefined ? undefined : lladdrIpLen(type);
      return len === 4 ? ip4 : len === 16 ? ip6 : plain;
    },
  };
}

const IFLA_BY_TYPE = byHardwareType((ipLen) => iflaTable(llAddr(ipLen)));

/**
 * The common IFLA_* table of link messages (`ip link`), its addresses (`address`, `broadcast`,
 * `permAddress`) read as colon hex whatever their length: decodeLink reads them with iflaOf(ifi_type).
 */
export const ifla = IFLA_BY_TYPE.plain;

/** The IFLA_* table for a link of hardware type `type` (ifi_type): its addresses as `ip link` prints them. */
export function iflaOf(type: number): AttrSchema<IflaAttrs> {
  return IFLA_BY_TYPE.of(type);
}

/** The common attributes link.add and link.set write, once names are resolved to indexes. */
export interface CommonWire {
  /** `IFLA_IFNAME` (string, checked as an interface name). */
  name: string;
  /** `IFLA_MTU` (u32). */
  mtu: number;
  /** `IFLA_ADDRESS` (lladdr: a MAC, or a dotted quad as its 4 bytes). */
  address: string;
  /** `IFLA_TXQLEN` (u32). */
  txqueuelen: number;
  /** `IFLA_IFALIAS` (string of at most 255 bytes, sent without its NUL as iproute2 does). */
  alias: string;
  /** `IFLA_MASTER` (u32): the master's ifindex, 0 to release. */
  master: number;
  /** `IFLA_LINK` (u32): the parent's ifindex. */
  link: number;
  /** `IFLA_NET_NS_FD` (u32): a descriptor of the target namespace, opened for the request. */
  netns: NetnsRef;
  /** `IFLA_LINK_NETNSID` (s32, 0 or more): the namespace id `link` counts in (`ip link add … link-netnsid ID`). */
  linkNetnsId: number;
}

/** The common IFLA_* attributes as link.add and link.set write them. */
export const commonSpec = defineAttrs<CommonWire>('IFLA', {
  name: [IFLA_IFNAME, ifname],
  mtu: [IFLA_MTU, u32],
  address: [IFLA_ADDRESS, lladdr],
  txqueuelen: [IFLA_TXQLEN, u32],
  alias: [IFLA_IFALIAS, unterminated(255)], // IFALIASZ - 1 (<linux/if.h>)
  master: [IFLA_MASTER, linkIndex],
  link: [IFLA_LINK, linkIndex],
  netns: [IFLA_NET_NS_FD, netnsFd],
  linkNetnsId: [IFLA_LINK_NETNSID, ranged(s32, 0, 0x7fffffff)],
});

/** The fields of a veth peer, as IFLA_* attributes inside VETH_INFO_PEER. */
const peerAttrs = defineAttrs<VethPeer>('IFLA(peer)', {
  name: [IFLA_IFNAME, ifname],
  address: [IFLA_ADDRESS, lladdr],
  mtu: [IFLA_MTU, u32],
  txqueuelen: [IFLA_TXQLEN, u32],
  netns: [IFLA_NET_NS_FD, netnsFd],
});

/**
 * What a veth peer takes: its IFLA_* attributes. Not `up`: the kernel refuses to open a peer before
 * the pair is joined (`ip link add … peer name P up` fails with ENOTCONN), nor an alias (ignored on
 * creation).
 */
export const PEER_FIELDS: readonly string[] = peerAttrs.rows.map((r) => r.key);

/** VETH_INFO_PEER's payload: struct ifinfomsg, then the peer's IFLA_* attributes. */
const peerBody: NestedBody<VethPeer> = {
  write(w, v, field) {
    ifinfomsg.write(w, { family: 0 });
    peerAttrs.encode(w, v, `${field}.`);
  },
  read(b, off, end, path) {
    ifinfomsg.read(b, off, end - off, path);
    return peerAttrs.decode(b, off + ifinfomsg.size, end, path) as VethPeer;
  },
};

/** veth's peer: a whole link description nested in IFLA_INFO_DATA. */
export const vethPeer = nestedBody('veth peer (ifinfomsg + IFLA)', peerBody);
