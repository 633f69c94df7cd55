// Interface addresses (≈ `ip address`): add / del / list / flush of RTM_*ADDR, checking an
// AddrSpec as ip/ipaddress.c (ipaddr_modify) does before writing its ifaddrmsg + IFA_* (the wire
// form is addr/ifa.ts), and waiting for IPv6 duplicate address detection to finish.
import type { Handle } from './handle.js';
import type { NlWriter } from './core/attr.js';
import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  NLM_F_CREATE,
  NLM_F_EXCL,
  RTM_DELADDR,
  RTM_GETADDR,
  RTM_NEWADDR,
} from './core/constants.js';
import { NetlinkError } from './core/errors.js';
import { formatIPv4, parseIP } from './core/inet.js';
import type { Decoded } from './core/schema.js';
import {
  checkCallOptions,
  checkIfName,
  checkInt,
  checkKnownFields,
  checkObject,
  describe,
  type CallOptions,
} from './core/validate.js';
import { scopeId, RT_SCOPE_HOST, RT_SCOPE_UNIVERSE } from './rt-tables.js';
import { devicesNamed, type LinkNames } from './neigh/ifnames.js';
import type { Addr, AddrDelSpec, AddrFilter, AddrFlushSpec, AddrSpec } from '../types/addr.js';
import { ADDR_PROTOS, decodeAddr, FOREVER, IFA_F, ifa, ifaddrmsg, type IfaAttrs } from './addr/ifa.js';

/** A checked address request: everything but the ifindex, which may need a lookup. */
interface AddrReq {
  hdr: { family: number; prefixlen: number; flags: number; scope: number; index: number };
  attrs: Decoded<IfaAttrs>;
  dev: string | number;
  family: 4 | 6;
  address: string;
}

function prefixOf(
  v: unknown,
  field: string,
  family?: 4 | 6,
): { family: 4 | 6; bytes: Buffer; text: string; len: number; given: boolean } {
  if (typeof v !== 'string')
    throw new TypeError(
      `Expected "${field}" to be an address with a prefix length like '10.0.0.1/24', got ${describe(v)}`,
    );
  const slash = v.indexOf('/');
  const text = slash < 0 ? v : v.slice(0, slash);
  const a = parseIP(text);
  if (!a)
    throw new TypeError(
      `Expected "${field}" to be an address with a prefix length like '10.0.0.1/24', got ${describe(v)}`,
    );
  if (family && a.family !== family)
    throw new TypeError(`Expected "${field}" to be an IPv${family} address like "address", got ${describe(v)}`);
  const max = a.family === 4 ? 32 : 128;
  if (slash < 0) return { ...a, text, len: max, given: false };
  const p = v.slice(slash + 1);
  if (!/^\d{1,3}$/.test(p))
    throw new TypeError(`Expected "${field}" to have a prefix length after '/', got ${describe(v)}`);
  const len = Number(p);
  if (len > max)
    throw new TypeError(
      `Expected "${field}" prefix length to be at most ${max} for IPv${a.family}, got ${describe(v)}`,
    );
  return { ...a, text, len, given: true };
}

function lifetimeOf(v: unknown, field: string): number {
  if (v === 'forever') return FOREVER;
  return checkInt(v, field, 0, FOREVER - 1);
}

function devOf(v: unknown, field: string): string | number {
  if (typeof v === 'number') return checkInt(v, field, 1, 0x7fffffff);
  return checkIfName(v, field);
}

const ADD_KEYS = new Set([
  'dev',
  'address',
  'peer',
  'broadcast',
  'label',
  'scope',
  'validLft',
  'preferredLft',
  'noprefixroute',
  'nodad',
  'optimistic',
  'home',
  'mngtmpaddr',
  'autojoin',
  'metric',
  'proto',
  'waitDad',
  'dadTimeout',
]);
const V6_FLAGS = ['nodad', 'optimistic', 'home', 'mngtmpaddr'] as const;
const ANY_FLAGS = ['noprefixroute', 'autojoin'] as const;

/**
 * A read Addr (it has `index` and `cidr`) as a spec for `keys`' call, so `del(a)` and `add(a)` of a
 * listed address work: its address with its prefix length (`cidr`; a point-to-point address keeps
 * `address` and its `peer`), the spec's boolean flags from its `flags`, and its other fields that
 * call does not take (index, family, prefixlen, local, scope on del, …) left out. Anything else is
 * returned as it is.
 */
function fromRead(s: Record<string, unknown>, keys: ReadonlySet<string>): Record<string, unknown> {
  if (typeof s['index'] !== 'number' || typeof s['cidr'] !== 'string') return s;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) if (keys.has(k)) out[k] = v;
  if (s['peer'] === undefined) out['address'] = s['cidr'];
  if (Array.isArray(s['flags'])) for (const f of s['flags']) if (typeof f === 'string' && keys.has(f)) out[f] ??= true;
  return out;
}

