// RouteSpec → RTM_NEWROUTE / RTM_DELROUTE body (rtmsg + RTA_*), with iproute2's defaults
// (ip/iproute.c iproute_modify). Validation happens here, before a byte is written: a bad field
// is a TypeError/RangeError naming it. The common shape (dst, src, via, metric, table, nhid, dev)
// is written by direct NlWriter calls; everything else goes through the RTA table (schema.ts),
// and test/codec/route-encode.test.ts checks that both write the same bytes.
import { LITTLE_ENDIAN, wr32, type NlWriter } from '../core/attr.js';
import { AF_INET, AF_INET6 } from '../core/constants.js';
import type { Decoded, UnknownAttr } from '../core/schema.js';
import { checkInt, describe } from '../core/validate.js';
import { addrOf, addrText, badAddr, parse4, prefixLength, prefixOf, type Addr } from './address.js';
import {
  protocolId,
  routeTypeId,
  RT_SCOPE_HOST,
  RT_SCOPE_LINK,
  RT_SCOPE_NOWHERE,
  RT_SCOPE_UNIVERSE,
  RT_TABLE_LOCAL,
  RT_TABLE_MAIN,
  RTN_ANYCAST,
  RTN_BROADCAST,
  RTN_LOCAL,
  RTN_MULTICAST,
  RTN_NAT,
  RTN_UNICAST,
  RTN_UNSPEC,
  RTPROT_BOOT,
  scopeId,
  tableId,
} from '../rt-tables.js';
import type { RouteNexthop, RouteSpec, RouteVia } from '../../types/route.js';
import {
  encodeRouteTable,
  ROUTER_PREF,
  RTA_DST,
  RTA_GATEWAY,
  RTA_NH_ID,
  RTA_OIF,
  RTA_PREFSRC,
  RTA_PRIORITY,
  RTA_TABLE,
  RTNH_F_ONLINK,
  type Metrics,
  type RtaAttrs,
  type RtmsgFields,
  type RtNexthop,
  type RtnhAttrs,
} from './schema.js';

/** add/replace take iproute2's add defaults (protocol boot, type unicast); del selects loosely. */
export type RouteOp = 'add' | 'replace' | 'del';

/**
 * Resolves a device name to its ifindex (from a cache filled beforehand); throws if it cannot. An
 * object with a method rather than a closure: each bulk call has its own, and the method is one
 * function for all of them, where a closure per call made V8 throw away the compiled encoder at the
 * second call (a deopt, "wrong call target").
 */
export interface DevIndex {
  index(name: string, field: string): number;
}

/** The DevIndex of a spec parsed only for its layout or its checks: any name gets index 1. */
export const PLACEHOLDER_DEV: DevIndex = { index: () => 1 };

/** Keys a spec may carry: RouteSpec's, plus the read-only ones of a Route read back (ignored). */
const SPEC_KEYS = new Set([
  'dst',
  'family',
  'via',
  'dev',
  'src',
  'table',
  'metric',
  'protocol',
  'scope',
  'type',
  'mtu',
  'advmss',
  'hoplimit',
  'initcwnd',
  'initrwnd',
  'onlink',
  'nexthops',
  'nhid',
  'tos',
  'pref',
  'from',
  'realm',
  'expires',
  'unknown',
  'metrics',
  'index',
  'flags',
  'iif',
  'mark',
  'uid',
]);
const NH_KEYS = new Set(['via', 'dev', 'weight', 'onlink', 'index', 'flags', 'unknown']);
const OTHER_METRICS = new Set([
  'lock',
  'window',
  'rtt',
  'rttvar',
  'ssthresh',
  'cwnd',
  'reordering',
  'features',
  'rtoMin',
  'quickack',
  'ccAlgo',
  'fastopenNoCookie',
]);

function u32Of(v: unknown, field: string, min = 0): number {
  return checkInt(v, field, min, 0xffffffff);
}

function boolOf(v: unknown, field: string): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`Expected "${field}" to be a boolean, got ${describe(v)}`);
  return v;
}

/**
 * A device given by name or by index. A name goes to devIndex, which checks it (checkIfName) the
 * first time it sees it and resolves it.
 */
