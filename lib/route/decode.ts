// RTM_NEWROUTE → Route. The reference path decodes through the RTA table (schema.ts) and maps the
// wire fields to Route; the fast path reads the attributes common in dumps (DST, SRC, PREFSRC,
// GATEWAY, PRIORITY, TABLE, OIF, NH_ID, PREF, CACHEINFO) in one loop without closures or
// per-attribute objects, and hands any other message to the reference path. Both give equal
// Routes (test/codec/route-decode.test.ts).
import { rd16, rd32, rds32 } from '../core/attr.js';
import { AF_INET, AF_INET6, NLA_HDRLEN, NLA_TYPE_MASK } from '../core/constants.js';
import { DecodeError } from '../core/errors.js';
import { formatIPv6 } from '../core/inet.js';
import type { NlMsg } from '../core/nlmsg.js';
import type { LinkNames } from '../neigh/ifnames.js';
import type { Decoded } from '../core/schema.js';
import { namesGeneration, protocolName, routeTypeName, scopeName } from '../rt-tables.js';
import type { Route, RouteNexthop, RouteProtocol, RouteScope, RouteType, RouteVia } from '../../types/route.js';
import {
  decodeRouteTable,
  ROUTE_FLAGS,
  ROUTER_PREF,
  RTA_CACHEINFO,
  RTA_DST,
  RTA_GATEWAY,
  RTA_NH_ID,
  RTA_OIF,
  RTA_PAD,
  RTA_PREF,
  RTA_PREFSRC,
  RTA_PRIORITY,
  RTA_SRC,
  RTA_TABLE,
  RTMSG_SIZE,
  RTNH_F_ONLINK,
  type RtaAttrs,
  type RtmsgFields,
  type RtVia,
} from './schema.js';

export type { LinkNames };

const OCTET: string[] = [];
for (let i = 0; i < 256; i++) OCTET.push(String(i));
const PREFIXLEN: string[] = [];
for (let i = 0; i <= 128; i++) PREFIXLEN.push('/' + i);

const PREF_NAME: ('low' | 'medium' | 'high' | undefined)[] = [];
for (const [k, v] of Object.entries(ROUTER_PREF)) PREF_NAME[v] = k as 'low' | 'medium' | 'high';

/** Name tables for the one-byte header fields, built on first use (rt_protos etc. read once). */
let names: { protocol: string[]; scope: string[]; type: string[] } | undefined;
let namesGen = -1;
function byteNames(): { protocol: string[]; scope: string[]; type: string[] } {
  if (names && namesGen === namesGeneration()) return names;
  namesGen = namesGeneration();
  const protocol: string[] = [];
  const scope: string[] = [];
  const type: string[] = [];
  for (let i = 0; i < 256; i++) {
    protocol.push(protocolName(i));
    scope.push(scopeName(i));
    type.push(routeTypeName(i));
  }
  names = { protocol, scope, type };
  return names;
}

/** Reads the name tables decodeRoute uses (iproute2's rt_protos, rt_scopes…) if not read yet. */
export function readRouteNames(): void {
  byteNames();
}

function ip4(b: Buffer, o: number): string {
  return OCTET[b[o]!]! + '.' + OCTET[b[o + 1]!]! + '.' + OCTET[b[o + 2]!]! + '.' + OCTET[b[o + 3]!]!;
}

/**
 * Gateways and preferred sources repeat across a table: their strings come from a small
 * direct-mapped cache keyed by the address, so a dump builds each once (and a list of a million
 * routes holds one copy).
 */
const SHARED_SIZE = 64;
const sharedKey = new Float64Array(SHARED_SIZE).fill(-1);
const sharedText: string[] = new Array<string>(SHARED_SIZE).fill('');

function ip4Shared(b: Buffer, o: number): string {
  const v = b[o]! * 0x1000000 + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);
  const i = (b[o + 3]! ^ b[o + 2]! ^ (b[o + 1]! << 1)) & (SHARED_SIZE - 1);
  if (sharedKey[i] === v) return sharedText[i]!;
  const s = ip4(b, o);
  sharedKey[i] = v;
  sharedText[i] = s;
  return s;
}

function addrAt(b: Buffer, o: number, len: number, family: number, path: string): string {
  if (family === AF_INET && len === 4) return ip4Shared(b, o);
  if (family === AF_INET6 && len === 16) return formatIPv6(b, o);
  throw new DecodeError(`${path} has ${len} bytes for family ${family}`, o, ['RTA', path]);
}

function zeroAddr(family: 4 | 6): string {
  return family === 4 ? '0.0.0.0' : '::';
}

