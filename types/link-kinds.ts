// The kind fields of each link type (IFLA_INFO_DATA, <linux/if_link.h>), named as the camelCase
// of iproute2's options (`ip link add … type bridge stp_state 1` → `stpState: 1`). *Options are
// what add/set take and a read reports back; *State fields are reported only. A named value
// (a mode, a policy) that the kernel reports without a name here (a newer kernel's) reads as its
// decimal text, `${number}` in the types, and add/set take that text back as the number.

/** `ip link add … type bridge …` (times in centiseconds, as iproute2 takes and prints them). */
export interface BridgeOptions {
  /**
   * `forward_delay`: time a port spends listening and learning before it forwards, in centiseconds
   * (IFLA_BR_FORWARD_DELAY).
   */
  forwardDelay?: number | undefined;
  /** `hello_time`: interval between STP hello packets, in centiseconds (IFLA_BR_HELLO_TIME). */
  helloTime?: number | undefined;
  /** `max_age`: how long STP information from a hello packet is kept, in centiseconds (IFLA_BR_MAX_AGE). */
  maxAge?: number | undefined;
  /** `ageing_time`: how long a learned FDB entry lives unrefreshed, in centiseconds (IFLA_BR_AGEING_TIME). */
  ageingTime?: number | undefined;
  /** 0 off, 1 kernel STP (2 when a user-space STP daemon runs). */
  stpState?: number | undefined;
  /** `priority`: the bridge's STP priority, 0–65535; the lowest becomes the root (IFLA_BR_PRIORITY). */
  priority?: number | undefined;
  /**
   * `vlan_filtering`: filter and tag by VLAN on the ports (IFLA_BR_VLAN_FILTERING; needs
   * CONFIG_BRIDGE_VLAN_FILTERING).
   */
  vlanFiltering?: boolean | undefined;
  /** `vlan_protocol`: the VLAN protocol used when filtering (IFLA_BR_VLAN_PROTOCOL). */
  vlanProtocol?: '802.1Q' | '802.1ad' | `${number}` | undefined;
  /**
   * `group_fwd_mask`: bit mask of the link-local groups 01:80:C2:00:00:0X the bridge forwards
   * (IFLA_BR_GROUP_FWD_MASK).
   */
  groupFwdMask?: number | undefined;
  /** `group_address`: the MAC address STP packets are sent to (IFLA_BR_GROUP_ADDR). */
  groupAddress?: string | undefined;
  /** Write-only: flush the bridge's forwarding database. */
  fdbFlush?: boolean | undefined;
  /** 0 disabled, 1 automatic, 2 permanent. */
  mcastRouter?: number | undefined;
  /**
   * `mcast_snooping`: IGMP/MLD snooping, forwarding multicast only to interested ports
   * (IFLA_BR_MCAST_SNOOPING).
   */
  mcastSnooping?: boolean | undefined;
  /**
   * `mcast_query_use_ifaddr`: send queries from the bridge's own IP address rather than 0.0.0.0
   * (IFLA_BR_MCAST_QUERY_USE_IFADDR).
   */
  mcastQueryUseIfaddr?: boolean | undefined;
  /** `mcast_querier`: act as IGMP/MLD querier (IFLA_BR_MCAST_QUERIER). */
  mcastQuerier?: boolean | undefined;
  /**
   * `mcast_hash_elasticity`: kept for compatibility; recent kernels ignore it
   * (IFLA_BR_MCAST_HASH_ELASTICITY).
   */
  mcastHashElasticity?: number | undefined;
  /** `mcast_hash_max`: the most multicast groups the bridge tracks (IFLA_BR_MCAST_HASH_MAX). */
  mcastHashMax?: number | undefined;
  /** `mcast_last_member_count`: group-specific queries sent after a leave (IFLA_BR_MCAST_LAST_MEMBER_CNT). */
  mcastLastMemberCount?: number | undefined;
  /** `mcast_startup_query_count`: general queries sent at start-up (IFLA_BR_MCAST_STARTUP_QUERY_CNT). */
  mcastStartupQueryCount?: number | undefined;
  /**
   * `mcast_last_member_interval`: interval between group-specific queries after a leave, in centiseconds
   * (IFLA_BR_MCAST_LAST_MEMBER_INTVL).
   */
  mcastLastMemberInterval?: number | undefined;
  /**
   * `mcast_membership_interval`: how long a group lives without a report, in centiseconds
   * (IFLA_BR_MCAST_MEMBERSHIP_INTVL).
   */
  mcastMembershipInterval?: number | undefined;
  /**
   * `mcast_querier_interval`: how long another querier counts as present after its last query, in
   * centiseconds (IFLA_BR_MCAST_QUERIER_INTVL).
   */
  mcastQuerierInterval?: number | undefined;
  /**
   * `mcast_query_interval`: interval between general queries, in centiseconds (IFLA_BR_MCAST_QUERY_INTVL).
   */
  mcastQueryInterval?: number | undefined;
  /**
   * `mcast_query_response_interval`: the Max Response Time of general queries, in centiseconds
   * (IFLA_BR_MCAST_QUERY_RESPONSE_INTVL).
   */
  mcastQueryResponseInterval?: number | undefined;
  /**
   * `mcast_startup_query_interval`: interval between start-up queries, in centiseconds
   * (IFLA_BR_MCAST_STARTUP_QUERY_INTVL).
   */
  mcastStartupQueryInterval?: number | undefined;
  /**
   * `nf_call_iptables`: pass bridged IPv4 traffic through iptables (the bridge's own
   * net.bridge.bridge-nf-call-iptables; IFLA_BR_NF_CALL_IPTABLES).
   */
  nfCallIptables?: boolean | undefined;
  /** `nf_call_ip6tables`: pass bridged IPv6 traffic through ip6tables (IFLA_BR_NF_CALL_IP6TABLES). */
  nfCallIp6tables?: boolean | undefined;
  /** `nf_call_arptables`: pass bridged ARP through arptables (IFLA_BR_NF_CALL_ARPTABLES). */
  nfCallArptables?: boolean | undefined;
  /** `vlan_default_pvid`: the VLAN new ports join untagged, 0 for none (IFLA_BR_VLAN_DEFAULT_PVID). */
  vlanDefaultPvid?: number | undefined;
  /** `vlan_stats_enabled`: count traffic per VLAN (IFLA_BR_VLAN_STATS_ENABLED). */
  vlanStatsEnabled?: boolean | undefined;
  /** `mcast_stats_enabled`: count IGMP/MLD packets (IFLA_BR_MCAST_STATS_ENABLED). */
  mcastStatsEnabled?: boolean | undefined;
  /** `mcast_igmp_version`: the IGMP version of queries, 2 or 3 (IFLA_BR_MCAST_IGMP_VERSION). */
  mcastIgmpVersion?: number | undefined;
  /** `mcast_mld_version`: the MLD version of queries, 1 or 2 (IFLA_BR_MCAST_MLD_VERSION). */
  mcastMldVersion?: number | undefined;
  /** `vlan_stats_per_port`: keep VLAN statistics per port (IFLA_BR_VLAN_STATS_PER_PORT). */
  vlanStatsPerPort?: boolean | undefined;
  /** IFLA_BR_MULTI_BOOLOPT bit BR_BOOLOPT_NO_LL_LEARN. */
  noLinklocalLearn?: boolean | undefined;
  /** IFLA_BR_MULTI_BOOLOPT bit BR_BOOLOPT_MCAST_VLAN_SNOOPING. */
  mcastVlanSnooping?: boolean | undefined;
  /** IFLA_BR_MULTI_BOOLOPT bit BR_BOOLOPT_MST_ENABLE. */
  mstEnabled?: boolean | undefined;
  /** `fdb_max_learned`: most FDB entries the bridge learns, 0 = no limit (IFLA_BR_FDB_MAX_LEARNED, Linux 6.8+). */
  fdbMaxLearned?: number | undefined;
}

