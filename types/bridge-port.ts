// A bridge port's options (IFLA_INFO_SLAVE_DATA of a link whose master is a bridge: IFLA_BRPORT_*,
// <linux/if_link.h>), named as the camelCase of iproute2's `ip link set dev X type bridge_slave …`
// options; `ip -d -j link show` reports them under `info_slave_data`. *Options are what
// link.set takes and a read reports back; *State fields are reported only.

/** A port's spanning-tree state (BR_STATE_*, <linux/if_bridge.h>), as iproute2 names it. */
export type BridgePortStpState = 'disabled' | 'listening' | 'learning' | 'forwarding' | 'blocking';

/** `ip link set dev X type bridge_slave …`: the options of a bridge port. */
export interface BridgePortOptions {
  /**
   * `state`: the port's STP state (IFLA_BRPORT_STATE). The kernel refuses a change while kernel
   * STP runs on the bridge (EBUSY), and any state but `disabled` while the port is down (ENETDOWN).
   */
  state?: BridgePortStpState | undefined;
  /** `priority`: the port's STP priority, 0–63 (IFLA_BRPORT_PRIORITY). */
  priority?: number | undefined;
  /** `cost`: the port's STP path cost, 1–65535 (IFLA_BRPORT_COST; the kernel derives it from the speed until set). */
  cost?: number | undefined;
  /** `hairpin`: send frames back out of the port they came in on (IFLA_BRPORT_MODE), e.g. for a VEPA or reflective relay. */
  hairpin?: boolean | undefined;
  /** `guard`: BPDU guard, disable the port when an STP BPDU arrives on it (IFLA_BRPORT_GUARD). */
  guard?: boolean | undefined;
  /** `root_block`: never let this port become the root port (IFLA_BRPORT_PROTECT). */
  rootBlock?: boolean | undefined;
  /** `fastleave` (also `mcast_fast_leave`): drop a multicast group at once on an IGMP/MLD leave (IFLA_BRPORT_FAST_LEAVE). */
  fastLeave?: boolean | undefined;
  /** `learning`: learn source MAC addresses seen on the port into the FDB (IFLA_BRPORT_LEARNING). */
  learning?: boolean | undefined;
  /** `flood`: flood unknown-unicast frames to this port (IFLA_BRPORT_UNICAST_FLOOD). */
  flood?: boolean | undefined;
  /** `proxy_arp`: answer ARP requests for known neighbours on this port (IFLA_BRPORT_PROXYARP). */
  proxyArp?: boolean | undefined;
  /** `proxy_arp_wifi`: proxy ARP as IEEE 802.11 access points need it (IFLA_BRPORT_PROXYARP_WIFI). */
  proxyArpWifi?: boolean | undefined;
  /**
   * `mcast_router`: whether a multicast router sits behind the port (IFLA_BRPORT_MULTICAST_ROUTER):
   * 0 no, 1 learn from queries (the default), 2 always, 3 temporarily (MDB_RTR_TYPE_*).
   */
  mcastRouter?: number | undefined;
  /** `mcast_flood`: flood unknown-multicast frames to this port (IFLA_BRPORT_MCAST_FLOOD). */
  mcastFlood?: boolean | undefined;
  /** `mcast_to_unicast`: send multicast to each subscriber on the port as unicast (IFLA_BRPORT_MCAST_TO_UCAST). */
  mcastToUnicast?: boolean | undefined;
  /** `bcast_flood`: flood broadcast frames to this port (IFLA_BRPORT_BCAST_FLOOD). */
  bcastFlood?: boolean | undefined;
  /**
   * `group_fwd_mask`: bit mask of the link-local groups 01:80:C2:00:00:0X the port forwards
   * (IFLA_BRPORT_GROUP_FWD_MASK); bit 1 (MAC pause frames) is never allowed.
   */
  groupFwdMask?: number | undefined;
  /** `neigh_suppress`: suppress ARP/ND flooding where the bridge knows the answer (IFLA_BRPORT_NEIGH_SUPPRESS). */
  neighSuppress?: boolean | undefined;
  /** `neigh_vlan_suppress`: neigh_suppress decided per VLAN (IFLA_BRPORT_NEIGH_VLAN_SUPPRESS, Linux 6.7+). */
  neighVlanSuppress?: boolean | undefined;
  /** `vlan_tunnel`: map VLANs to tunnel ids on this port (IFLA_BRPORT_VLAN_TUNNEL). */
  vlanTunnel?: boolean | undefined;
  /** `isolated`: an isolated port forwards only to ports that are not isolated (IFLA_BRPORT_ISOLATED). */
  isolated?: boolean | undefined;
  /** `locked`: forward only from MAC addresses the FDB already holds for this port (802.1X; IFLA_BRPORT_LOCKED). */
  locked?: boolean | undefined;
  /**
   * `mab`: MAC authentication bypass, learn locked FDB entries for user space to authorise
   * (IFLA_BRPORT_MAB, Linux 6.2+); the kernel needs `locked` and `learning` on with it.
   */
  mab?: boolean | undefined;
  /**
   * `backup_port`: the port that takes this port's traffic while its carrier is down
   * (IFLA_BRPORT_BACKUP_PORT). A read reports the index, link.set takes a name or an index.
   */
  backupPort?: number | string | undefined;
  /** `backup_nhid`: the nexthop group id of the backup port's VXLAN tunnel (IFLA_BRPORT_BACKUP_NHID, Linux 6.7+; 0 none). */
  backupNhid?: number | undefined;
  /** `mcast_eht_hosts_limit`: the most tracked hosts for IGMPv3/MLDv2 explicit host tracking, at least 1 (IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT). */
  mcastEhtHostsLimit?: number | undefined;
  /** `mcast_max_groups`: the most multicast groups the port may join, 0 no limit (IFLA_BRPORT_MCAST_MAX_GROUPS, Linux 6.3+). */
  mcastMaxGroups?: number | undefined;
  /** `neigh_forward_grat`: forward gratuitous ARP/NA despite neigh_suppress (IFLA_BRPORT_NEIGH_FORWARD_GRAT; newer than Linux 6.18, which ignores it). */
  neighForwardGrat?: boolean | undefined;
}

