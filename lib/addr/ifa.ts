// The wire form of interface addresses: struct ifaddrmsg and the IFA_* attributes
// (<linux/if_addr.h>, Linux 6.18) as one table, and the decoder of RTM_NEWADDR / RTM_DELADDR
// into an Addr (what `ip -j address` prints).
import { AF_INET6 } from '../core/constants.js';
import type { NlMsg } from '../core/nlmsg.js';
import type { LinkNames } from '../neigh/ifnames.js';
import { defineAttrs, ip, s32, string, struct, structAttr, u32, u8 } from '../core/schema.js';
import { scopeName } from '../rt-tables.js';
import type { Addr, AddrFlag, Lifetime } from '../../types/addr.js';

// enum IFA_*
export const IFA_ADDRESS = 1;
export const IFA_LOCAL = 2;
export const IFA_LABEL = 3;
export const IFA_BROADCAST = 4;
export const IFA_ANYCAST = 5;
export const IFA_CACHEINFO = 6;
export const IFA_MULTICAST = 7;
export const IFA_FLAGS = 8;
export const IFA_RT_PRIORITY = 9;
export const IFA_TARGET_NETNSID = 10;
export const IFA_PROTO = 11;

/** IFA_F_* (ifa_flags, and IFA_FLAGS for the bits over 0xff). */
export const IFA_F = {
  secondary: 0x01,
  nodad: 0x02,
  optimistic: 0x04,
  dadfailed: 0x08,
  home: 0x10,
  deprecated: 0x20,
  tentative: 0x40,
  permanent: 0x80,
  mngtmpaddr: 0x100,
  noprefixroute: 0x200,
  autojoin: 0x400,
  stablePrivacy: 0x800,
} as const;

/** IFAPROT_* (<linux/if_addr.h>) as ip names them (lib/rt_names.c rtnl_addrprot_tab). */
export const ADDR_PROTOS: Readonly<Record<string, number>> = { unspec: 0, kernel_lo: 1, kernel_ra: 2, kernel_ll: 3 };

/** INFINITY_LIFE_TIME */
export const FOREVER = 0xffffffff;

/** struct ifaddrmsg (8 bytes). */
export const ifaddrmsg = struct<{
  /** ifa_family: AF_INET or AF_INET6. */
  family: number;
  /** ifa_prefixlen: the prefix length. */
  prefixlen: number;
  /** ifa_flags: IFA_F_* bits that fit in 8 bits (IFA_FLAGS holds them all). */
  flags: number;
  /** ifa_scope: RT_SCOPE_*. */
  scope: number;
  /** ifa_index: the device. */
  index: number;
}>('ifaddrmsg', 8, {
  family: [0, 'u8'],
  prefixlen: [1, 'u8'],
  flags: [2, 'u8'],
  scope: [3, 'u8'],
  index: [4, 'u32'],
});

/** struct ifa_cacheinfo. */
export const ifaCacheinfo = struct<{
  /** ifa_prefered: seconds left as a preferred source (0xffffffff: forever). */
  preferred: number;
  /** ifa_valid: seconds left valid (0xffffffff: forever). */
  valid: number;
  /** cstamp: when the address was created, in hundredths of a second since boot. */
  cstamp: number;
  /** tstamp: when it was last updated, likewise. */
  tstamp: number;
}>('ifa_cacheinfo', 16, {
  preferred: [0, 'u32'],
  valid: [4, 'u32'],
  cstamp: [8, 'u32'],
  tstamp: [12, 'u32'],
});

/** The IFA_* attributes of address messages, wire-level (addresses as text). */
export interface IfaAttrs {
  /** `IFA_LOCAL` (ip). */
  local: string;
  /** `IFA_LABEL` (string). */
  label: string;
  /** `IFA_ADDRESS` (ip). */
  address: string;
  /** `IFA_BROADCAST` (ip). */
  broadcast: string;
  /** `IFA_ANYCAST` (ip). */
  anycast: string;
  /** `IFA_MULTICAST` (ip). */
  multicast: string;
  /** `IFA_RT_PRIORITY` (u32). */
  metric: number;
  /** `IFA_PROTO` (u8). */
  proto: number;
  /** `IFA_FLAGS` (u32). */
  flags: number;
  /** `IFA_CACHEINFO` (struct). */
  cacheinfo: {
    /** ifa_prefered: seconds left as a preferred source (0xffffffff: forever). */
    preferred: number;
    /** ifa_valid: seconds left valid (0xffffffff: forever). */
    valid: number;
    /** cstamp: when the address was created, in hundredths of a second since boot. */
    cstamp: number;
    /** tstamp: when it was last updated, likewise. */
    tstamp: number;
  };
  /** `IFA_TARGET_NETNSID` (s32). */
  targetNetnsid: number;
}