/** What the kernel reports of a bridge beyond its options (timers in centiseconds). */
export interface BridgeState {
  /** As iproute2 prints it: priority in hex, '.', the MAC (e.g. '8000.0:0:0:0:0:0'). */
  rootId?: string;
  /** This bridge's id, printed like rootId (IFLA_BR_BRIDGE_ID). */
  bridgeId?: string;
  /** The port number toward the root bridge, 0 on the root (IFLA_BR_ROOT_PORT). */
  rootPort?: number;
  /** STP path cost to the root bridge (IFLA_BR_ROOT_PATH_COST). */
  rootPathCost?: number;
  /** An STP topology change is in progress (IFLA_BR_TOPOLOGY_CHANGE). */
  topologyChange?: boolean;
  /** A topology change was detected (IFLA_BR_TOPOLOGY_CHANGE_DETECTED). */
  topologyChangeDetected?: boolean;
  /** Time left on the hello timer, in centiseconds (IFLA_BR_HELLO_TIMER). */
  helloTimer?: number;
  /** Time left on the topology-change-notification timer, in centiseconds (IFLA_BR_TCN_TIMER). */
  tcnTimer?: number;
  /** Time left on the topology-change timer, in centiseconds (IFLA_BR_TOPOLOGY_CHANGE_TIMER). */
  topologyChangeTimer?: number;
  /** Time left until the next FDB garbage collection, in centiseconds (IFLA_BR_GC_TIMER). */
  gcTimer?: number;
  /** FDB entries learned so far (IFLA_BR_FDB_N_LEARNED, Linux 6.8+). */
  fdbNLearned?: number;
  /** The multicast querier the bridge knows of (IFLA_BR_MCAST_QUERIER_STATE). */
  mcastQuerierState?: BridgeQuerierState;
}