/** Checks an AddrSpec as ipaddr_modify parses its arguments, with ip's defaults. */
function addReq(spec: AddrSpec): AddrReq {
  const s = fromRead(checkObject(spec, 'spec'), ADD_KEYS) as unknown as AddrSpec;
  checkKnownFields(s, ADD_KEYS, 'address spec');
  const dev = devOf(s.dev, 'dev');
  const local = prefixOf(s.address, 'address');
  const family = local.family;
  const attrs: Decoded<IfaAttrs> = { local: local.text };
  let prefixlen = local.len;
  let peerText = local.text;
  let peerBytes = local.bytes;
  if (s.peer !== undefined) {
    const p = prefixOf(s.peer, 'peer', family);
    peerText = p.text;
    peerBytes = p.bytes;
    prefixlen = p.len;
  }
  let flags = 0;
  for (const k of V6_FLAGS) {
    if (s[k] === undefined) continue;
    if (typeof s[k] !== 'boolean') throw new TypeError(`Expected "${k}" to be a boolean, got ${describe(s[k])}`);
    if (s[k] && family !== 6) throw new TypeError(`Expected "${k}" only for IPv6 addresses ("address" is IPv4)`);
    if (s[k]) flags |= IFA_F[k];
  }
  for (const k of ANY_FLAGS) {
    if (s[k] === undefined) continue;
    if (typeof s[k] !== 'boolean') throw new TypeError(`Expected "${k}" to be a boolean, got ${describe(s[k])}`);
    if (s[k]) flags |= IFA_F[k];
  }
  if (s.label !== undefined) {
    if (typeof s.label !== 'string' || !s.label || Buffer.byteLength(s.label) > 15 || s.label.includes('\0')) {
      throw new TypeError(`Expected "label" to be a name of at most 15 bytes, got ${describe(s.label)}`);
    }
    if (family !== 4) throw new TypeError('Expected "label" only for IPv4 addresses');
    attrs.label = s.label;
  }
  if (s.metric !== undefined) attrs.metric = checkInt(s.metric, 'metric', 0, 0xffffffff);
  if (s.proto !== undefined) {
    if (typeof s.proto === 'string' && Object.hasOwn(ADDR_PROTOS, s.proto)) attrs.proto = ADDR_PROTOS[s.proto]!;
    else if (typeof s.proto === 'number') attrs.proto = checkInt(s.proto, 'proto', 0, 255);
    // a read Addr gives a protocol without a name as its number in a string ('99')
    else if (typeof s.proto === 'string' && /^(0|[1-9]\d{0,2})$/.test(s.proto))
      attrs.proto = checkInt(Number(s.proto), 'proto', 0, 255);
    else
      throw new TypeError(
        `Expected "proto" to be a number or one of ${Object.keys(ADDR_PROTOS).join(', ')}, got ${describe(s.proto)}`,
      );
  }
  if (flags > 0xff) attrs.flags = flags;
  attrs.address = peerText;
  if (s.broadcast !== undefined) {
    if (family !== 4) throw new TypeError('Expected "broadcast" only for IPv4 addresses');
    if (s.broadcast === '+' || s.broadcast === '-') {
      if (prefixlen <= 30) {
        const v = peerBytes.readUInt32BE(0);
        const host = prefixlen === 0 ? 0xffffffff : 0xffffffff >>> prefixlen;
        const b = Buffer.alloc(4);
        b.writeUInt32BE((s.broadcast === '+' ? v | host : v & ~host) >>> 0);
        attrs.broadcast = formatIPv4(b, 0);
      }
    } else {
      const b = typeof s.broadcast === 'string' ? parseIP(s.broadcast) : undefined;
      if (!b || b.family !== 4)
        throw new TypeError(`Expected "broadcast" to be an IPv4 address, '+' or '-', got ${describe(s.broadcast)}`);
      attrs.broadcast = s.broadcast;
    }
  }
  const scope =
    s.scope !== undefined
      ? scopeId(s.scope, 'scope')
      : family === 4 && local.bytes[0] === 127
        ? RT_SCOPE_HOST
        : RT_SCOPE_UNIVERSE;
  if (s.validLft !== undefined || s.preferredLft !== undefined) {
    const valid = s.validLft === undefined ? FOREVER : lifetimeOf(s.validLft, 'validLft');
    const preferred = s.preferredLft === undefined ? FOREVER : lifetimeOf(s.preferredLft, 'preferredLft');
    if (valid === 0) throw new RangeError('Expected "validLft" to be more than 0');
    if (preferred > valid) throw new RangeError('Expected "preferredLft" to be at most "validLft"');
    attrs.cacheinfo = { preferred, valid, cstamp: 0, tstamp: 0 };
  }
  if (s.waitDad !== undefined && typeof s.waitDad !== 'boolean')
    throw new TypeError(`Expected "waitDad" to be a boolean, got ${describe(s.waitDad)}`);
  if (s.dadTimeout !== undefined) checkInt(s.dadTimeout, 'dadTimeout', 1, 3_600_000);
  return {
    hdr: { family: family === 4 ? AF_INET : AF_INET6, prefixlen, flags: flags <= 0xff ? flags : 0, scope, index: 0 },
    attrs,
    dev,
    family,
    address: `${local.text}/${prefixlen}`,
  };
}