function devOf(v: unknown, field: string, devIndex: DevIndex): number {
  if (typeof v === 'number') return checkInt(v, field, 1, 0x7fffffff);
  if (typeof v !== 'string')
    throw new TypeError(`Expected "${field}" to be a device name or index, got ${describe(v)}`);
  return devIndex.index(v, field);
}

/** A via: same-family text → RTA_GATEWAY (other = false); `{ inet6 }` / `{ inet }` of the other family → RTA_VIA. */
function viaOf(v: RouteVia, field: string, family: 4 | 6 | 0): { addr: Addr; other: boolean } {
  if (typeof v === 'string') return { addr: addrOf(v, field, family), other: false };
  if (v === null || typeof v !== 'object') throw badAddr(field, v, "an address or { inet6: 'fe80::1' }");
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length !== 1 || (keys[0] !== 'inet' && keys[0] !== 'inet6')) {
    throw new TypeError(`Expected "${field}" to be an address or an object with one key, inet or inet6`);
  }
  const want = keys[0] === 'inet' ? 4 : 6;
  const addr = addrOf(o[keys[0]], `${field}.${keys[0]}`, want);
  return { addr, other: family !== 0 && want !== family };
}

/**
 * Everything validated about one spec, ready to write: rtmsg fields (rtm_table 0 when the table
 * travels in RTA_TABLE), then attributes.
 */
export interface ParsedRoute extends RtmsgFields {
  dst: Addr | undefined;
  src: Addr | undefined;
  via: Addr | undefined;
  /** -1 when absent */
  metric: number;
  /** RTA_TABLE for tables over 255, else -1 */
  tableAttr: number;
  nhid: number;
  /** 0 when absent */
  oif: number;
  /** Fields only the table path writes (undefined for the common shape). */
  rest: Decoded<RtaAttrs> | undefined;
}

function nexthopsOf(v: unknown, family: 4 | 6 | 0, devIndex: DevIndex): { list: RtNexthop[]; family: 4 | 6 | 0 } {
  if (!Array.isArray(v) || v.length === 0)
    throw new TypeError(`Expected "nexthops" to be a non-empty array, got ${describe(v)}`);
  const list: RtNexthop[] = [];
  v.forEach((x: unknown, i) => {
    const f = `nexthops[${i}]`;
    if (x === null || typeof x !== 'object' || Array.isArray(x))
      throw new TypeError(`Expected "${f}" to be an object, got ${describe(x)}`);
    const nh = x as RouteNexthop;
    for (const k of Object.keys(nh))
      if (!NH_KEYS.has(k)) throw new TypeError(`Unknown field "${f}.${k}" (expected via, dev, weight, onlink)`);
    const attrs: Decoded<RtnhAttrs> = {};
    if (nh.via !== undefined) {
      const { addr, other } = viaOf(nh.via, `${f}.via`, family);
      if (!family && !other) family = addr.family;
      if (other) attrs.rtvia = { family: addr.family, address: addrText(addr) };
      else attrs.via = addrText(addr);
    }
    let ifindex = 0;
    if (nh.dev !== undefined) ifindex = devOf(nh.dev, `${f}.dev`, devIndex);
    else if (nh.index !== undefined) ifindex = checkInt(nh.index, `${f}.index`, 1, 0x7fffffff);
    const weight = nh.weight === undefined ? 1 : checkInt(nh.weight, `${f}.weight`, 1, 256);
    const onlink = nh.onlink === undefined ? false : boolOf(nh.onlink, `${f}.onlink`);
    if (nh.unknown !== undefined) attrs.unknown = unknownOf(nh.unknown, `${f}.unknown`);
    list.push({ flags: onlink ? RTNH_F_ONLINK : 0, hops: weight - 1, ifindex, attrs });
  });
  return { list, family };
}

function unknownOf(v: unknown, field = 'unknown'): UnknownAttr[] {
  if (!Array.isArray(v)) throw new TypeError(`Expected "${field}" to be an array of { type, data }`);
  return v.map((u: unknown, i) => {
    const o = u as UnknownAttr | null;
    if (!o || typeof o !== 'object' || !(o.data instanceof Uint8Array))
      throw new TypeError(`Expected "${field}[${i}]" to be { type, data: Buffer }`);
    return { type: checkInt(o.type, `${field}[${i}].type`, 1, 0x3fff), data: Buffer.from(o.data) };
  });
}

