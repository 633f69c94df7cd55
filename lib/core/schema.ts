// The attribute vocabulary (after the kernel's YNL specs: u8 u16 u32 u64 s32 be16 be32 flag
// string binary nest, display hints ipv4/ipv6/mac) and the one generic, table-driven codec that
// every family and link kind is described with: a row per attribute, `field: [TYPE, codec]`.
import { align4, forEachAttr, LITTLE_ENDIAN, rd16, rd32, rd64, rds32, type NlWriter } from './attr.js';
import { DecodeError } from './errors.js';
import { NLA_F_NESTED, NLA_HDRLEN, NLA_TYPE_MASK } from './constants.js';
import { formatIPv4, formatIPv6, formatMac, parseIPv4, parseIPv6, parseMac, formatIP, parseIP } from './inet.js';

/** How one attribute's value is written and read. */
export interface Codec<T> {
  /** The vocabulary word, e.g. 'u32', 'be16', 'nest(vxlan)'; used in annotations and errors. */
  readonly kind: string;
  /** Writes the whole attribute, header included. `field` names the caller's field in errors. */
  put(w: NlWriter, type: number, v: T, field: string): void;
  /** Reads the payload b[off, off + len). */
  get(b: Buffer, off: number, len: number, path: readonly string[]): T;
}

/** An attribute this package does not model, kept as it came and re-emitted on encode. */
export interface UnknownAttr {
  /** The attribute's type number (NLA_F_* bits cleared). */
  type: number;
  /** The payload bytes. */
  data: Buffer;
}

/** The most an attribute can carry: its 16-bit length covers the 4-byte header too. */
const MAX_PAYLOAD = 0xffff - NLA_HDRLEN;

function need(len: number, want: number, what: string, off: number, path: readonly string[]): void {
  if (len < want) throw new DecodeError(`${what} needs ${want} bytes, has ${len}`, off, path);
}

function checkInt(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new TypeError(`Expected "${field}" to be an integer in ${min}..${max}, got ${describe(v)}`);
  }
  if (v < min || v > max) throw new RangeError(`Expected "${field}" to be an integer in ${min}..${max}, got ${v}`);
  return v;
}

/** A short, safe rendering of a bad value for an error message. */
export function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v === null || typeof v !== 'object') return String(v);
  return Array.isArray(v) ? 'an array' : 'an object';
}

function intCodec(kind: string, size: 1 | 2 | 4, max: number, be = false): Codec<number> {
  return {
    kind,
    put(w, type, v, field) {
      checkInt(v, field, 0, max);
      const s = w.beginAttr(type);
      if (size === 1) w.u8(v);
      else if (size === 2 && be) w.be16(v);
      else if (size === 2) w.u16(v);
      else if (be) w.be32(v);
      else w.u32(v);
      w.endAttr(s);
    },
    get(b, off, len, path) {
      need(len, size, kind, off, path);
      if (size === 1) return b[off]!;
      if (size === 2) return be ? (b[off]! << 8) | b[off + 1]! : rd16(b, off);
      return be ? b.readUInt32BE(off) : rd32(b, off);
    },
  };
}

/** An unsigned 8-bit attribute (NLA_U8). */
export const u8 = intCodec('u8', 1, 0xff);
/** An unsigned 16-bit attribute in host order (NLA_U16). */
export const u16 = intCodec('u16', 2, 0xffff);
/** An unsigned 32-bit attribute in host order (NLA_U32). */
export const u32 = intCodec('u32', 4, 0xffffffff);
/** An unsigned 16-bit attribute in network order (NLA_BE16, e.g. a UDP port). */
export const be16 = intCodec('be16', 2, 0xffff, true);
/** An unsigned 32-bit attribute in network order (NLA_BE32). */
export const be32 = intCodec('be32', 4, 0xffffffff, true);

/** A signed 32-bit attribute in host order (NLA_S32). */
export const s32: Codec<number> = {
  kind: 's32',
  put(w, type, v, field) {
    w.attrS32(type, checkInt(v, field, -0x80000000, 0x7fffffff));
  },
  get(b, off, len, path) {
    need(len, 4, 's32', off, path);
    return rds32(b, off);
  },
};

/** An unsigned 64-bit attribute in host order, as a bigint (NLA_U64). */
export const u64: Codec<bigint> = {
  kind: 'u64',
  put(w, type, v, field) {
    if (typeof v !== 'bigint' || v < 0n || v > 0xffffffffffffffffn) {
      throw new TypeError(`Expected "${field}" to be a bigint in 0..2^64-1, got ${describe(v)}`);
    }
    w.attrU64(type, v);
  },
  get(b, off, len, path) {
    need(len, 8, 'u64', off, path);
    return rd64(b, off);
  },
};

