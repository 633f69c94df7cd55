// Netlink message and attribute (TLV) writing and bounds-checked reading: our libmnl.
// Host byte order for nlmsghdr and plain integers; big-endian only where a codec says so.
import { endianness } from 'node:os';
import { DecodeError } from './errors.js';
import { NLA_HDRLEN, NLA_F_NESTED, NLA_TYPE_MASK, NLMSG_HDRLEN } from './constants.js';

/** Whether this machine is little-endian: netlink headers and plain integers are in host byte order. */
export const LITTLE_ENDIAN = endianness() === 'LE';

/** `NLA_ALIGN` / `NLMSG_ALIGN`: n rounded up to a multiple of 4. */
export function align4(n: number): number {
  return (n + 3) & ~3;
}

/** Reads a host-order u16 / u32 / s32 (no bounds check: callers check first). */
export const rd16: (b: Buffer, o: number) => number = LITTLE_ENDIAN
  ? (b, o) => b[o]! | (b[o + 1]! << 8)
  : (b, o) => (b[o]! << 8) | b[o + 1]!;
/** Reads a host-order u32 (no bounds check: callers check first). */
export const rd32: (b: Buffer, o: number) => number = LITTLE_ENDIAN
  ? (b, o) => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16)) + b[o + 3]! * 0x1000000
  : (b, o) => b[o]! * 0x1000000 + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);
