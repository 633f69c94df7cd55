// bridge ports: IFLA_BRPORT_* (<linux/if_link.h>) in IFLA_INFO_SLAVE_DATA of a link whose master is
// a bridge (IFLA_INFO_SLAVE_KIND "bridge"), as `ip link set dev X type bridge_slave …` writes them
// and `ip -d link show` prints them (iproute2 ip/iplink_bridge_slave.c). Ranges follow the kernel
// (net/bridge/br_netlink.c br_setport, br_stp_if.c): priority ≤ 63 (BR_PORT_BITS), cost 1..65535
// (BR_MIN/MAX_PATH_COST), mcast_router ≤ MDB_RTR_TYPE_TEMP, no BR_GROUPFWD_MACPAUSE in the mask.
// Times are clock_t (centiseconds), as for the bridge itself. IFLA_BRPORT_LEARNING_SYNC (11) is
// neither taken nor reported by the kernel, IFLA_BRPORT_PAD (26) is padding: they have no row.
import { bool8, flag, u16, u32, u64n, u8 } from '../../core/schema.js';
import type { BridgePortChange, BridgePortState, BridgePortStpState } from '../../../types/bridge-port.js';
import { bridgeId, linkIndex, maskWithout, namesOnly, ranged, readOnly } from '../words.js';
import { definePort } from './define.js';

/** BR_STATE_* (<linux/if_bridge.h>), named as iproute2 prints them. */
const stpState = namesOnly<BridgePortStpState>(u8, {
  disabled: 0,
  listening: 1,
  learning: 2,
  forwarding: 3,
  blocking: 4,
});

type Rows = Omit<BridgePortChange, 'backupPort' | 'mcastFastLeave'> & BridgePortState & { backupPort?: number };

export const bridgePort = definePort<Rows>(
  // state is the port's STP state, which the kernel changes itself: a read port re-added does not
  // force it (it would fail on a port that is down, ENETDOWN, or under kernel STP, EBUSY)
  {
    slaveKind: 'bridge',
    field: 'bridgePort',
    notOnAdd: ['state', 'fdbFlush'],
    aliases: { mcastFastLeave: 'fastLeave' },
    pad: 26, // IFLA_BRPORT_PAD
  },
  {
    state: [1, stpState], // IFLA_BRPORT_STATE
    priority: [2, ranged(u16, 0, 63)], // IFLA_BRPORT_PRIORITY
    cost: [3, ranged(u32, 1, 65535)], // IFLA_BRPORT_COST
    hairpin: [4, bool8], // IFLA_BRPORT_MODE
    guard: [5, bool8], // IFLA_BRPORT_GUARD
    rootBlock: [6, bool8], // IFLA_BRPORT_PROTECT
    fastLeave: [7, bool8], // IFLA_BRPORT_FAST_LEAVE
    learning: [8, bool8], // IFLA_BRPORT_LEARNING
    flood: [9, bool8], // IFLA_BRPORT_UNICAST_FLOOD
    proxyArp: [10, bool8], // IFLA_BRPORT_PROXYARP
    proxyArpWifi: [12, bool8], // IFLA_BRPORT_PROXYARP_WIFI
    designatedRoot: [13, bridgeId], // IFLA_BRPORT_ROOT_ID
    designatedBridge: [14, bridgeId], // IFLA_BRPORT_BRIDGE_ID
    designatedPort: [15, readOnly(u16)], // IFLA_BRPORT_DESIGNATED_PORT
    designatedCost: [16, readOnly(u16)], // IFLA_BRPORT_DESIGNATED_COST
    id: [17, readOnly(u16)], // IFLA_BRPORT_ID
    no: [18, readOnly(u16)], // IFLA_BRPORT_NO
    topologyChangeAck: [19, readOnly(bool8)], // IFLA_BRPORT_TOPOLOGY_CHANGE_ACK
    configPending: [20, readOnly(bool8)], // IFLA_BRPORT_CONFIG_PENDING
    messageAgeTimer: [21, readOnly(u64n)], // IFLA_BRPORT_MESSAGE_AGE_TIMER
    forwardDelayTimer: [22, readOnly(u64n)], // IFLA_BRPORT_FORWARD_DELAY_TIMER
    holdTimer: [23, readOnly(u64n)], // IFLA_BRPORT_HOLD_TIMER
    fdbFlush: [24, flag], // IFLA_BRPORT_FLUSH (write-only)
    mcastRouter: [25, ranged(u8, 0, 3)], // IFLA_BRPORT_MULTICAST_ROUTER (MDB_RTR_TYPE_DISABLED..TEMP)
    mcastFlood: [27, bool8], // IFLA_BRPORT_MCAST_FLOOD
    mcastToUnicast: [28, bool8], // IFLA_BRPORT_MCAST_TO_UCAST
    vlanTunnel: [29, bool8], // IFLA_BRPORT_VLAN_TUNNEL
    bcastFlood: [30, bool8], // IFLA_BRPORT_BCAST_FLOOD
    groupFwdMask: [31, maskWithout(u16, 1 << 1, 'MAC pause frames are never forwarded')], // IFLA_BRPORT_GROUP_FWD_MASK
    neighSuppress: [32, bool8], // IFLA_BRPORT_NEIGH_SUPPRESS
    isolated: [33, bool8], // IFLA_BRPORT_ISOLATED
    backupPort: [34, linkIndex], // IFLA_BRPORT_BACKUP_PORT (0: nobackup_port)
    mrpRingOpen: [35, readOnly(bool8)], // IFLA_BRPORT_MRP_RING_OPEN
    mrpInOpen: [36, readOnly(bool8)], // IFLA_BRPORT_MRP_IN_OPEN
    mcastEhtHostsLimit: [37, ranged(u32, 1, 0xffffffff)], // IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT (0 is EINVAL)
    mcastEhtHostsCnt: [38, readOnly(u32)], // IFLA_BRPORT_MCAST_EHT_HOSTS_CNT
    locked: [39, bool8], // IFLA_BRPORT_LOCKED (the installed 6.1 header's last)
    // Newer than the installed <linux/if_link.h> (linux-libc-dev 6.1): numbers from upstream
    // include/uapi/linux/if_link.h, as iproute2 (ee2a4a86) carries it. Older kernels ignore them.
    mab: [40, bool8], // IFLA_BRPORT_MAB (6.2)
    mcastNGroups: [41, readOnly(u32)], // IFLA_BRPORT_MCAST_N_GROUPS (6.3; NLA_REJECT on write)
    mcastMaxGroups: [42, u32], // IFLA_BRPORT_MCAST_MAX_GROUPS (6.3; 0 = no limit)
    neighVlanSuppress: [43, bool8], // IFLA_BRPORT_NEIGH_VLAN_SUPPRESS (6.7)
    backupNhid: [44, u32], // IFLA_BRPORT_BACKUP_NHID (6.7; 0 = none)
    neighForwardGrat: [45, bool8], // IFLA_BRPORT_NEIGH_FORWARD_GRAT (after 6.18: this kernel ignores it)
  },
);
