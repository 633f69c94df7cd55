// The bridge forwarding database (≈ `bridge fdb`): PF_BRIDGE neighbours over RTM_*NEIGH with
// ndmsg + NDA_* (<linux/neighbour.h>), as bridge/fdb.c speaks them — for bridge ports and for
// VXLAN devices, whose entries carry the remote VTEP (dst, port, vni).
import type { Handle } from '../handle.js';
import type { NlWriter } from '../core/attr.js';
import {
  AF_BRIDGE,
  NLM_F_APPEND,
  NLM_F_CREATE,
  NLM_F_EXCL,
  NLM_F_REPLACE,
  RTM_DELNEIGH,
  RTM_GETNEIGH,
  RTM_NEWNEIGH,
} from '../core/constants.js';
import type { NlMsg } from '../core/nlmsg.js';
import { parseIP, parseMac } from '../core/inet.js';
import {
  checkBool,
  checkCallOptions,
  checkInt,
  checkKnownFields,
  checkObject,
  describe,
  type CallOptions,
} from '../core/validate.js';
import type { Fdb, FdbFilter, FdbSpec, FdbState } from '../../types/neigh.js';
import { fdbStateName, flagNames, ndaFdb, ndmsg, NTF, NUD, type NdaFdb } from './nda.js';
import { devicesNamed, nameOf, type LinkNames } from './ifnames.js';
import { checkDevRef } from './common.js';

/** Decodes one PF_BRIDGE RTM_NEWNEIGH / RTM_DELNEIGH; undefined for other families. */
export function decodeFdb(m: NlMsg, names?: LinkNames): Fdb | undefined {
  const hdr = ndmsg.read(m.buf, m.off, m.end - m.off, ['ndmsg']);
  if (hdr.family !== AF_BRIDGE) return undefined;
  const a = ndaFdb.decode(m.buf, m.off + ndmsg.size, m.end, ['NDA']);
  const e: Fdb = {
    dev: nameOf(names, hdr.ifindex),
    index: hdr.ifindex,
    lladdr: a.lladdr ?? '',
    state: fdbStateName(hdr.state),
    flags: flagNames(hdr.flags, a.flagsExt),
  };
  if (a.dst !== undefined) e.dst = a.dst;
  if (a.vlan !== undefined && a.vlan !== 0) e.vlan = a.vlan;
  if (a.port !== undefined) e.port = a.port;
  if (a.vni !== undefined) e.vni = a.vni;
  if (a.srcVni !== undefined) e.srcVni = a.srcVni;
  // A `via` device in another namespace (NDA_LINK_NETNSID) cannot be named here: keep its index.
  if (a.via !== undefined) e.via = a.linkNetnsId !== undefined ? a.via : nameOf(names, a.via);
  if (a.nhid !== undefined) e.nhid = a.nhid;
  if (a.master !== undefined) e.master = nameOf(names, a.master);
  if (a.linkNetnsId !== undefined) e.linkNetnsId = a.linkNetnsId;
  return e;
}

/** A checked FDB request: everything but the ifindexes, which need lookups. */
interface FdbReq {
  state: number;
  flags: number;
  attrs: Partial<NdaFdb>;
  dev: string | number;
  via: string | number | undefined;
  subject: string;
  /** The call without its devices (`fdb.add 02:00:00:00:00:01`), in front of a device lookup's error. */
  call: string;
}

const BOOL_FLAGS = [
  ['self', NTF.self],
  ['master', NTF.master],
  ['router', NTF.router],
  ['use', NTF.use],
  ['externLearn', NTF.extern_learn],
  ['sticky', NTF.sticky],
] as const;

/** Every FdbSpec field (a record, so a field added to the type must be added here). */
const SPEC_FIELDS: Record<keyof FdbSpec, true> = {
  dev: true,
  lladdr: true,
  dst: true,
  port: true,
  vni: true,
  srcVni: true,
  vlan: true,
  via: true,
  nhid: true,
  self: true,
  master: true,
  permanent: true,
  static: true,
  dynamic: true,
  router: true,
  use: true,
  externLearn: true,
  sticky: true,
};
const SPEC_KEYS: ReadonlySet<string> = new Set(Object.keys(SPEC_FIELDS));
const FILTER_FIELDS: Record<keyof FdbFilter, true> = { dev: true, master: true, vlan: true, state: true };
const FILTER_KEYS: ReadonlySet<string> = new Set(Object.keys(FILTER_FIELDS));

/** A read Fdb's `flags` names (NTF_* as decoded) and the spec's booleans they stand for. */
const FLAG_FIELDS: Readonly<Record<string, string>> = Object.fromEntries(
  BOOL_FLAGS.map(([field, bit]) => [Object.keys(NTF).find((k) => NTF[k as keyof typeof NTF] === bit)!, field]),
);