/** Row order follows `ip address add ADDR [label L] [metric M] [proto P]`: IFA_LOCAL first, IFA_ADDRESS after the options. */
export const ifa = defineAttrs<IfaAttrs>('IFA', {
  local: [IFA_LOCAL, ip],
  label: [IFA_LABEL, string],
  metric: [IFA_RT_PRIORITY, u32],
  proto: [IFA_PROTO, u8],
  flags: [IFA_FLAGS, u32],
  address: [IFA_ADDRESS, ip],
  broadcast: [IFA_BROADCAST, ip],
  anycast: [IFA_ANYCAST, ip],
  multicast: [IFA_MULTICAST, ip],
  cacheinfo: [IFA_CACHEINFO, structAttr(ifaCacheinfo)],
  targetNetnsid: [IFA_TARGET_NETNSID, s32],
});

const FLAG_ENTRIES = Object.entries(IFA_F) as [AddrFlag, number][];

/** The flags as ip prints them: 'dynamic' when IFA_F_PERMANENT is clear (and 'permanent' never), 'temporary' for IPv6's secondary. */
function flagNames(bits: number, family: 4 | 6): AddrFlag[] {
  const out: AddrFlag[] = [];
  let rest = bits >>> 0;
  for (const [name, bit] of FLAG_ENTRIES) {
    if (bit === IFA_F.permanent) {
      if (!(bits & bit)) out.push('dynamic');
    } else if (bits & bit) {
      out.push(name === 'secondary' && family === 6 ? 'temporary' : name);
    }
    rest &= ~bit;
  }
  if (rest) out.push(`0x${rest.toString(16)}`);
  return out;
}

function lifetime(v: number): Lifetime {
  return v === FOREVER ? 'forever' : v;
}

/**
 * Decodes one RTM_NEWADDR / RTM_DELADDR into an Addr (IPv4 and IPv6; any other family is a
 * DecodeError from the address codec). `links` names the device; without it `dev` is 'if<N>'
 * (or the IPv4 label's device part).
 */
export function decodeAddr(m: NlMsg, links?: LinkNames): Addr {
  const hdr = ifaddrmsg.read(m.buf, m.off, m.end - m.off, ['ifaddrmsg']);
  const a = ifa.decode(m.buf, m.off + ifaddrmsg.size, m.end, ['IFA']);
  const family: 4 | 6 = hdr.family === AF_INET6 ? 6 : 4;
  const address = a.local ?? a.address ?? (family === 4 ? '0.0.0.0' : '::');
  const label = a.label;
  const r: Addr = {
    dev: links?.get(hdr.index) ?? (label ? label.split(':')[0]! : `if${hdr.index}`),
    index: hdr.index,
    family,
    address,
    prefixlen: hdr.prefixlen,
    cidr: `${address}/${hdr.prefixlen}`,
    scope: scopeName(hdr.scope),
    flags: flagNames(a.flags ?? hdr.flags, family),
  };
  if (a.local !== undefined) r.local = a.local;
  if (a.local !== undefined && a.address !== undefined && a.address !== a.local)
    r.peer = `${a.address}/${hdr.prefixlen}`;
  if (a.broadcast !== undefined) r.broadcast = a.broadcast;
  if (a.anycast !== undefined) r.anycast = a.anycast;
  if (label !== undefined) r.label = label;
  if (a.cacheinfo) {
    r.validLft = lifetime(a.cacheinfo.valid);
    r.preferredLft = lifetime(a.cacheinfo.preferred);
  }
  if (a.metric !== undefined) r.metric = a.metric;
  if (a.proto !== undefined)
    r.proto = Object.keys(ADDR_PROTOS).find((k) => ADDR_PROTOS[k] === a.proto) ?? String(a.proto);
  return r;
}
