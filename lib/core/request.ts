// The request engine: sequence numbers, pipelining (requests issued in one event-loop turn leave
// together, up to 1,024 per sendmsg, within a window of messages awaiting their ACK that the
// receive buffer can hold), replies matched by sequence (a Pending per submit(), a ring slot per
// post(); of a sendmsg's post()ed messages only the last asks for an ACK, see seal()), dumps one
// at a time per socket (the kernel answers a second with EBUSY) and retried on
// NLM_F_DUMP_INTR, NLMSG_ERROR turned into NetlinkError with the extended ACK.
import { AbortWatch } from './abort-watch.js';
import { AckRing, RING_MAX, type AckOwner } from './ack-ring.js';
import { align4, NlWriter, rd16, rd32, rds32, wr16 } from './attr.js';
import {
  NLM_F_ACK,
  NLM_F_DUMP,
  NLM_F_DUMP_INTR,
  NLM_F_REQUEST,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_HDRLEN,
  NLMSG_MIN_TYPE,
  NLMSG_NOOP,
  NLMSG_OVERRUN,
  rtmName,
} from './constants.js';
import { abortError, DumpInterruptedError, HandleClosedError, type Extack, type NetlinkError } from './errors.js';
import { dumpRunEnd, forEachMessage, messageAt, messageLength, parseDone, parseError, type NlMsg } from './nlmsg.js';
import { overrunError, requestError } from './request-error.js';
import type { Transport, TransportFactory } from './transport.js';

/** What the caller was doing, for error messages, and how to cancel it. */
export interface RequestContext {
  /** e.g. `link.add bond0 (type bond)`; prefixes the error message. Defaults to the op name. */
  subject?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Extra words for an error, e.g. which driver is missing. */
  hint?: ((errno: number, extack: Extack | undefined) => string | undefined) | undefined;
}

/** Callbacks of one submitted message; the low-level interface under request(), dump() and bulk. */
export interface Submission {
  /** A reply message (for a dump: each object). May throw to fail the submission. */
  onMessage?: ((m: NlMsg) => void) | undefined;
  /**
   * For dumps, instead of onMessage for the objects: a run of them as it lies in the received
   * chunk, [off, end) whole messages (headers included, each length checked against the chunk),
   * `count` consecutive object messages of this dump without NLM_F_DUMP_INTR; usually all of a
   * chunk's. No object per message, and one call per run, so a dump of a million routes costs the
   * engine a few hundred calls. The kernel's DONE, errors and NLM_F_DUMP_INTR are the engine's, as
   * with onMessage; a throw fails the dump as onMessage's does.
   */
  onDumpRun?: ((buf: Buffer, off: number, end: number, count: number) => void) | undefined;
  /** Called once: null on ACK / NLMSG_DONE, else the error. What it throws becomes an uncaught exception. */
  onDone(err: Error | null): void;
  /** For dumps: called before a retry after NLM_F_DUMP_INTR, to forget what was collected. */
  onRestart?(): void;
}

interface Pending {
  seq: number;
  type: number;
  flags: number;
  body: (w: NlWriter) => void;
  ctx: RequestContext | undefined;
  sub: Submission;
  dump: boolean;
  intr: boolean;
  attempts: number;
  sendId: number;
  abort?: (() => void) | undefined;
  /** A sent dump its caller has already been answered for, kept until NLMSG_DONE (see detachDump). */
  detached?: boolean;
}

interface Batch {
  buf: Buffer;
  count: number;
  first: number;
  last: number;
}

export interface EngineOptions {
  /**
   * Most messages sent and not yet answered (default 131,072). It is lowered to what the socket's
   * receive buffer can hold the ACKs of (rcvbuf ÷ 2 KiB), so a small buffer (no CAP_NET_ADMIN for
   * SO_RCVBUFFORCE, or a small `rcvbuf`) slows requests down instead of losing their ACKs.
   */
  window?: number | undefined;
  /** Most bytes per sendmsg (must stay under the socket's send buffer). */
  batchBytes?: number | undefined;
  /** How often a dump interrupted by concurrent changes is retried. */
  dumpRetries?: number | undefined;
}

