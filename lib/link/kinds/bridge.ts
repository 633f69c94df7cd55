// bridge: IFLA_BR_* (<linux/if_link.h>, struct br_boolopt_multi in <linux/if_bridge.h>).
// Times are clock_t (centiseconds) on the wire, in iproute2's options and in `ip -d link` output.
// The VLAN and boolopt fields are left out of link.add at their defaults: kernels without
// CONFIG_BRIDGE_VLAN_FILTERING refuse them even as 0.
import { constants as osConstants } from 'node:os';
import {
  be16,
  bool8,
  defineAttrs,
  enumOf,
  flag,
  ipv4,
  ipv6,
  mac,
  nest,
  u16,
  u32,
  u64n,
  u8,
} from '../../core/schema.js';
import type { BridgeOptions, BridgeQuerierState, BridgeState } from '../../../types/link.js';
import { bridgeId, flagBit, omitOnCreate, ranged, readOnly } from '../words.js';
import { defineKind } from './define.js';

/** ETH_P_8021Q / ETH_P_8021AD (<linux/if_ether.h>). */
export const vlanProtocol = enumOf<'802.1Q' | '802.1ad'>(be16, { '802.1Q': 0x8100, '802.1ad': 0x88a8 });

/** BRIDGE_QUERIER_* (<linux/if_bridge.h>): the querier a bridge knows of, inside IFLA_BR_MCAST_QUERIER_STATE. */
const querierState = defineAttrs<Omit<BridgeQuerierState, 'unknown'>>('BRIDGE_QUERIER', {
  ipAddress: [1, ipv4], // BRIDGE_QUERIER_IP_ADDRESS
  ipPort: [2, u32], // BRIDGE_QUERIER_IP_PORT
  ipOtherTimer: [3, u64n], // BRIDGE_QUERIER_IP_OTHER_TIMER (clock_t)
  ipv6Address: [5, ipv6], // BRIDGE_QUERIER_IPV6_ADDRESS
  ipv6Port: [6, u32], // BRIDGE_QUERIER_IPV6_PORT
  ipv6OtherTimer: [7, u64n], // BRIDGE_QUERIER_IPV6_OTHER_TIMER
}).padded(4); // BRIDGE_QUERIER_PAD

