// bond ports: IFLA_BOND_SLAVE_* (<linux/if_link.h>) in IFLA_INFO_SLAVE_DATA of a link whose master
// is a bond (IFLA_INFO_SLAVE_KIND "bond"), as `ip link set dev X type bond_slave …` writes them and
// `ip -d link show` prints them (iproute2 ip/iplink_bond_slave.c). The kernel
// (drivers/net/bonding/bond_netlink.c) takes three (bond_slave_policy: QUEUE_ID u16, PRIO s32,
// ACTOR_PORT_PRIO u16) and reports the rest (bond_fill_slave_info; AGGREGATOR_ID, the LACP port
// states and the churn states in 802.3ad mode, once the port has an aggregator). States are named
// as iproute2 prints them ('ACTIVE', 'UP', 'NO_CHURN'); the LACP port states stay the numbers
// `ip -j` reports under ad_*_oper_port_state (iproute2 adds a list of bit names beside them).
// Team ports have no table: the team driver gives rtnetlink no fill_slave_info/slave_changelink.
import { enumOf, mac, s32, u16, u32, u8 } from '../../core/schema.js';
import type { BondPort, BondPortChurnState, BondPortMiiStatus, BondPortStateName } from '../../../types/bond-port.js';
import { omitOnCreate, readOnly } from '../words.js';
import { definePort } from './define.js';

/** BOND_STATE_* (<linux/if_bonding.h>). */
const state = enumOf<BondPortStateName>(u8, { ACTIVE: 0, BACKUP: 1 });

/** BOND_LINK_* (<linux/if_bonding.h>). */
const miiStatus = enumOf<BondPortMiiStatus>(u8, { UP: 0, GOING_DOWN: 1, DOWN: 2, GOING_BACK: 3 });

/** churn_state_t (AD_CHURN_MONITOR, AD_CHURN, AD_NO_CHURN; include/net/bond_3ad.h). */
const churn = enumOf<BondPortChurnState>(u8, { MONITOR: 0, CHURN: 1, NO_CHURN: 2 });

export const bondPort = definePort<Omit<BondPort, 'unknown'>>(
  { slaveKind: 'bond', field: 'bondPort' },
  {
    state: [1, readOnly(state)], // IFLA_BOND_SLAVE_STATE
    miiStatus: [2, readOnly(miiStatus)], // IFLA_BOND_SLAVE_MII_STATUS
    linkFailureCount: [3, readOnly(u32)], // IFLA_BOND_SLAVE_LINK_FAILURE_COUNT
    permHwaddr: [4, readOnly(mac)], // IFLA_BOND_SLAVE_PERM_HWADDR (the port's addr_len bytes)
    // the kernel also refuses (EPERM) an id above the bond's tx queue count, or another port's;
    // link.add leaves out each option at a new port's own value (a read port needs no request)
    queueId: [5, omitOnCreate(u16, 0)], // IFLA_BOND_SLAVE_QUEUE_ID
    adAggregatorId: [6, readOnly(u16)], // IFLA_BOND_SLAVE_AD_AGGREGATOR_ID
    adActorOperPortState: [7, readOnly(u8)], // IFLA_BOND_SLAVE_AD_ACTOR_OPER_PORT_STATE (LACP_STATE_* bits)
    adPartnerOperPortState: [8, readOnly(u16)], // IFLA_BOND_SLAVE_AD_PARTNER_OPER_PORT_STATE (u16, iproute2 reads a u8)
    // reported in every mode, taken only in active-backup, tlb and alb (EACCES elsewhere): a read
    // port of another mode re-adds only because its 0 is left out
    prio: [9, omitOnCreate(s32, 0)], // IFLA_BOND_SLAVE_PRIO (Linux 6.0)
    // kernels with it but without its fix 067bf016e99a crash on 0, 255 and 65535 (a NULL slave)
    actorPortPrio: [10, omitOnCreate(u16, 255)], // IFLA_BOND_SLAVE_ACTOR_PORT_PRIO (Linux 6.18, backported to some stable series; 802.3ad only)
    churnActorState: [11, readOnly(churn)], // IFLA_BOND_SLAVE_AD_CHURN_ACTOR_STATE (after 6.18; in later 6.18.y and some older stable series)
    churnPartnerState: [12, readOnly(churn)], // IFLA_BOND_SLAVE_AD_CHURN_PARTNER_STATE
  },
);
