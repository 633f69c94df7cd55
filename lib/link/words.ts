// Codec words for link tables (after the kernel's YNL vocabulary): range-checked integers, read-only
// fields, link references, an address whose family picks its attribute, multicast/unicast
// selectors, bits of a {flags, mask} pair, lists numbered from 0, bridge ids, interface names,
// namespace descriptors, veth's nested peer (struct ifinfomsg + IFLA_* under VETH_INFO_PEER) and
// a link's own addresses (IFLA_ADDRESS, IFLA_BROADCAST, IFLA_PERM_ADDRESS) as iproute2 words them.
import { forEachAttr, type NlWriter } from '../core/attr.js';
import { DecodeError } from '../core/errors.js';
import { formatIPv4, formatIPv6, formatMac, parseIP, parseIPv4, parseIPv6, parseMac } from '../core/inet.js';
import { describe, enumOf, flag, ip, u32, type Codec } from '../core/schema.js';
import { checkIfName, checkInt } from '../core/validate.js';
import type { KindCodec } from './kinds/define.js';

/** An integer codec that refuses values outside min..max (a VLAN id, a VNI) with a RangeError. */
export function ranged(base: Codec<number>, min: number, max: number): KindCodec<number> {
  return {
    kind: `${base.kind} ${min}..${max}`,
    put(w, type, v, field) {
      if (typeof v !== 'number' || !Number.isInteger(v))
        throw new TypeError(`Expected "${field}" to be an integer in ${min}..${max}, got ${describe(v)}`);
      if (v < min || v > max) throw new RangeError(`Expected "${field}" to be an integer in ${min}..${max}, got ${v}`);
      base.put(w, type, v, field);
    },
    get: (b, off, len, path) => base.get(b, off, len, path),
  };
}

/**
 * A struct-valued attribute whose fields are narrower than their C types (a VLAN priority is 3
 * bits of a u32) or ordered (`ordered`: the first field may not exceed the second, as in a port
 * range): each field is required, checked and named (`srcPortRange.low`); nothing else is taken.
 */
export function structIn<T extends Record<string, number>>(
  base: Codec<T>,
  ranges: { readonly [K in keyof T]: readonly [min: number, max: number] },
  ordered = false,
): KindCodec<T> {
  const keys = Object.keys(ranges);
  return {
    kind: `${base.kind} (${keys.map((k) => `${k} ${ranges[k]![0]}..${ranges[k]![1]}`).join(', ')})`,
    put(w, type, v, field) {
      if (v === null || typeof v !== 'object' || Array.isArray(v))
        throw new TypeError(`Expected "${field}" to be { ${keys.join(', ')} }, got ${describe(v)}`);
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o))
        if (!keys.includes(k)) throw new TypeError(`Unknown field "${field}.${k}" (expected ${keys.join(', ')})`);
      const got = keys.map((k) => checkInt(o[k], `${field}.${k}`, ranges[k]![0], ranges[k]![1]));
      if (ordered && got[0]! > got[1]!) {
        throw new RangeError(
          `Expected "${field}.${keys[1]}" to be at least "${field}.${keys[0]}" (${got[0]}), got ${got[1]}`,
        );
      }
      base.put(w, type, v, field);
    },
    get: (b, off, len, path) => base.get(b, off, len, path),
  };
}

/** A field the kernel reports and never takes: add and set leave it out. */
export function readOnly<T>(base: Codec<T>): KindCodec<T> {
  return {
    kind: `${base.kind} (read-only)`,
    readOnly: true,
    put() {},
    get: (b, off, len, path) => base.get(b, off, len, path),
  };
}

/**
 * A field link.add leaves out when it holds the kernel's own default for a new link: a read
 * reports it, and kernels built without the feature refuse the attribute whatever its value
 * (a bridge's vlan_filtering 0 without CONFIG_BRIDGE_VLAN_FILTERING).
 */