/** u64 on the wire, a JS number in the API (counters and sizes below 2^53). */
export const u64n: Codec<number> = {
  kind: 'u64',
  put(w, type, v, field) {
    w.attrU64(type, BigInt(checkInt(v, field, 0, Number.MAX_SAFE_INTEGER)));
  },
  get(b, off, len, path) {
    need(len, 8, 'u64', off, path);
    return LITTLE_ENDIAN
      ? rd32(b, off) + rd32(b, off + 4) * 0x100000000
      : rd32(b, off + 4) + rd32(b, off) * 0x100000000;
  },
};

/** A u8 holding 0 or 1. */
export const bool8: Codec<boolean> = {
  kind: 'bool8',
  put(w, type, v, field) {
    if (typeof v !== 'boolean') throw new TypeError(`Expected "${field}" to be a boolean, got ${describe(v)}`);
    w.attrU8(type, v ? 1 : 0);
  },
  get(b, off, len, path) {
    need(len, 1, 'bool8', off, path);
    return b[off] !== 0;
  },
};

/** A u32 holding 0 or 1. */
export const bool32: Codec<boolean> = {
  kind: 'bool32',
  put(w, type, v, field) {
    if (typeof v !== 'boolean') throw new TypeError(`Expected "${field}" to be a boolean, got ${describe(v)}`);
    w.attrU32(type, v ? 1 : 0);
  },
  get(b, off, len, path) {
    need(len, 4, 'bool32', off, path);
    return rd32(b, off) !== 0;
  },
};

/** A zero-length attribute whose presence means true (NLA_FLAG). false writes nothing. */
export const flag: Codec<boolean> = {
  kind: 'flag',
  put(w, type, v, field) {
    if (typeof v !== 'boolean') throw new TypeError(`Expected "${field}" to be a boolean, got ${describe(v)}`);
    if (v) w.attrFlag(type);
  },
  get() {
    return true;
  },
};

/** A NUL-terminated string; decoding stops at the first NUL (or the end, for senders that omit it). */
export const string: Codec<string> = {
  kind: 'string',
  put(w, type, v, field) {
    if (typeof v !== 'string') throw new TypeError(`Expected "${field}" to be a string, got ${describe(v)}`);
    if (v.includes('\0')) throw new TypeError(`Expected "${field}" to hold no NUL byte`);
    if (Buffer.byteLength(v) > MAX_PAYLOAD - 1)
      throw new RangeError(`Expected "${field}" to be at most ${MAX_PAYLOAD - 1} bytes`);
    w.attrString(type, v);
  },
  get(b, off, len) {
    let end = off;
    const lim = off + len;
    while (end < lim && b[end] !== 0) end++;
    return b.toString('utf8', off, end);
  },
};

/** Raw payload bytes. */
export const binary: Codec<Buffer> = {
  kind: 'binary',
  put(w, type, v, field) {
    if (!(v instanceof Uint8Array)) throw new TypeError(`Expected "${field}" to be a Buffer, got ${describe(v)}`);
    if (v.length > MAX_PAYLOAD) throw new RangeError(`Expected "${field}" to be at most ${MAX_PAYLOAD} bytes`);
    w.attrBytes(type, v);
  },
  get(b, off, len) {
    return Buffer.from(b.subarray(off, off + len));
  },
};

function addrCodec(
  kind: string,
  parse: (s: string) => Buffer | undefined,
  size: number,
  fmt: (b: Buffer, off: number) => string,
  what: string,
): Codec<string> {
  return {
    kind,
    put(w, type, v, field) {
      const bytes = typeof v === 'string' ? parse(v) : undefined;
      if (!bytes) throw new TypeError(`Expected "${field}" to be ${what}, got ${describe(v)}`);
      w.attrBytes(type, bytes);
    },
    get(b, off, len, path) {
      if (len !== size) throw new DecodeError(`${kind} needs ${size} bytes, has ${len}`, off, path);
      return fmt(b, off);
    },
  };
}

/** An IPv4 address (4 bytes), written from and read as dotted text. */
export const ipv4 = addrCodec('ipv4', parseIPv4, 4, formatIPv4, 'an IPv4 address');
/** An IPv6 address (16 bytes), written from and read as text. */
export const ipv6 = addrCodec('ipv6', parseIPv6, 16, formatIPv6, 'an IPv6 address');

