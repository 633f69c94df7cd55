// Neighbours (≈ `ip neigh`): the ARP and NDISC tables over RTM_*NEIGH with ndmsg + NDA_*
// (<linux/neighbour.h>), as ip/ipneigh.c speaks them.
import type { Handle } from '../handle.js';
import type { NlWriter } from '../core/attr.js';
import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  NLM_F_CREATE,
  NLM_F_EXCL,
  NLM_F_REPLACE,
  RTM_DELNEIGH,
  RTM_GETNEIGH,
  RTM_NEWNEIGH,
} from '../core/constants.js';
import { copyMessage, type NlMsg } from '../core/nlmsg.js';
import { attrTable } from '../core/attr.js';
import { parseIP } from '../core/inet.js';
import {
  checkBool,
  checkCallOptions,
  checkKnownFields,
  checkObject,
  describe,
  type CallOptions,
} from '../core/validate.js';
import type { Neigh, NeighFilter, NeighSpec, NeighState } from '../../types/neigh.js';
import {
  flagBits,
  flagNames,
  NDA_LLADDR,
  ndaNeigh,
  ndaNeighOf,
  ndmsg,
  NTF,
  NTF_EXT,
  NUD,
  nudName,
  parseNeighLladdr,
  type NdaNeigh,
} from './nda.js';
import { protocolId, protocolName } from '../rt-tables.js';
import { linkNames, nameOf, type LinkNames } from './ifnames.js';
import { readLink } from '../link/lookup.js';
import { NetlinkError } from '../core/errors.js';
import { checkDevRef, familyOf } from './common.js';

/**
 * Decodes one RTM_NEWNEIGH / RTM_DELNEIGH of an IPv4 or IPv6 table; undefined for other families.
 * `names` names the devices (ifindex → name); `types` gives their hardware types (ifindex →
 * ifi_type, ARPHRD_*), by which lladdr reads as `ip neigh` prints it: on an IPv4 tunnel (ipip, gre,
 * sit) 4 bytes as an IPv4 address, on an IPv6 one (ip6tnl, ip6gre) 16 as IPv6; colon hex otherwise,
 * and where the device's type is not given.
 */
export function decodeNeigh(m: NlMsg, names?: LinkNames, types?: ReadonlyMap<number, number>): Neigh | undefined {
  const hdr = ndmsg.read(m.buf, m.off, m.end - m.off, ['ndmsg']);
  if (hdr.family !== AF_INET && hdr.family !== AF_INET6) return undefined;
  const a = ndaNeighOf(types?.get(hdr.ifindex)).decode(m.buf, m.off + ndmsg.size, m.end, ['NDA']);
  const n: Neigh = {
    family: hdr.family === AF_INET ? 4 : 6,
    dev: nameOf(names, hdr.ifindex),
    index: hdr.ifindex,
    dst: a.dst ?? '',
    state: nudName(hdr.state),
    flags: flagNames(hdr.flags, a.flagsExt),
  };
  if (a.lladdr !== undefined) n.lladdr = a.lladdr;
  if (a.protocol !== undefined) n.protocol = protocolName(a.protocol);
  if (a.probes !== undefined) n.probes = a.probes;
  if (a.cacheinfo !== undefined) n.cacheinfo = a.cacheinfo;
  return n;
}

/** Whether a neighbour message's lladdr has a length `ip neigh` may print as an IP address (4 or 16 bytes). */
function mayBeIp(m: NlMsg): boolean {
  const len = attrTable(m.buf, m.off + ndmsg.size, m.end, ['NDA'])[NDA_LLADDR]?.[1];
  return len === 4 || len === 16;
}

/** A checked neighbour request: everything but the ifindex, which needs a lookup. */
interface NeighReq {
  family: number;
  state: number;
  flags: number;
  attrs: Partial<NdaNeigh>;
  subject: string;
  /** The call without its device (`neigh.add 10.0.0.2`), in front of a device lookup's error. */
  call: string;
}

const STATES = Object.keys(NUD) as NeighState[];

