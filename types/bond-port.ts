// A bond port's options (IFLA_INFO_SLAVE_DATA of a link whose master is a bond: IFLA_BOND_SLAVE_*,
// <linux/if_link.h>), named as the camelCase of iproute2's `ip link set dev X type bond_slave …`
// options and of the keys `ip -d -j link show` reports under `info_slave_data`
// (ip/iplink_bond_slave.c). *Options are what link.set takes and a read reports back; *State
// fields are reported only. A team's ports have no such data: the team driver registers no port
// callbacks (fill_slave_info, slave_changelink) with rtnetlink, so a read reports only
// IFLA_INFO_SLAVE_KIND "team", and its ports are configured over generic netlink (teamd).

/**
 * A port's state in its bond (BOND_STATE_*, <linux/if_bonding.h>), as iproute2 prints it; a value
 * without a name (a newer kernel's) reads as its decimal text.
 */
export type BondPortStateName = 'ACTIVE' | 'BACKUP' | `${number}`;

/** A port's MII link status (BOND_LINK_*, <linux/if_bonding.h>), as iproute2 prints it; as BondPortStateName. */
export type BondPortMiiStatus = 'UP' | 'GOING_DOWN' | 'DOWN' | 'GOING_BACK' | `${number}`;

/** An 802.3ad churn detection state (the kernel's churn_state_t), as iproute2 prints it; as BondPortStateName. */
export type BondPortChurnState = 'MONITOR' | 'CHURN' | 'NO_CHURN' | `${number}`;

/** `ip link set dev X type bond_slave …`: the options of a bond port. */
export interface BondPortOptions {
  /**
   * `queue_id`: the transmit queue this port is picked for (IFLA_BOND_SLAVE_QUEUE_ID), 0–65535,
   * 0 for none. The kernel refuses (EPERM) an id above the bond's number of transmit queues, or
   * one another port of the bond already has (0 aside).
   */
  queueId?: number | undefined;
  /**
   * `prio`: the port's priority for failover reselection, higher first (IFLA_BOND_SLAVE_PRIO, a
   * signed 32-bit integer, Linux 6.0+); only in active-backup, balance-tlb and balance-alb modes
   * (the kernel refuses it in the others, EACCES).
   */
  prio?: number | undefined;
  /**
   * `actor_port_prio`: the port's LACP actor port priority, 0–65535, 255 by default
   * (IFLA_BOND_SLAVE_ACTOR_PORT_PRIO, Linux 6.18 and some stable kernels; a read reports it in
   * 802.3ad mode only, the only mode that takes it, EACCES in the others). Kernels that have it
   * without its fix (commit 067bf016e99a, in 6.18-rc5) crash on 0, 255 and 65535: check the
   * kernel before sending those.
   */
  actorPortPrio?: number | undefined;
}

/** What the kernel reports of a bond port beside its options (read-only: link.set refuses them). */
export interface BondPortState {
  /** `state`: whether the bond uses the port (IFLA_BOND_SLAVE_STATE); a value without a name reads as its decimal text. */
  state?: BondPortStateName;
  /** `mii_status`: the port's link as the bond's monitor sees it (IFLA_BOND_SLAVE_MII_STATUS); a value without a name reads as its decimal text. */
  miiStatus?: BondPortMiiStatus;
  /** `link_failure_count`: how often the port's link went down (IFLA_BOND_SLAVE_LINK_FAILURE_COUNT). */
  linkFailureCount?: number;
  /** `perm_hwaddr`: the port's own MAC address, which the bond may have replaced (IFLA_BOND_SLAVE_PERM_HWADDR). */
  permHwaddr?: string;
  /** `ad_aggregator_id`: the 802.3ad aggregator the port belongs to (IFLA_BOND_SLAVE_AD_AGGREGATOR_ID; 802.3ad mode, once aggregated). */
  adAggregatorId?: number;
  /**
   * `ad_actor_oper_port_state`: our LACP port state bits (IFLA_BOND_SLAVE_AD_ACTOR_OPER_PORT_STATE,
   * LACP_STATE_*: 0x1 active, 0x2 short_timeout, 0x4 aggregating, 0x8 in_sync, 0x10 collecting,
   * 0x20 distributing, 0x40 defaulted, 0x80 expired), as the number `ip -j` reports.
   */
  adActorOperPortState?: number;
  /** `ad_partner_oper_port_state`: the partner's LACP port state bits, as adActorOperPortState (IFLA_BOND_SLAVE_AD_PARTNER_OPER_PORT_STATE). */
  adPartnerOperPortState?: number;
  /** `churn_actor_state`: churn detection of our LACP state (IFLA_BOND_SLAVE_AD_CHURN_ACTOR_STATE, 802.3ad mode, newer kernels); a value without a name reads as its decimal text. */
  churnActorState?: BondPortChurnState;
  /** `churn_partner_state`: churn detection of the partner's LACP state (IFLA_BOND_SLAVE_AD_CHURN_PARTNER_STATE); as churnActorState. */
  churnPartnerState?: BondPortChurnState;
}

/** A bond port as a read reports it (`info_slave_data` of `ip -d -j link show`). */
export interface BondPort extends BondPortOptions, BondPortState {
  /** IFLA_BOND_SLAVE_* attributes this package does not model, as they came (link.set does not take them). */
  unknown?: {
    /** The attribute's type number (IFLA_BOND_SLAVE_*). */
    type: number;
    /** Its payload, as it came. */
    data: Buffer;
  }[];
}

/** What link.set takes under `bondPort`: the options (only the fields given change). */
export type BondPortChange = BondPortOptions;
