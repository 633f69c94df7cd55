// Netlink and rtnetlink message-level constants, names verbatim from the UAPI headers
// <linux/netlink.h> and <linux/rtnetlink.h> (Linux 6.18). Attribute numbers of each object
// family live beside that family's schema (lib/link, lib/route.ts, …).

// <linux/netlink.h>
/** The netlink protocol of routing and devices (socket(AF_NETLINK, …, NETLINK_ROUTE)). */
export const NETLINK_ROUTE = 0;

/** It is a request message. */
export const NLM_F_REQUEST = 0x01;
/** Part of a multipart reply, ended by NLMSG_DONE. */
export const NLM_F_MULTI = 0x02;
/** Reply with an ACK: NLMSG_ERROR carrying 0 or an error. */
export const NLM_F_ACK = 0x04;
/** Echo the resulting notification back to the sender. */
export const NLM_F_ECHO = 0x08;
/** The dump was interrupted by a change: its replies may be inconsistent. */
export const NLM_F_DUMP_INTR = 0x10;
/** The dump was filtered by the kernel as requested. */
export const NLM_F_DUMP_FILTERED = 0x20;
// Modifiers to GET requests
/** GET modifier: return the whole table rather than one entry. */
export const NLM_F_ROOT = 0x100;
/** GET modifier: return every entry that matches. */
export const NLM_F_MATCH = 0x200;
/** GET modifier: an atomic snapshot of the table. */
export const NLM_F_ATOMIC = 0x400;
/** GET modifier: a dump (NLM_F_ROOT | NLM_F_MATCH). */
export const NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
// Modifiers to NEW requests
/** NEW modifier: replace an existing object. */
export const NLM_F_REPLACE = 0x100;
/** NEW modifier: fail with EEXIST if the object exists. */
export const NLM_F_EXCL = 0x200;
/** NEW modifier: create the object if it does not exist. */
export const NLM_F_CREATE = 0x400;
/** NEW modifier: add at the end of the list. */
export const NLM_F_APPEND = 0x800;
// Modifiers to DELETE requests
/** DELETE modifier: do not delete recursively. */
export const NLM_F_NONREC = 0x100;
/** DELETE modifier: delete every matching object. */
export const NLM_F_BULK = 0x200;
// Flags for ACK messages
/** ACK flag: the request is not echoed in full. */
export const NLM_F_CAPPED = 0x100;
/** ACK flag: extended ACK attributes follow. */
export const NLM_F_ACK_TLVS = 0x200;

/** Message type: nothing, to be ignored. */
export const NLMSG_NOOP = 0x1;
/** Message type: an error, or an ACK (error 0). */
export const NLMSG_ERROR = 0x2;
/** Message type: the end of a multipart reply (a dump). */
export const NLMSG_DONE = 0x3;
/** Message type: data was lost. */
export const NLMSG_OVERRUN = 0x4;
/** Message types below this are netlink's own control messages. */
export const NLMSG_MIN_TYPE = 0x10;

/** sizeof(struct nlmsghdr) */
export const NLMSG_HDRLEN = 16;
/** sizeof(struct nlattr) */
export const NLA_HDRLEN = 4;
/** Attribute type bit: the payload is nested attributes. */
export const NLA_F_NESTED = 1 << 15;
/** Attribute type bit: the payload is in network byte order. */
export const NLA_F_NET_BYTEORDER = 1 << 14;
/** Masks the NLA_F_* bits out of an attribute type. */
export const NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

// enum nlmsgerr_attrs
/** Extended ACK attribute: the error message (string). */
export const NLMSGERR_ATTR_MSG = 1;
/** Extended ACK attribute: the offset of the attribute at fault in the request (u32). */
export const NLMSGERR_ATTR_OFFS = 2;
/** Extended ACK attribute: a cookie (binary). */
export const NLMSGERR_ATTR_COOKIE = 3;
/** Extended ACK attribute: the policy the attribute at fault broke (nested). */
export const NLMSGERR_ATTR_POLICY = 4;
/** Extended ACK attribute: the type of a missing required attribute (u32). */
export const NLMSGERR_ATTR_MISS_TYPE = 5;
/** Extended ACK attribute: the offset of the nest missing it (u32). */
export const NLMSGERR_ATTR_MISS_NEST = 6;