/** Who the bridge's IGMP/MLD querier is (BRIDGE_QUERIER_* in <linux/if_bridge.h>), each where reported. */
export interface BridgeQuerierState {
  /** The IPv4 querier's address (0.0.0.0: none seen; BRIDGE_QUERIER_IP_ADDRESS). */
  ipAddress?: string;
  /** The port it was seen on, an ifindex (BRIDGE_QUERIER_IP_PORT). */
  ipPort?: number;
  /** Time left on the other-querier-present timer, in centiseconds (BRIDGE_QUERIER_IP_OTHER_TIMER). */
  ipOtherTimer?: number;
  /** The IPv6 querier's address (BRIDGE_QUERIER_IPV6_ADDRESS). */
  ipv6Address?: string;
  /** The port it was seen on, an ifindex (BRIDGE_QUERIER_IPV6_PORT). */
  ipv6Port?: number;
  /** Time left on the IPv6 other-querier-present timer, in centiseconds (BRIDGE_QUERIER_IPV6_OTHER_TIMER). */
  ipv6OtherTimer?: number;
  /** Attributes this package does not model, kept raw. */
  unknown?: {
    /** The attribute type number (BRIDGE_QUERIER_*). */
    type: number;
    /** Its payload. */
    data: Buffer;
  }[];
}

/** A bonding mode, as `ip link add … type bond mode MODE` names it (IFLA_BOND_MODE). */
export type BondMode =
  | 'balance-rr'
  | 'active-backup'
  | 'balance-xor'
  | 'broadcast'
  | '802.3ad'
  | 'balance-tlb'
  | 'balance-alb'
  | `${number}`;
/** How balance-xor and 802.3ad pick a port per flow (`xmit_hash_policy`, IFLA_BOND_XMIT_HASH_POLICY). */
export type BondXmitHashPolicy =
  'layer2' | 'layer3+4' | 'layer2+3' | 'encap2+3' | 'encap3+4' | 'vlan+srcmac' | `${number}`;

