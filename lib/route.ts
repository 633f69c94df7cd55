// Routes (≈ `ip route`): add / replace / del / get / list / dump and the bulk addMany /
// replaceMany / delMany over RTM_*ROUTE with rtmsg + RTA_* (<linux/rtnetlink.h>), as
// ip/iproute.c speaks them. The codec lives in lib/route/ (schema, encode, decode, bulk).
import type { Handle } from './handle.js';
import type { NlWriter } from './core/attr.js';
import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  NLM_F_CREATE,
  NLM_F_EXCL,
  NLM_F_REPLACE,
  RTM_DELROUTE,
  RTM_GETROUTE,
  RTM_NEWROUTE,
} from './core/constants.js';
import { asCallError, NetlinkError } from './core/errors.js';
import { parseIP } from './core/inet.js';
import type { NlMsg } from './core/nlmsg.js';
import {
  checkCallOptions,
  checkIfName,
  checkInt,
  checkKnownFields,
  checkObject,
  describe,
  type CallOptions,
} from './core/validate.js';
import { protocolId, routeTypeId, scopeId, tableId, RT_TABLE_MAIN } from './rt-tables.js';
import { devicesNamed } from './neigh/ifnames.js';
import type { BulkOptions, BulkResult, Route, RouteFilter, RouteGetOptions, RouteSpec } from '../types/route.js';
import { decodeRoute, readRouteNames, type LinkNames } from './route/decode.js';
import { addrText } from './route/address.js';
import {
  parseRoute,
  PLACEHOLDER_DEV,
  writeParsedFast,
  writeParsedTable,
  type ParsedRoute,
  type RouteOp,
} from './route/encode.js';
import { runBulk } from './route/bulk.js';
import { afterSend, DumpStream, type DumpRequest } from './route/stream.js';
import { Call, CallPipeline, type NameSlot } from './route/single.js';
import { rta, rtmsg, RTM_F_FIB_MATCH, RTM_F_LOOKUP_TABLE, type RtaAttrs } from './route/schema.js';
import type { Decoded } from './core/schema.js';

export { decodeRoute } from './route/decode.js';
export type { LinkNames } from './route/decode.js';
export type { BulkAbortError } from './route/bulk.js';

const ENETUNREACH = 101;

/** Whether the prefix `cidr` (of length len) holds the address bytes `addr`. */
function prefixHolds(cidr: string, len: number, addr: Buffer): boolean {
  const p = parseIP(cidr.slice(0, cidr.indexOf('/')));
  if (!p || p.bytes.length !== addr.length) return false;
  const full = len >> 3;
  for (let i = 0; i < full; i++) if (p.bytes[i] !== addr[i]) return false;
  const bits = len & 7;
  if (!bits) return true;
  const mask = (0xff << (8 - bits)) & 0xff;
  return (p.bytes[full]! & mask) === (addr[full]! & mask);
}

/** Writes a parsed route: the direct path, or the table when an error trace is being recorded. */
function writeParsed(w: NlWriter, r: ParsedRoute): void {
  if (r.rest || w.trace) writeParsedTable(w, r);
  else writeParsedFast(w, r);
}

function messageOf(op: RouteOp): { type: number; flags: number } {
  if (op === 'add') return { type: RTM_NEWROUTE, flags: NLM_F_CREATE | NLM_F_EXCL };
  if (op === 'replace') return { type: RTM_NEWROUTE, flags: NLM_F_CREATE | NLM_F_REPLACE };
  return { type: RTM_DELROUTE, flags: 0 };
}

/** A checked list/dump filter; the device may still need its name resolved. */
interface Filter {
  family: number;
  /** 0 = every table. */
  table: number;
  dev: string | number | undefined;
  protocol: number;
  type: number;
  scope: number;
}

