// struct ndmsg and the NDA_* attributes of neighbour and bridge-FDB messages
// (<linux/neighbour.h>, Linux 6.1 UAPI headers; the kernel here is 6.18). Two tables over the
// same attribute numbers: one for ARP/NDISC neighbours (`ip neigh`), one for PF_BRIDGE FDB
// entries (`bridge fdb`), each in the order its iproute2 tool writes the attributes.
import {
  defineAttrs,
  flag,
  ip,
  mac,
  nest,
  s32,
  struct,
  structAttr,
  u16,
  u32,
  u8,
  be16,
  describe,
  type AttrSchema,
  type Codec,
  type Decoded,
} from '../core/schema.js';
import { parseIPv4, parseIPv6 } from '../core/inet.js';
import { byHardwareType } from '../link/ifla.js';
import { formatLlAddr } from '../link/words.js';
import type { FdbState, NeighFlag, NeighState } from '../../types/neigh.js';

export const NDA_DST = 1;
export const NDA_LLADDR = 2;
export const NDA_CACHEINFO = 3;
export const NDA_PROBES = 4;
export const NDA_VLAN = 5;
export const NDA_PORT = 6;
export const NDA_VNI = 7;
export const NDA_IFINDEX = 8;
export const NDA_MASTER = 9;
export const NDA_LINK_NETNSID = 10;
export const NDA_SRC_VNI = 11;
export const NDA_PROTOCOL = 12;
export const NDA_NH_ID = 13;
export const NDA_FDB_EXT_ATTRS = 14;
export const NDA_FLAGS_EXT = 15;

export const NFEA_ACTIVITY_NOTIFY = 1;
export const NFEA_DONT_REFRESH = 2;

/** struct ndmsg (12 bytes). */
export const ndmsg = struct<{
  /** ndm_family: AF_INET, AF_INET6 or AF_BRIDGE. */
  family: number;
  /** ndm_ifindex: the device. */
  ifindex: number;
  /** ndm_state: NUD_* bits. */
  state: number;
  /** ndm_flags: NTF_* bits. */
  flags: number;
  /** ndm_type: the route type of the address (RTN_UNICAST…). */
  type: number;
}>('ndmsg', 12, {
  family: [0, 'u8'],
  ifindex: [4, 's32'],
  state: [8, 'u16'],
  flags: [10, 'u8'],
  type: [11, 'u8'],
});

/** NUD_* (neighbour unreachability detection states). */
export const NUD: Readonly<Record<NeighState, number>> = {
  none: 0x00,
  incomplete: 0x01,
  reachable: 0x02,
  stale: 0x04,
  delay: 0x08,
  probe: 0x10,
  failed: 0x20,
  noarp: 0x40,
  permanent: 0x80,
};

/** NTF_* bits of ndm_flags, named as `ip neigh` / `bridge fdb` print them. */
export const NTF: Readonly<Record<Exclude<NeighFlag, 'managed'>, number>> = {
  use: 1 << 0,
  self: 1 << 1,
  master: 1 << 2,
  proxy: 1 << 3,
  extern_learn: 1 << 4,
  offload: 1 << 5,
  sticky: 1 << 6,
  router: 1 << 7,
};

/** NTF_EXT_* bits of NDA_FLAGS_EXT. */
export const NTF_EXT: Readonly<Record<'managed', number>> = { managed: 1 << 0 };

/** struct nda_cacheinfo (clock ticks). */
export const ndaCacheinfo = struct<{
  /** Ticks since the neighbour last confirmed it was reachable. */
  confirmed: number;
  /** Ticks since the entry was last used. */
  used: number;
  /** Ticks since the entry last changed. */
  updated: number;
  /** References the kernel holds to the entry. */
  refcnt: number;
}>('nda_cacheinfo', 16, {
  confirmed: [0, 'u32'],
  used: [4, 'u32'],
  updated: [8, 'u32'],
  refcnt: [12, 'u32'],
});

/** NDA_FDB_EXT_ATTRS (NFEA_*). */
export interface NfeaAttrs {
  /** `NFEA_ACTIVITY_NOTIFY` (u8). */
  activityNotify: number;
  /** `NFEA_DONT_REFRESH` (flag). */
  dontRefresh: boolean;
}
export const nfea = defineAttrs<NfeaAttrs>('NDA_FDB_EXT_ATTRS', {
  activityNotify: [NFEA_ACTIVITY_NOTIFY, u8],
  dontRefresh: [NFEA_DONT_REFRESH, flag],
});

/** MAX_ADDR_LEN (<linux/netdevice.h>): the longest NDA_LLADDR the kernel takes (its policy's limit). */
export const MAX_ADDR_LEN = 32;

/** A byte of colon hex as ll_addr_a2n reads one with sscanf("%x"): hex digits worth at most 255. */
const HEX_BYTE = /^[0-9a-fA-F]+$/;