/** `ip link add … type bond …` */
export interface BondOptions {
  /** `mode`: how traffic is spread over the ports (default balance-rr) (IFLA_BOND_MODE). */
  mode?: BondMode | undefined;
  /**
   * The active port (name or index; reads give the index), set with `link.set` once the bond has
   * ports: `link.add` leaves a read bond's out and refuses one written by hand (a new bond has none).
   */
  activeSlave?: string | number | undefined;
  /** `miimon`: MII link monitoring interval in milliseconds, 0 = off (IFLA_BOND_MIIMON). */
  miimon?: number | undefined;
  /**
   * `updelay`: milliseconds a port must be up before it is used (a multiple of miimon) (IFLA_BOND_UPDELAY).
   */
  updelay?: number | undefined;
  /** `downdelay`: milliseconds a port must be down before it is dropped (IFLA_BOND_DOWNDELAY). */
  downdelay?: number | undefined;
  /**
   * `peer_notify_delay`: milliseconds between peer notifications after a failover
   * (IFLA_BOND_PEER_NOTIF_DELAY).
   */
  peerNotifyDelay?: number | undefined;
  /** `use_carrier`: MII monitoring reads the carrier state (IFLA_BOND_USE_CARRIER). */
  useCarrier?: boolean | undefined;
  /** `arp_interval`: ARP link monitoring interval in milliseconds, 0 = off (IFLA_BOND_ARP_INTERVAL). */
  arpInterval?: number | undefined;
  /** `arp_ip_target`: the IPv4 addresses ARP monitoring probes (IFLA_BOND_ARP_IP_TARGET). */
  arpIpTarget?: string[] | undefined;
  /** `arp_validate`: which ports validate ARP probes and replies (IFLA_BOND_ARP_VALIDATE). */
  arpValidate?:
    'none' | 'active' | 'backup' | 'all' | 'filter' | 'filter_active' | 'filter_backup' | `${number}` | undefined;
  /** `arp_all_targets`: a port is up when any, or all, ARP targets answer (IFLA_BOND_ARP_ALL_TARGETS). */
  arpAllTargets?: 'any' | 'all' | `${number}` | undefined;
  /** The primary port (name or index; reads give the index). */
  primary?: string | number | undefined;
  /** `primary_reselect`: when the primary port becomes active again (IFLA_BOND_PRIMARY_RESELECT). */
  primaryReselect?: 'always' | 'better' | 'failure' | `${number}` | undefined;
  /** `fail_over_mac`: how active-backup sets MAC addresses on failover (IFLA_BOND_FAIL_OVER_MAC). */
  failOverMac?: 'none' | 'active' | 'follow' | `${number}` | undefined;
  /** `xmit_hash_policy`: how balance-xor and 802.3ad pick a port (IFLA_BOND_XMIT_HASH_POLICY). */
  xmitHashPolicy?: BondXmitHashPolicy | undefined;
  /** `resend_igmp`: IGMP membership reports sent after a failover (IFLA_BOND_RESEND_IGMP). */
  resendIgmp?: number | undefined;
  /**
   * `num_grat_arp` (= `num_unsol_na`): gratuitous ARPs / unsolicited NAs sent after a failover
   * (IFLA_BOND_NUM_PEER_NOTIF).
   */
  numGratArp?: number | undefined;
  /**
   * `all_slaves_active`: deliver duplicate frames received on inactive ports (IFLA_BOND_ALL_SLAVES_ACTIVE).
   */
  allSlavesActive?: boolean | undefined;
  /** `min_links`: ports that must be up for the bond to have carrier (IFLA_BOND_MIN_LINKS). */
  minLinks?: number | undefined;
  /**
   * `lp_interval`: seconds between learning packets to the switch, balance-tlb/alb (IFLA_BOND_LP_INTERVAL).
   */
  lpInterval?: number | undefined;
  /**
   * `packets_per_slave`: packets sent on a port before the next, balance-rr (IFLA_BOND_PACKETS_PER_SLAVE).
   */
  packetsPerSlave?: number | undefined;
  /** `lacp_rate`: how often the partner should send LACPDUs, 802.3ad (IFLA_BOND_AD_LACP_RATE). */
  lacpRate?: 'slow' | 'fast' | `${number}` | undefined;
  /** `ad_select`: how the 802.3ad aggregator is chosen (IFLA_BOND_AD_SELECT). */
  adSelect?: 'stable' | 'bandwidth' | 'count' | `${number}` | undefined;
  /** `ad_actor_sys_prio`: the 802.3ad system priority, 1–65535 (IFLA_BOND_AD_ACTOR_SYS_PRIO). */
  adActorSysPrio?: number | undefined;
  /** `ad_user_port_key`: the user part of the 802.3ad port key, 0–1023 (IFLA_BOND_AD_USER_PORT_KEY). */
  adUserPortKey?: number | undefined;
  /** `ad_actor_system`: the MAC address 802.3ad announces as system id (IFLA_BOND_AD_ACTOR_SYSTEM). */
  adActorSystem?: string | undefined;
  /** `tlb_dynamic_lb`: balance-tlb rebalances flows by load (IFLA_BOND_TLB_DYNAMIC_LB). */
  tlbDynamicLb?: boolean | undefined;
  /** `lacp_active`: send LACPDUs on our own (`on`) or only in reply (`off`) (IFLA_BOND_AD_LACP_ACTIVE). */
  lacpActive?: boolean | undefined;
  /** `arp_missed_max`: missed ARP/NS probes before a port counts as down (IFLA_BOND_MISSED_MAX). */
  missedMax?: number | undefined;
  /**
   * `ns_ip6_target`: the IPv6 addresses NS monitoring probes, as `arpIpTarget` for IPv4 (at most 16)
   * (IFLA_BOND_NS_IP6_TARGET, Linux 6.0+).
   */
  nsIp6Target?: string[] | undefined;
  /**
   * `coupled_control`: 802.3ad's coupled mux states (on, the default) or independent collecting and
   * distributing ones (off); 802.3ad only, set while the bond is down (IFLA_BOND_COUPLED_CONTROL;
   * kernels that have it report it on every bond). `link.add` leaves it out at `true`, so a read bond
   * re-adds in other modes, which refuse it, and on kernels without it.
   */
  coupledControl?: boolean | undefined;
}