function checkFilter(filter: RouteFilter | undefined): Filter {
  const f = filter === undefined ? {} : (checkObject(filter, 'filter') as RouteFilter);
  for (const k of Object.keys(f)) {
    if (!['table', 'family', 'dev', 'protocol', 'type', 'scope'].includes(k))
      throw new TypeError(`Unknown field "${k}" in the route filter`);
  }
  let family = AF_UNSPEC;
  if (f.family !== undefined) {
    if (f.family !== 4 && f.family !== 6)
      throw new TypeError(`Expected "family" to be 4 or 6, got ${describe(f.family)}`);
    family = f.family === 4 ? AF_INET : AF_INET6;
  }
  const table = f.table === undefined ? RT_TABLE_MAIN : f.table === 'all' ? 0 : tableId(f.table, 'table');
  if (f.dev !== undefined && typeof f.dev !== 'number') checkIfName(f.dev, 'dev');
  if (typeof f.dev === 'number') checkInt(f.dev, 'dev', 1, 0x7fffffff);
  return {
    family,
    table,
    dev: f.dev,
    protocol: f.protocol === undefined ? -1 : protocolId(f.protocol, 'protocol'),
    type: f.type === undefined ? -1 : routeTypeId(f.type, 'type'),
    scope: f.scope === undefined ? -1 : scopeId(f.scope, 'scope'),
  };
}

/** A table that does not exist (ENOENT "FIB table does not exist") simply has no routes. */
function noSuchTable(e: unknown, f: Filter): boolean {
  return f.table !== 0 && e instanceof NetlinkError && e.code === 'ENOENT';
}

/** Names of the links, and the filter's device as an index. */
async function prepare(
  h: Handle,
  f: Filter,
  subject: string,
  signal: AbortSignal | undefined,
): Promise<{ links: LinkNames; oif: number }> {
  const { links, index } = await devicesNamed(h, typeof f.dev === 'string' ? { dev: f.dev } : {}, subject, signal);
  return { links, oif: index.dev ?? (typeof f.dev === 'number' ? f.dev : 0) };
}

/**
 * The dump request with the kernel's strict filtering (NETLINK_GET_STRICT_CHK): RTA_TABLE,
 * RTA_OIF, rtm_protocol and rtm_type select on the kernel side (ip_valid_fib_dump_req).
 */
function dumpBody(f: Filter, oif: number): (w: NlWriter) => void {
  return (w) => {
    rtmsg.write(w, {
      family: f.family,
      dstLen: 0,
      srcLen: 0,
      tos: 0,
      table: 0,
      protocol: f.protocol > 0 ? f.protocol : 0,
      scope: 0,
      type: f.type > 0 ? f.type : 0,
      flags: 0,
    });
    const a: Decoded<RtaAttrs> = {};
    if (f.table) a.table = f.table;
    if (oif) a.dev = oif;
    rta.encode(w, a);
  };
}

/** Decodes the messages the filter keeps; also filters what the kernel may not have. */
function dumpDecoder(f: Filter, links: LinkNames, oif: number): (m: NlMsg) => Route | undefined {
  return (m) => {
    const b = m.buf;
    const o = m.off;
    const fam = b[o];
    if (fam !== AF_INET && fam !== AF_INET6) return undefined;
    if (f.family !== AF_UNSPEC && fam !== f.family) return undefined;
    if (f.protocol >= 0 && b[o + 5] !== f.protocol) return undefined;
    if (f.scope >= 0 && b[o + 6] !== f.scope) return undefined;
    if (f.type >= 0 && b[o + 7] !== f.type) return undefined;
    const r = decodeRoute(m, links);
    if (f.table && r.table !== f.table) return undefined;
    if (oif && r.index !== oif && !r.nexthops?.some((nh) => nh.index === oif)) return undefined;
    return r;
  };
}

/** What route.get's options hold. */
const GET_OPTIONS: ReadonlySet<string> = new Set(['src', 'oif', 'iif', 'table', 'mark', 'fibmatch', 'signal']);

/** Routes (`ip route`) of one handle's namespace: `h.route`, or the module-level `route`. */
export class RouteApi {
  /** Device-name lookups in flight, shared by concurrent calls (Promise.all of many route.add). */
  private readonly lookups = new Map<string, Promise<number>>();
  private readonly calls: CallPipeline;

  constructor(protected readonly h: Handle) {
    this.calls = new CallPipeline(h.engine, (name) => this.lookup(name, undefined), messageOf, writeParsed);
  }