/** An address of either family: 4 or 16 bytes. */
export const ip: Codec<string> = {
  kind: 'ip',
  put(w, type, v, field) {
    const a = typeof v === 'string' ? parseIP(v) : undefined;
    if (!a) throw new TypeError(`Expected "${field}" to be an IP address, got ${describe(v)}`);
    w.attrBytes(type, a.bytes);
  },
  get(b, off, len, path) {
    if (len !== 4 && len !== 16) throw new DecodeError(`ip address needs 4 or 16 bytes, has ${len}`, off, path);
    return formatIP(b, off, len);
  },
};

/** A link-layer address: written from 'aa:bb:cc:dd:ee:ff', read at any length. */
export const mac: Codec<string> = {
  kind: 'mac',
  put(w, type, v, field) {
    const bytes = typeof v === 'string' ? parseMac(v) : undefined;
    if (!bytes)
      throw new TypeError(`Expected "${field}" to be a MAC address like aa:bb:cc:dd:ee:ff, got ${describe(v)}`);
    w.attrBytes(type, bytes);
  },
  get(b, off, len) {
    return formatMac(b, off, len);
  },
};

/**
 * Names for the values of an integer attribute (a mode, a policy). A value the table does not
 * name decodes as its number in decimal text, and that text encodes back to the same number.
 */
export function enumOf<N extends string>(
  base: Codec<number>,
  names: Readonly<Record<N, number>>,
  what = 'one of',
): Codec<N> {
  const byValue = new Map<number, N>();
  for (const [k, v] of Object.entries(names) as [N, number][]) if (!byValue.has(v)) byValue.set(v, k);
  const list = Object.keys(names).join(', ');
  return {
    kind: `${base.kind} enum`,
    put(w, type, v, field) {
      let n = typeof v === 'string' && Object.hasOwn(names, v) ? names[v] : undefined;
      if (n === undefined && typeof v === 'string' && /^\d+$/.test(v)) n = Number(v);
      if (n === undefined) throw new TypeError(`Expected "${field}" to be ${what} ${list}, got ${describe(v)}`);
      base.put(w, type, n, field);
    },
    get(b, off, len, path) {
      const n = base.get(b, off, len, path);
      return byValue.get(n) ?? (String(n) as N);
    },
  };
}

/** Bit flags of an integer attribute as an array of names; unnamed bits decode as '0x…'. */
export function flagsOf<N extends string>(base: Codec<number>, bits: Readonly<Record<N, number>>): Codec<N[]> {
  const entries = Object.entries(bits) as [N, number][];
  return {
    kind: `${base.kind} flags`,
    put(w, type, v, field) {
      if (!Array.isArray(v)) throw new TypeError(`Expected "${field}" to be an array of flag names`);
      let n = 0;
      for (const name of v) {
        const bit = Object.hasOwn(bits, name) ? bits[name] : /^0x[0-9a-f]+$/i.test(name) ? Number(name) : undefined;
        if (bit === undefined)
          throw new TypeError(
            `Expected "${field}" to hold only ${entries.map((e) => e[0]).join(', ')}; got ${describe(name)}`,
          );
        n |= bit;
      }
      base.put(w, type, n >>> 0, field);
    },
    get(b, off, len, path) {
      return decodeFlags(base.get(b, off, len, path), entries);
    },
  };
}

/** An integer's bits as names, in table order; bits without a name come back as one '0x…' entry. */
export function decodeFlags<N extends string>(n: number, entries: readonly (readonly [N, number])[]): N[] {
  const out: N[] = [];
  let rest = n >>> 0;
  for (const [name, bit] of entries) {
    if ((n & bit) === bit && bit !== 0) {
      out.push(name);
      rest &= ~bit;
    }
  }
  if (rest) out.push(`0x${(rest >>> 0).toString(16)}` as N);
  return out;
}

// ---- fixed-layout structs (message headers, struct-valued attributes) ----

/** The integer types a struct field can have (`be` = network byte order). */
export type FieldType = 'u8' | 'u16' | 'u32' | 's32' | 'be16' | 'be32';
const FIELD_MAX: Record<FieldType, [number, number]> = {
  u8: [0, 0xff],
  u16: [0, 0xffff],
  u32: [0, 0xffffffff],
  s32: [-0x80000000, 0x7fffffff],
  be16: [0, 0xffff],
  be32: [0, 0xffffffff],
};

/** A C struct of integer fields in declaration order (padding given as offsets). */
export interface StructCodec<T> {
  /** The C struct's name, for error messages. */
  readonly name: string;
  /** Its size in bytes, padding included. */
  readonly size: number;
  /** Writes all fields (missing ones as 0) and any padding. */
  write(w: NlWriter, v: Partial<T>, field?: string): void;
  /** Reads every field from b at off (len bytes available; fewer than size is a DecodeError). */
  read(b: Buffer, off: number, len: number, path?: readonly string[]): T;
}

