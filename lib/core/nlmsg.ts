// nlmsghdr framing: iterating the messages of a received chunk, and reading NLMSG_ERROR /
// NLMSG_DONE payloads with their extended-ACK attributes (<linux/netlink.h>).
import { align4, forEachAttr, rd16, rd32, rds32, wr16, wr32 } from './attr.js';
import { DecodeError, type Extack } from './errors.js';
import { describe } from './schema.js';
import { checkInt, checkObject } from './validate.js';
import {
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLM_F_DUMP_INTR,
  NLMSG_HDRLEN,
  NLMSG_MIN_TYPE,
  NLMSGERR_ATTR_MISS_TYPE,
  NLMSGERR_ATTR_MSG,
  NLMSGERR_ATTR_OFFS,
} from './constants.js';

/** One message inside a buffer: header fields plus where its payload lies. */
export interface NlMsg {
  /** nlmsg_type: the message type (RTM_*, NLMSG_ERROR, NLMSG_DONE…). */
  type: number;
  /** nlmsg_flags: NLM_F_* bits. */
  flags: number;
  /** nlmsg_seq: the sequence number of the request it answers (0 for events). */
  seq: number;
  /** nlmsg_pid: the sender's port id (0 for the kernel). */
  pid: number;
  /** Buffer holding the message. */
  buf: Buffer;
  /** Offset of the message's header in buf. */
  start: number;
  /** Payload: buf[off, end). */
  off: number;
  /** End of the payload (exclusive). */
  end: number;
}

/**
 * The nlmsg_len of the message at b[off], checked: at least a header, and no further than the
 * buffer's end (a DecodeError otherwise).
 */
export function messageLength(b: Buffer, off: number): number {
  const total = b.length;
  if (total - off < NLMSG_HDRLEN)
    throw new DecodeError(`${total - off} stray bytes after the messages`, off, ['nlmsghdr']);
  const len = rd32(b, off);
  if (len < NLMSG_HDRLEN || len > total - off) {
    throw new DecodeError(`message length ${len}, ${total - off} bytes remain`, off, ['nlmsghdr']);
  }
  return len;
}

/**
 * Where the run of messages from b[off] that a dump hands on as they are ends: messages of request
 * `seq`, of an object type (≥ NLMSG_MIN_TYPE), without NLM_F_DUMP_INTR. Each length is checked as
 * messageLength does; the end is aligned, and no further than the buffer's end. The message at off
 * must be one of them. count[0] is set to the number of messages in the run.
 */
export function dumpRunEnd(b: Buffer, off: number, seq: number, count: Int32Array): number {
  const total = b.length;
  let o = off;
  let n = 0;
  do {
    o += align4(messageLength(b, o));
    n++;
  } while (
    o < total &&
    total - o >= NLMSG_HDRLEN &&
    rd16(b, o + 4) >= NLMSG_MIN_TYPE &&
    (rd16(b, o + 6) & NLM_F_DUMP_INTR) === 0 &&
    rd32(b, o + 8) === seq
  );
  count[0] = n;
  return o < total ? o : total;
}

/**
 * Calls fn for each message in b. A header whose length is shorter than a header or runs past the
 * buffer is a DecodeError: lengths from the wire are never trusted.
 */
export function forEachMessage(b: Buffer, fn: (m: NlMsg) => void): void {
  let off = 0;
  const total = b.length;
  while (off < total) {
    const len = messageLength(b, off);
    fn(messageAt(b, off, len));
    off += align4(len);
  }
}

/** The message at b[off] whose length messageLength() returned. */
export function messageAt(b: Buffer, off: number, len: number): NlMsg {
  return messageInto(emptyMessage(), b, off, len);
}

/**
 * A message to keep past the callback that was handed it: its bytes copied out of the received
 * chunk (which the engine reuses views of), the offsets made relative to the copy.
 */
export function copyMessage(m: NlMsg): NlMsg {
  const buf = Buffer.from(m.buf.subarray(m.start, m.end));
  return { type: m.type, flags: m.flags, seq: m.seq, pid: m.pid, buf, start: 0, off: m.off - m.start, end: buf.length };
}

/** An NlMsg for no message, to be filled by messageInto (one object reused for many messages). */
export function emptyMessage(): NlMsg {
  return { type: 0, flags: 0, seq: 0, pid: 0, buf: EMPTY, start: 0, off: 0, end: 0 };
}
const EMPTY = Buffer.alloc(0);