/** The 802.3ad aggregator a bond uses (IFLA_BOND_AD_INFO; `ip -d link` prints it as `ad_info`). */
export interface BondAdInfo {
  /** The active aggregator's id (IFLA_BOND_AD_INFO_AGGREGATOR). */
  aggregator?: number;
  /** Ports in it (IFLA_BOND_AD_INFO_NUM_PORTS). */
  numPorts?: number;
  /** Its actor key (IFLA_BOND_AD_INFO_ACTOR_KEY). */
  actorKey?: number;
  /** Its partner's key (IFLA_BOND_AD_INFO_PARTNER_KEY). */
  partnerKey?: number;
  /** Its partner's system MAC address, zero while there is none (IFLA_BOND_AD_INFO_PARTNER_MAC). */
  partnerMac?: string;
  /** Attributes this package does not model, as they came. */
  unknown?: {
    /** The attribute's type number (IFLA_BOND_AD_INFO_*). */
    type: number;
    /** Its payload, as it came. */
    data: Buffer;
  }[];
}

/** What the kernel reports of a bond beyond its options. */
export interface BondState {
  /** In 802.3ad mode, once an aggregator is active: which one, and its partner (IFLA_BOND_AD_INFO). */
  adInfo?: BondAdInfo;
}

/** `ip link add link PARENT … type vlan …` */
export interface VlanOptions {
  /** 1–4094 (required). */
  id: number;
  /** `protocol`: the tag's protocol, 802.1Q (default) or 802.1ad for QinQ (IFLA_VLAN_PROTOCOL). */
  protocol?: '802.1Q' | '802.1ad' | undefined;
  /**
   * `reorder_hdr`: hand packets to the stack with the tag removed (IFLA_VLAN_FLAGS VLAN_FLAG_REORDER_HDR;
   * on by default).
   */
  reorderHdr?: boolean | undefined;
  /** `gvrp`: register the VLAN with GVRP (VLAN_FLAG_GVRP). */
  gvrp?: boolean | undefined;
  /** `mvrp`: register the VLAN with MVRP (VLAN_FLAG_MVRP). */
  mvrp?: boolean | undefined;
  /** `loose_binding`: the VLAN's state does not follow its parent's (VLAN_FLAG_LOOSE_BINDING). */
  looseBinding?: boolean | undefined;
  /**
   * `bridge_binding`: the VLAN's carrier follows the bridge ports in that VLAN (VLAN_FLAG_BRIDGE_BINDING).
   */
  bridgeBinding?: boolean | undefined;
  /**
   * `egress-qos-map FROM:TO …`: outgoing packet priority (skb->priority, `from`) to 802.1p priority in the
   * tag (`to`) (IFLA_VLAN_EGRESS_QOS).
   */
  egressQosMap?:
    | {
        /** Packet priority (skb->priority). */
        from: number;
        /** 802.1p priority in the tag, 0–7. */
        to: number;
      }[]
    | undefined;
  /**
   * `ingress-qos-map FROM:TO …`: the tag's 802.1p priority (`from`) to packet priority (`to`) on receive
   * (IFLA_VLAN_INGRESS_QOS).
   */
  ingressQosMap?:
    | {
        /** 802.1p priority in the tag, 0–7. */
        from: number;
        /** Packet priority (skb->priority). */
        to: number;
      }[]
    | undefined;
}

