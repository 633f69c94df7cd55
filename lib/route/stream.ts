// route.dump(): a route dump as an async iterator over engine.submit. The first next() runs the
// caller's preparation (device names, the filter's body and decoder), then sends the dump.
// The engine hands over runs of whole messages as they lie in the received chunks (one call for
// all of a chunk's routes, usually), kept as a chunk and two offsets each and decoded when the
// consumer asks, so what waits for a slow consumer is raw messages, not Route objects, and no more
// than HIGH_WATER of them: then reading stops and the rest of the dump waits in the kernel
// (Engine.holdReading; another request on the handle still gets its reply). Per route the engine
// only reads its header, and the queue allocates nothing on the JavaScript heap: nothing of it
// survives a scavenge to make V8 grow the young generation (fresh pages, each a page fault).
// next() is a plain function returning a settled promise while routes are queued (no async frame
// per route), and `for await` calls it directly (no wrapper per route).
// NLM_F_DUMP_INTR before the first route restarts the dump; after it, the stream ends with
// DumpInterruptedError (what was yielded cannot be taken back).
import type { Engine, RequestContext, Submission } from '../core/request.js';
import { rd32, type NlWriter } from '../core/attr.js';
import { NLM_F_DUMP, NLMSG_HDRLEN, rtmName } from '../core/constants.js';
import { DumpInterruptedError } from '../core/errors.js';
import { emptyMessage, type NlMsg } from '../core/nlmsg.js';

/**
 * Messages received and not yet taken by the consumer before the stream asks the engine to stop
 * reading (Engine.holdReading), so a slow consumer leaves the rest of the dump in the kernel…
 */
const HIGH_WATER = 16384;
/** …and the backlog at which reading goes on. */
const LOW_WATER = 4096;
/** Runs consumed before the list of them is cut (it also is whenever the queue empties). */
const RUNS_KEPT = 64;

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/** A decoder that returns undefined for messages the filter drops. */
export type Decode<T> = (m: NlMsg) => T | undefined;

/** What the first next() prepares: the request's body and the decoder of its messages. */
export interface DumpRequest<T> {
  body: (w: NlWriter) => void;
  decode: Decode<T>;
  /**
   * What the decoder will need done once (reading iproute2's name files), run once the request is
   * sent, while the kernel builds the first replies and this thread would wait for them.
   */
  meanwhile?: () => void;
}

/**
 * Runs `work` once a request just submitted has left (the engine sends at the end of the turn, in
 * an immediate queued before this one), while the kernel builds its replies. A failure is dropped:
 * the decoder meets it again and reports it with the dump.
 */
export function afterSend(work: () => void): void {
  setImmediate(() => {
    try {
      work();
    } catch {
      // reported by the decoder
    }
  });
}

export class DumpStream<T> implements AsyncIterator<T>, AsyncIterable<T> {
  /**
   * The runs of messages received and not yet taken (each as the engine handed it: whole messages
   * in a chunk), oldest first; `run` is the one being taken and `pos` where its next message starts.
   */
  private runBufs: Buffer[] = [];
  private runStarts: number[] = [];
  private runEnds: number[] = [];
  private run = 0;
  private pos = 0;
  /** Messages received and not yet taken. */
  private backlog = 0;
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
    if (req.meanwhile) afterSend(req.meanwhile);
    return this.next();
  }

  private submit(body: (w: NlWriter) => void): void {
    const sub: Submission = {
      onDumpRun: (buf, off, end, count) => {
        if (this.cancelled) return;
        this.push(buf, off, end, count);
        if (this.backlog > HIGH_WATER && !this.held) this.hold(true);
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

  /** Queues the run of `count` messages at [off, end) of buf. */
  private push(buf: Buffer, off: number, end: number, count: number): void {
    this.backlog += count;
    if (this.run === this.runEnds.length) this.pos = off;
    this.runBufs.push(buf);
    this.runStarts.push(off);
    this.runEnds.push(end);
  }

  /** Empties the queue and lets the chunks go. */
  private clear(): void {
    this.runBufs.length = 0;
    this.runStarts.length = 0;
    this.runEnds.length = 0;
    this.run = 0;
    this.pos = 0;
    this.backlog = 0;
  }

  /** The next kept route, decoded; undefined when the queue is empty. */
  private take(): T | undefined {
    const v = this.view;
    // `pos` is where a message of run `run` starts, whenever there is such a run.
    while (this.run < this.runEnds.length) {
      const b = this.runBufs[this.run]!;
      const at = this.pos;
      const len = rd32(b, at); // checked by the engine (dumpRunEnd)
      const next = at + ((len + 3) & ~3);
      if (next < this.runEnds[this.run]!) this.pos = next;
      else if (++this.run < this.runEnds.length) this.pos = this.runStarts[this.run]!;
      this.backlog--;
      v.buf = b;
      v.off = at + NLMSG_HDRLEN;
      v.end = at + len;
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
   * runs (and their chunks) go: all of them when the queue is empty (the usual case: a chunk is
   * taken whole before the next comes), else once RUNS_KEPT have gathered.
   */
  private compact(): void {
    if (this.held && this.backlog < LOW_WATER) this.hold(false);
    if (this.run === this.runEnds.length) this.clear();
    else if (this.run >= RUNS_KEPT) {
      this.runBufs.splice(0, this.run);
      this.runStarts.splice(0, this.run);
      this.runEnds.splice(0, this.run);
      this.run = 0;
    }
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