/**
 * Receive-buffer bytes counted per message awaiting its answer: an ACK takes 832 bytes of the
 * buffer (its skb's truesize, measured on Linux 6.18 with NETLINK_CAP_ACK), an error with its
 * extended ACK somewhat more. The window never exceeds rcvbuf / ACK_BUDGET, so the answers of every
 * message in flight fit even when JavaScript reads none of them meanwhile (else the kernel drops
 * them: ENOBUFS), whether each gets an ACK or all fail (route requests ask one ACK per sendmsg).
 */
const ACK_BUDGET = 2048;
/**
 * The default window: a caller issuing 100,000 calls in one synchronous loop keeps the kernel busy
 * meanwhile (the socket's thread sends and gathers their ACKs while JavaScript cannot read them).
 * open()'s default receive buffer of 128 MiB, read back as 256 MiB, holds its ACKs.
 */
const WINDOW = 131072;
/** Most messages per sendmsg (also bounded by batchBytes and half the window). */
const BATCH_MESSAGES = 1024;

/** EngineOptions and what only tests set. */
export interface EngineTuning extends EngineOptions {
  /** Most ring slots for post() before it falls back to a Pending per message (a power of two). */
  ringMax?: number;
}

/** Device names by index, each read once (ifNamesNow). */
export class IfNames {
  private readonly known = new Map<number, string | undefined>();
  private lastIndex = 0;
  private lastName: string | undefined;

  constructor(private readonly read: (index: number) => string | undefined) {}

  get(index: number): string | undefined {
    if (index === this.lastIndex) return this.lastName;
    let name = this.known.get(index);
    if (name === undefined && !this.known.has(index)) {
      name = index > 0 ? this.read(index) : undefined;
      this.known.set(index, name);
    }
    this.lastIndex = index;
    this.lastName = name;
    return name;
  }
}

export class Engine {
  private transport: Transport | undefined;
  private closed = false;
  private seq = (Math.random() * 0x7fffffff) >>> 0;
  private readonly pending = new Map<number, Pending>();
  private readonly w: NlWriter;
  private wCount = 0;
  private wFirst = 0;
  /** The last post()ed message in the writer (its seq; 0: none), and where it starts. */
  private wPostLast = 0;
  private wPostLastAt = 0;
  private readonly sealed: Batch[] = [];
  private readonly sentRanges = new Map<number, [number, number]>();
  /** Seqs of aborted messages not yet sent (flush neuters them). */
  private readonly cancelled = new Set<number>();
  private inFlight = 0;
  private flushScheduled = false;
  private dumpActive: Pending | undefined;
  /** The active dump's consumer holds enough (holdReading): read no more while nothing else waits. */
  private dumpHeld = false;
  /** The transport was asked to stop reading (transport.pause). */
  private readPaused = false;
  private readonly dumpQueue: Pending[] = [];
  /** The requests waiting on each abort signal. */
  private readonly aborts = new AbortWatch<Pending>((p, signal) => this.abortPending(p, signal));
  private refd = false;
  /** The post()ed messages awaiting their ACK. */
  private readonly ring: AckRing;
  /** How many messages the last dumpRunEnd() found. */
  private readonly runCount = new Int32Array(1);
  private requestedWindow: number;
  private effectiveWindow: number;
  readonly batchBytes: number;
  readonly dumpRetries: number;
  /**
   * Most messages per sendmsg: BATCH_MESSAGES, and at most half the window, so that one batch can be
   * in the kernel while the next waits behind it (a batch the window cannot take waits for every
   * ACK before it).
   */
  private batchMessages = BATCH_MESSAGES;

  constructor(
    private readonly connect: TransportFactory,
    opts: EngineTuning = {},
  ) {
    this.ring = new AckRing(opts.ringMax ?? RING_MAX);
    this.requestedWindow = opts.window ?? WINDOW;
    this.effectiveWindow = this.requestedWindow;
    this.fitWindow(undefined);
    this.batchBytes = opts.batchBytes ?? 256 * 1024;
    this.dumpRetries = opts.dumpRetries ?? 10;
    this.w = new NlWriter(Math.min(this.batchBytes * 2, 1 << 20));
  }