function checkState(v: unknown, field: string): number {
  if (typeof v !== 'string' || !Object.hasOwn(NUD, v)) {
    throw new TypeError(`Expected "${field}" to be one of ${STATES.join(', ')}, got ${describe(v)}`);
  }
  return NUD[v as NeighState];
}

const BOOL_FLAGS = [
  ['proxy', NTF.proxy],
  ['router', NTF.router],
  ['externLearn', NTF.extern_learn],
  ['use', NTF.use],
] as const;

/** Every NeighSpec field (a record, so a field added to the type must be added here). */
const SPEC_FIELDS: Record<keyof NeighSpec, true> = {
  dev: true,
  dst: true,
  lladdr: true,
  state: true,
  proxy: true,
  router: true,
  externLearn: true,
  use: true,
  managed: true,
  protocol: true,
  flags: true,
};
const SPEC_KEYS: ReadonlySet<string> = new Set(Object.keys(SPEC_FIELDS));
const GET_KEYS: ReadonlySet<string> = new Set(['dev', 'dst', 'proxy']);
const FILTER_FIELDS: Record<keyof NeighFilter, true> = {
  dev: true,
  master: true,
  family: true,
  state: true,
  proxy: true,
};
const FILTER_KEYS: ReadonlySet<string> = new Set(Object.keys(FILTER_FIELDS));

/** Fields of a read Neigh that a spec does not take: left out, so `del(n)` of a listed entry works. */
const READ_ONLY = ['family', 'index', 'probes', 'cacheinfo'];

/** Checks a NeighSpec the way ip/ipneigh.c's ipneigh_modify parses its arguments. */
function neighReq(spec: NeighSpec, op: string, del: boolean): NeighReq {
  const s = { ...checkObject(spec, 'spec') };
  if (typeof s['index'] === 'number') for (const k of READ_ONLY) delete s[k]; // a read Neigh
  checkKnownFields(s, SPEC_KEYS, 'neighbour spec');
  checkDevRef(s['dev'], 'dev');
  const dst = typeof s['dst'] === 'string' ? parseIP(s['dst']) : undefined;
  if (!dst) throw new TypeError(`Expected "dst" to be an IPv4 or IPv6 address, got ${describe(s['dst'])}`);
  const attrs: Partial<NdaNeigh> = { dst: s['dst'] as string };
  let state: number = NUD.permanent;
  let { flags, ext } = s['flags'] === undefined ? { flags: 0, ext: 0 } : flagBits(s['flags'], 'flags');
  for (const [k, bit] of BOOL_FLAGS) if (s[k] !== undefined && checkBool(s[k], k)) flags |= bit;
  if (s['managed'] !== undefined && checkBool(s['managed'], 'managed')) ext |= NTF_EXT.managed;
  // `managed` implies NUD_NONE unless a state is given, as in ipneigh_modify.
  if (ext & NTF_EXT.managed) state = NUD.none;
  if (s['state'] !== undefined) state = checkState(s['state'], 'state');
  if (s['protocol'] !== undefined) attrs.protocol = protocolId(s['protocol']);
  if (ext) attrs.flagsExt = ext;
  if (s['lladdr'] !== undefined) {
    parseNeighLladdr(s['lladdr'], 'lladdr'); // checked before anything is sent, also for del
    if (!del) attrs.lladdr = s['lladdr'] as string;
  }
  const call = `neigh.${op} ${attrs.dst}`;
  const subject = `${call} dev ${String(s['dev'])}`;
  return { family: dst.family === 4 ? AF_INET : AF_INET6, state, flags, attrs, subject, call };
}

function neighBody(r: NeighReq, ifindex: number): (w: NlWriter) => void {
  return (w) => {
    ndmsg.write(w, { family: r.family, ifindex, state: r.state, flags: r.flags });
    ndaNeigh.encode(w, r.attrs);
  };
}

function stateMask(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const list = Array.isArray(v) ? v : [v];
  let mask = 0;
  list.forEach((s, i) => {
    const n = checkState(s, Array.isArray(v) ? `state[${i}]` : 'state');
    // NUD_NONE is 0: give it a bit of its own, as ip/ipneigh.c does (0x100).
    mask |= n === 0 ? 0x100 : n;
  });
  return mask;
}

