// Nexthop objects (≈ `ip nexthop`): add / replace / del / get / list over RTM_*NEXTHOP with
// nhmsg + NHA_* (<linux/nexthop.h>, Linux 6.18), as ip/ipnexthop.c (ipnh_modify) speaks them:
// single nexthops (via, dev, onlink), blackholes, and mpath / resilient groups.
import type { Handle } from './handle.js';
import { rd16, rd32, type NlWriter } from './core/attr.js';
import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  NLM_F_CREATE,
  NLM_F_EXCL,
  NLM_F_REPLACE,
  RTM_DELNEXTHOP,
  RTM_GETNEXTHOP,
  RTM_NEWNEXTHOP,
} from './core/constants.js';
import { DecodeError } from './core/errors.js';
import { parseIP } from './core/inet.js';
import type { NlMsg } from './core/nlmsg.js';
import {
  defineAttrs,
  describe,
  flag,
  ip,
  nest,
  struct,
  u16,
  u32,
  u64n,
  type Codec,
  type Decoded,
} from './core/schema.js';
import { checkCallOptions, checkIfName, checkInt, checkObject, type CallOptions } from './core/validate.js';
import { protocolId, protocolName, scopeName } from './rt-tables.js';
import { devicesNamed, type LinkNames } from './neigh/ifnames.js';
import { RTNH_F_ONLINK, ROUTE_FLAGS } from './route/schema.js';
import type { Nexthop, NexthopFilter, NexthopGroupMember, NexthopSpec } from '../types/nexthop.js';

// enum NHA_*
export const NHA_ID = 1;
export const NHA_GROUP = 2;
export const NHA_GROUP_TYPE = 3;
export const NHA_BLACKHOLE = 4;
export const NHA_OIF = 5;
export const NHA_GATEWAY = 6;
export const NHA_ENCAP_TYPE = 7;
export const NHA_ENCAP = 8;
export const NHA_GROUPS = 9;
export const NHA_MASTER = 10;
export const NHA_FDB = 11;
export const NHA_RES_GROUP = 12;
export const NHA_RES_BUCKET = 13;
/**
 * Linux 6.10+, after the installed headers' last (NHA_RES_BUCKET); from upstream
 * include/uapi/linux/nexthop.h. In replies it carries NHA_OP_FLAG_RESP_GRP_RESVD_0 (bit 31: a
 * group's nexthop_grp.weight_high is meaningful), which the group decoder needs no flag for: older
 * kernels send that byte as 0.
 */
export const NHA_OP_FLAGS = 14;
// enum NHA_RES_GROUP_*
export const NHA_RES_GROUP_BUCKETS = 1;
export const NHA_RES_GROUP_IDLE_TIMER = 2;
export const NHA_RES_GROUP_UNBALANCED_TIMER = 3;
export const NHA_RES_GROUP_UNBALANCED_TIME = 4;
// NEXTHOP_GRP_TYPE_*
export const NEXTHOP_GRP_TYPE_MPATH = 0;
export const NEXTHOP_GRP_TYPE_RES = 1;

/** struct nhmsg (8 bytes). */
export const nhmsg = struct<{
  /** nh_family: AF_INET, AF_INET6, or AF_UNSPEC for groups. */
  family: number;
  /** nh_scope: RT_SCOPE_*. */
  scope: number;
  /** nh_protocol: RTPROT_*, who installed it. */
  protocol: number;
  /** resvd: zero. */
  resvd: number;
  /** nh_flags: RTNH_F_* bits. */
  flags: number;
}>('nhmsg', 8, {
  family: [0, 'u8'],
  scope: [1, 'u8'],
  protocol: [2, 'u8'],
  resvd: [3, 'u8'],
  flags: [4, 'u32'],
});

/**
 * One struct nexthop_grp on the wire: weight is the kernel's (user weight - 1); its high byte sits
 * in resvd1 (the kernel's weight_high since 16-bit weights; 0 for weights up to 256).
 */
export interface NhGrpWire {
  /** The member nexthop's id. */
  id: number;
  /** The weight's low byte as the kernel stores it (user weight - 1). */
  weight: number;
  /** resvd2, kept when a kernel sets it. */
  resvd2?: number;
}