/** Reads a host-order s32 (no bounds check: callers check first). */
export const rds32: (b: Buffer, o: number) => number = LITTLE_ENDIAN
  ? (b, o) => b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)
  : (b, o) => (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
/** Reads a host-order u64 as a bigint (no bounds check: callers check first). */
export const rd64: (b: Buffer, o: number) => bigint = LITTLE_ENDIAN
  ? (b, o) => b.readBigUInt64LE(o)
  : (b, o) => b.readBigUInt64BE(o);

/**
 * Stores a host-order u16 / u32 byte by byte, without Buffer's range checks and calls (the message
 * and attribute headers of every request go through these; a fresh process runs them before V8 has
 * compiled anything). The offset must be inside b (ensure() first): bytes past its end are dropped
 * without an error, where Buffer's writers threw.
 */
export const wr16: (b: Buffer, o: number, v: number) => void = LITTLE_ENDIAN
  ? (b, o, v) => {
      b[o] = v & 0xff;
      b[o + 1] = (v >>> 8) & 0xff;
    }
  : (b, o, v) => {
      b[o] = (v >>> 8) & 0xff;
      b[o + 1] = v & 0xff;
    };
/** Stores a host-order u32 (v is taken modulo 2^32, as `v >>> 0`); see wr16. */
export const wr32: (b: Buffer, o: number, v: number) => void = LITTLE_ENDIAN
  ? (b, o, v) => {
      b[o] = v & 0xff;
      b[o + 1] = (v >>> 8) & 0xff;
      b[o + 2] = (v >>> 16) & 0xff;
      b[o + 3] = v >>> 24;
    }
  : (b, o, v) => {
      b[o] = v >>> 24;
      b[o + 1] = (v >>> 16) & 0xff;
      b[o + 2] = (v >>> 8) & 0xff;
      b[o + 3] = v & 0xff;
    };

/** Where an attribute written by a schema row begins and ends, for mapping extack offsets to fields. */
export interface TraceEntry {
  /** Offset of the attribute's header in the message. */
  start: number;
  /** Offset just past its payload. */
  end: number;
  /** The caller's field that the row wrote, e.g. 'mode' or 'peer.name'. */
  field: string;
}

/**
 * A growable buffer that netlink messages are written into, many per buffer (a batch for one
 * sendmsg). Integers are host order unless the method says `be`.
 */
export class NlWriter {
  /** The buffer written into; ensure() replaces it with a larger one, so keep offsets, not views of it. */
  buf: Buffer;
  /** The write position: bytes written so far. */
  pos = 0;
  /** Set to an array to record which field each schema row wrote (error reporting only). */
  trace: TraceEntry[] | null = null;

  constructor(size = 16384) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Makes room for n more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Starts a message: writes nlmsghdr with a length patched by endMessage. Returns its start. */
  beginMessage(type: number, flags: number, seq: number, pid = 0): number {
    this.ensure(NLMSG_HDRLEN);
    const b = this.buf;
    const start = this.pos;
    wr32(b, start, 0);
    wr16(b, start + 4, type);
    wr16(b, start + 6, flags);
    wr32(b, start + 8, seq);
    wr32(b, start + 12, pid);
    this.pos = start + NLMSG_HDRLEN;
    return start;
  }

  /** Ends the message begun at start: patches nlmsg_len and pads to 4 bytes. */
  endMessage(start: number): void {
    const end = (this.pos + 3) & ~3;
    if (end !== this.pos) this.zeros(end - this.pos);
    wr32(this.buf, start, end - start);
  }

  // ---- raw (struct) fields, no attribute header ----
  /** Writes a u8. */
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
  }
  /** Writes a host-order u16. */
  u16(v: number): void {
    this.ensure(2);
    wr16(this.buf, this.pos, v);
    this.pos += 2;
  }
  /** Writes a host-order u32. */
  u32(v: number): void {
    this.ensure(4);
    this.put32(this.pos, v);
    this.pos += 4;
  }
  /** Writes a host-order s32. */
  s32(v: number): void {
    this.ensure(4);
    if (LITTLE_ENDIAN) this.buf.writeInt32LE(v, this.pos);
    else this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
  }
  /** Writes a host-order u64. */
  u64(v: bigint): void {
    this.ensure(8);
    if (LITTLE_ENDIAN) this.buf.writeBigUInt64LE(v, this.pos);
    else this.buf.writeBigUInt64BE(v, this.pos);
    this.pos += 8;
  }
  /** Writes a big-endian (network order) u16. */
  be16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v & 0xffff, this.pos);
    this.pos += 2;
  }
  /** Writes a big-endian (network order) u32. */
  be32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
  }
  /** Writes raw bytes. */
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  /** Writes n zero bytes. */
  zeros(n: number): void {
    this.ensure(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
  }
  /** Pads to a 4-byte boundary with zeros. */
  pad(): void {
    const n = align4(this.pos) - this.pos;
    if (n) this.zeros(n);
  }
  /** Overwrites a host-order u32 at an earlier offset (a length, a count). */
  put32(at: number, v: number): void {
    wr32(this.buf, at, v);
  }

  // ---- attributes ----
  /** Starts an attribute whose length endAttr patches; returns its start. */
  beginAttr(type: number): number {
    this.ensure(NLA_HDRLEN);
    const start = this.pos;
    this.u16(0);
    this.u16(type);
    return start;
  }
  /** Ends the attribute begun at start: patches nla_len and pads to 4 bytes. */
  endAttr(start: number): void {
    const len = this.pos - start;
    if (len > 0xffff) throw new RangeError(`netlink attribute too long (${len} bytes)`);
    wr16(this.buf, start, len);
    this.pad();
  }
  /** Starts a nested attribute (its type with NLA_F_NESTED); returns its start, for endNest. */
  beginNest(type: number): number {
    return this.beginAttr(type | NLA_F_NESTED);
  }
  /** Ends the nested attribute begun at start. */
  endNest(start: number): void {
    this.endAttr(start);
  }
  /** Writes a u8 attribute. */
  attrU8(type: number, v: number): void {
    const s = this.beginAttr(type);
    this.u8(v);
    this.endAttr(s);
  }
  /** Writes a host-order u16 attribute. */
  attrU16(type: number, v: number): void {
    const s = this.beginAttr(type);
    this.u16(v);
    this.endAttr(s);
  }
  /** Writes a host-order u32 attribute. */
  attrU32(type: number, v: number): void {
    this.ensure(8);
    const s = this.pos;
    this.u16(8);
    this.u16(type);
    this.put32(this.pos, v);
    this.pos = s + 8;
  }
  /** Writes a host-order s32 attribute. */
  attrS32(type: number, v: number): void {
    const s = this.beginAttr(type);
    this.s32(v);
    this.endAttr(s);
  }
  /** Writes a host-order u64 attribute. */
  attrU64(type: number, v: bigint): void {
    const s = this.beginAttr(type);
    this.u64(v);
    this.endAttr(s);
  }
  /** Writes an attribute with raw bytes as payload. */
  attrBytes(type: number, b: Uint8Array): void {
    const s = this.beginAttr(type);
    this.bytes(b);
    this.endAttr(s);
  }
  /** A NUL-terminated string attribute (NLA_NUL_STRING / NLA_STRING as iproute2 sends it). */
  attrString(type: number, v: string): void {
    const s = this.beginAttr(type);
    const n = Buffer.byteLength(v);
    this.ensure(n + 1);
    this.buf.write(v, this.pos, 'utf8');
    this.pos += n;
    this.buf[this.pos++] = 0;
    this.endAttr(s);
  }
  /** Writes a zero-length (flag) attribute. */
  attrFlag(type: number): void {
    this.attrU16Hdr(type);
  }
  private attrU16Hdr(type: number): void {
    this.u16(NLA_HDRLEN);
    this.u16(type);
  }

  /** A copy of everything written so far; the writer is then empty again. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return out;
  }
}

/**
 * Calls fn(type, off, len) for each attribute in b[off, end): off is where the payload starts,
 * len its length. Checks every length against the bounds; the type has NLA_F_NESTED and
 * NLA_F_NET_BYTEORDER cleared.
 */
export function forEachAttr(
  b: Buffer,
  off: number,
  end: number,
  fn: (type: number, off: number, len: number) => void,
  path: readonly string[] = [],
): void {
  if (end > b.length) throw new DecodeError(`attributes end at ${end}, past the buffer (${b.length})`, off, path);
  while (off < end) {
    if (end - off < NLA_HDRLEN) throw new DecodeError(`${end - off} stray bytes after the attributes`, off, path);
    const len = rd16(b, off);
    const type = rd16(b, off + 2) & NLA_TYPE_MASK;
    if (len < NLA_HDRLEN || off + len > end) {
      throw new DecodeError(`attribute type ${type} has length ${len}, ${end - off} bytes remain`, off, path);
    }
    fn(type, off + NLA_HDRLEN, len - NLA_HDRLEN);
    off += align4(len);
  }
}

/** The attributes of b[off, end) as a sparse array indexed by type: [payloadOff, payloadLen]. */
export function attrTable(
  b: Buffer,
  off: number,
  end: number,
  path: readonly string[] = [],
): Array<[number, number] | undefined> {
  const t: Array<[number, number] | undefined> = [];
  forEachAttr(
    b,
    off,
    end,
    (type, o, l) => {
      t[type] = [o, l];
    },
    path,
  );
  return t;
}