/** Neighbours (`ip neigh`) of one handle's namespace: `h.neigh`, or the module-level `neigh`. */
export class NeighApi {
  constructor(private readonly h: Handle) {}

  /** `ip neigh add DST lladdr LLADDR dev DEV [nud STATE]`: state defaults to permanent. */
  async add(spec: NeighSpec, opts?: CallOptions): Promise<void> {
    await this.modify(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_EXCL, spec, 'add', opts);
  }

  /** `ip neigh replace DST lladdr LLADDR dev DEV [nud STATE]`: adds or overwrites. */
  async replace(spec: NeighSpec, opts?: CallOptions): Promise<void> {
    await this.modify(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, spec, 'replace', opts);
  }

  /** `ip neigh del DST dev DEV` (`ip neigh del proxy DST dev DEV` with `proxy: true`). */
  async del(spec: Pick<NeighSpec, 'dev' | 'dst' | 'proxy'> & Partial<NeighSpec>, opts?: CallOptions): Promise<void> {
    await this.modify(RTM_DELNEIGH, 0, spec, 'del', opts);
  }

  /** `ip neigh get DST dev DEV`: one entry; NetlinkError 'ENOENT' when there is none. */
  async get(spec: Pick<NeighSpec, 'dev' | 'dst' | 'proxy'>, opts?: CallOptions): Promise<Neigh> {
    const signal = checkCallOptions(opts);
    const s = checkObject(spec, 'spec');
    checkKnownFields(s, GET_KEYS, 'neighbour spec');
    const r = neighReq({ dev: s['dev'], dst: s['dst'], proxy: s['proxy'] } as NeighSpec, 'get', true);
    const ifindex = await this.h.link.indexOf(s['dev'] as string | number, 'dev', opts, r.call);
    const replies = await this.h.engine.request(
      RTM_GETNEIGH,
      0,
      (w) => {
        ndmsg.write(w, { family: r.family, ifindex, flags: r.flags & NTF.proxy });
        ndaNeigh.encode(w, { dst: r.attrs.dst! });
      },
      { subject: r.subject, signal },
    );
    const m = replies.find((x) => x.type === RTM_NEWNEIGH);
    if (!m) throw new Error(`${r.subject}: the kernel sent no neighbour`);
    // The device's name as given, else as the socket reads it (else a link dump, which also gives
    // the types); its hardware type asked only where the lladdr's length could make it an IP address.
    let names: LinkNames | undefined =
      typeof s['dev'] === 'string' ? new Map([[ifindex, s['dev']]]) : this.h.engine.ifNamesNow();
    let types: Map<number, number>;
    if (names) types = await this.typesWhereIp([m], opts, `${r.subject}: the device's type`);
    else {
      types = new Map();
      names = await linkNames(this.h, signal, types);
    }
    const n = decodeNeigh(m, names, types);
    if (!n) throw new Error(`${r.subject}: the kernel sent no neighbour`);
    return n;
  }