function flagNames(flags: number): string[] | undefined {
  let out: string[] | undefined;
  let rest = flags & ~RTNH_F_ONLINK;
  if (!rest) return undefined;
  for (const [name, bit] of ROUTE_FLAGS) {
    if (bit !== RTNH_F_ONLINK && rest & bit) {
      (out ??= []).push(name);
      rest &= ~bit;
    }
  }
  if (rest) (out ??= []).push(`0x${(rest >>> 0).toString(16)}`);
  return out;
}

function viaOf(v: RtVia, family: 4 | 6): RouteVia {
  if (v.family === family) return v.address;
  return v.family === 6 ? { inet6: v.address } : { inet: v.address };
}

const METRIC_FIELDS = ['mtu', 'advmss', 'hoplimit', 'initcwnd', 'initrwnd'] as const;

/** Maps a table-decoded route to a Route: the reference the fast path must equal. */
export function routeFromParts(hdr: RtmsgFields, a: Decoded<RtaAttrs>, links?: LinkNames): Route {
  const family = hdr.family === AF_INET ? 4 : hdr.family === AF_INET6 ? 6 : 0;
  if (!family) throw new DecodeError(`route of address family ${hdr.family}`, 0, ['rtmsg', 'family']);
  const max = family === 4 ? 32 : 128;
  if (hdr.dstLen > max || hdr.srcLen > max)
    throw new DecodeError(`prefix length ${Math.max(hdr.dstLen, hdr.srcLen)} for IPv${family}`, 1, ['rtmsg']);
  const n = byteNames();
  const r: Route = {
    dst: hdr.dstLen === 0 ? 'default' : (a.dst ?? zeroAddr(family)) + PREFIXLEN[hdr.dstLen]!,
    family,
    table: a.table ?? hdr.table,
    type: n.type[hdr.type] as RouteType,
    protocol: n.protocol[hdr.protocol] as RouteProtocol,
    scope: n.scope[hdr.scope] as RouteScope,
  };
  if (a.dev !== undefined) {
    const dev = links?.get(a.dev);
    if (dev !== undefined) r.dev = dev;
    r.index = a.dev;
  }
  if (a.via !== undefined) r.via = a.via;
  else if (a.rtvia) r.via = viaOf(a.rtvia, family);
  if (a.src !== undefined) r.src = a.src;
  if (a.metric !== undefined) r.metric = a.metric;
  if (a.metrics) {
    let other: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(a.metrics)) {
      if (k === 'unknown' || v === undefined) continue;
      if ((METRIC_FIELDS as readonly string[]).includes(k)) (r as unknown as Record<string, unknown>)[k] = v;
      else (other ??= {})[k] = v;
    }
    if (other) r.metrics = other;
  }
  if (hdr.flags & RTNH_F_ONLINK) r.onlink = true;
  if (a.nexthops) {
    r.nexthops = a.nexthops.map((nh) => {
      const x: RouteNexthop = {};
      if (nh.attrs.via !== undefined) x.via = nh.attrs.via;
      else if (nh.attrs.rtvia) x.via = viaOf(nh.attrs.rtvia, family);
      if (nh.ifindex) {
        const dev = links?.get(nh.ifindex);
        if (dev !== undefined) x.dev = dev;
        x.index = nh.ifindex;
      }
      x.weight = nh.hops + 1;
      if (nh.flags & RTNH_F_ONLINK) x.onlink = true;
      const f = flagNames(nh.flags);
      if (f) x.flags = f;
      if (nh.attrs.unknown) x.unknown = nh.attrs.unknown;
      return x;
    });
  }
  if (a.nhid !== undefined) r.nhid = a.nhid;
  if (hdr.tos) r.tos = hdr.tos;
  if (a.pref !== undefined) {
    const p = PREF_NAME[a.pref];
    if (p) r.pref = p;
  }
  if (a.from !== undefined) r.from = a.from + PREFIXLEN[hdr.srcLen]!;
  if (a.realm !== undefined) r.realm = a.realm;
  const expires =
    a.expires ?? (a.cacheinfo && a.cacheinfo.expires > 0 ? Math.trunc(a.cacheinfo.expires / 100) : undefined);
  if (expires !== undefined) r.expires = expires;
  if (a.iif !== undefined) r.iif = links?.get(a.iif) ?? a.iif;
  if (a.mark !== undefined) r.mark = a.mark;
  if (a.uid !== undefined) r.uid = a.uid;
  const f = flagNames(hdr.flags);
  if (f) r.flags = f;
  if (a.unknown) r.unknown = a.unknown;
  return r;
}

/** The reference decoder: rtmsg and RTA_* through the table. */
export function decodeRouteSlow(m: NlMsg, links?: LinkNames): Route {
  const { hdr, attrs } = decodeRouteTable(m.buf, m.off, m.end);
  return routeFromParts(hdr, attrs, links);
}