/** NHA_GROUP: an array of struct nexthop_grp { u32 id; u8 weight; u8 resvd1; u16 resvd2 }. */
export const nhGroup: Codec<NhGrpWire[]> = {
  kind: 'array(nexthop_grp)',
  put(w, type, v, field) {
    if (!Array.isArray(v)) throw new TypeError(`Expected "${field}" to be an array`);
    const s = w.beginAttr(type);
    for (const g of v) {
      w.u32(g.id);
      w.u8(g.weight & 0xff);
      w.u8((g.weight >>> 8) & 0xff);
      w.u16(g.resvd2 ?? 0);
    }
    w.endAttr(s);
  },
  get(b, off, len, path) {
    if (len % 8) throw new DecodeError(`NHA_GROUP of ${len} bytes is not a whole number of nexthop_grp`, off, path);
    const out: NhGrpWire[] = [];
    for (let o = off; o < off + len; o += 8) {
      const g: NhGrpWire = { id: rd32(b, o), weight: b[o + 4]! + (b[o + 5]! << 8) };
      const resvd2 = rd16(b, o + 6);
      if (resvd2) g.resvd2 = resvd2;
      out.push(g);
    }
    return out;
  },
};

/** The NHA_RES_GROUP_* attributes of a resilient group (timers in clock_t). */
export interface NhaResGroup {
  /** `NHA_RES_GROUP_BUCKETS` (u16). */
  buckets: number;
  /** `NHA_RES_GROUP_IDLE_TIMER` (u32). */
  idleTimer: number;
  /** `NHA_RES_GROUP_UNBALANCED_TIMER` (u32). */
  unbalancedTimer: number;
  /** `NHA_RES_GROUP_UNBALANCED_TIME` (u64n). */
  unbalancedTime: number;
}

/** NHA_RES_GROUP (timers in clock_t, USER_HZ = 100). */
export const nhaResGroup = defineAttrs<NhaResGroup>('NHA_RES_GROUP', {
  buckets: [NHA_RES_GROUP_BUCKETS, u16],
  idleTimer: [NHA_RES_GROUP_IDLE_TIMER, u32],
  unbalancedTimer: [NHA_RES_GROUP_UNBALANCED_TIMER, u32],
  unbalancedTime: [NHA_RES_GROUP_UNBALANCED_TIME, u64n],
}).padded(0); // NHA_RES_GROUP_PAD

/** The NHA_* attributes of nexthop messages, wire-level (devices as indexes). */
export interface NhaAttrs {
  /** `NHA_ID` (u32). */
  id: number;
  /** `NHA_GROUP` (an array of struct nexthop_grp). */
  group: NhGrpWire[];
  /** `NHA_RES_GROUP` (nested, NHA_RES_GROUP_*). */
  resGroup: Decoded<NhaResGroup>;
  /** `NHA_GROUP_TYPE` (u16). */
  groupType: number;
  /** `NHA_BLACKHOLE` (flag). */
  blackhole: boolean;
  /** `NHA_GATEWAY` (ip). */
  via: string;
  /** `NHA_OIF` (u32). */
  dev: number;
  /** `NHA_FDB` (flag). */
  fdb: boolean;
  /** `NHA_GROUPS` (flag). */
  groups: boolean;
  /** `NHA_MASTER` (u32). */
  master: number;
  /** `NHA_OP_FLAGS` (u32): request filters, and response flags in replies; not part of a Nexthop. */
  opFlags: number;
}

/**
 * Row order is ipnh_modify's for `ip nexthop add id N group … type resilient … | blackhole | via G
 * dev D`. NHA_ENCAP(_TYPE) and NHA_RES_BUCKET are kept raw in `unknown`.
 */
export const nha = defineAttrs<NhaAttrs>('NHA', {
  id: [NHA_ID, u32],
  group: [NHA_GROUP, nhGroup],
  resGroup: [NHA_RES_GROUP, nest(nhaResGroup)], // with NLA_F_NESTED, as iproute2 sends it
  groupType: [NHA_GROUP_TYPE, u16],
  blackhole: [NHA_BLACKHOLE, flag],
  via: [NHA_GATEWAY, ip],
  dev: [NHA_OIF, u32],
  fdb: [NHA_FDB, flag],
  groups: [NHA_GROUPS, flag],
  master: [NHA_MASTER, u32],
  opFlags: [NHA_OP_FLAGS, u32],
});

const GROUP_TYPES = { mpath: NEXTHOP_GRP_TYPE_MPATH, resilient: NEXTHOP_GRP_TYPE_RES } as const;

function flagNames(flags: number): string[] | undefined {
  let out: string[] | undefined;
  for (const [name, bit] of ROUTE_FLAGS)
    if (bit !== RTNH_F_ONLINK && bit < 0x100 && flags & bit) (out ??= []).push(name);
  return out;
}