  /** Opens the transport now (open() does, so a bad namespace throws at once). */
  ensureOpen(): void {
    if (this.closed) throw new HandleClosedError();
    if (this.transport) return;
    const t = this.connect((c, e, s) => this.receive(c, e, s));
    this.transport = t;
    this.fitWindow(t.rcvbuf?.());
  }

  /**
   * Most messages sent and not yet answered: the `window` option, lowered to what the socket's
   * receive buffer holds the ACKs of.
   */
  get window(): number {
    return this.effectiveWindow;
  }

  /** Sets the window from the option and the receive buffer (bytes, when the transport tells). */
  private fitWindow(rcvbuf: number | undefined): void {
    let w = this.requestedWindow;
    if (rcvbuf !== undefined && rcvbuf > 0) w = Math.min(w, Math.max(1, Math.floor(rcvbuf / ACK_BUDGET)));
    this.effectiveWindow = w;
    this.batchMessages = Math.max(1, Math.min(BATCH_MESSAGES, w >> 1));
  }

  /**
   * The index of the device named `name` in the socket's namespace, read at once where the transport
   * can (the native one asks the kernel with SIOCGIFINDEX); 0 if there is no such device or the
   * transport cannot tell (an RTM_GETLINK then answers).
   */
  ifIndexNow(name: string): number {
    try {
      this.ensureOpen();
      return this.transport?.ifIndex?.(name) ?? 0;
    } catch {
      return 0; // closed, or the kernel refused: the request path says why
    }
  }