/** `ip link add … type vxlan …` */
export interface VxlanOptions {
  /** The VNI, 0–16777215 (required). */
  id: number;
  /** Multicast group (IPv4 or IPv6). */
  group?: string | undefined;
  /** Unicast peer (IPv4 or IPv6). */
  remote?: string | undefined;
  /** `local`: the source address of the VTEP, IPv4 or IPv6 (IFLA_VXLAN_LOCAL / LOCAL6). */
  local?: string | undefined;
  /** The underlay device (name or index; reads give the index). */
  dev?: string | number | undefined;
  /** `ttl`: TTL of the outer IP header, 0 = the route's default (IFLA_VXLAN_TTL). */
  ttl?: number | undefined;
  /** `ttl inherit`: copy the inner packet's TTL (IFLA_VXLAN_TTL_INHERIT). */
  ttlInherit?: boolean | undefined;
  /** `tos`: TOS of the outer IP header, 1 = inherit (IFLA_VXLAN_TOS). */
  tos?: number | undefined;
  /** `df`: the outer header's Don't Fragment bit (IFLA_VXLAN_DF). */
  df?: 'unset' | 'set' | 'inherit' | `${number}` | undefined;
  /** `flowlabel`: the outer IPv6 flow label (IFLA_VXLAN_LABEL). */
  flowlabel?: number | undefined;
  /**
   * `learning` / `nolearning`: learn remote MACs into the FDB from received packets (IFLA_VXLAN_LEARNING).
   */
  learning?: boolean | undefined;
  /** `proxy`: answer ARP/ND from the FDB and neighbour table (IFLA_VXLAN_PROXY). */
  proxy?: boolean | undefined;
  /** `rsc`: route short-circuit (IFLA_VXLAN_RSC). */
  rsc?: boolean | undefined;
  /** `l2miss`: netlink notification on a missing FDB entry (IFLA_VXLAN_L2MISS). */
  l2miss?: boolean | undefined;
  /** `l3miss`: netlink notification on a missing neighbour entry (IFLA_VXLAN_L3MISS). */
  l3miss?: boolean | undefined;
  /** Seconds. */
  ageing?: number | undefined;
  /** `maxaddress`: the most FDB entries (IFLA_VXLAN_LIMIT). */
  maxaddress?: number | undefined;
  /**
   * `srcport LOW HIGH`: the range of outer UDP source ports, `{ low, high }` inclusive
   * (IFLA_VXLAN_PORT_RANGE).
   */
  srcPortRange?:
    | {
        /** The lowest source port. */
        low: number;
        /** The highest source port. */
        high: number;
      }
    | undefined;
  /** UDP destination port (iproute2's `dstport`). */
  port?: number | undefined;
  /** `udpcsum`: compute outer UDP checksums over IPv4 (IFLA_VXLAN_UDP_CSUM). */
  udpCsum?: boolean | undefined;
  /** `udp6zerocsumtx`: send a zero UDP checksum over IPv6 (IFLA_VXLAN_UDP_ZERO_CSUM6_TX). */
  udpZeroCsum6Tx?: boolean | undefined;
  /** `udp6zerocsumrx`: accept a zero UDP checksum over IPv6 (IFLA_VXLAN_UDP_ZERO_CSUM6_RX). */
  udpZeroCsum6Rx?: boolean | undefined;
  /** `remcsumtx`: remote checksum offload on transmit (IFLA_VXLAN_REMCSUM_TX). */
  remcsumTx?: boolean | undefined;
  /** `remcsumrx`: remote checksum offload on receive (IFLA_VXLAN_REMCSUM_RX). */
  remcsumRx?: boolean | undefined;
  /**
   * `remcsum_nopartial`: remote checksum offload without partial checksums (IFLA_VXLAN_REMCSUM_NOPARTIAL).
   */
  remcsumNopartial?: boolean | undefined;
  /** `gbp`: the Group Based Policy extension (IFLA_VXLAN_GBP). */
  gbp?: boolean | undefined;
  /** `gpe`: the Generic Protocol Extension (IFLA_VXLAN_GPE). */
  gpe?: boolean | undefined;
  /** Collect metadata (iproute2's `external`). */
  external?: boolean | undefined;
  /** `vnifilter`: a collect-metadata device filtering by VNI (IFLA_VXLAN_VNIFILTER). */
  vnifilter?: boolean | undefined;
  /**
   * `[no]localbypass`: deliver to a local VXLAN device's FDB directly when the remote is a local
   * address (default true) (IFLA_VXLAN_LOCALBYPASS, Linux 6.8+).
   */
  localbypass?: boolean | undefined;
  /** IPv6 flow label: 'fixed' (`flowlabel`, the default) or 'inherit' from the inner packet (IFLA_VXLAN_LABEL_POLICY, Linux 6.8+). */
  labelPolicy?: 'fixed' | 'inherit' | `${number}` | undefined;
  /**
   * `reserved_bits`: the VXLAN header bits the device treats as reserved (and drops packets that set),
   * as a 64-bit hex number: '0xf7ffffff000000ff' by default (IFLA_VXLAN_RESERVED_BITS, Linux 6.14+).
   */
  reservedBits?: string | undefined;
}