const DEL_KEYS = new Set(['dev', 'address', 'peer', 'label']);
const FILTER_KEYS = new Set(['dev', 'family']);

/** ip address del: IFA_LOCAL (+ IFA_ADDRESS unless an IPv4 address comes without a prefix length). */
function delReq(spec: AddrDelSpec): AddrReq {
  const s = fromRead(checkObject(spec, 'spec'), DEL_KEYS) as unknown as AddrDelSpec;
  checkKnownFields(s, DEL_KEYS, 'address spec');
  const dev = devOf(s.dev, 'dev');
  const local = prefixOf(s.address, 'address');
  const attrs: Decoded<IfaAttrs> = { local: local.text };
  let prefixlen = local.len;
  if (s.peer !== undefined) {
    const p = prefixOf(s.peer, 'peer', local.family);
    attrs.address = p.text;
    prefixlen = p.len;
  } else if (local.family === 6 || local.given) {
    attrs.address = local.text;
  }
  if (s.label !== undefined) {
    if (typeof s.label !== 'string' || Buffer.byteLength(s.label) > 15)
      throw new TypeError(`Expected "label" to be a name of at most 15 bytes, got ${describe(s.label)}`);
    attrs.label = s.label;
  }
  return {
    hdr: { family: local.family === 4 ? AF_INET : AF_INET6, prefixlen, flags: 0, scope: 0, index: 0 },
    attrs,
    dev,
    family: local.family,
    address: `${local.text}/${prefixlen}`,
  };
}

function body(r: AddrReq, index: number): (w: NlWriter) => void {
  return (w) => {
    ifaddrmsg.write(w, { ...r.hdr, index });
    ifa.encode(w, r.attrs);
  };
}