export const bridge = defineKind<BridgeOptions & BridgeState>(
  { type: 'bridge', pad: 40 }, // IFLA_BR_PAD
  {
    forwardDelay: [1, u32], // IFLA_BR_FORWARD_DELAY
    helloTime: [2, ranged(u32, 100, 1000)], // IFLA_BR_HELLO_TIME (BR_MIN/MAX_HELLO_TIME: 1–10 s, else ERANGE)
    maxAge: [3, ranged(u32, 600, 4000)], // IFLA_BR_MAX_AGE (BR_MIN/MAX_MAX_AGE: 6–40 s, else ERANGE)
    ageingTime: [4, u32], // IFLA_BR_AGEING_TIME
    stpState: [5, u32], // IFLA_BR_STP_STATE
    priority: [6, u16], // IFLA_BR_PRIORITY
    vlanFiltering: [7, omitOnCreate(bool8, false)], // IFLA_BR_VLAN_FILTERING
    vlanProtocol: [8, vlanProtocol], // IFLA_BR_VLAN_PROTOCOL (network byte order)
    groupFwdMask: [9, u16], // IFLA_BR_GROUP_FWD_MASK
    rootId: [10, bridgeId], // IFLA_BR_ROOT_ID
    bridgeId: [11, bridgeId], // IFLA_BR_BRIDGE_ID
    rootPort: [12, readOnly(u16)], // IFLA_BR_ROOT_PORT
    rootPathCost: [13, readOnly(u32)], // IFLA_BR_ROOT_PATH_COST
    topologyChange: [14, readOnly(bool8)], // IFLA_BR_TOPOLOGY_CHANGE
    topologyChangeDetected: [15, readOnly(bool8)], // IFLA_BR_TOPOLOGY_CHANGE_DETECTED
    helloTimer: [16, readOnly(u64n)], // IFLA_BR_HELLO_TIMER
    tcnTimer: [17, readOnly(u64n)], // IFLA_BR_TCN_TIMER
    topologyChangeTimer: [18, readOnly(u64n)], // IFLA_BR_TOPOLOGY_CHANGE_TIMER
    gcTimer: [19, readOnly(u64n)], // IFLA_BR_GC_TIMER
    groupAddress: [20, mac], // IFLA_BR_GROUP_ADDR
    fdbFlush: [21, flag], // IFLA_BR_FDB_FLUSH
    mcastRouter: [22, ranged(u8, 0, 2)], // IFLA_BR_MCAST_ROUTER (MDB_RTR_TYPE_DISABLED..TEMP_QUERY on a bridge)
    mcastSnooping: [23, bool8], // IFLA_BR_MCAST_SNOOPING
    mcastQueryUseIfaddr: [24, bool8], // IFLA_BR_MCAST_QUERY_USE_IFADDR
    mcastQuerier: [25, bool8], // IFLA_BR_MCAST_QUERIER
    mcastHashElasticity: [26, u32], // IFLA_BR_MCAST_HASH_ELASTICITY
    mcastHashMax: [27, u32], // IFLA_BR_MCAST_HASH_MAX
    mcastLastMemberCount: [28, u32], // IFLA_BR_MCAST_LAST_MEMBER_CNT
    mcastStartupQueryCount: [29, u32], // IFLA_BR_MCAST_STARTUP_QUERY_CNT
    mcastLastMemberInterval: [30, u64n], // IFLA_BR_MCAST_LAST_MEMBER_INTVL
    mcastMembershipInterval: [31, u64n], // IFLA_BR_MCAST_MEMBERSHIP_INTVL
    mcastQuerierInterval: [32, u64n], // IFLA_BR_MCAST_QUERIER_INTVL
    mcastQueryInterval: [33, u64n], // IFLA_BR_MCAST_QUERY_INTVL
    mcastQueryResponseInterval: [34, u64n], // IFLA_BR_MCAST_QUERY_RESPONSE_INTVL
    mcastStartupQueryInterval: [35, u64n], // IFLA_BR_MCAST_STARTUP_QUERY_INTVL
    nfCallIptables: [36, bool8], // IFLA_BR_NF_CALL_IPTABLES
    nfCallIp6tables: [37, bool8], // IFLA_BR_NF_CALL_IP6TABLES
    nfCallArptables: [38, bool8], // IFLA_BR_NF_CALL_ARPTABLES
    vlanDefaultPvid: [39, ranged(u16, 0, 4094)], // IFLA_BR_VLAN_DEFAULT_PVID (0: none)
    vlanStatsEnabled: [41, bool8], // IFLA_BR_VLAN_STATS_ENABLED
    mcastStatsEnabled: [42, bool8], // IFLA_BR_MCAST_STATS_ENABLED
    mcastIgmpVersion: [43, ranged(u8, 2, 3)], // IFLA_BR_MCAST_IGMP_VERSION
    mcastMldVersion: [44, ranged(u8, 1, 2)], // IFLA_BR_MCAST_MLD_VERSION
    vlanStatsPerPort: [45, bool8], // IFLA_BR_VLAN_STATS_PER_PORT
    noLinklocalLearn: [46, omitOnCreate(flagBit(1 << 0), false)], // IFLA_BR_MULTI_BOOLOPT, BR_BOOLOPT_NO_LL_LEARN
    mcastVlanSnooping: [46, omitOnCreate(flagBit(1 << 1), false)], // IFLA_BR_MULTI_BOOLOPT, BR_BOOLOPT_MCAST_VLAN_SNOOPING
    mstEnabled: [46, omitOnCreate(flagBit(1 << 2), false)], // IFLA_BR_MULTI_BOOLOPT, BR_BOOLOPT_MST_ENABLE
    mcastQuerierState: [47, readOnly(nest(querierState))], // IFLA_BR_MCAST_QUERIER_STATE
    // Linux 6.8+, after the installed headers' last (IFLA_BR_MCAST_QUERIER_STATE = 47); numbers from
    // upstream include/uapi/linux/if_link.h. Older kernels ignore them.
    fdbNLearned: [48, readOnly(u32)], // IFLA_BR_FDB_N_LEARNED
    fdbMaxLearned: [49, omitOnCreate(u32, 0)], // IFLA_BR_FDB_MAX_LEARNED (0 = no limit)
  },
);

/**
 * Fields a kernel without CONFIG_BRIDGE_VLAN_FILTERING ignores without an error (br_changelink reads
 * them under that #ifdef), and does not report either (br_fill_info): a bridge read back without
 * `vlanDefaultPvid` shows such a kernel. `vlanFiltering` it refuses (EOPNOTSUPP, no message).
 */
const VLAN_FIELDS = ['vlanProtocol', 'vlanDefaultPvid', 'vlanStatsEnabled', 'vlanStatsPerPort'] as const;

/** What a bridge's VLAN fields meet on a kernel without VLAN filtering. */
export const NO_VLAN_FILTERING = 'this kernel has no bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING)';

/** The first VLAN field given in `data` that the kernel ignored, judging by the bridge it reports. */
export function ignoredVlanField(data: Readonly<Record<string, unknown>>, read: object): string | undefined {
  if ('vlanDefaultPvid' in read) return undefined;
  return VLAN_FIELDS.find((f) => data[f] !== undefined);
}

/** ctx.hint: the kernel's bare EOPNOTSUPP for a bridge's `vlanFiltering` on such a kernel. */
export function vlanFilteringHint(
  data: Readonly<Record<string, unknown>>,
): (errno: number, extack: { message?: string } | undefined) => string | undefined {
  return (errno, extack) =>
    errno === osConstants.errno.EOPNOTSUPP && !extack?.message && data['vlanFiltering'] !== undefined
      ? `"vlanFiltering": ${NO_VLAN_FILTERING}`
      : undefined;
}