  /**
   * `ip route add …` (NLM_F_CREATE|NLM_F_EXCL): fails with EEXIST if the route exists. A device
   * given by name (here and in replace / del) is the device with that name when the call is made;
   * calls made in one synchronous run share one reading of it. Calls issued together (Promise.all)
   * are pipelined: they leave in batches while the caller is still issuing more.
   */
  add(spec: RouteSpec, opts?: CallOptions): Promise<void> {
    return this.modify('add', spec, opts);
  }

  /** `ip route replace …` (NLM_F_CREATE|NLM_F_REPLACE). */
  replace(spec: RouteSpec, opts?: CallOptions): Promise<void> {
    return this.modify('replace', spec, opts);
  }

  /** `ip route del …`: dst (+ table, metric, via, dev, protocol, scope, type…) selects the route. */
  del(spec: RouteSpec, opts?: CallOptions): Promise<void> {
    return this.modify('del', spec, opts);
  }

  /**
   * Many `ip route add`s, pipelined: many messages per sendmsg, a window of them awaiting their
   * ACK. Every spec is counted in `ok` or listed in `failed` with its index. A malformed spec is
   * not sent: it is listed in `failed` with the TypeError/RangeError naming its field, and the
   * others go on (input that is not iterable, or bad options, throws before anything is sent).
   * An abort stops sending and rejects with an AbortError whose `result` counts what was confirmed.
   */
  addMany(specs: Iterable<RouteSpec> | AsyncIterable<RouteSpec>, opts?: BulkOptions): Promise<BulkResult> {
    return runBulk(this.bulkTarget(), 'add', specs, opts);
  }

  /** Many `ip route replace`s, pipelined. */
  replaceMany(specs: Iterable<RouteSpec> | AsyncIterable<RouteSpec>, opts?: BulkOptions): Promise<BulkResult> {
    return runBulk(this.bulkTarget(), 'replace', specs, opts);
  }

  /** Many `ip route del`s, pipelined. */
  delMany(specs: Iterable<RouteSpec> | AsyncIterable<RouteSpec>, opts?: BulkOptions): Promise<BulkResult> {
    return runBulk(this.bulkTarget(), 'del', specs, opts);
  }

  /**
   * `ip route show [table T] [dev D] [proto P] [type T]`: the main table unless `table` says
   * otherwise ('all' for every table), both families unless `family`. A table that does not exist
   * lists as empty (where ip reports "FIB table does not exist").
   */
  async list(filter?: RouteFilter, opts?: CallOptions): Promise<Route[]> {
    const signal = checkCallOptions(opts);
    const f = checkFilter(filter);
    const { links, oif } = await prepare(this.h, f, 'route.list', signal);
    const routes = this.h.engine.dump(RTM_GETROUTE, dumpBody(f, oif), dumpDecoder(f, links, oif), {
      subject: 'route.list',
      signal,
    });
    afterSend(readRouteNames);
    return routes.catch((e: unknown) => {
      if (noSuchTable(e, f)) return [];
      throw e;
    });
  }

  /**
   * `ip route show …` as a stream: routes are decoded as they arrive, so a table of a million
   * routes is read in bounded memory. A consumer that lags holds at most 16,384 received routes:
   * beyond that the rest of the dump waits in the kernel until it has taken all but 4,096 (another
   * request made on this handle meanwhile resumes reading, so awaiting one in the loop is safe).
   * The filter is checked now (TypeError); the dump starts on the first next().
   */
  dump(filter?: RouteFilter, opts?: CallOptions): AsyncIterable<Route> {
    const signal = checkCallOptions(opts);
    const f = checkFilter(filter);
    const h = this.h;
    const request = async (): Promise<DumpRequest<Route>> => {
      const { links, oif } = await prepare(h, f, 'route.dump', signal);
      return { body: dumpBody(f, oif), decode: dumpDecoder(f, links, oif), meanwhile: readRouteNames };
    };
    return {
      [Symbol.asyncIterator]: () =>
        new DumpStream(h.engine, RTM_GETROUTE, request, { subject: 'route.dump', signal }, (e) => noSuchTable(e, f)),
    };
  }