/** An error with a stable code, for DAD outcomes. */
function dadError(message: string, code: 'EDADFAILED' | 'ETIMEDOUT'): Error {
  const e = new Error(message) as Error & { code: string };
  e.code = code;
  return e;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Addresses (`ip address`) of one handle's namespace: `h.addr`, or the module-level `addr`. */
export class AddrApi {
  constructor(protected readonly h: Handle) {}

  /** `ip address add ADDRESS/PREFIX dev DEV [peer P] [broadcast B|+] [label L] [scope S] [valid_lft …] [noprefixroute] [nodad] …`. */
  async add(spec: AddrSpec, opts?: CallOptions): Promise<void> {
    const signal = checkCallOptions(opts);
    const r = addReq(spec);
    const index = await this.h.link.indexOf(r.dev, 'dev', signal ? { signal } : undefined, `addr.add ${r.address}`);
    const subject = `addr.add ${r.address} dev ${r.dev}`;
    await this.h.engine.request(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, body(r, index), { subject, signal });
    if (spec.waitDad && r.family === 6 && !spec.nodad)
      await this.waitDad(index, r.attrs.local!, spec.dadTimeout ?? 10_000, subject, signal);
  }

  /** `ip address del ADDRESS[/PREFIX] dev DEV`. */
  async del(spec: AddrDelSpec, opts?: CallOptions): Promise<void> {
    const signal = checkCallOptions(opts);
    const r = delReq(spec);
    const index = await this.h.link.indexOf(r.dev, 'dev', signal ? { signal } : undefined, `addr.del ${r.address}`);
    await this.h.engine.request(RTM_DELADDR, 0, body(r, index), {
      subject: `addr.del ${r.address} dev ${r.dev}`,
      signal,
    });
  }

  /** `ip address show [dev DEV]` (`ip -4`/`-6` with family): every address, both families unless `family`. */
  async list(filter: AddrFilter = {}, opts?: CallOptions): Promise<Addr[]> {
    return this.listFor('addr.list', filter, opts);
  }

  /** list() for `call` (the name in front of a device lookup's error). */
  private async listFor(call: string, filter: AddrFilter, opts: CallOptions | undefined): Promise<Addr[]> {
    const signal = checkCallOptions(opts);
    const f = checkObject(filter, 'filter') as AddrFilter;
    checkKnownFields(f, FILTER_KEYS, 'address filter');
    if (f.family !== undefined && f.family !== 4 && f.family !== 6)
      throw new TypeError(`Expected "family" to be 4 or 6, got ${describe(f.family)}`);
    const dev = f.dev === undefined ? undefined : devOf(f.dev, 'dev');
    const named = await devicesNamed(this.h, typeof dev === 'string' ? { dev } : {}, call, signal);
    const links = named.links;
    const index = typeof dev === 'number' ? dev : (named.index.dev ?? 0);
    return this.dump(f.family === 4 ? AF_INET : f.family === 6 ? AF_INET6 : AF_UNSPEC, index, links, signal);
  }

  /**
   * `ip address flush dev DEV [-4|-6]`: deletes every address of the device (`dev` is required, as
   * ip's "Flush requires arguments"); resolves with how many of the addresses listed went.
   */
  async flush(spec: AddrFlushSpec, opts?: CallOptions): Promise<number> {
    const signal = checkCallOptions(opts);
    const s = checkObject(spec, 'spec') as unknown as AddrFlushSpec;
    checkKnownFields(s, FILTER_KEYS, 'flush spec');
    const dev = devOf(s.dev, 'dev');
    const list = await this.listFor(
      'addr.flush',
      { dev, ...(s.family !== undefined ? { family: s.family } : {}) },
      opts,
    );
    // Secondaries (IPv6: temporaries) first, so that no delete takes others with it: an IPv4
    // primary takes its secondaries along unless promote_secondaries (one is then promoted).
    const order = [
      ...list.filter((a) => a.flags.includes('secondary') || a.flags.includes('temporary')),
      ...list.filter((a) => !a.flags.includes('secondary') && !a.flags.includes('temporary')),
    ];
    const results = await Promise.allSettled(
      order.map((a) =>
        this.h.engine.request(
          RTM_DELADDR,
          0,
          (w) => {
            ifaddrmsg.write(w, {
              family: a.family === 4 ? AF_INET : AF_INET6,
              prefixlen: a.prefixlen,
              flags: 0,
              scope: 0,
              index: a.index,
            });
            ifa.encode(
              w,
              a.family === 4
                ? { local: a.address, ...(a.peer ? { address: a.peer.split('/')[0]! } : { address: a.address }) }
                : { address: a.address },
            );
          },
          { subject: `addr.flush ${a.cidr} dev ${a.dev}`, signal },
        ),
      ),
    );
    // EADDRNOTAVAIL: the address went already (removed meanwhile, e.g. with its primary), as
    // iproute2's flush_update takes it; it is gone all the same.
    for (const x of results)
      if (x.status === 'rejected' && !(x.reason instanceof NetlinkError && x.reason.code === 'EADDRNOTAVAIL'))
        throw x.reason;
    return results.length;
  }

  private dump(family: number, index: number, links: LinkNames, signal: AbortSignal | undefined): Promise<Addr[]> {
    // Strict dump filtering: the kernel keeps only ifa_index's addresses (inet_valid_dump_ifaddr_req).
    return this.h.engine.dump(
      RTM_GETADDR,
      (w) => ifaddrmsg.write(w, { family, prefixlen: 0, flags: 0, scope: 0, index }),
      (m) => {
        const fam = m.buf[m.off];
        if (fam !== AF_INET && fam !== AF_INET6) return undefined;
        const a = decodeAddr(m, links);
        return index && a.index !== index ? undefined : a;
      },
      { subject: 'addr.list', signal },
    );
  }

  /** Polls the address until it is no longer tentative (IFA_F_TENTATIVE); dadfailed and timeouts reject. */
  private async waitDad(
    index: number,
    address: string,
    timeout: number,
    subject: string,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const until = Date.now() + timeout;
    const want = parseIP(address)!.bytes.toString('hex');
    for (;;) {
      const list = await this.dump(AF_INET6, index, new Map(), signal);
      const a = list.find((x) => parseIP(x.address)?.bytes.toString('hex') === want);
      if (!a)
        throw dadError(
          `${subject}: the address disappeared while waiting for duplicate address detection`,
          'EDADFAILED',
        );
      if (a.flags.includes('dadfailed'))
        throw dadError(
          `${subject}: duplicate address detection failed (dadfailed): another node uses this address`,
          'EDADFAILED',
        );
      if (!a.flags.includes('tentative')) return;
      if (Date.now() >= until)
        throw dadError(
          `${subject}: still tentative after ${timeout} ms (is the link up and carrier present?)`,
          'ETIMEDOUT',
        );
      await sleep(100, signal);
    }
  }
}