  /**
   * `ip neigh show nud all [dev DEV] [master DEV] [proxy]`: every entry of the IPv4 and IPv6
   * tables (all states, unlike `ip neigh show`'s default, which hides noarp and none).
   */
  async list(filter: NeighFilter = {}, opts?: CallOptions): Promise<Neigh[]> {
    const signal = checkCallOptions(opts);
    const f = checkObject(filter, 'filter');
    checkKnownFields(f, FILTER_KEYS, 'neighbour filter');
    if (f['dev'] !== undefined) checkDevRef(f['dev'], 'dev');
    if (f['master'] !== undefined) checkDevRef(f['master'], 'master');
    const family = f['family'] === undefined ? AF_UNSPEC : familyOf(f['family'], 'family');
    const mask = stateMask(f['state']);
    const proxy = f['proxy'] !== undefined && checkBool(f['proxy'], 'proxy');
    const ifindex =
      f['dev'] === undefined
        ? undefined
        : await this.h.link.indexOf(f['dev'] as string | number, 'dev', opts, 'neigh.list');
    const master =
      f['master'] === undefined
        ? undefined
        : await this.h.link.indexOf(f['master'] as string | number, 'master', opts, 'neigh.list');
    const body = (w: NlWriter): void => {
      // Strict dump checking allows only ndm_flags NTF_PROXY and the NDA_IFINDEX / NDA_MASTER filters.
      ndmsg.write(w, { family, flags: proxy ? NTF.proxy : 0 });
      const a: Partial<NdaNeigh> = {};
      if (ifindex !== undefined) a.ifindex = ifindex;
      if (master !== undefined) a.master = master;
      ndaNeigh.encode(w, a);
    };
    const ctx = { subject: 'neigh.list', signal };
    let all: Neigh[];
    const now = this.h.engine.ifNamesNow();
    if (now) {
      // Names read from the socket as met; the hardware types only of the devices with an lladdr
      // that could be an IP address (4 or 16 bytes: tunnels, mostly none), one link get each.
      const kept = await this.h.engine.dump(RTM_GETNEIGH, body, copyMessage, ctx);
      const types = await this.typesWhereIp(kept, opts, "neigh.list: a device's type");
      all = [];
      for (const m of kept) {
        const n = decodeNeigh(m, now, types);
        if (n) all.push(n);
      }
    } else {
      // the dump that names the devices also gives the IP tunnels' hardware types (no request more)
      const types = new Map<number, number>();
      const names = await linkNames(this.h, signal, types);
      all = await this.h.engine.dump(RTM_GETNEIGH, body, (m) => decodeNeigh(m, names, types), ctx);
    }
    return all.filter((n) => {
      if (ifindex !== undefined && n.index !== ifindex) return false;
      if (proxy !== n.flags.includes('proxy')) return false;
      if (mask === undefined) return true;
      const st = NUD[n.state] ?? Number(n.state);
      return st === 0 ? (mask & 0x100) !== 0 : (mask & st) !== 0;
    });
  }

  /**
   * The hardware types of the devices whose entries have an lladdr `ip neigh` may print as an IP
   * address (4 or 16 bytes), read one device at a time; a device gone meanwhile is left out (its
   * lladdr reads as colon hex, as ll_index_to_type's -1 does).
   */
  private async typesWhereIp(
    msgs: NlMsg[],
    opts: CallOptions | undefined,
    subject: string,
  ): Promise<Map<number, number>> {
    const types = new Map<number, number>();
    const asked = new Set<number>();
    for (const m of msgs) {
      const hdr = ndmsg.read(m.buf, m.off, m.end - m.off, ['ndmsg']);
      if ((hdr.family !== AF_INET && hdr.family !== AF_INET6) || asked.has(hdr.ifindex) || !mayBeIp(m)) continue;
      asked.add(hdr.ifindex);
      const dev = await readLink(this.h, hdr.ifindex, opts, subject).catch((e: unknown) => {
        if (e instanceof NetlinkError && e.code === 'ENODEV') return undefined;
        throw e;
      });
      if (dev) types.set(hdr.ifindex, dev.linkType);
    }
    return types;
  }

  private async modify(type: number, flags: number, spec: NeighSpec, op: string, opts?: CallOptions): Promise<void> {
    const signal = checkCallOptions(opts);
    const r = neighReq(spec, op, type === RTM_DELNEIGH);
    const ifindex = await this.h.link.indexOf(spec.dev, 'dev', opts, r.call);
    await this.h.engine.request(type, flags, neighBody(r, ifindex), { subject: r.subject, signal });
  }
}

/** @internal for codec tests: the request body a spec encodes to, given the device's ifindex. */
export function encodeNeighRequest(
  w: NlWriter,
  spec: NeighSpec,
  ifindex: number,
  op: 'add' | 'replace' | 'del' = 'add',
): void {
  neighBody(neighReq(spec, op, op === 'del'), ifindex)(w);
}
