// bond: IFLA_BOND_* (<linux/if_link.h>), BOND_MODE_* and BOND_XMIT_POLICY_* (<linux/if_bonding.h>).
// Ports must be down to be enslaved: link.set takes them down and brings them back. Ranges are
// bond_options.c's value tables (bond_intmax_tbl: 0..INT_MAX), which refuse others with EINVAL.
import { bool8, defineAttrs, enumOf, ipv4, ipv6, mac, nest, u16, u32, u8 } from '../../core/schema.js';
import type { BondAdInfo, BondOptions, BondState } from '../../../types/link.js';
import { linkIndex, numberedList, omitOnCreate, ranged, readOnly } from '../words.js';
import { defineKind } from './define.js';

/** IFLA_BOND_AD_INFO_* (<linux/if_link.h>): the active 802.3ad aggregator, reported only. */
const adInfo = defineAttrs<Omit<BondAdInfo, 'unknown'>>('IFLA_BOND_AD_INFO', {
  aggregator: [1, u16], // IFLA_BOND_AD_INFO_AGGREGATOR
  numPorts: [2, u16], // IFLA_BOND_AD_INFO_NUM_PORTS
  actorKey: [3, u16], // IFLA_BOND_AD_INFO_ACTOR_KEY
  partnerKey: [4, u16], // IFLA_BOND_AD_INFO_PARTNER_KEY
  partnerMac: [5, mac], // IFLA_BOND_AD_INFO_PARTNER_MAC
});

export const bond = defineKind<BondOptions & BondState>(
  { type: 'bond', portsDown: true, notOnAdd: ['activeSlave'] },
  {
    mode: [
      1,
      enumOf(u8, {
        'balance-rr': 0,
        'active-backup': 1,
        'balance-xor': 2,
        broadcast: 3,
        '802.3ad': 4,
        'balance-tlb': 5,
        'balance-alb': 6,
      }),
    ], // IFLA_BOND_MODE
    activeSlave: [2, linkIndex], // IFLA_BOND_ACTIVE_SLAVE
    miimon: [3, ranged(u32, 0, 0x7fffffff)], // IFLA_BOND_MIIMON
    updelay: [4, omitOnCreate(ranged(u32, 0, 0x7fffffff), 0)], // IFLA_BOND_UPDELAY
    downdelay: [5, omitOnCreate(ranged(u32, 0, 0x7fffffff), 0)], // IFLA_BOND_DOWNDELAY
    useCarrier: [6, bool8], // IFLA_BOND_USE_CARRIER
    arpInterval: [7, omitOnCreate(ranged(u32, 0, 0x7fffffff), 0)], // IFLA_BOND_ARP_INTERVAL
    arpIpTarget: [8, numberedList(ipv4, 0)], // IFLA_BOND_ARP_IP_TARGET (items numbered from 0, as iproute2 sends them)
    arpValidate: [
      9,
      omitOnCreate(
        enumOf(u32, { none: 0, active: 1, backup: 2, all: 3, filter: 4, filter_active: 5, filter_backup: 6 }),
        'none',
      ),
    ], // IFLA_BOND_ARP_VALIDATE
    arpAllTargets: [10, enumOf(u32, { any: 0, all: 1 })], // IFLA_BOND_ARP_ALL_TARGETS
    primary: [11, linkIndex], // IFLA_BOND_PRIMARY
    primaryReselect: [12, enumOf(u8, { always: 0, better: 1, failure: 2 })], // IFLA_BOND_PRIMARY_RESELECT
    failOverMac: [13, enumOf(u8, { none: 0, active: 1, follow: 2 })], // IFLA_BOND_FAIL_OVER_MAC
    xmitHashPolicy: [
      14,
      enumOf(u8, { layer2: 0, 'layer3+4': 1, 'layer2+3': 2, 'encap2+3': 3, 'encap3+4': 4, 'vlan+srcmac': 5 }),
    ], // IFLA_BOND_XMIT_HASH_POLICY
    resendIgmp: [15, ranged(u32, 0, 255)], // IFLA_BOND_RESEND_IGMP
    numGratArp: [16, u8], // IFLA_BOND_NUM_PEER_NOTIF
    allSlavesActive: [17, bool8], // IFLA_BOND_ALL_SLAVES_ACTIVE
    minLinks: [18, ranged(u32, 0, 0x7fffffff)], // IFLA_BOND_MIN_LINKS
    lpInterval: [19, ranged(u32, 1, 0x7fffffff)], // IFLA_BOND_LP_INTERVAL
    packetsPerSlave: [20, omitOnCreate(ranged(u32, 0, 0xffff), 1)], // IFLA_BOND_PACKETS_PER_SLAVE
    lacpRate: [21, omitOnCreate(enumOf(u8, { slow: 0, fast: 1 }), 'slow')], // IFLA_BOND_AD_LACP_RATE
    adSelect: [22, omitOnCreate(enumOf(u8, { stable: 0, bandwidth: 1, count: 2 }), 'stable')], // IFLA_BOND_AD_SELECT
    adInfo: [23, readOnly(nest(adInfo))], // IFLA_BOND_AD_INFO
    adActorSysPrio: [24, omitOnCreate(ranged(u16, 1, 0xffff), 65535)], // IFLA_BOND_AD_ACTOR_SYS_PRIO
    adUserPortKey: [25, omitOnCreate(ranged(u16, 0, 1023), 0)], // IFLA_BOND_AD_USER_PORT_KEY
    adActorSystem: [26, omitOnCreate(mac, '00:00:00:00:00:00')], // IFLA_BOND_AD_ACTOR_SYSTEM
    tlbDynamicLb: [27, omitOnCreate(bool8, true)], // IFLA_BOND_TLB_DYNAMIC_LB
    peerNotifyDelay: [28, omitOnCreate(ranged(u32, 0, 0x7fffffff), 0)], // IFLA_BOND_PEER_NOTIF_DELAY
    lacpActive: [29, omitOnCreate(bool8, true)], // IFLA_BOND_AD_LACP_ACTIVE
    missedMax: [30, omitOnCreate(ranged(u8, 1, 255), 2)], // IFLA_BOND_MISSED_MAX
    nsIp6Target: [31, numberedList(ipv6, 0)], // IFLA_BOND_NS_IP6_TARGET (numbered from 0, as iproute2 and the kernel write them)
    coupledControl: [32, omitOnCreate(bool8, true)], // IFLA_BOND_COUPLED_CONTROL (kernel default 1)
  },
);
