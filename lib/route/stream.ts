// route.dump(): a route dump as an async iterator over engine.submit. The first next() runs the
// caller's preparation (device names, the filter's body and decoder), then sends the dump.
// Messages are kept as offsets into the received chunks (8 bytes each in a ring of typed arrays,
// and a reference per chunk) and decoded when the consumer asks, so what waits for a slow consumer
// is raw messages, not Route objects, and no more than HIGH_WATER of them: then reading stops and
// the rest of the dump waits in the kernel (Engine.holdReading; another request on the handle still
// gets its reply). The queue allocates nothing per message on the JavaScript heap: nothing of it
// survives a scavenge to make V8 grow the young generation (fresh pages, each a page fault). next()
// is a plain function returning a settled promise while routes are queued (no async frame per
// route), and `for await` calls it directly (no wrapper per route).
// NLM_F_DUMP_INTR before the first route restarts the dump; after it, the stream ends with
// DumpInterruptedError (what was yielded cannot be taken back).
import type { Engine, RequestContext, Submission } from '../core/request.js';
import type { NlWriter } from '../core/attr.js';
import { NLM_F_DUMP, rtmName } from '../core/constants.js';
import { DumpInterruptedError } from '../core/errors.js';
import { emptyMessage, type NlMsg } from '../core/nlmsg.js';

/**
 * Messages received and not yet taken by the consumer before the stream asks the engine to stop
 * reading (Engine.holdReading), so a slow consumer leaves the rest of the dump in the kernel…
 */
const HIGH_WATER = 16384;
/** …and the backlog at which reading goes on. */
const LOW_WATER = 4096;
/**
 * The ring's first capacity (a power of two; 8 KiB of Int32Array): a dump of more doubles it, which
 * a fresh process pays for (new arrays, their first touch) while it is still compiling.
 */
const RING_MIN = 1024;
/** Chunks consumed before the list of chunks drops them (it also does whenever the queue empties). */
const CHUNKS_KEPT = 64;

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/** A decoder that returns undefined for messages the filter drops. */
export type Decode<T> = (m: NlMsg) => T | undefined;

/** What the first next() prepares: the request's body and the decoder of its messages. */
export interface DumpRequest<T> {
  body: (w: NlWriter) => void;
  decode: Decode<T>;
}

export class DumpStream<T> implements AsyncIterator<T>, AsyncIterable<T> {
  /** Where each received message not yet taken starts and ends in its chunk: a ring. */
  private starts = new Int32Array(RING_MIN);
  private ends = new Int32Array(RING_MIN);
  private mask = RING_MIN - 1;
  /** Messages taken and received since the queue was last empty: the ring holds tail - head. */
  private head = 0;
  private tail = 0;
  /** The chunks holding them, oldest first, each with the number of its first message… */
  private chunks: Buffer[] = [];
  private firsts: number[] = [];
  /** …and the index in chunks of the one holding message `head`. */
  private chunk = 0;
  private started = false;
  private finished = false;
  private failure: Error | null = null;
  private yielded = false;
  private cancelled = false;
  /** The engine was asked to stop reading (the backlog passed HIGH_WATER). */
  private held = false;
  private sub: Submission | undefined;
  private wake: { resolve: (r: IteratorResult<T>) => void; reject: (e: Error) => void } | undefined;
  /** Reused view handed to the decoder. */
  private readonly view: NlMsg = emptyMessage();
  private decode: Decode<T> = () => undefined;