  /**
   * Device names read from the kernel as they are asked for, where the transport can (the native
   * one with SIOCGIFNAME), each index once (a name the kernel does not know, or could not give, is
   * undefined): for a dump's decoder, instead of a link dump before the dump. Undefined where the
   * transport cannot (a link dump then answers).
   */
  ifNamesNow(): IfNames | undefined {
    try {
      this.ensureOpen();
    } catch {
      return undefined; // the request path says why
    }
    const t = this.transport;
    if (!t?.ifName) return undefined;
    const read = (index: number): string | undefined => {
      try {
        return t.ifName!(index);
      } catch {
        return undefined; // the handle closed meanwhile, or the kernel refused: leave it unnamed
      }
    };
    return new IfNames(read);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Messages submitted and not yet answered. */
  get pendingCount(): number {
    return this.pending.size + this.ring.live + this.dumpQueue.length;
  }

  /**
   * Submits one request answered by an ACK or an error, without allocating: the engine keeps
   * (owner, arg, tag) in a ring indexed by sequence number and calls owner.settle(arg, tag, err)
   * when its answer comes. owner.write(w, arg) writes the payload now; if it throws, nothing is
   * sent and the error propagates. NLM_F_REQUEST is set, and NLM_F_ACK on the last post()ed
   * message of each sendmsg only (seal()): the others are answered by the kernel only if they
   * fail. For a request with an AbortSignal, use submit().
   */
  post<A>(type: number, flags: number, owner: AckOwner<A>, arg: A, tag: number): void {
    if (this.closed) throw new HandleClosedError();
    flags |= NLM_F_REQUEST;
    const next = (this.seq + 1) >>> 0 || 1;
    if (!this.ring.free(next)) {
      // The ring is at its largest and the slot is taken: this message gets a Pending of its own.
      this.submit(
        type,
        flags,
        (w) => owner.write(w, arg),
        {
          onDone: (err) => owner.settle(arg, tag, err),
        },
        owner.context(arg, tag),
      );
      return;
    }
    if (!this.transport) this.ensureOpen();
    const w = this.w;
    const start = w.beginMessage(type, flags, next);
    try {
      owner.write(w, arg);
    } catch (e) {
      w.pos = start;
      throw e;
    }
    w.endMessage(start);
    this.seq = next;
    if (this.wCount === 0) this.wFirst = next;
    this.wCount++;
    this.wPostLast = next;
    this.wPostLastAt = start;
    this.ring.put(next, type, tag, owner, arg);
    this.inFlight++;
    if (this.dumpHeld) this.syncPause();
    if (w.pos >= this.batchBytes || this.wCount >= this.batchMessages) this.sealAndSend();
    if (!this.refd) this.updateRef();
    if (!this.flushScheduled) this.scheduleFlush();
  }

  /**
   * Settles the post()ed message seq in ring slot i with its answer. An answer to the last
   * post()ed message of a sendmsg settles first the batch's earlier post()ed messages still
   * waiting: the kernel handles a sendmsg's messages in order and answers each that fails
   * whatever its flags (netlink_rcv_skb), so their errors came before; those without one
   * succeeded. A lost answer cannot pass for success: the kernel then reports ENOBUFS, which
   * fails everything sent (receive()).
   */
  private settleAnswered(i: number, seq: number, err: Error | null): void {
    const r = this.ring;
    const covered = r.cover[i]!;
    if (covered !== 0) {
      r.cover[i] = 0;
      // Settling may post more and grow the ring: each is looked up by seq.
      for (let k = covered; k > 0; k--) {
        const j = r.slot((seq - k) >>> 0);
        if (j >= 0) this.settleSlot(j, null);
      }
      i = r.slot(seq);
      if (i < 0) return;
    }
    this.settleSlot(i, err);
  }

  /** Settles the post()ed message in ring slot i. */
  private settleSlot(i: number, err: Error | null): void {
    const r = this.ring;
    const owner = r.owner[i]!;
    const arg = r.arg[i];
    const tag = r.tag[i]!;
    r.clear(i);
    this.inFlight--;
    if (this.inFlight === 0) this.sentRanges.clear();
    if (this.dumpHeld) this.syncPause();
    if (r.live === 0 && this.pending.size === 0) this.updateRef();
    if (this.sealed.length && !this.flushScheduled) this.scheduleFlush();
    callSettle(owner, arg, tag, err);
  }

  /** The NetlinkError for the post()ed message in ring slot i. */
  private slotError(i: number, errno: number, extack: Extack | undefined): NetlinkError {
    const r = this.ring;
    const owner = r.owner[i]!;
    const arg = r.arg[i];
    return requestError(errno, r.type[i]!, r.context(i), (w) => owner.write(w, arg), extack);
  }

  /**
   * Submits one message. NLM_F_REQUEST is always set; NLM_F_ACK for everything but dumps.
   * body writes the payload after nlmsghdr (it may throw: nothing is then sent).
   */
  submit(type: number, flags: number, body: (w: NlWriter) => void, sub: Submission, ctx?: RequestContext): void {
    if (this.closed) throw new HandleClosedError();
    // The kernel dumps an RTM_GET* ((type - RTM_BASE) % 4 == 2) with either NLM_F_DUMP bit
    // (rtnetlink_rcv_msg); on RTM_NEW* the same bits mean NLM_F_REPLACE|NLM_F_EXCL.
    const dump = (flags & NLM_F_DUMP) !== 0 && type >= 16 && (type & 3) === 2;
    flags |= NLM_F_REQUEST | (dump ? 0 : NLM_F_ACK);
    const p: Pending = { seq: 0, type, flags, body, ctx, sub, dump, intr: false, attempts: 0, sendId: 0 };
    const signal = ctx?.signal;
    if (signal) {
      if (signal.aborted) throw abortError(signal);
      p.abort = this.aborts.watch(p, signal);
    }
    try {
      if (dump && this.dumpActive) {
        this.validate(p);
        this.dumpQueue.push(p);
        if (this.dumpHeld) this.syncPause();
        this.updateRef();
        return;
      }
      this.enqueue(p);
    } catch (e) {
      p.abort?.();
      throw e;
    }
  }

  /** Encodes p into the current batch; a throwing body leaves nothing behind. */
  private encode(p: Pending): void {
    this.ensureOpen();
    const w = this.w;
    const seq = (this.seq = (this.seq + 1) >>> 0 || 1);
    const start = w.beginMessage(p.type, p.flags, seq);
    try {
      p.body(w);
    } catch (e) {
      w.pos = start;
      this.seq = (seq - 1) >>> 0;
      throw e;
    }
    w.endMessage(start);
    p.seq = seq;
    if (this.wCount === 0) this.wFirst = seq;
    this.wCount++;
  }

  private validate(p: Pending): void {
    // Encode once into a scratch writer so bad input throws now, not when the dump's turn comes.
    const w = new NlWriter(256);
    w.beginMessage(p.type, p.flags, 0);
    p.body(w);
  }

  private enqueue(p: Pending): void {
    this.encode(p);
    this.pending.set(p.seq, p);
    if (p.dump) this.dumpActive = p;
    this.inFlight++;
    if (this.dumpHeld) this.syncPause();
    if (this.w.pos >= this.batchBytes || this.wCount >= this.batchMessages) this.sealAndSend();
    this.updateRef();
    this.scheduleFlush();
  }

  /**
   * Closes the writer's batch. Its last post()ed message asks for an ACK; its earlier ones do not,
   * and their answer is that one's (settleAnswered): the kernel then builds one ACK per sendmsg
   * instead of one per message, which is most of its cost per route after the route itself.
   */
  private seal(): void {
    if (this.wCount === 0) return;
    if (this.wPostLast !== 0) {
      const at = this.wPostLastAt + 6;
      const buf = this.w.buf;
      wr16(buf, at, rd16(buf, at) | NLM_F_ACK);
      const i = this.ring.slot(this.wPostLast);
      // From the batch's first message: its submit()ed ones have no ring slot, and are passed over.
      if (i >= 0) this.ring.cover[i] = (this.wPostLast - this.wFirst) >>> 0;
      this.wPostLast = 0;
    }
    this.sealed.push({ buf: this.w.take(), count: this.wCount, first: this.wFirst, last: this.seq });
    this.wCount = 0;
  }

  /**
   * A full batch leaves at once (as far as the window allows), not at the end of the turn: a caller
   * issuing many thousands of requests in one synchronous loop keeps the kernel working meanwhile.
   */
  private sealAndSend(): void {
    this.seal();
    this.flush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /** Sends what is queued, as far as the window allows. Called on its own at the end of each turn. */
  flush(): void {
    if (this.closed || !this.transport) return;
    this.seal();
    let unsent = 0;
    for (const b of this.sealed) unsent += b.count;
    let sentOut = this.inFlight - unsent;
    while (this.sealed.length > 0) {
      const b = this.sealed[0]!;
      if (sentOut > 0 && sentOut + b.count > this.window) break;
      this.sealed.shift();
      if (this.cancelled.size) this.neuter(b.buf);
      const id = this.transport.send(b.buf);
      this.sentRanges.set(id, [b.first, b.last]);
      sentOut += b.count;
    }
  }

  /**
   * Turns the aborted messages of an unsent buffer into NLMSG_NOOP without NLM_F_ACK, which the
   * kernel skips without a reply (netlink_rcv_skb): an aborted request never takes effect.
   */
  private neuter(buf: Buffer): void {
    forEachMessage(buf, (m) => {
      if (!this.cancelled.delete(m.seq)) return;
      const flags = m.flags & ~NLM_F_ACK;
      wr16(buf, m.start + 4, NLMSG_NOOP);
      wr16(buf, m.start + 6, flags);
    });
  }

  /** Whether message seq is still in the writer or a sealed batch. */
  private unsent(seq: number): boolean {
    if (this.wCount > 0 && inRange(seq, this.wFirst, this.seq)) return true;
    return this.sealed.some((b) => inRange(seq, b.first, b.last));
  }

  /**
   * Keeps the event loop alive while replies are awaited — not while reading is paused: then only
   * the held dump waits, and only its consumer can resume it (one that dropped its iterator
   * without return() must not keep the process alive).
   */
  private updateRef(): void {
    const want = !this.readPaused && this.pending.size + this.ring.live + this.dumpQueue.length > 0;
    if (want !== this.refd && this.transport) {
      this.refd = want;
      this.transport.ref(want);
    }
  }

  private finish(p: Pending, err: Error | null): void {
    if (this.pending.get(p.seq) !== p) return;
    this.pending.delete(p.seq);
    this.inFlight--;
    p.abort?.();
    if (p.dump && this.dumpActive === p) this.startNextDump();
    if (this.dumpHeld) this.syncPause();
    if (this.inFlight === 0) this.sentRanges.clear();
    this.updateRef();
    if (this.sealed.length) this.scheduleFlush();
    callDone(p.sub, err);
  }

  /** The active dump ended: the next queued one (if any) goes out. */
  private startNextDump(): void {
    this.dumpActive = undefined;
    this.dropHold();
    for (let next = this.dumpQueue.shift(); next; next = this.dumpQueue.shift()) {
      try {
        this.enqueue(next);
        return;
      } catch (e) {
        next.abort?.();
        callDone(next.sub, e as Error);
      }
    }
  }

  private abortPending(p: Pending, signal: AbortSignal): void {
    const qi = this.dumpQueue.indexOf(p);
    if (qi >= 0) {
      this.dumpQueue.splice(qi, 1);
      if (this.dumpHeld) this.syncPause();
      this.updateRef();
      callDone(p.sub, abortError(signal));
      return;
    }
    if (this.pending.get(p.seq) !== p) return;
    if (this.unsent(p.seq)) this.cancelled.add(p.seq);
    else if (p.dump) return this.detachDump(p, abortError(signal));
    this.finish(p, abortError(signal));
  }

  /**
   * Answers the caller of a sent dump now, but keeps its seq and the socket's dump slot until the
   * kernel's NLMSG_DONE: the kernel runs a dump to its end and answers another one meanwhile with
   * EBUSY (netlink_dump_start), so the next queued dump must wait for it.
   */
  private detachDump(p: Pending, err: Error): void {
    const sub = p.sub;
    p.sub = { onDone: () => undefined };
    p.detached = true;
    p.abort?.();
    p.abort = undefined;
    if (this.dumpActive === p) this.dropHold();
    callDone(sub, err);
  }

  private error(p: Pending, errno: number, extack: Extack | undefined): NetlinkError {
    return requestError(errno, p.type, p.ctx, p.body, extack);
  }

  private receive(chunk: Buffer | null, errno: number, sendId: number): void {
    if (this.closed) return;
    if (!chunk) {
      if (sendId) {
        const range = this.sentRanges.get(sendId);
        if (!range) return;
        for (const p of [...this.pending.values()]) {
          if (inRange(p.seq, range[0], range[1])) this.finish(p, this.error(p, errno, undefined));
        }
        for (const seq of this.ring.liveSeqs()) {
          const i = this.ring.slot(seq);
          if (i >= 0 && inRange(seq, range[0], range[1])) this.settleSlot(i, this.slotError(i, errno, undefined));
        }
      } else {
        // ENOBUFS: the kernel dropped replies; what was sent and pending can no longer be matched
        // (what is not sent yet lost nothing: it goes out as the window frees).
        // A dump's own replies are paced by the kernel, never dropped: it still ends with DONE.
        for (const p of [...this.pending.values()]) {
          if (p.detached || this.unsent(p.seq)) continue;
          const err = overrunError(errno, p.type, p.ctx);
          if (p.dump) this.detachDump(p, err);
          else this.finish(p, err);
        }
        for (const seq of this.ring.liveSeqs()) {
          const i = this.ring.slot(seq);
          if (i < 0 || this.unsent(seq)) continue;
          this.settleSlot(i, overrunError(errno, this.ring.type[i]!, this.ring.context(i)));
        }
      }
      return;
    }
    try {
      this.receiveChunk(chunk);
    } catch (e) {
      // A chunk that cannot be read may have held any sent request's reply (not an unsent one's).
      for (const p of [...this.pending.values()]) if (!this.unsent(p.seq)) this.finish(p, e as Error);
      for (const seq of this.ring.liveSeqs()) {
        const i = this.ring.slot(seq);
        if (i >= 0 && !this.unsent(seq)) this.settleSlot(i, e as Error);
      }
    }
  }

  /**
   * Walks the messages of a chunk (lengths checked by messageLength). A plain ACK
   * (NLMSG_ERROR with error 0) completes its request without allocating: bulk requests are
   * mostly that. A dump with an onDumpRun gets its objects as runs of consecutive messages (found
   * by dumpRunEnd), also without an object; anything else goes through dispatch.
   */
  private receiveChunk(b: Buffer): void {
    const total = b.length;
    let off = 0;
    while (off < total) {
      const len = messageLength(b, off);
      const type = rd16(b, off + 4);
      const seq = rd32(b, off + 8);
      if (type === NLMSG_ERROR && len >= 2 * NLMSG_HDRLEN + 4 && rds32(b, off + NLMSG_HDRLEN) === 0) {
        const i = this.ring.slot(seq);
        if (i >= 0) this.settleAnswered(i, seq, null);
        else {
          const p = this.pending.get(seq);
          if (p) this.finish(p, null);
        }
      } else {
        const p = this.pending.get(seq);
        const run = p?.sub.onDumpRun;
        if (run && type >= NLMSG_MIN_TYPE && !p.intr && (rd16(b, off + 6) & NLM_F_DUMP_INTR) === 0) {
          const end = dumpRunEnd(b, off, seq, this.runCount);
          try {
            run(b, off, end, this.runCount[0]!);
          } catch (e) {
            this.handlerFailed(p, e as Error);
          }
          off = end;
          continue;
        }
        this.dispatch(messageAt(b, off, len), p);
      }
      off += align4(len);
    }
  }

  /** Hands m to p, the request whose seq it carries (none: an answer to a post()ed request, or stray). */
  private dispatch(m: NlMsg, p: Pending | undefined): void {
    if (!p) {
      const i = this.ring.slot(m.seq);
      // A post()ed request is answered by its ACK or error; anything else for it is not asked for.
      if (i >= 0 && m.type === NLMSG_ERROR) {
        const { error, extack } = parseError(m);
        this.settleAnswered(i, m.seq, error === 0 ? null : this.slotError(i, -error, extack));
      }
      return;
    }
    if (m.type === NLMSG_ERROR) {
      const { error, extack } = parseError(m);
      this.finish(p, error === 0 ? null : this.error(p, -error, extack));
    } else if (m.type === NLMSG_DONE && p.dump) {
      // The kernel checks the dump's consistency on NLMSG_DONE too (netlink_dump_done).
      if (m.flags & NLM_F_DUMP_INTR) p.intr = true;
      const { error, extack } = parseDone(m);
      if (error !== 0) this.finish(p, this.error(p, -error, extack));
      else if (p.intr && !p.detached) this.retryDump(p);
      else this.finish(p, null);
    } else if (m.type === NLMSG_NOOP || m.type === NLMSG_OVERRUN) {
      return;
    } else {
      if (m.flags & NLM_F_DUMP_INTR) p.intr = true;
      if (p.intr) return;
      try {
        p.sub.onMessage?.(m);
      } catch (e) {
        this.handlerFailed(p, e as Error);
      }
    }
  }

  /** onMessage or onDumpRun threw: p fails with that error. */
  private handlerFailed(p: Pending, e: Error): void {
    if (p.dump) {
      // Keep the seq registered until DONE so the rest of the dump is swallowed.
      const sub = p.sub;
      sub.onMessage = undefined;
      sub.onDumpRun = undefined;
      const done = sub.onDone.bind(sub);
      sub.onDone = () => done(e);
    } else {
      this.finish(p, e);
    }
  }

  private retryDump(p: Pending): void {
    p.attempts++;
    if (p.attempts > this.dumpRetries) {
      this.finish(p, new DumpInterruptedError(p.ctx?.subject ?? rtmName(p.type), p.attempts));
      return;
    }
    this.pending.delete(p.seq);
    this.inFlight--;
    this.dropHold(); // what the consumer held is forgotten (onRestart)
    p.intr = false;
    try {
      p.sub.onRestart?.();
      this.enqueue(p);
    } catch (e) {
      p.abort?.();
      this.startNextDump();
      this.updateRef();
      callDone(p.sub, e as Error);
    }
  }

  /** Rejects everything pending with HandleClosedError and closes the socket. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const all = [...this.pending.values(), ...this.dumpQueue];
    const posted = this.ring.drain();
    this.pending.clear();
    this.dumpQueue.length = 0;
    this.sealed.length = 0;
    this.cancelled.clear();
    this.transport?.close();
    this.transport = undefined;
    for (const p of all) {
      p.abort?.();
      callDone(p.sub, new HandleClosedError());
    }
    for (const [owner, arg, tag] of posted) callSettle(owner, arg, tag, new HandleClosedError());
  }

  // ---- promise conveniences over submit() ----

  /** A request answered by an ACK; resolves with the reply messages that came before it. */
  request(type: number, flags: number, body: (w: NlWriter) => void, ctx?: RequestContext): Promise<NlMsg[]> {
    return new Promise((resolve, reject) => {
      const replies: NlMsg[] = [];
      this.submit(
        type,
        flags,
        body,
        {
          onMessage: (m) => void replies.push(m),
          onDone: (err) => (err ? reject(err) : resolve(replies)),
        },
        ctx,
      );
    });
  }

  /** A dump, decoded message by message (undefined results are skipped); retried whole on NLM_F_DUMP_INTR. */
  dump<T>(
    type: number,
    body: (w: NlWriter) => void,
    decode: (m: NlMsg) => T | undefined,
    ctx?: RequestContext,
  ): Promise<T[]> {
    return new Promise((resolve, reject) => {
      let out: T[] = [];
      this.submit(
        type,
        NLM_F_DUMP,
        body,
        {
          onMessage: (m) => {
            const x = decode(m);
            if (x !== undefined) out.push(x);
          },
          onRestart: () => void (out = []),
          onDone: (err) => (err ? reject(err) : resolve(out)),
        },
        ctx,
      );
    });
  }

  private pauseReading(on: boolean): void {
    if (on === this.readPaused || !this.transport?.pause) return;
    this.readPaused = on;
    this.transport.pause(on);
    this.updateRef();
  }

  /**
   * Backpressure for a dump whose consumer keeps the raw messages (route.dump()): with `on`, the
   * consumer of `sub` (which must be the active dump's) holds enough, so the socket is not read
   * while no other request waits for its reply — the rest of the dump stays in the kernel, which
   * builds a dump's next datagram only as the socket is read. Another request sent meanwhile
   * resumes reading (its reply queues behind the dump's datagrams), and the hold applies again
   * once it is answered. The dump's end or detachment drops the hold.
   */
  holdReading(sub: Submission, on: boolean): void {
    const p = this.dumpActive;
    if (!p || p.sub !== sub || p.detached || on === this.dumpHeld) return;
    this.dumpHeld = on;
    this.syncPause();
  }

  /** The active dump's hold ends (its end, restart or detachment). */
  private dropHold(): void {
    if (!this.dumpHeld) return;
    this.dumpHeld = false;
    this.syncPause();
  }

  /** Reading is paused exactly while the active dump is held and nothing else waits (queued dumps too). */
  private syncPause(): void {
    this.pauseReading(
      this.dumpHeld && this.inFlight === 1 && this.dumpQueue.length === 0 && this.dumpActive !== undefined,
    );
  }
}

/**
 * A caller's callback threw: the exception is rethrown on its own (an uncaught exception, as one
 * thrown by an event listener), so that the engine's loops over its requests go on.
 */
function rethrow(e: unknown): void {
  queueMicrotask(() => {
    throw e;
  });
}

function callSettle<A>(owner: AckOwner<A>, arg: A, tag: number, err: Error | null): void {
  try {
    owner.settle(arg, tag, err);
  } catch (e) {
    rethrow(e);
  }
}

function callDone(sub: Submission, err: Error | null): void {
  try {
    sub.onDone(err);
  } catch (e) {
    rethrow(e);
  }
}

function inRange(seq: number, first: number, last: number): boolean {
  return first <= last ? seq >= first && seq <= last : seq >= first || seq <= last;
}
