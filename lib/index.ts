// rtnetlink: Linux route netlink for Node.js. The public entry point.
/// <reference types="node" preserve="true" />
import { Handle, open } from './handle.js';
import type { MonitorGroup, MonitorOptions, Monitor } from './monitor.js';

/** The default handle: the caller's namespace, opened on first use, never keeping the process alive. */
let defaultHandle: Handle | undefined;
function handle(): Handle {
  if (!defaultHandle || defaultHandle.closed) defaultHandle = new Handle({}, true);
  return defaultHandle;
}

/** Module-level families: the default handle's own objects. */
const d = handle();
/** Links (`ip link`) in the caller's namespace: the default handle's `link`. */
export const link = d.link;
/** Addresses (`ip address`) in the caller's namespace: the default handle's `addr`. */
export const addr = d.addr;
/** Routes (`ip route`) in the caller's namespace: the default handle's `route`. */
export const route = d.route;
/** Nexthop objects (`ip nexthop`) in the caller's namespace: the default handle's `nexthop`. */
export const nexthop = d.nexthop;
/** Neighbours (`ip neigh`) in the caller's namespace: the default handle's `neigh`. */
export const neigh = d.neigh;
/** Bridge forwarding entries (`bridge fdb`) in the caller's namespace: the default handle's `fdb`. */
export const fdb = d.fdb;
/** Bridge port VLANs (`bridge vlan`) in the caller's namespace: the default handle's `bridgeVlan`. */
export const bridgeVlan = d.bridgeVlan;
/** Policy rules (`ip rule`) in the caller's namespace: the default handle's `rule`. */
export const rule = d.rule;
/** sysctl(8) in process: the caller's namespace's /proc/sys (the default handle's `sysctl`). */
export const sysctl = d.sysctl;

/** Subscribes the caller's namespace's rtnetlink groups; see Handle.monitor. */
export function monitor(groups: readonly MonitorGroup[], opts?: MonitorOptions): Monitor {
  return handle().monitor(groups, opts);
}

export { open, Handle };
export type { OpenOptions, NetnsOption, SocketOptions, RawRequest, RawReply } from './handle.js';
export { netns } from './netns.js';
export { NetlinkError, DecodeError, DumpInterruptedError, HandleClosedError } from './core/errors.js';
export type { Extack } from './core/errors.js';
export type { CallOptions } from './core/validate.js';
export type { LinkFilter, LinkKindFilter, LinkOfType, LinkRef } from './link/link.js';
export type { LinkApi } from './link/link.js';
export type * from '../types/link.js';
export type { MonitorGroup, MonitorOptions, Monitor } from './monitor.js';
export { SysctlError, HOST_PREPARATION } from './sysctl.js';
export type { SysctlKey, KnownSysctlKey } from './sysctl-keys.js';
export type * from '../types/sysctl.js';
export type * from '../types/neigh.js';
export type * from '../types/rule.js';
export type {
  MonitorEvent,
  MonitorKind,
  MonitorObjectEvent,
  MonitorObjects,
  MonitorOverrun,
  MonitorSync,
  Netconf,
  Nsid,
} from '../types/monitor.js';
export type * from '../types/route.js';
export type * from '../types/addr.js';
export type * from '../types/nexthop.js';
export type { BulkAbortError } from './route.js';
export type { AddrApi } from './addr.js';
export type { RouteApi } from './route.js';
export type { NexthopApi } from './nexthop.js';
export type { NeighApi, FdbApi } from './neigh.js';
export type { BridgeVlanApi } from './bridge-vlan.js';
export type * from '../types/bridge-vlan.js';
export type { RuleApi } from './rule.js';
export type { SysctlApi } from './sysctl.js';
export type { Ipv4ConfName, Ipv6ConfName, NeighName } from './sysctl-keys.js';