/** Decodes one RTM_NEWNEXTHOP / RTM_DELNEXTHOP into a Nexthop; `links` names the device. */
export function decodeNexthop(m: NlMsg, links?: LinkNames): Nexthop {
  const hdr = nhmsg.read(m.buf, m.off, m.end - m.off, ['nhmsg']);
  const a = nha.decode(m.buf, m.off + nhmsg.size, m.end, ['NHA']);
  if (a.id === undefined) throw new DecodeError('nexthop without NHA_ID', m.off, ['NHA', 'id']);
  const r: Nexthop = { id: a.id, protocol: protocolName(hdr.protocol), scope: scopeName(hdr.scope) };
  if (hdr.family === AF_INET) r.family = 4;
  else if (hdr.family === AF_INET6) r.family = 6;
  if (a.via !== undefined) r.via = a.via;
  if (a.dev !== undefined) {
    const dev = links?.get(a.dev);
    if (dev !== undefined) r.dev = dev;
    r.index = a.dev;
  }
  if (hdr.flags & RTNH_F_ONLINK) r.onlink = true;
  if (a.blackhole) r.blackhole = true;
  if (a.group) {
    r.group = a.group.map((g) => ({ id: g.id, weight: g.weight + 1 }));
    r.groupType = a.groupType === NEXTHOP_GRP_TYPE_RES ? 'resilient' : 'mpath';
  }
  if (a.resGroup) {
    if (a.resGroup.buckets !== undefined) r.buckets = a.resGroup.buckets;
    if (a.resGroup.idleTimer !== undefined) r.idleTimer = a.resGroup.idleTimer / 100;
    if (a.resGroup.unbalancedTimer !== undefined) r.unbalancedTimer = a.resGroup.unbalancedTimer / 100;
    if (a.resGroup.unbalancedTime !== undefined) r.unbalancedTime = a.resGroup.unbalancedTime / 100;
  }
  if (a.fdb) r.fdb = true;
  const f = flagNames(hdr.flags);
  if (f) r.flags = f;
  if (a.unknown) r.unknown = a.unknown;
  return r;
}

const SPEC_KEYS = new Set([
  'id',
  'via',
  'dev',
  'onlink',
  'blackhole',
  'group',
  'groupType',
  'buckets',
  'idleTimer',
  'unbalancedTimer',
  'fdb',
  'protocol',
  'family',
  // read-only fields of a Nexthop read back
  'index',
  'scope',
  'flags',
  'unbalancedTime',
  'unknown',
]);

interface NhReq {
  hdr: { family: number; scope: number; protocol: number; resvd: number; flags: number };
  attrs: Decoded<NhaAttrs>;
  dev: string | number | undefined;
}

function timer(v: unknown, field: string): number {
  // seconds → clock_t; ip refuses values of UINT32_MAX / 100 or more
  return checkInt(v, field, 0, Math.floor(0xffffffff / 100) - 1) * 100;
}

function bool(v: unknown, field: string): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`Expected "${field}" to be a boolean, got ${describe(v)}`);
  return v;
}