/**
 * Defines a fixed-layout C struct (a message's family header, or a struct-valued attribute): each field's
 * byte offset and integer type.
 */
export function struct<T extends Record<string, number>>(
  name: string,
  size: number,
  fields: { readonly [K in keyof T]: readonly [offset: number, type: FieldType] },
): StructCodec<T> {
  const list = Object.entries(fields) as [keyof T & string, readonly [number, FieldType]][];
  return {
    name,
    size,
    write(w, v, field) {
      w.ensure(size);
      const base = w.pos;
      w.zeros(size);
      const end = w.pos;
      for (const [k, [o, t]] of list) {
        const x = v[k];
        if (x === undefined) continue;
        const [min, max] = FIELD_MAX[t];
        checkInt(x, field ? `${field}.${k}` : k, min, max);
        w.pos = base + o;
        if (t === 'u8') w.u8(x);
        else if (t === 'u16') w.u16(x);
        else if (t === 'u32') w.u32(x);
        else if (t === 's32') w.s32(x);
        else if (t === 'be16') w.be16(x);
        else w.be32(x);
      }
      w.pos = end;
    },
    read(b, off, len, path = []) {
      if (len < size) throw new DecodeError(`struct ${name} needs ${size} bytes, has ${len}`, off, path);
      const out: Record<string, number> = {};
      for (const [k, [o, t]] of list) {
        const p = off + o;
        out[k] =
          t === 'u8'
            ? b[p]!
            : t === 'u16'
              ? rd16(b, p)
              : t === 'u32'
                ? rd32(b, p)
                : t === 's32'
                  ? rds32(b, p)
                  : t === 'be16'
                    ? (b[p]! << 8) | b[p + 1]!
                    : b.readUInt32BE(p);
      }
      return out as T;
    },
  };
}

/** A struct-valued attribute. */
export function structAttr<T extends Record<string, number>>(s: StructCodec<T>): Codec<T> {
  return {
    kind: `struct ${s.name}`,
    put(w, type, v, field) {
      if (v === null || typeof v !== 'object') throw new TypeError(`Expected "${field}" to be an object`);
      const a = w.beginAttr(type);
      s.write(w, v, field);
      w.endAttr(a);
    },
    get(b, off, len, path) {
      return s.read(b, off, len, path);
    },
  };
}

// ---- attribute tables ----

/** One row per field: the attribute number and its codec. Every field of T needs a row. */
export type Rows<T> = { readonly [K in keyof T]-?: readonly [type: number, codec: Codec<Exclude<T[K], undefined>>] };

/** What decoding yields: the fields present, plus attributes the table does not know. */
export type Decoded<T> = Partial<T> & {
  /** Attributes the table does not know, kept as they came (re-emitted by encode). */
  unknown?: UnknownAttr[];
};

interface Row {
  key: string;
  type: number;
  codec: Codec<unknown>;
}

/** A compiled attribute table: encode an object's present fields, decode attributes back. */
export class AttrSchema<T> {
  /** The table's rows in encoding order: field name, attribute number, codec. */
  readonly rows: readonly Row[];
  private readonly byType: (Row | undefined)[] = [];
  /** The padding attribute's number (see padded()), or -1. */
  protected pad = -1;

  /**
   * Compiles a table; two rows with one attribute number are an error.
   * @param name - The table's name for error paths, e.g. 'IFLA'.
   * @param rows - One row per field: its attribute number and codec.
   */
  constructor(
    readonly name: string,
    rows: Rows<T>,
  ) {
    this.rows = Object.entries(rows as Record<string, readonly [number, Codec<unknown>]>).map(
      ([key, [type, codec]]) => ({ key, type, codec }),
    );
    for (const r of this.rows) {
      if (this.byType[r.type]) throw new Error(`schema ${name}: attribute ${r.type} has two rows`);
      this.byType[r.type] = r;
    }
  }

  /**
   * Names the table's padding attribute (IFLA_PAD, RTA_PAD, …), which the kernel puts before a
   * 64-bit value that would sit unaligned (nla_put_64bit) on architectures without efficient
   * unaligned access. It carries nothing, so decode skips it instead of keeping it among the
   * unknown attributes. Returns the table.
   */
  padded(type: number): this {
    if (this.byType[type]) throw new Error(`schema ${this.name}: attribute ${type} has a row`);
    this.pad = type;
    return this;
  }

  /** The row for a field name. */
  row(key: keyof T & string): Row | undefined {
    return this.rows.find((r) => r.key === key);
  }