function otherMetrics(v: unknown, into: Decoded<Metrics>): void {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new TypeError(`Expected "metrics" to be an object, got ${describe(v)}`);
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (x === undefined) continue;
    if (!OTHER_METRICS.has(k))
      throw new TypeError(`Unknown field "metrics.${k}" (expected ${[...OTHER_METRICS].join(', ')})`);
    if (k === 'ccAlgo') {
      if (typeof x !== 'string' || !x || x.includes('\0'))
        throw new TypeError(`Expected "metrics.ccAlgo" to be an algorithm name, got ${describe(x)}`);
      into.ccAlgo = x;
    } else {
      (into as Record<string, number>)[k] = u32Of(x, `metrics.${k}`);
    }
  }
}

/** Throws for a key RouteSpec does not have (a typo must not pass silently). */
function checkKeys(spec: RouteSpec): void {
  for (const k in spec) {
    switch (k) {
      case 'dst':
      case 'via':
      case 'dev':
      case 'metric':
      case 'table':
      case 'src':
      case 'protocol':
      case 'scope':
      case 'type':
      case 'family':
      case 'nhid':
      case 'onlink':
      case 'nexthops':
      case 'mtu':
      case 'advmss':
        continue;
      default:
        if (!SPEC_KEYS.has(k)) throw new TypeError(`Unknown field "${k}" in the route spec`);
    }
  }
}

/**
 * Whether a spec with `nhid` also carries the nexthop as a read Route reports it: the device as
 * `index` (on the route or on its `nexthops`), beside `via`/`dev`/`nexthops`.
 */
function readNexthop(spec: RouteSpec): boolean {
  const r = spec as RouteSpec & { index?: unknown };
  if (typeof r.index === 'number') return true;
  return (
    Array.isArray(spec.nexthops) && spec.nexthops.some((n) => typeof (n as { index?: unknown })?.index === 'number')
  );
}

/**
 * A read Route of a nexthop object, as a spec: the kernel refuses `nhid` beside a gateway, device
 * or multipath ("mutually exclusive"), so what the read reports of the nexthop is left out.
 */
function withoutNexthop(spec: RouteSpec): RouteSpec {
  const { via: _v, dev: _d, nexthops: _n, index: _i, ...rest } = spec as RouteSpec & { index?: unknown };
  return rest;
}

