// The public data model of events (≈ `ip monitor`): rtnetlink multicast groups and what a
// monitor yields. See ../shared/API.md ("monitor").
import type { Link } from './link.js';
import type { Addr } from './addr.js';
import type { Route } from './route.js';
import type { Nexthop } from './nexthop.js';
import type { Fdb, Neigh } from './neigh.js';
import type { Rule } from './rule.js';

/**
 * The groups a monitor can join (RTNLGRP_* of <linux/rtnetlink.h>), named as `ip monitor` names
 * its objects. 'rule' is 'ipv4-rule' plus 'ipv6-rule'; 'neigh' (ARP/NDISC entries) and 'fdb'
 * (bridge/VXLAN forwarding entries) share RTNLGRP_NEIGH and are told apart by family.
 */
export type MonitorGroup =
  | 'link'
  | 'ipv4-addr'
  | 'ipv6-addr'
  | 'ipv4-route'
  | 'ipv6-route'
  | 'neigh'
  | 'fdb'
  | 'rule'
  | 'ipv4-rule'
  | 'ipv6-rule'
  | 'nexthop'
  | 'ipv4-netconf'
  | 'ipv6-netconf'
  | 'nsid';

/** Options of monitor() / Handle.monitor(). */
export interface MonitorOptions {
  /**
   * Keep the consumer's view exact: dump the subscribed objects at start (yielded as `new` events,
   * then `{ kind: 'sync' }`) and again after every overrun, yielding the differences from what the
   * consumer was already given as ordinary `new`/`del` events. Not with 'ipv4-netconf',
   * 'ipv6-netconf' or 'nsid' (the kernel announces netconf changes as partial objects).
   */
  resync?: boolean | undefined;
  /** Socket receive buffer in bytes (default 32 MiB; forced, so small values are honoured). */
  rcvbuf?: number | undefined;
  /** Most events held for a consumer that has not taken them yet (default 10,000); beyond it they are dropped and reported as an overrun. */
  maxQueue?: number | undefined;
}

/** A devconf of one interface, or of 'all' / 'default' (RTM_NEWNETCONF, <linux/netconf.h>). */
export interface Netconf {
  /** 4 or 6. */
  family: 4 | 6;
  /** The interface index, or 'all' / 'default' (NETCONFA_IFINDEX_ALL / _DEFAULT). */
  index: number | 'all' | 'default';
  /** The interface name, where index is a number. */
  dev?: string;
  /** Only the settings the kernel announced: a change event carries the one that changed. */
  forwarding?: number;
  /** Reverse-path filtering: 0 off, 1 strict, 2 loose (NETCONFA_RP_FILTER). */
  rpFilter?: number;
  /** Multicast forwarding (NETCONFA_MC_FORWARDING). */
  mcForwarding?: number;
  /** Proxy ARP / NDP (NETCONFA_PROXY_NEIGH). */
  proxyNeigh?: number;
  /** ignore_routes_with_linkdown (NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN). */
  ignoreRoutesWithLinkdown?: number;
  /** Whether input is enabled on the interface (NETCONFA_INPUT), where the kernel announces it. */
  input?: number;
  /** IPv4: directed broadcast forwarding (NETCONFA_BC_FORWARDING). */
  bcForwarding?: number;
  /** NETCONFA_* attributes this package does not model, as they came. */
  unknown?: {
    /** The attribute type number (NETCONFA_*). */
    type: number;
    /** Its payload. */
    data: Buffer;
  }[];
}

/** A namespace id assigned to a peer namespace (RTM_NEWNSID, <linux/net_namespace.h>). */
export interface Nsid {
  /** The id this namespace gives the peer namespace (NETNSA_NSID). */
  nsid: number;
  /** NETNSA_CURRENT_NSID, where the kernel sent it. */
  currentNsid?: number;
}

/** What each kind's `object` is: the same objects the families' list() returns. */
export interface MonitorObjects {
  /** What link.list() returns. */
  link: Link;
  /** What addr.list() returns. */
  addr: Addr;
  /** What route.list() returns. */
  route: Route;
  /** What neigh.list() returns. */
  neigh: Neigh;
  /** What fdb.list() returns. */
  fdb: Fdb;
  /** What rule.list() returns. */
  rule: Rule;
  /** What nexthop.list() returns. */
  nexthop: Nexthop;
  /** A devconf change (RTM_NEWNETCONF). */
  netconf: Netconf;
  /** A namespace id assigned or removed (RTM_NEWNSID / RTM_DELNSID). */
  nsid: Nsid;
}

/** The kinds of object a monitor reports. */
export type MonitorKind = keyof MonitorObjects;

/** An object that appeared or changed (`new`: RTM_NEW*) or went away (`del`: RTM_DEL*). */
export type MonitorObjectEvent = {
  [K in MonitorKind]: {
    /** Which kind of object: the type of `object` follows from it. */
    kind: K;
    /** 'new': the object appeared or changed (RTM_NEW*); 'del': it went away (RTM_DEL*). */
    action: 'new' | 'del';
    /** The kernel's identity of the object (opaque): a `new` with the key of an object replaces it. */
    key: string;
    /** The object, as the family's list() returns it. */
    object: MonitorObjects[K];
    /**
     * The kernel flagged it NLM_F_REPLACE: this route replaced the one of the same table, dst,
     * tos and metric, which may have had another key (another gateway or link) and is not
     * announced apart. With resync, the monitor yields that one's `del` first.
     */
    replace?: true;
  };
}[MonitorKind];

/** The kernel dropped events (ENOBUFS) or the consumer fell maxQueue behind: re-list. Not with resync. */
export interface MonitorOverrun {
  /** Events were lost. */
  kind: 'overrun';
  /** Not an object event: no action (so `ev.action` reads on any event). */
  action?: never;
  /** Not an object event: no object. */
  object?: never;
}

/** With resync: the events so far make the consumer's view equal to the kernel's (at start and after each resync). */
export interface MonitorSync {
  /** The view is in sync. */
  kind: 'sync';
  /** Not an object event: no action (so `ev.action` reads on any event). */
  action?: never;
  /** Not an object event: no object. */
  object?: never;
}

/** What iterating a monitor yields: an object event, an overrun, or (with resync) a sync point. */
export type MonitorEvent = MonitorObjectEvent | MonitorOverrun | MonitorSync;