/**
 * Decodes one RTM_NEWROUTE / RTM_DELROUTE message into a Route (IPv4 and IPv6; any other family
 * is a DecodeError). `links` names the devices; without it a Route carries `index` but no `dev`.
 */
export function decodeRoute(m: NlMsg, links?: LinkNames): Route {
  const b = m.buf;
  const start = m.off;
  const end = m.end;
  if (end - start < RTMSG_SIZE || end > b.length)
    throw new DecodeError(`rtmsg needs ${RTMSG_SIZE} bytes, has ${end - start}`, start, ['rtmsg']);
  const fam = b[start]!;
  if ((fam !== AF_INET && fam !== AF_INET6) || rd32(b, start + 8) !== 0) return decodeRouteSlow(m, links);
  const alen = fam === AF_INET ? 4 : 16;
  const dstLen = b[start + 1]!;
  if (dstLen > alen * 8 || b[start + 2]! > alen * 8) return decodeRouteSlow(m, links);
  let dst: string | undefined;
  let src: string | undefined;
  let via: string | undefined;
  let metric = -1;
  let table = b[start + 4]!;
  let oif = -1;
  let nhid = -1;
  let pref = -1;
  let expires = 0;
  let off = start + RTMSG_SIZE;
  while (off < end) {
    if (end - off < NLA_HDRLEN) throw new DecodeError(`${end - off} stray bytes after the attributes`, off, ['RTA']);
    const len = rd16(b, off);
    const type = rd16(b, off + 2) & NLA_TYPE_MASK;
    if (len < NLA_HDRLEN || off + len > end)
      throw new DecodeError(`attribute ${type} has length ${len}, ${end - off} bytes remain`, off, ['RTA']);
    const p = off + NLA_HDRLEN;
    const plen = len - NLA_HDRLEN;
    switch (type) {
      case RTA_DST:
        if (plen !== alen) throw new DecodeError(`RTA_DST has ${plen} bytes`, off, ['RTA', 'dst']);
        dst = alen === 4 ? ip4(b, p) : formatIPv6(b, p);
        break;
      case RTA_GATEWAY:
        via = addrAt(b, p, plen, fam, 'via');
        break;
      case RTA_PREFSRC:
        src = addrAt(b, p, plen, fam, 'src');
        break;
      case RTA_PRIORITY:
        if (plen < 4) throw new DecodeError('RTA_PRIORITY needs 4 bytes', off, ['RTA', 'metric']);
        metric = rd32(b, p);
        break;
      case RTA_TABLE:
        if (plen < 4) throw new DecodeError('RTA_TABLE needs 4 bytes', off, ['RTA', 'table']);
        table = rd32(b, p);
        break;
      case RTA_OIF:
        if (plen < 4) throw new DecodeError('RTA_OIF needs 4 bytes', off, ['RTA', 'dev']);
        oif = rd32(b, p);
        break;
      case RTA_NH_ID:
        if (plen < 4) throw new DecodeError('RTA_NH_ID needs 4 bytes', off, ['RTA', 'nhid']);
        nhid = rd32(b, p);
        break;
      case RTA_PREF:
        if (plen < 1) throw new DecodeError('RTA_PREF needs 1 byte', off, ['RTA', 'pref']);
        pref = b[p]!;
        break;
      case RTA_CACHEINFO:
        if (plen < 32) throw new DecodeError('struct rta_cacheinfo needs 32 bytes', off, ['RTA', 'cacheinfo']);
        expires = rds32(b, p + 8);
        break;
      case RTA_PAD: // before a 64-bit attribute, where unaligned access is slow: nothing in it
        break;
      case RTA_SRC:
      default:
        return decodeRouteSlow(m, links);
    }
    off += (len + 3) & ~3;
  }
  const n = byteNames();
  const family: 4 | 6 = fam === AF_INET ? 4 : 6;
  const r: Route = {
    dst: dstLen === 0 ? 'default' : (dst ?? zeroAddr(family)) + PREFIXLEN[dstLen]!,
    family,
    table,
    type: n.type[b[start + 7]!] as RouteType,
    protocol: n.protocol[b[start + 5]!] as RouteProtocol,
    scope: n.scope[b[start + 6]!] as RouteScope,
  };
  if (oif >= 0) {
    const dev = links?.get(oif);
    if (dev !== undefined) r.dev = dev;
    r.index = oif;
  }
  if (via !== undefined) r.via = via;
  if (src !== undefined) r.src = src;
  if (metric >= 0) r.metric = metric;
  if (nhid >= 0) r.nhid = nhid;
  const tos = b[start + 3]!;
  if (tos) r.tos = tos;
  if (pref >= 0) {
    const pn = PREF_NAME[pref];
    if (pn) r.pref = pn;
  }
  if (expires > 0) r.expires = Math.trunc(expires / 100);
  return r;
}
