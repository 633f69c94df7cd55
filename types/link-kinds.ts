// The kind fields of each link type (IFLA_INFO_DATA, <linux/if_link.h>), named as the camelCase
// of iproute2's options (`ip link add … type bridge stp_state 1` → `stpState: 1`). *Options are
// what add/set take and a read reports back; *State fields are reported only.

/** `ip link add … type bridge …` (times in centiseconds, as iproute2 takes and prints them). */
export interface BridgeOptions {
  forwardDelay?: number;
  helloTime?: number;
  maxAge?: number;
  ageingTime?: number;
  /** 0 off, 1 kernel STP (2 when a user-space STP daemon runs). */
  stpState?: number;
  priority?: number;
  vlanFiltering?: boolean;
  vlanProtocol?: '802.1Q' | '802.1ad';
  groupFwdMask?: number;
  groupAddress?: string;
  /** Write-only: flush the bridge's forwarding database. */
  fdbFlush?: boolean;
  /** 0 disabled, 1 automatic, 2 permanent. */
  mcastRouter?: number;
  mcastSnooping?: boolean;
  mcastQueryUseIfaddr?: boolean;
  mcastQuerier?: boolean;
  mcastHashElasticity?: number;
  mcastHashMax?: number;
  mcastLastMemberCount?: number;
  mcastStartupQueryCount?: number;
  mcastLastMemberInterval?: number;
  mcastMembershipInterval?: number;
  mcastQuerierInterval?: number;
  mcastQueryInterval?: number;
  mcastQueryResponseInterval?: number;
  mcastStartupQueryInterval?: number;
  nfCallIptables?: boolean;
  nfCallIp6tables?: boolean;
  nfCallArptables?: boolean;
  vlanDefaultPvid?: number;
  vlanStatsEnabled?: boolean;
  mcastStatsEnabled?: boolean;
  mcastIgmpVersion?: number;
  mcastMldVersion?: number;
  vlanStatsPerPort?: boolean;
  /** IFLA_BR_MULTI_BOOLOPT bit BR_BOOLOPT_NO_LL_LEARN. */
  noLinklocalLearn?: boolean;
  /** IFLA_BR_MULTI_BOOLOPT bit BR_BOOLOPT_MCAST_VLAN_SNOOPING. */
  mcastVlanSnooping?: boolean;
  /** IFLA_BR_MULTI_BOOLOPT bit BR_BOOLOPT_MST_ENABLE. */
  mstEnabled?: boolean;
}

/** What the kernel reports of a bridge beyond its options (timers in centiseconds). */
export interface BridgeState {
  /** As iproute2 prints it: priority in hex, '.', the MAC (e.g. '8000.0:0:0:0:0:0'). */
  rootId?: string;
  bridgeId?: string;
  rootPort?: number;
  rootPathCost?: number;
  topologyChange?: boolean;
  topologyChangeDetected?: boolean;
  helloTimer?: number;
  tcnTimer?: number;
  topologyChangeTimer?: number;
  gcTimer?: number;
}

export type BondMode = 'balance-rr' | 'active-backup' | 'balance-xor' | 'broadcast' | '802.3ad' | 'balance-tlb' | 'balance-alb';
export type BondXmitHashPolicy = 'layer2' | 'layer3+4' | 'layer2+3' | 'encap2+3' | 'encap3+4' | 'vlan+srcmac';

/** `ip link add … type bond …` */
export interface BondOptions {
  mode?: BondMode;
  /** The active port (name or index; reads give the index). */
  activeSlave?: string | number;
  miimon?: number;
  updelay?: number;
  downdelay?: number;
  peerNotifyDelay?: number;
  useCarrier?: boolean;
  arpInterval?: number;
  arpIpTarget?: string[];
  arpValidate?: 'none' | 'active' | 'backup' | 'all' | 'filter' | 'filter_active' | 'filter_backup';
  arpAllTargets?: 'any' | 'all';
  /** The primary port (name or index; reads give the index). */
  primary?: string | number;
  primaryReselect?: 'always' | 'better' | 'failure';
  failOverMac?: 'none' | 'active' | 'follow';
  xmitHashPolicy?: BondXmitHashPolicy;
  resendIgmp?: number;
  numGratArp?: number;
  allSlavesActive?: boolean;
  minLinks?: number;
  lpInterval?: number;
  packetsPerSlave?: number;
  lacpRate?: 'slow' | 'fast';
  adSelect?: 'stable' | 'bandwidth' | 'count';
  adActorSysPrio?: number;
  adUserPortKey?: number;
  adActorSystem?: string;
  tlbDynamicLb?: boolean;
  lacpActive?: boolean;
  missedMax?: number;
}