/** Checks a spec as ipnh_modify parses its arguments. */
function nhReq(spec: NexthopSpec): NhReq {
  const s = checkObject(spec, 'spec') as unknown as NexthopSpec;
  for (const k of Object.keys(s))
    if (!SPEC_KEYS.has(k)) throw new TypeError(`Unknown field "${k}" in the nexthop spec`);
  const attrs: Decoded<NhaAttrs> = { id: checkInt(s.id, 'id', 1, 0xffffffff) };
  let family = AF_UNSPEC;
  if (s.family !== undefined) {
    if (s.family !== 4 && s.family !== 6)
      throw new TypeError(`Expected "family" to be 4 or 6, got ${describe(s.family)}`);
    family = s.family === 4 ? AF_INET : AF_INET6;
  }
  let dev: string | number | undefined;
  if (s.dev !== undefined)
    dev = typeof s.dev === 'number' ? checkInt(s.dev, 'dev', 1, 0x7fffffff) : checkIfName(s.dev, 'dev');
  if (s.group !== undefined) {
    if (!Array.isArray(s.group) || s.group.length === 0)
      throw new TypeError(`Expected "group" to be a non-empty array of { id, weight? }, got ${describe(s.group)}`);
    attrs.group = s.group.map((g: NexthopGroupMember, i) => {
      const o = checkObject(g, `group[${i}]`) as unknown as NexthopGroupMember;
      return {
        id: checkInt(o.id, `group[${i}].id`, 1, 0xffffffff),
        // 1..65,536 since Linux 6.12 (nexthop_grp.weight_high); older kernels refuse more than 256
        weight: (o.weight === undefined ? 1 : checkInt(o.weight, `group[${i}].weight`, 1, 65536)) - 1,
      };
    });
    // `fdb` is allowed: `ip nexthop add id N group … fdb` makes a group for VXLAN FDB entries
    for (const k of ['via', 'dev', 'blackhole', 'onlink'] as const) {
      if (s[k] !== undefined && s[k] !== false)
        throw new TypeError(`Expected no "${k}" with "group" (a group only lists other nexthops)`);
    }
  }
  const type = s.groupType === undefined ? undefined : s.groupType;
  if (type !== undefined && !Object.hasOwn(GROUP_TYPES, type))
    throw new TypeError(`Expected "groupType" to be one of mpath, resilient, got ${describe(type)}`);
  const res = s.buckets !== undefined || s.idleTimer !== undefined || s.unbalancedTimer !== undefined;
  if ((type !== undefined || res) && !attrs.group)
    throw new TypeError('Expected "group" with "groupType", "buckets", "idleTimer" or "unbalancedTimer"');
  if (res && type !== 'resilient')
    throw new TypeError('Expected groupType \'resilient\' with "buckets", "idleTimer" or "unbalancedTimer"');
  if (type === 'resilient') {
    const rg: Decoded<NhaResGroup> = {};
    if (s.buckets !== undefined) rg.buckets = checkInt(s.buckets, 'buckets', 1, 0xffff);
    if (s.idleTimer !== undefined) rg.idleTimer = timer(s.idleTimer, 'idleTimer');
    if (s.unbalancedTimer !== undefined) rg.unbalancedTimer = timer(s.unbalancedTimer, 'unbalancedTimer');
    attrs.resGroup = rg;
  }
  if (type !== undefined) attrs.groupType = GROUP_TYPES[type];
  if (s.blackhole !== undefined && bool(s.blackhole, 'blackhole')) {
    if (s.via !== undefined || s.dev !== undefined) throw new TypeError('Expected no "via" or "dev" with "blackhole"');
    attrs.blackhole = true;
    if (family === AF_UNSPEC) family = AF_INET;
  }
  if (s.via !== undefined) {
    const a = typeof s.via === 'string' ? parseIP(s.via) : undefined;
    if (!a) throw new TypeError(`Expected "via" to be an IPv4 or IPv6 address, got ${describe(s.via)}`);
    const f = a.family === 4 ? AF_INET : AF_INET6;
    if (family !== AF_UNSPEC && family !== f)
      throw new TypeError(
        `Expected "via" to be an IPv${family === AF_INET ? 4 : 6} address like "family", got ${describe(s.via)}`,
      );
    family = f;
    attrs.via = s.via;
  }
  if (dev !== undefined && family === AF_UNSPEC) family = AF_INET;
  if (s.fdb !== undefined && bool(s.fdb, 'fdb')) attrs.fdb = true;
  let flags = 0;
  if (s.onlink !== undefined && bool(s.onlink, 'onlink')) flags |= RTNH_F_ONLINK;
  const protocol = s.protocol === undefined ? 0 : protocolId(s.protocol, 'protocol');
  if (!attrs.group && !attrs.blackhole && dev === undefined && !attrs.fdb) {
    throw new TypeError('Expected "dev", "blackhole" or "group" in the nexthop spec (a gateway needs a device)');
  }
  return { hdr: { family, scope: 0, protocol, resvd: 0, flags }, attrs, dev };
}

function body(r: NhReq, oif: number | undefined): (w: NlWriter) => void {
  return (w) => {
    nhmsg.write(w, r.hdr);
    nha.encode(w, oif === undefined ? r.attrs : { ...r.attrs, dev: oif });
  };
}

/** Nexthop objects (`ip nexthop`) of one handle's namespace: `h.nexthop`, or the module-level `nexthop`. */
export class NexthopApi {
  constructor(protected readonly h: Handle) {}

  /** `ip nexthop add id ID { via G dev D [onlink] | blackhole | group A[,W]/B[,W] [type mpath|resilient …] }`. */
  add(spec: NexthopSpec, opts?: CallOptions): Promise<void> {
    return this.modify(spec, NLM_F_CREATE | NLM_F_EXCL, 'add', opts);
  }