/** Validates a spec and applies iproute2's defaults for op. Throws TypeError/RangeError naming the field. */
export function parseRoute(specIn: RouteSpec, op: RouteOp, devIndex: DevIndex): ParsedRoute {
  if (specIn === null || typeof specIn !== 'object' || Array.isArray(specIn))
    throw new TypeError(`Expected the route spec to be an object, got ${describe(specIn)}`);
  checkKeys(specIn);
  const spec = specIn.nhid !== undefined && readNexthop(specIn) ? withoutNexthop(specIn) : specIn;
  let family: 4 | 6 | 0 = 0;
  if (spec.family !== undefined) {
    if (spec.family !== 4 && spec.family !== 6)
      throw new TypeError(`Expected "family" to be 4 or 6, got ${describe(spec.family)}`);
    family = spec.family;
  }
  const dst = prefixOf(spec.dst, 'dst', family);
  if (dst) family = dst.family;
  let rest: Decoded<RtaAttrs> | undefined;

  let srcLen = 0;
  if (spec.from !== undefined) {
    const p = prefixOf(spec.from, 'from', family);
    if (p) {
      family = p.family;
      (rest ??= {}).from = addrText(p);
      srcLen = p.len;
    }
  }
  let src: Addr | undefined;
  if (spec.src !== undefined) {
    src = addrOf(spec.src, 'src', family);
    family = src.family;
  }
  let via: Addr | undefined;
  if (spec.via !== undefined) {
    if (typeof spec.via === 'string') via = addrOf(spec.via, 'via', family);
    else {
      const v = viaOf(spec.via, 'via', family);
      if (v.other) (rest ??= {}).rtvia = { family: v.addr.family, address: addrText(v.addr) };
      else via = v.addr;
    }
    if (via) family = via.family;
  }
  let nexthops: RtNexthop[] | undefined;
  if (spec.nexthops !== undefined) {
    const r = nexthopsOf(spec.nexthops, family, devIndex);
    nexthops = r.list;
    family = r.family;
    (rest ??= {}).nexthops = nexthops;
  }
  if (!family) family = 4;

  const type = spec.type === undefined ? (op === 'del' ? RTN_UNSPEC : RTN_UNICAST) : routeTypeId(spec.type, 'type');
  let table = RT_TABLE_MAIN;
  if (spec.table !== undefined) table = tableId(spec.table, 'table');
  else if (type === RTN_LOCAL || type === RTN_BROADCAST || type === RTN_NAT || type === RTN_ANYCAST)
    table = RT_TABLE_LOCAL;
  const protocol =
    spec.protocol === undefined ? (op === 'del' ? 0 : RTPROT_BOOT) : protocolId(spec.protocol, 'protocol');
  const nhid = spec.nhid === undefined ? -1 : u32Of(spec.nhid, 'nhid', 1);

  let scope: number;
  if (spec.scope !== undefined) scope = scopeId(spec.scope, 'scope');
  else {
    scope = op === 'del' ? RT_SCOPE_NOWHERE : RT_SCOPE_UNIVERSE;
    if (family === 6) scope = RT_SCOPE_UNIVERSE;
    else if (type === RTN_LOCAL || type === RTN_NAT) scope = RT_SCOPE_HOST;
    else if (type === RTN_BROADCAST || type === RTN_MULTICAST || type === RTN_ANYCAST) scope = RT_SCOPE_LINK;
    else if (type === RTN_UNICAST || type === RTN_UNSPEC) {
      if (op === 'del') scope = RT_SCOPE_NOWHERE;
      else if (spec.via === undefined && !nexthops && nhid < 0) scope = RT_SCOPE_LINK;
    }
  }

  let flags = 0;
  if (spec.onlink !== undefined && boolOf(spec.onlink, 'onlink')) flags |= RTNH_F_ONLINK;
  const tos = spec.tos === undefined ? 0 : checkInt(spec.tos, 'tos', 0, 255);
  const metric = spec.metric === undefined ? -1 : u32Of(spec.metric, 'metric');
  let oif = 0;
  if (spec.dev !== undefined) oif = devOf(spec.dev, 'dev', devIndex);
  else if ((spec as { index?: unknown }).index !== undefined)
    oif = checkInt((spec as { index?: unknown }).index, 'index', 1, 0x7fffffff);

  let metrics: Decoded<Metrics> | undefined;
  if (spec.mtu !== undefined) (metrics ??= {}).mtu = u32Of(spec.mtu, 'mtu');
  if (spec.advmss !== undefined) (metrics ??= {}).advmss = u32Of(spec.advmss, 'advmss');
  if (spec.hoplimit !== undefined) (metrics ??= {}).hoplimit = checkInt(spec.hoplimit, 'hoplimit', 0, 255);
  if (spec.initcwnd !== undefined) (metrics ??= {}).initcwnd = u32Of(spec.initcwnd, 'initcwnd');
  if (spec.initrwnd !== undefined) (metrics ??= {}).initrwnd = u32Of(spec.initrwnd, 'initrwnd');
  if (spec.metrics !== undefined) otherMetrics(spec.metrics, (metrics ??= {}));
  if (metrics && Object.keys(metrics).length) (rest ??= {}).metrics = metrics;
  if (spec.pref !== undefined) {
    if (typeof spec.pref !== 'string' || !Object.hasOwn(ROUTER_PREF, spec.pref))
      throw new TypeError(`Expected "pref" to be one of low, medium, high, got ${describe(spec.pref)}`);
    (rest ??= {}).pref = ROUTER_PREF[spec.pref];
  }
  if (spec.realm !== undefined) (rest ??= {}).realm = u32Of(spec.realm, 'realm');
  if (spec.expires !== undefined) (rest ??= {}).expires = u32Of(spec.expires, 'expires');
  if (spec.unknown !== undefined) (rest ??= {}).unknown = unknownOf(spec.unknown);

  return {
    family: family === 4 ? AF_INET : AF_INET6,
    dstLen: dst ? dst.len : 0,
    srcLen,
    tos,
    table: table < 256 ? table : 0,
    protocol,
    scope,
    type,
    flags,
    dst,
    src,
    via,
    metric,
    tableAttr: table < 256 ? -1 : table,
    nhid,
    oif,
    rest,
  };
}