export function omitOnCreate<T>(base: KindCodec<T>, value: T): KindCodec<T> {
  return { ...base, createDefault: value };
}

/**
 * A field left out at `value` where the field `beside` is given too: geneve's IFLA_GENEVE_TTL_INHERIT,
 * present (even 0), makes the kernel ignore IFLA_GENEVE_TTL, whose presence alone turns inheriting
 * off; so `ttlInherit: false` beside a `ttl` is sent as the TTL alone, as iproute2's `ttl N` is.
 */
export function omittedBeside<T>(base: KindCodec<T>, value: T, beside: string): KindCodec<T> {
  return { ...base, omitBeside: { value, beside } };
}

/** A flag (NLA_FLAG) on write that the kernel reports as a u8 0/1 (IFLA_VXLAN_TTL_INHERIT). */
export const flagU8: KindCodec<boolean> = {
  kind: 'flag (read as u8)',
  put: (w, type, v, field) => flag.put(w, type, v, field),
  get: (b, off, len) => len === 0 || b[off] !== 0,
};

/** An ifindex (u32). The caller's link name is resolved to it before encoding. */
export const linkIndex: KindCodec<number> = {
  kind: 'ifindex',
  linkRef: true,
  put(w, type, v, field) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0x7fffffff) {
      throw new TypeError(`Expected "${field}" to be a link name or index, got ${describe(v)}`);
    }
    w.attrU32(type, v);
  },
  get: (b, off, len, path) => u32.get(b, off, len, path),
};

/**
 * A link's hardware address (IFLA_ADDRESS, IFLA_BROADCAST, IFLA_PERM_ADDRESS), as iproute2's
 * lib/ll_addr.c words it. Read (ll_addr_n2a): as an IPv4 address where `ipLen` is 4 and the
 * payload has 4 bytes, as an IPv6 address where `ipLen` is 16 and it has 16 — the link's hardware
 * type (ifi_type) picks `ipLen`, see lib/link/ifla.ts — else as colon hex of any length
 * ('aa:bb:cc:dd:ee:ff'). Written (ll_addr_a2n): text holding a '.' as the 4 bytes of a dotted quad
 * (an IPv4 tunnel's address, as a read gives it), else a MAC address of 6 bytes.
 */
export function llAddr(ipLen?: 4 | 16): Codec<string> {
  return {
    kind: ipLen === undefined ? 'lladdr' : `lladdr (${ipLen} bytes as IPv${ipLen === 4 ? 4 : 6})`,
    put(w, type, v, field) {
      const quad = typeof v === 'string' && v.includes('.');
      const bytes = typeof v !== 'string' ? undefined : quad ? parseIPv4(v) : parseMac(v);
      if (!bytes) {
        const what = quad
          ? "an IPv4 address like 192.0.2.1 (an IPv4 tunnel's: text with a '.' is one)"
          : "a MAC address like aa:bb:cc:dd:ee:ff, or an IPv4 tunnel's address like 192.0.2.1";
        const v6 = typeof v === 'string' && parseIPv6(v) ? ' (IPv6 text is not taken, as by `ip link`)' : '';
        throw new TypeError(`Expected "${field}" to be ${what}, got ${describe(v)}${v6}`);
      }
      w.attrBytes(type, bytes);
    },
    get: (b, off, len) => formatLlAddr(b, off, len, ipLen),
  };
}

/**
 * `len` bytes of a link-layer address as ll_addr_n2a prints them: as an IPv4 address where `ipLen`
 * is 4 and there are 4 bytes, as IPv6 where it is 16 and there are 16, else colon hex.
 */
export function formatLlAddr(b: Uint8Array, off: number, len: number, ipLen: 4 | 16 | undefined): string {
  if (len === ipLen) return len === 4 ? formatIPv4(b, off) : formatIPv6(b, off);
  return formatMac(b, off, len);
}

/** Which addresses a row takes: any, multicast only, or unicast only. */
export type Cast = 'any' | 'multicast' | 'unicast';