// <linux/rtnetlink.h> message types
/** Message type: create or change a link; also the kernel's reply to a get or dump, and its event. */
export const RTM_NEWLINK = 16;
/** Message type: delete a link; also the kernel's event when one goes. */
export const RTM_DELLINK = 17;
/** Message type: get a link, or dump them all (with NLM_F_DUMP). */
export const RTM_GETLINK = 18;
/** Message type: change a link (like RTM_NEWLINK without creating). */
export const RTM_SETLINK = 19;
/** Message type: create or change an address; also the kernel's reply to a get or dump, and its event. */
export const RTM_NEWADDR = 20;
/** Message type: delete an address; also the kernel's event when one goes. */
export const RTM_DELADDR = 21;
/** Message type: get an address, or dump them all (with NLM_F_DUMP). */
export const RTM_GETADDR = 22;
/** Message type: create or change a route; also the kernel's reply to a get or dump, and its event. */
export const RTM_NEWROUTE = 24;
/** Message type: delete a route; also the kernel's event when one goes. */
export const RTM_DELROUTE = 25;
/** Message type: get a route, or dump them all (with NLM_F_DUMP). */
export const RTM_GETROUTE = 26;
/**
 * Message type: create or change a neighbour or FDB entry; also the kernel's reply to a get or dump, and
 * its event.
 */
export const RTM_NEWNEIGH = 28;
/** Message type: delete a neighbour or FDB entry; also the kernel's event when one goes. */
export const RTM_DELNEIGH = 29;
/** Message type: get a neighbour or FDB entry, or dump them all (with NLM_F_DUMP). */
export const RTM_GETNEIGH = 30;
/** Message type: create or change a policy rule; also the kernel's reply to a get or dump, and its event. */
export const RTM_NEWRULE = 32;
/** Message type: delete a policy rule; also the kernel's event when one goes. */
export const RTM_DELRULE = 33;
/** Message type: get a policy rule, or dump them all (with NLM_F_DUMP). */
export const RTM_GETRULE = 34;
/** Message type: create or change a namespace id; also the kernel's reply to a get or dump, and its event. */
export const RTM_NEWNSID = 88;
/** Message type: delete a namespace id; also the kernel's event when one goes. */
export const RTM_DELNSID = 89;
/** Message type: get a namespace id, or dump them all (with NLM_F_DUMP). */
export const RTM_GETNSID = 90;
/**
 * Message type: create or change a nexthop object; also the kernel's reply to a get or dump, and its event.
 */
export const RTM_NEWNEXTHOP = 104;
/** Message type: delete a nexthop object; also the kernel's event when one goes. */
export const RTM_DELNEXTHOP = 105;
/** Message type: get a nexthop object, or dump them all (with NLM_F_DUMP). */
export const RTM_GETNEXTHOP = 106;

const RTM_NAMES: Record<number, string> = {
  [NLMSG_NOOP]: 'NLMSG_NOOP',
  [NLMSG_ERROR]: 'NLMSG_ERROR',
  [NLMSG_DONE]: 'NLMSG_DONE',
  [RTM_NEWLINK]: 'RTM_NEWLINK',
  [RTM_DELLINK]: 'RTM_DELLINK',
  [RTM_GETLINK]: 'RTM_GETLINK',
  [RTM_SETLINK]: 'RTM_SETLINK',
  [RTM_NEWADDR]: 'RTM_NEWADDR',
  [RTM_DELADDR]: 'RTM_DELADDR',
  [RTM_GETADDR]: 'RTM_GETADDR',
  [RTM_NEWROUTE]: 'RTM_NEWROUTE',
  [RTM_DELROUTE]: 'RTM_DELROUTE',
  [RTM_GETROUTE]: 'RTM_GETROUTE',
  [RTM_NEWNEIGH]: 'RTM_NEWNEIGH',
  [RTM_DELNEIGH]: 'RTM_DELNEIGH',
  [RTM_GETNEIGH]: 'RTM_GETNEIGH',
  [RTM_NEWRULE]: 'RTM_NEWRULE',
  [RTM_DELRULE]: 'RTM_DELRULE',
  [RTM_GETRULE]: 'RTM_GETRULE',
  [RTM_NEWNSID]: 'RTM_NEWNSID',
  [RTM_DELNSID]: 'RTM_DELNSID',
  [RTM_GETNSID]: 'RTM_GETNSID',
  [RTM_NEWNEXTHOP]: 'RTM_NEWNEXTHOP',
  [RTM_DELNEXTHOP]: 'RTM_DELNEXTHOP',
  [RTM_GETNEXTHOP]: 'RTM_GETNEXTHOP',
};