  /**
   * `prepare` runs on the first next(); an error it throws, or the dump's, rejects a next(). A
   * dump error before any route for which `empty` says true ends the stream as an empty one.
   */
  constructor(
    private readonly engine: Engine,
    private readonly type: number,
    private readonly prepare: () => Promise<DumpRequest<T>>,
    private readonly ctx: RequestContext,
    private readonly empty: (e: Error) => boolean = () => false,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  /**
   * Runs the preparation, then sends the dump (unless return() came meanwhile) and reads on. A
   * preparation that fails ends the stream with its error, as a failed dump does.
   */
  private async begin(): Promise<IteratorResult<T>> {
    let req: DumpRequest<T>;
    try {
      req = await this.prepare();
    } catch (e) {
      this.finished = true;
      this.failure = asError(e);
      throw this.failure;
    }
    if (this.cancelled) return { value: undefined, done: true };
    this.decode = req.decode;
    this.submit(req.body);
    return this.next();
  }

  private submit(body: (w: NlWriter) => void): void {
    const sub: Submission = {
      onDumpPayload: (buf, off, end) => {
        if (this.cancelled) return;
        this.push(buf, off, end);
        if (this.tail - this.head > HIGH_WATER && !this.held) this.hold(true);
        if (this.wake) this.pump();
      },
      onRestart: () => {
        if (this.yielded) throw new DumpInterruptedError(this.ctx.subject ?? rtmName(this.type), 1);
        this.held = false; // the engine dropped the hold
        this.clear();
      },
      onDone: (err) => {
        this.finished = true;
        this.held = false; // the engine dropped the hold
        // A failure before any route (a table that does not exist) may just mean none.
        this.failure = err && (this.yielded || !this.empty(err)) ? err : null;
        if (this.wake) this.pump();
      },
    };
    this.sub = sub;
    this.engine.submit(this.type, NLM_F_DUMP, body, sub, this.ctx);
  }

  /** Asks the engine to stop (true) or go on (false) reading this dump. */
  private hold(on: boolean): void {
    this.held = on;
    this.engine.holdReading(this.sub!, on);
  }

  /** Queues the message at [off, end) of buf. */
  private push(buf: Buffer, off: number, end: number): void {
    if (this.tail - this.head > this.mask) this.grow();
    const n = this.chunks.length;
    if (n === 0 || this.chunks[n - 1] !== buf) {
      this.chunks.push(buf);
      this.firsts.push(this.tail);
    }
    const i = this.tail++ & this.mask;
    this.starts[i] = off;
    this.ends[i] = end;
  }

  /** Doubles the ring (a chunk came while it was full), keeping the queue's order. */
  private grow(): void {
    const cap = (this.mask + 1) * 2;
    const n = this.tail - this.head;
    // The queue in order: from `head` to the ring's end, then what wrapped to its start.
    const h = this.head & this.mask;
    const first = Math.min(n, this.mask + 1 - h);
    const unwrapped = (ring: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> => {
      const to = new Int32Array(cap);
      to.set(ring.subarray(h, h + first));
      to.set(ring.subarray(0, n - first), first);
      return to;
    };
    this.starts = unwrapped(this.starts);
    this.ends = unwrapped(this.ends);
    // Renumber from 0, without the chunks before the one holding message `head`.
    this.dropTaken();
    for (let c = 0; c < this.firsts.length; c++) this.firsts[c] = Math.max(0, this.firsts[c]! - this.head);
    this.mask = cap - 1;
    this.head = 0;
    this.tail = n;
  }

  /** Lets go of the chunks before the one holding message `head`. */
  private dropTaken(): void {
    this.chunks.splice(0, this.chunk);
    this.firsts.splice(0, this.chunk);
    this.chunk = 0;
  }

  /** Empties the queue (the ring keeps its size) and lets the chunks go. */
  private clear(): void {
    this.head = 0;
    this.tail = 0;
    this.chunks.length = 0;
    this.firsts.length = 0;
    this.chunk = 0;
  }

  /** The next kept route, decoded; undefined when the queue is empty. */
  private take(): T | undefined {
    const v = this.view;
    const firsts = this.firsts;
    while (this.head < this.tail) {
      const n = this.head++;
      while (this.chunk + 1 < firsts.length && firsts[this.chunk + 1]! <= n) this.chunk++;
      const i = n & this.mask;
      v.buf = this.chunks[this.chunk]!;
      v.off = this.starts[i]!;
      v.end = this.ends[i]!;
      const x = this.decode(v);
      if (x !== undefined) {
        this.compact();
        return x;
      }
    }
    this.compact();
    return undefined;
  }

  /**
   * After a take: lets reading go on once the backlog is under LOW_WATER, and lets the consumed
   * chunks go: all of them when the queue is empty (the usual case: a chunk is taken whole before
   * the next comes), else once CHUNKS_KEPT have gathered.
   */
  private compact(): void {
    if (this.held && this.tail - this.head < LOW_WATER) this.hold(false);
    if (this.head === this.tail) this.clear();
    else if (this.chunk >= CHUNKS_KEPT) this.dropTaken();
  }

  /** Settles a waiting next() if there is something to give. */
  private pump(): void {
    const w = this.wake!;
    let x: T | undefined;
    try {
      x = this.take();
    } catch (e) {
      this.wake = undefined;
      w.reject(e as Error);
      return;
    }
    if (x !== undefined) {
      this.wake = undefined;
      this.yielded = true;
      w.resolve({ value: x, done: false });
    } else if (this.finished) {
      this.wake = undefined;
      if (this.failure) w.reject(this.failure);
      else w.resolve({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<T>> {
    // After return() the stream is done, whether or not its dump was sent (or is still running).
    if (this.cancelled) return Promise.resolve({ value: undefined, done: true });
    if (!this.started) {
      this.started = true;
      return this.begin();
    }
    let x: T | undefined;
    try {
      x = this.take();
    } catch (e) {
      return Promise.reject(asError(e));
    }
    if (x !== undefined) {
      this.yielded = true;
      return Promise.resolve({ value: x, done: false });
    }
    if (this.finished)
      return this.failure ? Promise.reject(this.failure) : Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.wake = { resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    this.cancelled = true;
    if (this.held) this.hold(false);
    this.clear();
    return Promise.resolve({ value: undefined, done: true });
  }
}