/**
 * A read Fdb (it has `index`) as a spec, so `del(e)` of a listed entry works: `master` (the
 * bridge's name there) means a port's entry in the bridge (`master: true`), or, on the bridge
 * itself, the bridge's own (`self`), `state` and `flags` become
 * the spec's booleans, and `index` and `linkNetnsId` are left out. Anything else is returned as is.
 */
function fromRead(s: Record<string, unknown>): Record<string, unknown> {
  if (typeof s['index'] !== 'number') return s;
  const { index: _i, linkNetnsId: _n, state, flags, master, ...out } = s;
  // the bridge's own entry (`bridge fdb add … dev br0 self`) reads with dev and master both br0
  if (typeof master === 'string') out[master === s['dev'] ? 'self' : 'master'] = true;
  else if (master !== undefined) out['master'] = master;
  if (Array.isArray(flags))
    for (const f of flags) if (typeof f === 'string' && FLAG_FIELDS[f]) out[FLAG_FIELDS[f]] ??= true;
  const kind = state === 'stale' ? 'dynamic' : state;
  if (typeof kind === 'string' && ['permanent', 'static', 'dynamic'].includes(kind)) out[kind] ??= true;
  return out;
}

/** Checks an FdbSpec the way bridge/fdb.c's fdb_modify parses its arguments. */
function fdbReq(spec: FdbSpec | Fdb, op: string): FdbReq {
  const s = fromRead(checkObject(spec, 'spec'));
  checkKnownFields(s, SPEC_KEYS, 'fdb spec');
  const dev = checkDevRef(s['dev'], 'dev');
  if (typeof s['lladdr'] !== 'string' || !parseMac(s['lladdr'])) {
    throw new TypeError(`Expected "lladdr" to be a MAC address like aa:bb:cc:dd:ee:ff, got ${describe(s['lladdr'])}`);
  }
  const attrs: Partial<NdaFdb> = { lladdr: s['lladdr'] };
  let flags = 0;
  for (const [k, bit] of BOOL_FLAGS) if (s[k] !== undefined && checkBool(s[k], k)) flags |= bit;
  // "Assume self", as bridge fdb does.
  if (!(flags & (NTF.self | NTF.master))) flags |= NTF.self;
  const kinds = (['permanent', 'static', 'dynamic'] as const).filter((k) => s[k] !== undefined && checkBool(s[k], k));
  if (kinds.length > 1)
    throw new TypeError(`Expected at most one of "permanent", "static", "dynamic", got ${kinds.join(' and ')}`);
  // bridge/fdb.c starts from NUD_NOARP: static adds REACHABLE, dynamic is REACHABLE alone,
  // and anything else is "assumed permanent" (NOARP|PERMANENT).
  const state =
    kinds[0] === 'static'
      ? NUD.noarp | NUD.reachable
      : kinds[0] === 'dynamic'
        ? NUD.reachable
        : NUD.noarp | NUD.permanent;
  if (s['dst'] !== undefined) {
    if (typeof s['dst'] !== 'string' || !parseIP(s['dst']))
      throw new TypeError(`Expected "dst" to be an IPv4 or IPv6 address, got ${describe(s['dst'])}`);
    attrs.dst = s['dst'];
  }
  if (s['vlan'] !== undefined) attrs.vlan = checkInt(s['vlan'], 'vlan', 1, 4094);
  if (s['nhid'] !== undefined) attrs.nhid = checkInt(s['nhid'], 'nhid', 1, 0xffffffff);
  if (s['port'] !== undefined) attrs.port = checkInt(s['port'], 'port', 1, 0xffff);
  if (s['vni'] !== undefined) attrs.vni = checkInt(s['vni'], 'vni', 0, 0xffffff);
  if (s['srcVni'] !== undefined) attrs.srcVni = checkInt(s['srcVni'], 'srcVni', 0, 0xffffff);
  if (attrs.nhid !== undefined && (attrs.dst !== undefined || attrs.port !== undefined || attrs.vni !== undefined)) {
    throw new TypeError('Expected "nhid" without "dst", "port" and "vni" (they are mutually exclusive)');
  }
  const via = s['via'] === undefined ? undefined : checkDevRef(s['via'], 'via');
  const call = `fdb.${op} ${attrs.lladdr}`;
  const subject = `${call} dev ${String(dev)}${attrs.dst ? ` dst ${attrs.dst}` : ''}`;
  return { state, flags, attrs, dev, via, subject, call };
}

function fdbBody(r: FdbReq, ifindex: number, via: number | undefined): (w: NlWriter) => void {
  const attrs = via === undefined ? r.attrs : { ...r.attrs, via };
  return (w) => {
    ndmsg.write(w, { family: AF_BRIDGE, ifindex, state: r.state, flags: r.flags });
    ndaFdb.encode(w, attrs);
  };
}