  /** `ip route get DST [from SRC] [oif DEV] [iif DEV] [mark M] [fibmatch]`: the route the kernel would use. */
  async get(dst: string, opts: RouteGetOptions = {}): Promise<Route> {
    const o = checkObject(opts, 'options') as RouteGetOptions;
    checkKnownFields(o, GET_OPTIONS, 'route.get options');
    const signal = checkCallOptions(o.signal === undefined ? undefined : { signal: o.signal });
    // Validate the addresses as a route spec would (family, prefix length): the flow's source is
    // checked as a spec's `src` is (an address of dst's family), so an error names the caller's field.
    const names: { oif?: string; iif?: string } = {};
    const probe: RouteSpec = { dst };
    // `ip route get … from 10.1.0.1/32` takes a full-length prefix too (the kernel refuses a shorter one)
    if (o.src !== undefined)
      probe.src = typeof o.src === 'string' ? o.src.replace(o.src.includes(':') ? /\/128$/ : /\/32$/, '') : o.src;
    const parsed = parseRoute(probe, 'del', PLACEHOLDER_DEV);
    const fam = parsed.family;
    const full = fam === AF_INET ? 32 : 128;
    if (!parsed.dst || parsed.dstLen !== full)
      throw new TypeError(`Expected "dst" to be an address (a /${full}), got ${describe(dst)}`);
    if (o.oif !== undefined && typeof o.oif !== 'number') names.oif = checkIfName(o.oif, 'oif');
    if (o.iif !== undefined && typeof o.iif !== 'number') names.iif = checkIfName(o.iif, 'iif');
    const a: Decoded<RtaAttrs> = { dst: addrText(parsed.dst) };
    if (parsed.src) a.from = addrText(parsed.src);
    if (typeof o.oif === 'number') a.dev = checkInt(o.oif, 'oif', 1, 0x7fffffff);
    if (typeof o.iif === 'number') a.iif = checkInt(o.iif, 'iif', 1, 0x7fffffff);
    if (o.mark !== undefined) a.mark = checkInt(o.mark, 'mark', 0, 0xffffffff);
    const table = o.table === undefined ? undefined : tableId(o.table, 'table');
    if (o.fibmatch !== undefined && typeof o.fibmatch !== 'boolean')
      throw new TypeError(`Expected "fibmatch" to be a boolean, got ${describe(o.fibmatch)}`);
    let flags = fam === AF_INET ? RTM_F_LOOKUP_TABLE : 0; // as ip: only IPv4 supports it
    if (o.fibmatch) flags |= RTM_F_FIB_MATCH;

    const { links, index } = await devicesNamed(this.h, names, `route.get ${dst}`, signal);
    if (index.oif) a.dev = index.oif;
    if (index.iif) a.iif = index.iif;
    if (table !== undefined)
      return this.lookupInTable(parsed, table, a.dev, links, `route.get ${dst} table ${table}`, signal);
    const replies = await this.h.engine.request(
      RTM_GETROUTE,
      0,
      (w) => {
        rtmsg.write(w, {
          family: fam,
          dstLen: full,
          srcLen: a.from !== undefined ? full : 0,
          tos: 0,
          table: 0,
          protocol: 0,
          scope: 0,
          type: 0,
          flags,
        });
        rta.encode(w, a);
      },
      { subject: `route.get ${dst}`, signal },
    );
    const m = replies.find((r) => r.type === RTM_NEWROUTE);
    if (!m) throw new Error(`route.get ${dst}: the kernel sent no RTM_NEWROUTE`);
    return decodeRoute(m, links);
  }