/** The rtmsg fields of a parsed route. */
export function rtmsgOf(r: ParsedRoute): RtmsgFields {
  return {
    family: r.family,
    dstLen: r.dstLen,
    srcLen: r.srcLen,
    tos: r.tos,
    table: r.table,
    protocol: r.protocol,
    scope: r.scope,
    type: r.type,
    flags: r.flags,
  };
}

/** The whole message through the RTA table (the general encoder). */
export function writeParsedTable(w: NlWriter, r: ParsedRoute): void {
  const a: Decoded<RtaAttrs> = {};
  if (r.dst) a.dst = addrText(r.dst);
  if (r.src) a.src = addrText(r.src);
  if (r.via) a.via = addrText(r.via);
  if (r.metric >= 0) a.metric = r.metric;
  if (r.tableAttr >= 0) a.table = r.tableAttr;
  if (r.nhid >= 0) a.nhid = r.nhid;
  if (r.oif) a.dev = r.oif;
  encodeRouteTable(w, rtmsgOf(r), r.rest ? { ...r.rest, ...a } : a);
}

/** attribute header (len, type) as one host-order u32 */
const hdr32: (len: number, type: number) => number = LITTLE_ENDIAN
  ? (len, type) => ((type << 16) | len) >>> 0
  : (len, type) => ((len << 16) | type) >>> 0;

// The headers of the 8-byte attributes written below, computed once.
const H_DST4 = hdr32(8, RTA_DST);
const H_GATEWAY4 = hdr32(8, RTA_GATEWAY);
const H_PRIORITY = hdr32(8, RTA_PRIORITY);
const H_TABLE = hdr32(8, RTA_TABLE);
const H_NH_ID = hdr32(8, RTA_NH_ID);
const H_OIF = hdr32(8, RTA_OIF);

/** An IPv4 address attribute with header word hdr (the address in network order). */
function put4(b: Buffer, p: number, hdr: number, v: number): number {
  wr32(b, p, hdr);
  b[p + 4] = v >>> 24;
  b[p + 5] = (v >>> 16) & 0xff;
  b[p + 6] = (v >>> 8) & 0xff;
  b[p + 7] = v & 0xff;
  return p + 8;
}

function putAddr(b: Buffer, p: number, type: number, a: Addr): number {
  if (a.family === 4) return put4(b, p, hdr32(8, type), a.v4);
  wr32(b, p, hdr32(20, type));
  b.set(a.v6!, p + 4);
  return p + 20;
}

/** A u32 attribute with header word hdr. */
function putU32(b: Buffer, p: number, hdr: number, v: number): number {
  wr32(b, p, hdr);
  wr32(b, p + 4, v);
  return p + 8;
}

/** The common shape by direct writes: rtmsg, then DST, PREFSRC, GATEWAY, PRIORITY, TABLE, NH_ID, OIF. */
export function writeParsedFast(w: NlWriter, r: ParsedRoute): void {
  w.ensure(12 + 3 * 20 + 4 * 8);
  const b = w.buf;
  let p = w.pos;
  b[p] = r.family;
  b[p + 1] = r.dstLen;
  b[p + 2] = r.srcLen;
  b[p + 3] = r.tos;
  b[p + 4] = r.table;
  b[p + 5] = r.protocol;
  b[p + 6] = r.scope;
  b[p + 7] = r.type;
  wr32(b, p + 8, r.flags);
  p += 12;
  if (r.dst) p = putAddr(b, p, RTA_DST, r.dst);
  if (r.src) p = putAddr(b, p, RTA_PREFSRC, r.src);
  if (r.via) p = putAddr(b, p, RTA_GATEWAY, r.via);
  if (r.metric >= 0) p = putU32(b, p, H_PRIORITY, r.metric);
  if (r.tableAttr >= 0) p = putU32(b, p, H_TABLE, r.tableAttr);
  if (r.nhid >= 0) p = putU32(b, p, H_NH_ID, r.nhid);
  if (r.oif) p = putU32(b, p, H_OIF, r.oif);
  w.pos = p;
}