/** Fills m with the message at b[off] (as messageAt, without a new object); returns m. */
export function messageInto(m: NlMsg, b: Buffer, off: number, len: number): NlMsg {
  m.type = rd16(b, off + 4);
  m.flags = rd16(b, off + 6);
  m.seq = rd32(b, off + 8);
  m.pid = rd32(b, off + 12);
  m.buf = b;
  m.start = off;
  m.off = off + NLMSG_HDRLEN;
  m.end = off + len;
  return m;
}

/** A reply as `Handle.request()` returns it (RawReply): its type, flags and payload after nlmsghdr. */
export interface ReplyLike {
  /** nlmsg_type of the reply. */
  type: number;
  /** nlmsg_flags of the reply. */
  flags: number;
  /** The payload after nlmsghdr. */
  body: Uint8Array;
}

/**
 * The NlMsg of a raw reply, for the decoders that take one: `decodeLink(replyMessage(r))` for each
 * reply of `h.request({ type: RTM_GETLINK, … })`. The message is a copy with its nlmsghdr written
 * again (nlmsg_seq and nlmsg_pid 0, as h.request() does not keep them).
 */
export function replyMessage(reply: ReplyLike): NlMsg {
  const r = checkObject(reply, 'reply');
  const type = checkInt(r['type'], 'reply.type', 0, 0xffff);
  const flags = checkInt(r['flags'], 'reply.flags', 0, 0xffff);
  const body = r['body'];
  if (!(body instanceof Uint8Array))
    throw new TypeError(`Expected "reply.body" to be a Buffer or Uint8Array, got ${describe(body)}`);
  const len = NLMSG_HDRLEN + body.length;
  const b = Buffer.alloc(len);
  wr32(b, 0, len);
  wr16(b, 4, type);
  wr16(b, 6, flags);
  b.set(body, NLMSG_HDRLEN);
  return messageAt(b, 0, len);
}

/** The payload of NLMSG_ERROR or NLMSG_DONE: error (0 or a negative errno) and the extended ACK. */
export interface AckInfo {
  /** 0 for success, else a negative errno. */
  error: number;
  /** The kernel's extended ACK (NLMSGERR_ATTR_*), where it sent one. */
  extack: Extack | undefined;
}

/** Reads NLMSG_ERROR: struct nlmsgerr { int error; struct nlmsghdr msg; [payload] } then TLVs. */
export function parseError(m: NlMsg): AckInfo {
  const { buf, off, end } = m;
  if (end - off < 4 + NLMSG_HDRLEN)
    throw new DecodeError('NLMSG_ERROR shorter than struct nlmsgerr', off, ['nlmsgerr']);
  const error = rds32(buf, off);
  let tlv = off + 4 + NLMSG_HDRLEN;
  if (!(m.flags & NLM_F_CAPPED) && error !== 0) {
    // The kernel echoed the whole request after the error.
    const echoed = rd32(buf, off + 4);
    tlv = off + 4 + align4(echoed);
  }
  const extack = m.flags & NLM_F_ACK_TLVS && tlv < end ? parseExtack(buf, tlv, end) : undefined;
  return { error, extack };
}

/** Reads NLMSG_DONE: int error, then extended-ACK TLVs when flagged. */
export function parseDone(m: NlMsg): AckInfo {
  const { buf, off, end } = m;
  if (end - off < 4) return { error: 0, extack: undefined };
  const error = rds32(buf, off);
  const extack = m.flags & NLM_F_ACK_TLVS && off + 4 < end ? parseExtack(buf, off + 4, end) : undefined;
  return { error, extack };
}

function parseExtack(b: Buffer, off: number, end: number): Extack | undefined {
  const out: Extack = {};
  let any = false;
  forEachAttr(
    b,
    off,
    end,
    (type, o, l) => {
      if (type === NLMSGERR_ATTR_MSG) {
        let e = o;
        while (e < o + l && b[e] !== 0) e++;
        out.message = b.toString('utf8', o, e);
        any = true;
      } else if (type === NLMSGERR_ATTR_OFFS && l >= 4) {
        out.offset = rd32(b, o);
        any = true;
      } else if (type === NLMSGERR_ATTR_MISS_TYPE && l >= 4) {
        out.missingType = rd32(b, o);
        any = true;
      }
    },
    ['extack'],
  );
  return any ? out : undefined;
}