/** A macvlan/macvtap mode, as `ip link add … type macvlan mode MODE` names it (IFLA_MACVLAN_MODE). */
export type MacvlanMode = 'private' | 'vepa' | 'bridge' | 'passthru' | 'source' | `${number}`;

/** `ip link add link PARENT … type macvlan|macvtap …` */
export interface MacvlanOptions {
  /**
   * `mode`: private (no traffic between siblings), vepa (between siblings via the switch), bridge
   * (directly), passthru (one link takes over the parent), source (by source MAC) (IFLA_MACVLAN_MODE).
   */
  mode?: MacvlanMode | undefined;
  /** Passthru mode: leave the parent's promiscuous mode alone (IFLA_MACVLAN_FLAGS MACVLAN_FLAG_NOPROMISC). */
  nopromisc?: boolean | undefined;
  /** Source mode: do not deliver to the link by destination MAC (MACVLAN_FLAG_NODST). */
  nodst?: boolean | undefined;
  /** For mode source: how macaddrData applies. */
  macaddrMode?: 'add' | 'del' | 'flush' | 'set' | `${number}` | undefined;
  /** For mode source: the allowed source MACs. */
  macaddrData?: string[] | undefined;
  /** `bcqueuelen`: length of the queue for broadcast and multicast delivery (IFLA_MACVLAN_BC_QUEUE_LEN). */
  bcqueuelen?: number | undefined;
}

/** What the kernel reports of a macvlan beyond its options. */
export interface MacvlanState {
  /**
   * The broadcast queue length in use: the largest of all siblings' bcqueuelen
   * (IFLA_MACVLAN_BC_QUEUE_LEN_USED).
   */
  usedbcqueuelen?: number;
  /** Source mode: how many source MACs are allowed (IFLA_MACVLAN_MACADDR_COUNT). */
  macaddrCount?: number;
}

/** `ip link add link PARENT … type ipvlan|ipvtap mode … FLAG` */
export interface IpvlanOptions {
  /**
   * `mode`: l2 (the driver switches by IP on the parent's MAC), l3 (routes, no broadcast or ARP), l3s (l3
   * through netfilter) (IFLA_IPVLAN_MODE).
   */
  mode?: 'l2' | 'l3' | 'l3s' | `${number}` | undefined;
  /**
   * IFLA_IPVLAN_FLAGS, iproute2's bare `bridge`/`private`/`vepa` keyword. API.md calls it `flags`,
   * and add and set take it under that name too; a read reports it as `ipvlanFlags`, since `flags`
   * is every link's IFF_* list.
   */
  ipvlanFlags?: 'bridge' | 'private' | 'vepa' | `${number}` | undefined;
}