function isMulticast(bytes: Uint8Array): boolean {
  return bytes.length === 4 ? (bytes[0]! & 0xf0) === 0xe0 : bytes[0] === 0xff;
}

/**
 * An IPv4 or IPv6 address written to the row's attribute (IPv4) or to `type6` (IPv6), and read
 * from either. With `cast`, the row takes only multicast or only unicast addresses: two rows on
 * one attribute then share it by value (vxlan's `group` and `remote`).
 */
export function ipEither(type6: number, cast: Cast = 'any'): KindCodec<string> {
  const word: KindCodec<string> = {
    kind: cast === 'any' ? 'ip (v4|v6 attr)' : `${cast} ip (v4|v6 attr)`,
    alsoReads: [type6],
    put(w, type, v, field) {
      const a = typeof v === 'string' ? parseIP(v) : undefined;
      if (!a) throw new TypeError(`Expected "${field}" to be an IP address, got ${describe(v)}`);
      if (cast !== 'any' && isMulticast(a.bytes) !== (cast === 'multicast')) {
        throw new TypeError(`Expected "${field}" to be a ${cast} address, got ${describe(v)}`);
      }
      w.attrBytes(a.bytes.length === 4 ? type : type6, a.bytes);
    },
    get: (b, off, len, path) => ip.get(b, off, len, path),
  };
  if (cast !== 'any') word.claims = (b, off, len) => isMulticast(b.subarray(off, off + len)) === (cast === 'multicast');
  return word;
}

/**
 * One bit of a flags attribute shared by several boolean rows: `{ u32 flags; u32 mask; }` (only
 * the given fields change) or a bare u16 (every bit is written).
 */
export function flagBit(bit: number, layout: 'flags+mask' | 'u16' = 'flags+mask'): KindCodec<boolean> {
  return {
    kind: `bit 0x${bit.toString(16)} of ${layout === 'u16' ? 'u16' : '{flags, mask}'}`,
    bit,
    bitLayout: layout,
    put() {
      throw new Error('flagBit rows are written by the kind table');
    },
    get: () => {
      throw new Error('flagBit rows are read by the kind table');
    },
  };
}

/** A nested list whose items are attributes numbered from `first` (0 for bond's arp_ip_target). */
export function numberedList<T>(item: Codec<T>, first: number): KindCodec<T[]> {
  return {
    kind: `list(${item.kind}) from ${first}`,
    put(w, type, v, field) {
      if (!Array.isArray(v)) throw new TypeError(`Expected "${field}" to be an array, got ${describe(v)}`);
      const s = w.beginNest(type);
      v.forEach((x: T, i) => item.put(w, first + i, x, `${field}[${i}]`));
      w.endNest(s);
    },
    get(b, off, len, path) {
      const out: T[] = [];
      forEachAttr(b, off, off + len, (_t, o, l) => out.push(item.get(b, o, l, path)), path);
      return out;
    },
  };
}

/** struct ifla_bridge_id, read only, printed as iproute2 prints it: '8000.0:0:0:0:0:0'. */
export const bridgeId: KindCodec<string> = readOnly({
  kind: 'struct ifla_bridge_id',
  put() {},
  get(b, off, len, path) {
    if (len < 8) throw new DecodeError(`ifla_bridge_id needs 8 bytes, has ${len}`, off, path);
    const prio = b.subarray(off, off + 2).toString('hex');
    const mac = [...b.subarray(off + 2, off + 8)].map((x) => x.toString(16)).join(':');
    return `${prio}.${mac}`;
  },
});

/**
 * A string of at most `max` bytes sent without a terminating NUL, as iproute2 sends IFLA_IFALIAS
 * (the kernel keeps the attribute's length as the alias's length); read up to the first NUL, if any.
 */