/**
 * A neighbour's link-layer address (NDA_LLADDR) from text, as `ip neigh … lladdr` parses it
 * (iproute2's ll_addr_a2n): text with a '.' is a dotted quad, its 4 bytes (an IPv4 tunnel's
 * underlay address: `ip neigh add 10.0.0.2 lladdr 192.0.2.1 dev gre1`); else colon hex of 1 to
 * MAX_ADDR_LEN bytes, each byte one or more hex digits worth at most ff ('2:0:0:0:0:1' is
 * 02:00:00:00:00:01). Beyond ip, so that a read entry is taken back (`neigh.del(n)`,
 * `neigh.replace({ ...n })`): IPv6 text that is not colon hex is its 16 bytes (an IPv6 tunnel's, as
 * a read gives it; text that is both, such as '1:2:3:4:5:6:7:8', is colon hex as in ip), and ''
 * is an empty address (as a read gives one of a device without any, e.g. tun). Anything else
 * throws naming `field`.
 */
export function parseNeighLladdr(v: unknown, field: string): Buffer {
  if (typeof v === 'string') {
    if (v.includes('.')) {
      const quad = parseIPv4(v);
      if (quad) return quad;
      throw new TypeError(
        `Expected "${field}" to be an IPv4 address like 192.0.2.1 (text with a '.' is one, as for ip neigh), got ${describe(v)}`,
      );
    }
    if (v === '') return Buffer.alloc(0);
    const parts = v.split(':');
    if (parts.every((p) => HEX_BYTE.test(p) && parseInt(p, 16) <= 0xff)) {
      if (parts.length > MAX_ADDR_LEN) {
        throw new RangeError(
          `Expected "${field}" to be at most ${MAX_ADDR_LEN} bytes (MAX_ADDR_LEN), got ${parts.length}: ${describe(v)}`,
        );
      }
      return Buffer.from(parts.map((p) => parseInt(p, 16)));
    }
    const v6 = v.includes('%') ? undefined : parseIPv6(v);
    if (v6) return v6;
  }
  throw new TypeError(
    `Expected "${field}" to be a link-layer address: colon hex like aa:bb:cc:dd:ee:ff, or an IP tunnel's IPv4 or IPv6 address, got ${describe(v)}`,
  );
}

/**
 * A neighbour's NDA_LLADDR: written from what parseNeighLladdr takes; read as ll_addr_n2a prints
 * it, where `ipLen` (the device's, by its hardware type) says which length is an IP address.
 */
export function neighLladdr(ipLen?: 4 | 16): Codec<string> {
  return {
    kind: ipLen === undefined ? 'lladdr' : `lladdr (${ipLen} bytes as IPv${ipLen === 4 ? 4 : 6})`,
    put: (w, type, v, field) => w.attrBytes(type, parseNeighLladdr(v, field)),
    get: (b, off, len) => formatLlAddr(b, off, len, ipLen),
  };
}

/** The NDA_* attributes of an ARP / NDISC neighbour, in `ip neigh`'s order. */
export interface NdaNeigh {
  /** `NDA_PROTOCOL` (u8). */
  protocol: number;
  /** `NDA_DST` (ip). */
  dst: string;
  /** `NDA_FLAGS_EXT` (u32). */
  flagsExt: number;
  /** `NDA_LLADDR` (lladdr: colon hex, an IP tunnel's as an IP address; see parseNeighLladdr). */
  lladdr: string;
  /** `NDA_CACHEINFO` (struct). */
  cacheinfo: {
    /** Ticks since the neighbour last confirmed it was reachable. */
    confirmed: number;
    /** Ticks since the entry was last used. */
    used: number;
    /** Ticks since the entry last changed. */
    updated: number;
    /** References the kernel holds to the entry. */
    refcnt: number;
  };
  /** `NDA_PROBES` (u32). */
  probes: number;
  /** Dump filter: only this device. */
  ifindex: number;
  /** Dump filter: only ports of this master. */
  master: number;
}

/** The NDA_* table of neighbour messages, its lladdr read and written with `lladdr`. */
function neighTable(lladdr: Codec<string>): AttrSchema<NdaNeigh> {
  return defineAttrs<NdaNeigh>('NDA', {
    protocol: [NDA_PROTOCOL, u8],
    dst: [NDA_DST, ip],
    flagsExt: [NDA_FLAGS_EXT, u32],
    lladdr: [NDA_LLADDR, lladdr],
    cacheinfo: [NDA_CACHEINFO, structAttr(ndaCacheinfo)],
    probes: [NDA_PROBES, u32],
    ifindex: [NDA_IFINDEX, u32],
    master: [NDA_MASTER, u32],
  });
}

const NDA_NEIGH_BY_TYPE = byHardwareType((ipLen) => neighTable(neighLladdr(ipLen)));

/**
 * The NDA_* table of ARP / NDISC neighbour messages (`ip neigh`). Its `lladdr` reads as colon hex
 * whatever its length (decodeNeigh reads with ndaNeighOf, by the device's hardware type) and is
 * written from what parseNeighLladdr takes.
 */
export const ndaNeigh = NDA_NEIGH_BY_TYPE.plain;

