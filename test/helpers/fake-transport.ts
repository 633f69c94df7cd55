// A scripted stand-in for the native socket (lib/transport.ts), injected through Handle's
// TransportFactory, so the request engine can be tested without root: it records every
// sendmsg buffer and lets a test deliver reply chunks, receive errors and send failures
// (serialport's injected fsReadAsync, in spirit). Message builders write the kernel's replies.
import type { Test } from 'tap';
import { Handle, type OpenOptions } from '../../lib/handle.js';
import type { Receiver, Transport } from '../../lib/core/transport.js';
import { forEachMessage, type NlMsg } from '../../lib/core/nlmsg.js';
import {
  NLM_F_ACK,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLM_F_DUMP,
  NLM_F_MULTI,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSGERR_ATTR_MSG,
  NLMSGERR_ATTR_OFFS,
  RTM_GETLINK,
} from '../../lib/core/constants.js';

/** One message found in a sent buffer. */
export interface SentMsg {
  type: number;
  flags: number;
  seq: number;
  /** The whole message, header included (extack offsets count from its start). */
  msg: Buffer;
  /** The payload after nlmsghdr. */
  payload: Buffer;
  /** The sendId of the buffer it left in. */
  sendId: number;
}

/** The first message of a buffer (a captured request or a built reply), as the decoders take it. */
export function msgOf(b: Buffer): NlMsg {
  let m: NlMsg | undefined;
  forEachMessage(b, (x) => (m ??= x));
  if (!m) throw new Error('no message');
  return m;
}

/** A copy of a message with nlmsg_seq and nlmsg_pid zeroed, as the fixture captures store them. */
export function zeroSeq(msg: Buffer): Buffer {
  const b = Buffer.from(msg);
  b.fill(0, 8, 16);
  return b;
}

/** Splits a buffer of whole netlink messages (host order = little-endian here). */
export function splitMessages(buf: Buffer, sendId = 0): SentMsg[] {
  const out: SentMsg[] = [];
  for (let off = 0; off < buf.length;) {
    const len = buf.readUInt32LE(off);
    if (len < 16 || off + len > buf.length) throw new Error(`bad nlmsg_len ${len} at ${off}`);
    const msg = buf.subarray(off, off + len);
    out.push({
      type: msg.readUInt16LE(4),
      flags: msg.readUInt16LE(6),
      seq: msg.readUInt32LE(8),
      msg,
      payload: msg.subarray(16),
      sendId,
    });
    off += (len + 3) & ~3;
  }
  return out;
}

export class FakeTransport implements Transport {
  /** Every buffer passed to send(), in order, with its id. */
  readonly sends: { id: number; buf: Buffer }[] = [];
  /** ref() calls, in order. */
  readonly refs: boolean[] = [];
  /** pause() calls, in order (the native transport stops reading the socket while paused). */
  readonly pauses: boolean[] = [];
  closed = false;
  closeCalls = 0;
  private nextId = 1;
  /** Reads a device index at once, as the native transport's SIOCGIFINDEX does (unset: cannot). */
  ifIndex?: (name: string) => number;

  /** Sets ifIndex to answer with `index`; returns the names it is then asked, in order. */
  readsIndexes(index: (name: string) => number): string[] {
    const asked: string[] = [];
    this.ifIndex = (name) => {
      asked.push(name);
      return index(name);
    };
    return asked;
  }
  /** Reads a device name at once, as the native transport's SIOCGIFNAME does (unset: cannot). */
  ifName?: (index: number) => string | undefined;

  /** Sets ifName to answer with `name`; returns the indexes it is then asked, in order. */
  readsNames(name: (index: number) => string | undefined): number[] {
    const asked: number[] = [];
    this.ifName = (index) => {
      asked.push(index);
      return name(index);
    };
    return asked;
  }
  /** Called on each send (after it is recorded); may answer with deliver() etc. */
  onSend: ((msgs: SentMsg[], id: number) => void) | undefined;

  constructor(readonly receive: Receiver) {}

  send(buf: Buffer): number {
    if (this.closed) throw new Error('FakeTransport: send after close');
    const id = this.nextId++;
    const copy = Buffer.from(buf);
    this.sends.push({ id, buf: copy });
    this.onSend?.(splitMessages(copy, id), id);
    return id;
  }

  ref(on: boolean): void {
    this.refs.push(on);
  }

  pause(on: boolean): void {
    this.pauses.push(on);
  }

  /** Whether reading is paused now. */
  get paused(): boolean {
    return this.pauses.at(-1) ?? false;
  }

  /** The receive buffer to report (0: none, the engine keeps its window). */
  static rcvbufBytes = 0;

  rcvbuf(): number {
    return FakeTransport.rcvbufBytes;
  }

  close(): void {
    this.closeCalls++;
    this.closed = true;
  }

  get refd(): boolean {
    return this.refs.at(-1) ?? false;
  }

  /** Every message sent so far. */
  get sent(): SentMsg[] {
    return this.sends.flatMap((s) => splitMessages(s.buf, s.id));
  }

  /** Delivers a chunk (one or more messages) as the I/O thread would. */
  deliver(...msgs: Buffer[]): void {
    this.receive(Buffer.concat(msgs), 0, 0);
  }

  /** A receive error, e.g. ENOBUFS (105). */
  fail(errno: number): void {
    this.receive(null, errno, 0);
  }