  /** The field name for an attribute number. */
  fieldOf(type: number): string | undefined {
    return this.byType[type]?.key;
  }

  /** Writes every present (not undefined) field, in table order, then any kept unknown attributes. */
  encode(w: NlWriter, v: Decoded<T>, prefix = ''): void {
    const obj = v as Record<string, unknown>;
    for (const r of this.rows) {
      const x = obj[r.key];
      if (x === undefined) continue;
      const field = prefix + r.key;
      if (w.trace) {
        const start = w.pos;
        r.codec.put(w, r.type, x, field);
        w.trace.push({ start, end: w.pos, field });
      } else {
        r.codec.put(w, r.type, x, field);
      }
    }
    if (v.unknown) for (const u of v.unknown) w.attrBytes(u.type, u.data);
  }

  /** Decodes the attributes in b[off, end). Unknown attribute numbers are kept, not dropped; padding is skipped. */
  decode(b: Buffer, off: number, end: number, path: readonly string[] = []): Decoded<T> {
    const out: Record<string, unknown> = {};
    let unknown: UnknownAttr[] | undefined;
    if (end > b.length) throw new DecodeError(`attributes end past the buffer`, off, path);
    while (off < end) {
      if (end - off < NLA_HDRLEN) throw new DecodeError(`${end - off} stray bytes after the attributes`, off, path);
      const len = rd16(b, off);
      const rawType = rd16(b, off + 2);
      const type = rawType & NLA_TYPE_MASK;
      if (len < NLA_HDRLEN || off + len > end) {
        throw new DecodeError(`attribute ${type} has length ${len}, ${end - off} bytes remain`, off, [
          ...path,
          this.name,
        ]);
      }
      const r = this.byType[type];
      if (r)
        out[r.key] = r.codec.get(
          b,
          off + NLA_HDRLEN,
          len - NLA_HDRLEN,
          path.length ? [...path, r.key] : [this.name, r.key],
        );
      // Kept with NLA_F_NESTED / NLA_F_NET_BYTEORDER as received, so it is re-emitted the same.
      else if (type !== this.pad)
        (unknown ??= []).push({ type: rawType, data: Buffer.from(b.subarray(off + NLA_HDRLEN, off + len)) });
      off += align4(len);
    }
    if (unknown) out['unknown'] = unknown;
    return out as Decoded<T>;
  }
}

/**
 * Defines an attribute table for T: one row per field, `field: [ATTRIBUTE_NUMBER, codec]`; the compiler
 * checks each codec against the field's type.
 */
export function defineAttrs<T>(name: string, rows: Rows<T>): AttrSchema<T> {
  return new AttrSchema<T>(name, rows);
}

/** A nested attribute holding another table, its type or'ed with `flag` (NLA_F_NESTED, or 0). */
function tableNest<T>(schema: AttrSchema<T>, flag: number): Codec<Decoded<T>> {
  return {
    kind: `nest(${schema.name})`,
    put(w, type, v, field) {
      if (v === null || typeof v !== 'object') throw new TypeError(`Expected "${field}" to be an object`);
      const s = w.beginAttr(type | flag);
      schema.encode(w, v, `${field}.`);
      w.endAttr(s);
    },
    get(b, off, len, path) {
      return schema.decode(b, off, off + len, path);
    },
  };
}

/** A nested attribute holding another table (NLA_F_NESTED set). */
export function nest<T>(schema: AttrSchema<T>): Codec<Decoded<T>> {
  return tableNest(schema, NLA_F_NESTED);
}

/**
 * A nest written without NLA_F_NESTED, as iproute2 writes RTA_METRICS, RTA_MULTIPATH and
 * IFLA_AF_SPEC (the kernel parses them with the deprecated, flag-optional parser).
 */
export function plainNest<T>(schema: AttrSchema<T>): Codec<Decoded<T>> {
  return tableNest(schema, 0);
}

/** A nested attribute holding a list of the same attribute repeated (types 1, 2, … or all one type). */
export function nestedList<T>(item: Codec<T>, itemType = 0): Codec<T[]> {
  return {
    kind: `list(${item.kind})`,
    put(w, type, v, field) {
      if (!Array.isArray(v)) throw new TypeError(`Expected "${field}" to be an array`);
      const s = w.beginNest(type);
      v.forEach((x, i) => item.put(w, itemType || i + 1, x, `${field}[${i}]`));
      w.endNest(s);
    },
    get(b, off, len, path) {
      const out: T[] = [];
      forEachAttr(b, off, off + len, (_t, o, l) => out.push(item.get(b, o, l, path)), path);
      return out;
    },
  };
}

export { formatMac, formatIPv4, formatIPv6 };