const FDB_STATES: readonly FdbState[] = ['permanent', 'static', 'dynamic', 'stale'];

/**
 * Bridge and VXLAN forwarding entries (`bridge fdb`) of one handle's namespace: `h.fdb`, or the
 * module-level `fdb`.
 */
export class FdbApi {
  constructor(private readonly h: Handle) {}

  /** `bridge fdb add LLADDR dev DEV [dst IP] [vni N] [port N] [vlan N] [self|master] [permanent|static|dynamic]`. */
  async add(spec: FdbSpec | Fdb, opts?: CallOptions): Promise<void> {
    await this.modify(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_EXCL, spec, 'add', opts);
  }

  /**
   * `bridge fdb append …`: adds one more remote to a VXLAN entry; with lladdr
   * '00:00:00:00:00:00' this is a flood (BUM) entry, one per remote VTEP.
   */
  async append(spec: FdbSpec | Fdb, opts?: CallOptions): Promise<void> {
    await this.modify(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_APPEND, spec, 'append', opts);
  }

  /** `bridge fdb replace …`: adds or overwrites. */
  async replace(spec: FdbSpec | Fdb, opts?: CallOptions): Promise<void> {
    await this.modify(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, spec, 'replace', opts);
  }

  /** `bridge fdb del LLADDR dev DEV [dst IP] …`: for VXLAN, dst / port / vni pick one remote. */
  async del(spec: FdbSpec | Fdb, opts?: CallOptions): Promise<void> {
    await this.modify(RTM_DELNEIGH, 0, spec, 'del', opts);
  }

  /** `bridge fdb show [brport DEV] [br BRIDGE] [vlan N] [state S]`. */
  async list(filter: FdbFilter = {}, opts?: CallOptions): Promise<Fdb[]> {
    const signal = checkCallOptions(opts);
    const f = checkObject(filter, 'filter');
    checkKnownFields(f, FILTER_KEYS, 'fdb filter');
    if (f['dev'] !== undefined) checkDevRef(f['dev'], 'dev');
    if (f['master'] !== undefined) checkDevRef(f['master'], 'master');
    const vlan = f['vlan'] === undefined ? undefined : checkInt(f['vlan'], 'vlan', 1, 4094);
    let states: FdbState[] | undefined;
    if (f['state'] !== undefined) {
      states = Array.isArray(f['state']) ? (f['state'] as FdbState[]) : [f['state'] as FdbState];
      states.forEach((s, i) => {
        if (!FDB_STATES.includes(s))
          throw new TypeError(
            `Expected "state${Array.isArray(f['state']) ? `[${i}]` : ''}" to be one of ${FDB_STATES.join(', ')}, got ${describe(s)}`,
          );
      });
    }
    const port =
      f['dev'] === undefined ? 0 : await this.h.link.indexOf(f['dev'] as string | number, 'dev', opts, 'fdb.list');
    const master =
      f['master'] === undefined
        ? undefined
        : await this.h.link.indexOf(f['master'] as string | number, 'master', opts, 'fdb.list');
    const { links: names } = await devicesNamed(this.h, {}, 'fdb.list', signal);
    const all = await this.h.engine.dump(
      RTM_GETNEIGH,
      (w) => {
        // Strict fdb dump: header all zero but family and ifindex (the port); NDA_MASTER the bridge.
        ndmsg.write(w, { family: AF_BRIDGE, ifindex: port });
        if (master !== undefined) ndaFdb.encode(w, { master });
      },
      (m) => decodeFdb(m, names),
      { subject: 'fdb.list', signal },
    );
    return all.filter(
      (e) =>
        (port === 0 || e.index === port) &&
        (vlan === undefined || e.vlan === vlan) &&
        (states === undefined || states.includes(e.state)),
    );
  }

  private async modify(
    type: number,
    flags: number,
    spec: FdbSpec | Fdb,
    op: string,
    opts?: CallOptions,
  ): Promise<void> {
    const signal = checkCallOptions(opts);
    const r = fdbReq(spec, op);
    const ifindex = await this.h.link.indexOf(r.dev, 'dev', opts, r.call);
    const via = r.via === undefined ? undefined : await this.h.link.indexOf(r.via, 'via', opts, r.call);
    await this.h.engine.request(type, flags, fdbBody(r, ifindex, via), { subject: r.subject, signal });
  }
}

/** @internal for codec tests: the request body a spec encodes to, given the resolved ifindexes. */
export function encodeFdbRequest(w: NlWriter, spec: FdbSpec, ifindex: number, via?: number): void {
  fdbBody(fdbReq(spec, 'add'), ifindex, via)(w);
}