  /** sendmsg of buffer `sendId` failed. */
  failSend(sendId: number, errno: number): void {
    this.receive(null, errno, sendId);
  }
}

/** A Handle over a FakeTransport (opened at once, as open() would). */
export function fakeHandle(opts: OpenOptions = {}): { h: Handle; fake: FakeTransport; factoryCalls: () => number } {
  let fake: FakeTransport | undefined;
  let calls = 0;
  const h = new Handle(opts, false, (receive) => {
    calls++;
    fake = new FakeTransport(receive);
    return fake;
  });
  if (!fake) throw new Error('the factory was not called');
  return { h, fake, factoryCalls: () => calls };
}

/**
 * Checks that `call` fails with ENODEV naming `field` after asking for the device name with one
 * RTM_GETLINK get, not a link dump: how a name the socket does not know is looked up (linkIndex).
 */
export async function rejectsUnknownName(
  t: Test,
  fake: FakeTransport,
  call: Promise<unknown>,
  field: string,
): Promise<void> {
  await t.rejects(call, { code: 'ENODEV', field });
  t.equal(fake.sent.at(-1)!.type, RTM_GETLINK);
  t.equal(fake.sent.at(-1)!.flags & NLM_F_DUMP, 0, 'a get of the name, not a dump');
}

/** Lets setImmediate callbacks (the engine's flush) run. */
export function turn(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

// ---- reply builders (host order, little-endian) ----

/** A netlink message: nlmsghdr + payload (padded to 4). */
export function nlmsg(type: number, flags: number, seq: number, payload: Buffer = Buffer.alloc(0), pid = 0): Buffer {
  const len = 16 + payload.length;
  const b = Buffer.alloc((len + 3) & ~3);
  b.writeUInt32LE(len, 0);
  b.writeUInt16LE(type, 4);
  b.writeUInt16LE(flags, 6);
  b.writeUInt32LE(seq, 8);
  b.writeUInt32LE(pid, 12);
  payload.copy(b, 16);
  return b;
}

/** One attribute (header + payload, padded). */
export function nla(type: number, payload: Buffer): Buffer {
  const len = 4 + payload.length;
  const b = Buffer.alloc((len + 3) & ~3);
  b.writeUInt16LE(len, 0);
  b.writeUInt16LE(type, 2);
  payload.copy(b, 4);
  return b;
}

export function u32le(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b;
}

export function cstr(s: string): Buffer {
  return Buffer.concat([Buffer.from(s), Buffer.alloc(1)]);
}

export interface AckOpts {
  /** NLMSGERR_ATTR_MSG */
  msg?: string;
  /** NLMSGERR_ATTR_OFFS */
  offset?: number;
  /** The request to echo (the kernel does unless NETLINK_CAP_ACK): its whole message. */
  echo?: Buffer;
}

/** NLMSG_ERROR for seq: error 0 (ACK) or a negative errno, with extended-ACK TLVs. */
export function ack(seq: number, error = 0, o: AckOpts = {}): Buffer {
  const err = Buffer.alloc(4);
  err.writeInt32LE(error);
  const tlvs: Buffer[] = [];
  if (o.msg !== undefined) tlvs.push(nla(NLMSGERR_ATTR_MSG, cstr(o.msg)));
  if (o.offset !== undefined) tlvs.push(nla(NLMSGERR_ATTR_OFFS, u32le(o.offset)));
  let flags = tlvs.length ? NLM_F_ACK_TLVS : 0;
  let inner: Buffer;
  if (o.echo) {
    inner = Buffer.from(o.echo);
    if (inner.length % 4) inner = Buffer.concat([inner, Buffer.alloc(4 - (inner.length % 4))]);
  } else {
    inner = nlmsg(0, 0, seq).subarray(0, 16);
    inner.writeUInt32LE(16, 0);
    flags |= NLM_F_CAPPED;
  }
  return nlmsg(NLMSG_ERROR, flags, seq, Buffer.concat([err, inner, ...tlvs]));
}

/**
 * The kernel's answers to sent messages, as netlink_rcv_skb gives them: in order, an error for
 * each message `errnoOf` fails (whatever its flags), an ACK for each other one sent with NLM_F_ACK,
 * nothing for the rest.
 */
export function kernelAnswers(msgs: SentMsg[], errnoOf: (m: SentMsg) => number = () => 0): Buffer[] {
  const out: Buffer[] = [];
  for (const m of msgs) {
    const errno = errnoOf(m);
    if (errno !== 0) out.push(ack(m.seq, -errno));
    else if (m.flags & NLM_F_ACK) out.push(ack(m.seq));
  }
  return out;
}

/** NLMSG_DONE ending a dump (extra flags, e.g. NLM_F_DUMP_INTR; error ≤ 0). */
export function done(seq: number, flags = 0, error = 0): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(error);
  return nlmsg(NLMSG_DONE, NLM_F_MULTI | flags, seq, b);
}

/** struct ifinfomsg + IFLA_IFNAME (+ IFLA_MTU): the smallest RTM_NEWLINK a decoder accepts. */
export function linkPayload(index: number, name: string, mtu = 1500): Buffer {
  const hdr = Buffer.alloc(16);
  hdr.writeInt32LE(index, 4);
  return Buffer.concat([hdr, nla(3, cstr(name)), nla(4, u32le(mtu))]);
}