  /** `ip nexthop replace id ID …`. */
  replace(spec: NexthopSpec, opts?: CallOptions): Promise<void> {
    return this.modify(spec, NLM_F_CREATE | NLM_F_REPLACE, 'replace', opts);
  }

  /** `ip nexthop del id ID`. */
  async del(spec: { id: number }, opts?: CallOptions): Promise<void> {
    const signal = checkCallOptions(opts);
    const id = checkInt(checkObject(spec, 'spec')['id'], 'id', 1, 0xffffffff);
    await this.h.engine.request(
      RTM_DELNEXTHOP,
      0,
      (w) => {
        nhmsg.write(w, { family: AF_UNSPEC });
        nha.encode(w, { id });
      },
      { subject: `nexthop.del id ${id}`, signal },
    );
  }

  /** `ip nexthop get id ID`: rejects with NetlinkError code 'ENOENT' when absent. */
  async get(id: number, opts?: CallOptions): Promise<Nexthop> {
    const signal = checkCallOptions(opts);
    checkInt(id, 'id', 1, 0xffffffff);
    const { links } = await devicesNamed(this.h, {}, `nexthop.get id ${id}`, signal);
    const replies = await this.h.engine.request(
      RTM_GETNEXTHOP,
      0,
      (w) => {
        nhmsg.write(w, { family: AF_UNSPEC });
        nha.encode(w, { id });
      },
      { subject: `nexthop.get id ${id}`, signal },
    );
    const m = replies.find((x) => x.type === RTM_NEWNEXTHOP);
    if (!m) throw new Error(`nexthop.get id ${id}: the kernel sent no RTM_NEWNEXTHOP`);
    return decodeNexthop(m, links);
  }

  /** `ip nexthop show [dev D] [groups] [master M] [fdb] [-4|-6]`, filtered by the kernel. */
  async list(filter: NexthopFilter = {}, opts?: CallOptions): Promise<Nexthop[]> {
    const signal = checkCallOptions(opts);
    const f = checkObject(filter, 'filter') as NexthopFilter;
    for (const k of Object.keys(f))
      if (!['dev', 'groups', 'master', 'fdb', 'family'].includes(k))
        throw new TypeError(`Unknown field "${k}" in the nexthop filter`);
    if (f.family !== undefined && f.family !== 4 && f.family !== 6)
      throw new TypeError(`Expected "family" to be 4 or 6, got ${describe(f.family)}`);
    const a: Decoded<NhaAttrs> = {};
    if (f.groups !== undefined && bool(f.groups, 'groups')) a.groups = true;
    if (f.fdb !== undefined && bool(f.fdb, 'fdb')) a.fdb = true;
    const devRef = (v: unknown, field: string): string | number =>
      typeof v === 'number' ? checkInt(v, field, 1, 0x7fffffff) : checkIfName(v, field);
    const dev = f.dev === undefined ? undefined : devRef(f.dev, 'dev');
    const master = f.master === undefined ? undefined : devRef(f.master, 'master');
    const named: { dev?: string; master?: string } = {};
    if (typeof dev === 'string') named.dev = dev;
    if (typeof master === 'string') named.master = master;
    const { links, index } = await devicesNamed(this.h, named, 'nexthop.list', signal);
    if (dev !== undefined) a.dev = typeof dev === 'number' ? dev : index.dev!;
    if (master !== undefined) a.master = typeof master === 'number' ? master : index.master!;
    const family = f.family === 4 ? AF_INET : f.family === 6 ? AF_INET6 : AF_UNSPEC;
    return this.h.engine.dump(
      RTM_GETNEXTHOP,
      (w) => {
        nhmsg.write(w, { family });
        nha.encode(w, a);
      },
      (m) => decodeNexthop(m, links),
      { subject: 'nexthop.list', signal },
    );
  }

  private async modify(spec: NexthopSpec, flags: number, op: string, opts: CallOptions | undefined): Promise<void> {
    const signal = checkCallOptions(opts);
    const r = nhReq(spec);
    const oif =
      r.dev === undefined
        ? undefined
        : await this.h.link.indexOf(r.dev, 'dev', signal ? { signal } : undefined, `nexthop.${op} id ${r.attrs.id}`);
    await this.h.engine.request(RTM_NEWNEXTHOP, flags, body(r, oif), {
      subject: `nexthop.${op} id ${r.attrs.id}`,
      signal,
    });
  }
}