export function unterminated(max: number): Codec<string> {
  return {
    kind: `string (no NUL, ≤ ${max} bytes)`,
    put(w, type, v, field) {
      if (typeof v !== 'string') throw new TypeError(`Expected "${field}" to be a string, got ${describe(v)}`);
      if (v.includes('\0')) throw new TypeError(`Expected "${field}" to hold no NUL byte`);
      const bytes = Buffer.from(v, 'utf8');
      if (bytes.length > max)
        throw new RangeError(`Expected "${field}" to be at most ${max} bytes, got ${bytes.length}`);
      w.attrBytes(type, bytes);
    },
    get(b, off, len) {
      const nul = b.indexOf(0, off);
      return b.toString('utf8', off, nul >= 0 && nul < off + len ? nul : off + len);
    },
  };
}

/** An interface name, checked as the kernel's dev_valid_name() would. */
export const ifname: Codec<string> = {
  kind: 'ifname',
  put(w, type, v, field) {
    w.attrString(type, checkIfName(v, field));
  },
  get(b, off, len) {
    let end = off;
    while (end < off + len && b[end] !== 0) end++;
    return b.toString('utf8', off, end);
  },
};

/** A namespace given as an open descriptor (IFLA_NET_NS_FD); names and paths are opened first. */
export const netnsFd: Codec<{ fd: number } | string | { path: string }> = {
  kind: 'netns fd',
  put(w, type, v, field) {
    const fd = typeof v === 'object' && v !== null && 'fd' in v ? v.fd : undefined;
    if (typeof fd !== 'number' || !Number.isInteger(fd) || fd < 0) {
      throw new TypeError(`Expected "${field}" to be a namespace name, { path } or { fd }, got ${describe(v)}`);
    }
    w.attrU32(type, fd);
  },
  get: (b, off, len, path) => ({ fd: u32.get(b, off, len, path) }),
};

/** A nested message body: a fixed header struct, then attributes (veth's VETH_INFO_PEER). */
export interface NestedBody<T> {
  write(w: NlWriter, v: T, field: string): void;
  read(b: Buffer, off: number, end: number, path: readonly string[]): T;
}

/** An attribute holding a whole message body (struct + attributes), e.g. veth's peer. */
export function nestedBody<T>(kind: string, body: NestedBody<T>): KindCodec<T> {
  return {
    kind,
    put(w, type, v, field) {
      if (v === null || typeof v !== 'object')
        throw new TypeError(`Expected "${field}" to be an object, got ${describe(v)}`);
      const s = w.beginNest(type);
      body.write(w, v, field);
      w.endNest(s);
    },
    get: (b, off, len, path) => body.read(b, off, off + len, path),
  };
}

/**
 * An enum that takes only its names (enumOf also takes a value's decimal text): for values the
 * kernel refuses past the last name (a bridge port's STP state). A read still decodes a value
 * without a name as its decimal text.
 */
export function namesOnly<N extends string>(base: Codec<number>, names: Readonly<Record<N, number>>): KindCodec<N> {
  const word = enumOf(base, names);
  const list = Object.keys(names).join(', ');
  return {
    kind: word.kind,
    put(w, type, v, field) {
      if (typeof v !== 'string' || !Object.hasOwn(names, v))
        throw new TypeError(`Expected "${field}" to be one of ${list}, got ${describe(v)}`);
      word.put(w, type, v, field);
    },
    get: (b, off, len, path) => word.get(b, off, len, path),
  };
}

/** An integer mask the kernel refuses with some bits set (a port's group_fwd_mask may not forward pause frames). */
export function maskWithout(base: Codec<number>, bits: number, why: string): KindCodec<number> {
  return {
    kind: `${base.kind} without 0x${bits.toString(16)}`,
    put(w, type, v, field) {
      if (typeof v === 'number' && Number.isInteger(v) && (v & bits) !== 0)
        throw new RangeError(
          `Expected "${field}" to leave bits 0x${bits.toString(16)} clear (${why}), got 0x${v.toString(16)}`,
        );
      base.put(w, type, v, field);
    },
    get: (b, off, len, path) => base.get(b, off, len, path),
  };
}