/**
 * The NDA_* table for a neighbour on a device of hardware type `type` (ifi_type; undefined: not
 * known): its lladdr as `ip neigh` prints it (an IPv4 tunnel's 4 bytes as IPv4, an IPv6 tunnel's
 * 16 as IPv6).
 */
export function ndaNeighOf(type: number | undefined): AttrSchema<NdaNeigh> {
  return NDA_NEIGH_BY_TYPE.of(type);
}

/** The NDA_* attributes of a PF_BRIDGE FDB entry, in `bridge fdb`'s order. */
export interface NdaFdb {
  /** `NDA_LLADDR` (mac). */
  lladdr: string;
  /** `NDA_DST` (ip). */
  dst: string;
  /** `NDA_VLAN` (u16). */
  vlan: number;
  /** `NDA_NH_ID` (u32). */
  nhid: number;
  /** `NDA_PORT` (be16). */
  port: number;
  /** `NDA_VNI` (u32). */
  vni: number;
  /** `NDA_SRC_VNI` (u32). */
  srcVni: number;
  /** NDA_IFINDEX: the VXLAN `via` device. */
  via: number;
  /** `NDA_FDB_EXT_ATTRS` (nested). */
  fdbExt: Decoded<NfeaAttrs>;
  /** `NDA_MASTER` (u32). */
  master: number;
  /** `NDA_LINK_NETNSID` (s32). */
  linkNetnsId: number;
  /** `NDA_CACHEINFO` (struct). */
  cacheinfo: {
    /** Ticks since the neighbour last confirmed it was reachable. */
    confirmed: number;
    /** Ticks since the entry was last used. */
    used: number;
    /** Ticks since the entry last changed. */
    updated: number;
    /** References the kernel holds to the entry. */
    refcnt: number;
  };
  /** `NDA_FLAGS_EXT` (u32). */
  flagsExt: number;
}

/** The NDA_* table of bridge FDB messages (`bridge fdb`). */
export const ndaFdb = defineAttrs<NdaFdb>('NDA', {
  lladdr: [NDA_LLADDR, mac],
  dst: [NDA_DST, ip],
  vlan: [NDA_VLAN, u16],
  nhid: [NDA_NH_ID, u32],
  port: [NDA_PORT, be16],
  vni: [NDA_VNI, u32],
  srcVni: [NDA_SRC_VNI, u32],
  via: [NDA_IFINDEX, u32],
  fdbExt: [NDA_FDB_EXT_ATTRS, nest(nfea)],
  master: [NDA_MASTER, u32],
  linkNetnsId: [NDA_LINK_NETNSID, s32],
  cacheinfo: [NDA_CACHEINFO, structAttr(ndaCacheinfo)],
  flagsExt: [NDA_FLAGS_EXT, u32],
});

const NUD_BY_VALUE = new Map<number, NeighState>(Object.entries(NUD).map(([k, v]) => [v, k as NeighState]));

/** ndm_state as a name; a combination no single name covers decodes as its number in text. */
export function nudName(state: number): NeighState {
  return NUD_BY_VALUE.get(state) ?? (String(state) as NeighState);
}

/** An FDB entry's ndm_state the way `bridge fdb` prints it (bridge/fdb.c state_n2a). */
export function fdbStateName(state: number): FdbState {
  if (state & NUD.permanent) return 'permanent';
  if (state & NUD.noarp) return 'static';
  if (state & NUD.stale) return 'stale';
  if (state & NUD.reachable) return 'dynamic';
  return `0x${state.toString(16)}` as FdbState;
}

const NTF_ENTRIES = Object.entries(NTF) as [NeighFlag, number][];

/** ndm_flags (+ NDA_FLAGS_EXT) as names; unnamed bits as '0x…'. */
export function flagNames(flags: number, ext: number | undefined): NeighFlag[] {
  const out: NeighFlag[] = [];
  let rest = flags;
  for (const [name, bit] of NTF_ENTRIES) {
    if (flags & bit) {
      out.push(name);
      rest &= ~bit;
    }
  }
  if (rest) out.push(`0x${rest.toString(16)}` as NeighFlag);
  if (ext !== undefined && ext & NTF_EXT.managed) out.push('managed');
  return out;
}

/** Builds ndm_flags and NDA_FLAGS_EXT from flag names; a name not known throws naming `field`. */
export function flagBits(names: unknown, field: string): { flags: number; ext: number } {
  if (!Array.isArray(names)) throw new TypeError(`Expected "${field}" to be an array of flag names`);
  let flags = 0;
  let ext = 0;
  for (const n of names) {
    if (n === 'managed') ext |= NTF_EXT.managed;
    else if (typeof n === 'string' && Object.hasOwn(NTF, n)) flags |= NTF[n as keyof typeof NTF];
    else
      throw new TypeError(
        `Expected "${field}" to hold only ${[...Object.keys(NTF), 'managed'].join(', ')}; got ${JSON.stringify(n)}`,
      );
  }
  return { flags, ext };
}