/** `ip link add link PARENT … type vlan …` */
export interface VlanOptions {
  /** 1–4094 (required). */
  id: number;
  protocol?: '802.1Q' | '802.1ad';
  reorderHdr?: boolean;
  gvrp?: boolean;
  mvrp?: boolean;
  looseBinding?: boolean;
  bridgeBinding?: boolean;
  egressQosMap?: { from: number; to: number }[];
  ingressQosMap?: { from: number; to: number }[];
}

/** `ip link add … type vxlan …` */
export interface VxlanOptions {
  /** The VNI, 0–16777215 (required). */
  id: number;
  /** Multicast group (IPv4 or IPv6). */
  group?: string;
  /** Unicast peer (IPv4 or IPv6). */
  remote?: string;
  local?: string;
  /** The underlay device (name or index; reads give the index). */
  dev?: string | number;
  ttl?: number;
  ttlInherit?: boolean;
  tos?: number;
  df?: 'unset' | 'set' | 'inherit';
  flowlabel?: number;
  learning?: boolean;
  proxy?: boolean;
  rsc?: boolean;
  l2miss?: boolean;
  l3miss?: boolean;
  /** Seconds. */
  ageing?: number;
  maxaddress?: number;
  srcPortRange?: { low: number; high: number };
  /** UDP destination port (iproute2's `dstport`). */
  port?: number;
  udpCsum?: boolean;
  udpZeroCsum6Tx?: boolean;
  udpZeroCsum6Rx?: boolean;
  remcsumTx?: boolean;
  remcsumRx?: boolean;
  remcsumNopartial?: boolean;
  gbp?: boolean;
  gpe?: boolean;
  /** Collect metadata (iproute2's `external`). */
  external?: boolean;
  vnifilter?: boolean;
}

export type MacvlanMode = 'private' | 'vepa' | 'bridge' | 'passthru' | 'source';

/** `ip link add link PARENT … type macvlan|macvtap …` */
export interface MacvlanOptions {
  mode?: MacvlanMode;
  /** Passthru mode: leave the parent's promiscuous mode alone (IFLA_MACVLAN_FLAGS MACVLAN_FLAG_NOPROMISC). */
  nopromisc?: boolean;
  /** Source mode: do not deliver to the link by destination MAC (MACVLAN_FLAG_NODST). */
  nodst?: boolean;
  /** For mode source: how macaddrData applies. */
  macaddrMode?: 'add' | 'del' | 'flush' | 'set';
  /** For mode source: the allowed source MACs. */
  macaddrData?: string[];
  bcqueuelen?: number;
}

/** What the kernel reports of a macvlan beyond its options. */
export interface MacvlanState {
  usedbcqueuelen?: number;
  macaddrCount?: number;
}

/** `ip link add link PARENT … type ipvlan|ipvtap mode … FLAG` */
export interface IpvlanOptions {
  mode?: 'l2' | 'l3' | 'l3s';
  /**
   * IFLA_IPVLAN_FLAGS, iproute2's bare `bridge`/`private`/`vepa` keyword. (API.md calls it `flags`;
   * that name is every link's IFF_* list, so the kind field carries the kernel attribute's prefix.)
   */
  ipvlanFlags?: 'bridge' | 'private' | 'vepa';
}

/** A veth's other end. */
export interface VethPeer {
  name: string;
  address?: string;
  mtu?: number;
  txqueuelen?: number;
  /** Put the peer straight into another namespace (a container's). */
  netns?: string | { path: string } | { fd: number };
}

/** `ip link add … type vrf table N` */
export interface VrfOptions {
  /** The routing table (required). */
  table: number;
}

/** `ip link add … type geneve …` */
export interface GeneveOptions {
  /** The VNI, 0–16777215 (required). */
  id: number;
  remote?: string;
  ttl?: number;
  ttlInherit?: boolean;
  tos?: number;
  df?: 'unset' | 'set' | 'inherit';
  flowlabel?: number;
  port?: number;
  udpCsum?: boolean;
  udpZeroCsum6Tx?: boolean;
  udpZeroCsum6Rx?: boolean;
  external?: boolean;
  innerProtoInherit?: boolean;
}

/** `ip tuntap add … mode tun|tap …` (through /dev/net/tun). */
export interface TunOptions {
  /** Owning user id. */
  owner?: number;
  /** Owning group id. */
  group?: number;
  multiQueue?: boolean;
  vnetHdr?: boolean;
  /** Packet information header (iproute2's `pi`; off by default, as with `ip tuntap`). */
  pi?: boolean;
  /** Whether the device outlives the descriptor that made it: link.add always makes it so (false is refused). */
  persist?: boolean;
}

/** What the kernel reports of a tun/tap beyond its options. */
export interface TunState {
  numQueues?: number;
  numDisabledQueues?: number;
}