/** What the kernel reports of a bridge port beside its options (read-only: link.set refuses them). */
export interface BridgePortState {
  /** `port_id`: the STP port id, priority and number (IFLA_BRPORT_ID; `ip -j` prints it in hex). */
  id?: number;
  /** `port_no`: the port's number on its bridge (IFLA_BRPORT_NO; `ip -j` prints it in hex). */
  no?: number;
  /** `designated_root`: the root bridge id, printed as iproute2 prints it: '8000.2:0:0:0:0:b0' (IFLA_BRPORT_ROOT_ID). */
  designatedRoot?: string;
  /** `designated_bridge`: the designated bridge's id, printed like designatedRoot (IFLA_BRPORT_BRIDGE_ID). */
  designatedBridge?: string;
  /** `designated_port`: the designated port's id (IFLA_BRPORT_DESIGNATED_PORT). */
  designatedPort?: number;
  /** `designated_cost`: the designated cost (IFLA_BRPORT_DESIGNATED_COST). */
  designatedCost?: number;
  /** `topology_change_ack`: a topology-change acknowledgement is pending (IFLA_BRPORT_TOPOLOGY_CHANGE_ACK). */
  topologyChangeAck?: boolean;
  /** `config_pending`: a configuration BPDU is pending (IFLA_BRPORT_CONFIG_PENDING). */
  configPending?: boolean;
  /** `message_age_timer`: time left, in centiseconds (IFLA_BRPORT_MESSAGE_AGE_TIMER; `ip` prints seconds). */
  messageAgeTimer?: number;
  /** `forward_delay_timer`: time left, in centiseconds (IFLA_BRPORT_FORWARD_DELAY_TIMER). */
  forwardDelayTimer?: number;
  /** `hold_timer`: time left, in centiseconds (IFLA_BRPORT_HOLD_TIMER). */
  holdTimer?: number;
  /** The MRP ring port has lost continuity (IFLA_BRPORT_MRP_RING_OPEN). */
  mrpRingOpen?: boolean;
  /** The MRP interconnect port has lost continuity (IFLA_BRPORT_MRP_IN_OPEN). */
  mrpInOpen?: boolean;
  /** Hosts tracked by IGMPv3/MLDv2 explicit host tracking (IFLA_BRPORT_MCAST_EHT_HOSTS_CNT). */
  mcastEhtHostsCnt?: number;
  /** `mcast_n_groups`: multicast groups the port has joined (IFLA_BRPORT_MCAST_N_GROUPS, Linux 6.3+). */
  mcastNGroups?: number;
}

/** A bridge port as a read reports it (`info_slave_data` of `ip -d -j link show`). */
export interface BridgePort extends BridgePortOptions, BridgePortState {
  /** The port's index of its backup port, where it has one. */
  backupPort?: number;
  /** IFLA_BRPORT_* attributes this package does not model, as they came (link.set does not take them). */
  unknown?: {
    /** The attribute's type number (IFLA_BRPORT_*). */
    type: number;
    /** Its payload, as it came. */
    data: Buffer;
  }[];
}

/** What link.set takes under `bridgePort`: the options, and iproute2's write-only words. */
export interface BridgePortChange extends Omit<BridgePortOptions, 'backupPort'> {
  /** `backup_port DEV` (a name or an index), or null for `nobackup_port`. */
  backupPort?: number | string | null | undefined;
  /** `mcast_fast_leave`: iproute2's other name for `fastLeave` (the same attribute). */
  mcastFastLeave?: boolean | undefined;
  /** `fdb_flush`: flush the FDB entries learned on this port (IFLA_BRPORT_FLUSH). */
  fdbFlush?: boolean | undefined;
}