/** A veth's other end. */
export interface VethPeer {
  /** The peer's interface name. */
  name: string;
  /** The peer's MAC address (taken as LinkCommon.address is). */
  address?: string | undefined;
  /** The peer's MTU. */
  mtu?: number | undefined;
  /** The peer's transmit queue length. */
  txqueuelen?: number | undefined;
  /** Put the peer straight into another namespace (a container's). */
  netns?:
    | string
    | {
        /** A namespace file, e.g. /proc/PID/ns/net. */
        path: string;
      }
    | {
        /** An open descriptor of a namespace file. */
        fd: number;
      }
    | undefined;
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
  /** `remote`: the peer's address, IPv4 or IPv6 (IFLA_GENEVE_REMOTE / REMOTE6). */
  remote?: string | undefined;
  /** `ttl`: TTL of the outer IP header, 0 = the route's default (IFLA_GENEVE_TTL). */
  ttl?: number | undefined;
  /** `ttl inherit`: copy the inner packet's TTL (IFLA_GENEVE_TTL_INHERIT). */
  ttlInherit?: boolean | undefined;
  /** `tos`: TOS of the outer IP header, 1 = inherit (IFLA_GENEVE_TOS). */
  tos?: number | undefined;
  /** `df`: the outer header's Don't Fragment bit (IFLA_GENEVE_DF). */
  df?: 'unset' | 'set' | 'inherit' | `${number}` | undefined;
  /** `flowlabel`: the outer IPv6 flow label (IFLA_GENEVE_LABEL). */
  flowlabel?: number | undefined;
  /** `dstport`: UDP destination port (default 6081) (IFLA_GENEVE_PORT). */
  port?: number | undefined;
  /** `udpcsum`: compute outer UDP checksums over IPv4 (IFLA_GENEVE_UDP_CSUM). */
  udpCsum?: boolean | undefined;
  /** `udp6zerocsumtx`: send a zero UDP checksum over IPv6 (IFLA_GENEVE_UDP_ZERO_CSUM6_TX). */
  udpZeroCsum6Tx?: boolean | undefined;
  /** `udp6zerocsumrx`: accept a zero UDP checksum over IPv6 (IFLA_GENEVE_UDP_ZERO_CSUM6_RX). */
  udpZeroCsum6Rx?: boolean | undefined;
  /** `external`: collect metadata (flow-based tunnelling) (IFLA_GENEVE_COLLECT_METADATA). */
  external?: boolean | undefined;
  /** `innerprotoinherit`: carry the inner protocol, not only Ethernet (IFLA_GENEVE_INNER_PROTO_INHERIT). */
  innerProtoInherit?: boolean | undefined;
}

/** `ip tuntap add … mode tun|tap …` (through /dev/net/tun). */
export interface TunOptions {
  /** Owning user id. */
  owner?: number | undefined;
  /** Owning group id. */
  group?: number | undefined;
  /** `multi_queue`: a multi-queue device (IFF_MULTI_QUEUE). */
  multiQueue?: boolean | undefined;
  /** `vnet_hdr`: frames carry a virtio-net header (IFF_VNET_HDR), as QEMU's vhost expects. */
  vnetHdr?: boolean | undefined;
  /** Packet information header (iproute2's `pi`; off by default, as with `ip tuntap`). */
  pi?: boolean | undefined;
  /** Whether the device outlives the descriptor that made it: link.add always makes it so (false is refused). */
  persist?: boolean | undefined;
}

/** What the kernel reports of a tun/tap beyond its options. */
export interface TunState {
  /** Queues attached (IFLA_TUN_NUM_QUEUES). */
  numQueues?: number;
  /** Queues attached but disabled (IFLA_TUN_NUM_DISABLED_QUEUES). */
  numDisabledQueues?: number;
}