  /**
   * The kernel takes no RTA_TABLE in a route get (ipv4: "Unsupported attribute in route get
   * request"), so a lookup in one table is done here: the table is dumped (filtered by the kernel)
   * and the longest prefix holding dst wins, then the lowest metric (and, with oif, only routes
   * through it). The answer is the table's entry, as `fibmatch` gives it.
   */
  private async lookupInTable(
    p: ParsedRoute,
    table: number,
    oif: number | undefined,
    links: LinkNames,
    subject: string,
    signal: AbortSignal | undefined,
  ): Promise<Route> {
    const f: Filter = { family: p.family, table, dev: oif, protocol: -1, type: -1, scope: -1 };
    const routes = await this.h.engine
      .dump(RTM_GETROUTE, dumpBody(f, oif ?? 0), dumpDecoder(f, links, oif ?? 0), { subject, signal })
      .catch((e: unknown) => {
        if (e instanceof NetlinkError && e.code === 'ENOENT') return [];
        throw e;
      });
    const want =
      p.dst!.v6 ?? Buffer.from([p.dst!.v4 >>> 24, (p.dst!.v4 >>> 16) & 255, (p.dst!.v4 >>> 8) & 255, p.dst!.v4 & 255]);
    let best: Route | undefined;
    let bestLen = -1;
    for (const r of routes) {
      if (r.tos) continue;
      const len = r.dst === 'default' ? 0 : Number(r.dst.slice(r.dst.indexOf('/') + 1));
      if (len < bestLen || (len > 0 && !prefixHolds(r.dst, len, want))) continue;
      if (len > bestLen || (r.metric ?? 0) < (best?.metric ?? 0)) {
        best = r;
        bestLen = len;
      }
    }
    if (!best)
      throw new NetlinkError({
        errno: ENETUNREACH,
        op: 'RTM_GETROUTE',
        subject,
        hint: 'no route to the destination in this table',
      });
    return best;
  }

  /** The ifindex of a device name; concurrent lookups of one name share one request. */
  private lookup(name: string, signal: AbortSignal | undefined): Promise<number> {
    let p = this.lookups.get(name);
    if (!p) {
      p = this.h.link.indexOf(name, 'dev', signal ? { signal } : undefined);
      this.lookups.set(name, p);
      const forget = (): void => void this.lookups.delete(name);
      p.then(forget, forget);
    }
    return p;
  }

  /**
   * Validates now (a bad spec rejects before anything is sent), then sends through the call
   * pipeline: no async frame or per-call closures beyond the promise's, so a Promise.all of many
   * calls pipelines like a bulk operation.
   */
  private modify(op: RouteOp, spec: RouteSpec, opts: CallOptions | undefined): Promise<void> {
    if (opts === undefined) {
      const simple = this.calls.startSimple(op, spec);
      if (simple) return simple;
    }
    let signal: AbortSignal | undefined;
    let r: ParsedRoute;
    let names: NameSlot[] | undefined;
    try {
      signal = checkCallOptions(opts);
      r = parseRoute(spec, op, {
        index: (name, field) => {
          const index = this.calls.indexNow(checkIfName(name, field));
          if (index > 0) return index;
          (names ??= []).push({ name, field });
          return 0;
        },
      });
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    if (signal) return this.modifyWithSignal(op, spec, r, names, signal);
    return new Promise<void>((resolve, reject) => this.calls.start(new Call(op, spec, r, resolve, reject), names));
  }

  /** The same with an AbortSignal: through engine.request, which honours it. */
  private async modifyWithSignal(
    op: RouteOp,
    spec: RouteSpec,
    r: ParsedRoute,
    names: NameSlot[] | undefined,
    signal: AbortSignal,
  ): Promise<void> {
    const call = new Call(
      op,
      spec,
      r,
      () => undefined,
      () => undefined,
    );
    for (const { name, field } of names ?? []) {
      const index = await this.lookup(name, signal).catch((e: unknown) => {
        throw asCallError(e, `route.${op} ${spec.dst}: ${field} ${name}`, field);
      });
      call.place(field, index);
    }
    const { type, flags } = messageOf(op);
    await this.h.engine.request(type, flags, (w) => writeParsed(w, r), { subject: `route.${op} ${spec.dst}`, signal });
  }

  private bulkTarget(): Parameters<typeof runBulk>[0] {
    return {
      h: this.h,
      lookup: (name, signal) => this.lookup(name, signal),
      message: messageOf,
      write: writeParsed,
    };
  }
}