/** 'RTM_NEWLINK' for 16; 'RTM_0x…' for a type this table does not name. */
export function rtmName(type: number): string {
  return RTM_NAMES[type] ?? `RTM_0x${type.toString(16)}`;
}

// enum rtnetlink_groups (multicast group numbers, for NETLINK_ADD_MEMBERSHIP)
/** Multicast group: link events. */
export const RTNLGRP_LINK = 1;
/** Multicast group RTNLGRP_NOTIFY (general notifications). */
export const RTNLGRP_NOTIFY = 2;
/** Multicast group: neighbour and FDB events. */
export const RTNLGRP_NEIGH = 3;
/** Multicast group: traffic-control events. */
export const RTNLGRP_TC = 4;
/** Multicast group: IPv4 address events. */
export const RTNLGRP_IPV4_IFADDR = 5;
/** Multicast group: IPv4 multicast route events. */
export const RTNLGRP_IPV4_MROUTE = 6;
/** Multicast group: IPv4 route events. */
export const RTNLGRP_IPV4_ROUTE = 7;
/** Multicast group: IPv4 rule events. */
export const RTNLGRP_IPV4_RULE = 8;
/** Multicast group: IPv6 address events. */
export const RTNLGRP_IPV6_IFADDR = 9;
/** Multicast group: IPv6 multicast route events. */
export const RTNLGRP_IPV6_MROUTE = 10;
/** Multicast group: IPv6 route events. */
export const RTNLGRP_IPV6_ROUTE = 11;
/** Multicast group: IPv6 per-interface events (RA state). */
export const RTNLGRP_IPV6_IFINFO = 12;
/** Multicast group: IPv6 prefixes learned from router advertisements. */
export const RTNLGRP_IPV6_PREFIX = 18;
/** Multicast group: IPv6 rule events. */
export const RTNLGRP_IPV6_RULE = 19;
/** Multicast group: IPv4 devconf changes. */
export const RTNLGRP_IPV4_NETCONF = 24;
/** Multicast group: IPv6 devconf changes. */
export const RTNLGRP_IPV6_NETCONF = 25;
/** Multicast group: bridge multicast database events. */
export const RTNLGRP_MDB = 26;
/** Multicast group: namespace id events. */
export const RTNLGRP_NSID = 28;
/** Multicast group: nexthop object events. */
export const RTNLGRP_NEXTHOP = 32;
/** Multicast group: bridge VLAN events. */
export const RTNLGRP_BRVLAN = 33;

// IFLA_EXT_MASK filter bits (RTEXT_FILTER_*)
/** IFLA_EXT_MASK bit: include SR-IOV VF information. */
export const RTEXT_FILTER_VF = 1 << 0;
/** IFLA_EXT_MASK bit: include a bridge port's VLANs. */
export const RTEXT_FILTER_BRVLAN = 1 << 1;
/** IFLA_EXT_MASK bit: bridge VLANs as ranges. */
export const RTEXT_FILTER_BRVLAN_COMPRESSED = 1 << 2;
/** IFLA_EXT_MASK bit: leave the statistics out. */
export const RTEXT_FILTER_SKIP_STATS = 1 << 3;

// Address families (<linux/socket.h>)
/** Address family: any (links, nexthop groups). */
export const AF_UNSPEC = 0;
/** Address family: IPv4. */
export const AF_INET = 2;
/** Address family: the bridge (FDB entries, bridge ports). */
export const AF_BRIDGE = 7;
/** Address family: IPv6. */
export const AF_INET6 = 10;
/** Address family: link layer. */
export const AF_PACKET = 17;
/** Address family: MPLS. */
export const AF_MPLS = 28;