/**
 * The bulk path's shortcut for the commonest spec, `{ dst: 'a.b.c.d[/len]', via?: 'a.b.c.d', dev?:
 * name | index }` (IPv4, no other field but undefined ones): checked and written straight into w,
 * without the ParsedRoute and address objects, as the very bytes parseRoute + writeParsedFast
 * write (test/codec/route.test.ts compares both on generated specs). For any other spec, or a
 * value it does not take, it writes nothing and returns false: the caller takes the general path,
 * which also words the error.
 */
export function writeSimpleRoute(w: NlWriter, spec: RouteSpec, op: RouteOp, devIndex: DevIndex): boolean {
  if (spec === null || typeof spec !== 'object') return false;
  // a field given as undefined is one left out (RouteSpec's optional fields take undefined)
  for (const k in spec)
    if (k !== 'dst' && k !== 'via' && k !== 'dev' && spec[k as keyof RouteSpec] !== undefined) return false;
  const dst: unknown = spec.dst;
  if (typeof dst !== 'string') return false;
  const slash = dst.indexOf('/');
  const d = parse4(dst, 0, slash < 0 ? dst.length : slash);
  if (d < 0) return false;
  const len = slash < 0 ? 32 : prefixLength(dst, slash + 1);
  if (len < 0 || len > 32) return false;
  const via: unknown = spec.via;
  let gw = -1;
  if (via !== undefined) {
    if (typeof via !== 'string') return false;
    gw = parse4(via, 0, via.length);
    if (gw < 0) return false;
  }
  const dev: unknown = spec.dev;
  let oif = 0;
  if (typeof dev === 'number') {
    if (!Number.isInteger(dev) || dev < 1 || dev > 0x7fffffff) return false;
    oif = dev;
  } else if (typeof dev === 'string') {
    oif = devIndex.index(dev, 'dev'); // may throw, after dst and via were checked, as in parseRoute
  } else if (dev !== undefined) return false;

  w.ensure(12 + 3 * 8);
  const b = w.buf;
  let p = w.pos;
  const del = op === 'del';
  b[p] = AF_INET;
  b[p + 1] = len;
  b[p + 2] = 0;
  b[p + 3] = 0;
  b[p + 4] = RT_TABLE_MAIN;
  b[p + 5] = del ? 0 : RTPROT_BOOT;
  b[p + 6] = del ? RT_SCOPE_NOWHERE : gw >= 0 ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
  b[p + 7] = del ? RTN_UNSPEC : RTN_UNICAST;
  wr32(b, p + 8, 0);
  p += 12;
  p = put4(b, p, H_DST4, d);
  if (gw >= 0) p = put4(b, p, H_GATEWAY4, gw);
  if (oif) p = putU32(b, p, H_OIF, oif);
  w.pos = p;
  return true;
}

/**
 * Validates spec and writes its message body. `general` forces the table path (tests); so does a
 * writer recording a trace (mapping an extended-ACK offset back to the field).
 */
export function writeRoute(w: NlWriter, spec: RouteSpec, op: RouteOp, devIndex: DevIndex, general = false): void {
  const r = parseRoute(spec, op, devIndex);
  if (r.rest || general || w.trace) writeParsedTable(w, r);
  else writeParsedFast(w, r);
}

/** Device names a spec refers to (dev and nexthops[].dev), for resolving before encoding. */
export function devNames(spec: RouteSpec, out: string[]): void {
  if (spec === null || typeof spec !== 'object') return;
  if (typeof spec.dev === 'string') out.push(spec.dev);
  if (Array.isArray(spec.nexthops))
    for (const nh of spec.nexthops) if (nh && typeof nh.dev === 'string') out.push(nh.dev);
}
