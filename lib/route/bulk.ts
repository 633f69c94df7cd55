// The pipelined bulk engine behind route.addMany / replaceMany / delMany: specs are pulled from
// an iterable (sync or async), validated, encoded straight into the engine's batch buffer
// (engine.post; many messages per sendmsg, which the addon's I/O thread runs while this thread
// encodes the next batch), with at most `window` messages awaiting their ACK. Each ACK is matched
// by sequence to its spec's index in the engine's ring, with no object per message; nothing is
// lost: every spec ends up counted in `ok` or listed in `failed`. An abort stops it at once, also
// while an async source is still producing its next spec.
import type { Handle } from '../handle.js';
import type { NlWriter } from '../core/attr.js';
import { HandleClosedError, NetlinkError } from '../core/errors.js';
import { checkInt, describe } from '../core/validate.js';
import type { AckOwner } from '../core/ack-ring.js';
import type { Engine, RequestContext } from '../core/request.js';
import type { BulkFailure, BulkOptions, BulkResult, RouteSpec } from '../../types/route.js';
import { devNames, parseRoute, writeSimpleRoute, type DevIndex, type ParsedRoute, type RouteOp } from './encode.js';
import { asCallError } from '../core/errors.js';

/**
 * Specs encoded and not yet answered, by default: four batches of 1,024 messages, enough to keep
 * the kernel busy while this thread encodes; more only keeps more specs alive (and the GC busy)
 * without going faster (measured at 2,048 to 16,384 on two cores).
 */
const BULK_WINDOW = 4096;

/** What the bulk engine needs from RouteApi: how to write one parsed route, and dev lookups. */
export interface BulkTarget {
  h: Handle;
  /** Resolves a device name (one request per distinct name per bulk call). */
  lookup(name: string, signal: AbortSignal | undefined): Promise<number>;
  /** Message type, flags and body writer for op. */
  message(op: RouteOp): { type: number; flags: number };
  write: (w: NlWriter, r: ParsedRoute) => void;
}

/** The AbortError a bulk operation rejects with; `result` holds what was confirmed. */
export interface BulkAbortError extends Error {
  /** What was confirmed before the abort: every spec sent is in ok or in failed. */
  result: BulkResult;
}

function checkOptions(
  opts: BulkOptions | undefined,
  defWindow: number,
): { onProgress: BulkOptions['onProgress']; signal: AbortSignal | undefined; window: number } {
  if (opts === undefined) return { onProgress: undefined, signal: undefined, window: defWindow };
  if (opts === null || typeof opts !== 'object')
    throw new TypeError(`Expected the options to be an object, got ${describe(opts)}`);
  if (opts.onProgress !== undefined && typeof opts.onProgress !== 'function')
    throw new TypeError('Expected "onProgress" to be a function');
  if (opts.signal !== undefined && !(opts.signal instanceof AbortSignal))
    throw new TypeError('Expected "signal" to be an AbortSignal');
  const window = opts.window === undefined ? defWindow : checkInt(opts.window, 'window', 1, 1 << 20);
  return { onProgress: opts.onProgress, signal: opts.signal, window };
}

function iteratorOf(specs: unknown): {
  it: Iterator<RouteSpec> | AsyncIterator<RouteSpec>;
  async: boolean;
  total: number | undefined;
} {
  if (specs !== null && typeof specs === 'object') {
    const o = specs as Partial<Iterable<RouteSpec> & AsyncIterable<RouteSpec>>;
    if (Array.isArray(specs))
      return { it: (specs as RouteSpec[])[Symbol.iterator](), async: false, total: specs.length };
    const ai = o[Symbol.asyncIterator];
    if (typeof ai === 'function') return { it: ai.call(o), async: true, total: undefined };
    const si = o[Symbol.iterator];
    if (typeof si === 'function') return { it: si.call(o), async: false, total: undefined };
  }
  throw new TypeError(`Expected "specs" to be an iterable or async iterable of route specs, got ${describe(specs)}`);
}

/** A device name that did not resolve, as the spec named it (thrown while writing the spec). */
class UnresolvedDev extends Error {
  constructor(
    readonly error: NetlinkError,
    readonly field: string,
    readonly dev: string,
  ) {
    super(error.message);
  }
}

/**
 * The error a failed spec is listed with: the kernel's again, its subject naming the spec (and the
 * device it named, with `field` set, when that name did not resolve); built only for failures.
 */
function specError(e: Error, op: RouteOp, index: number, spec: RouteSpec): Error {
  const subject = `route.${op}Many [${index}] ${spec && typeof spec === 'object' ? String(spec.dst) : '?'}`;
  if (e instanceof UnresolvedDev) return asCallError(e.error, `${subject}: ${e.field} ${e.dev}`, e.field);
  return asCallError(e, subject);
}

/** Device names resolved once per bulk call; a name that fails fails every spec using it. */
class ResolvedDevs implements DevIndex {
  private readonly names = new Map<string, number | Error>();

  has(name: string): boolean {
    return this.names.has(name);
  }

  /** Whether the spec names a device not looked up yet (its `dev`, or a nexthop's). */
  lack(spec: RouteSpec): boolean {
    const dev = spec?.dev;
    if (typeof dev === 'string' && !this.names.has(dev)) return true;
    if (spec?.nexthops === undefined) return false;
    const names: string[] = [];
    devNames(spec, names);
    return names.some((name) => !this.names.has(name));
  }

  set(name: string, v: number | Error): void {
    this.names.set(name, v);
  }

  index(name: string, field: string): number {
    const v = this.names.get(name);
    if (typeof v === 'number') return v;
    if (v instanceof NetlinkError) throw new UnresolvedDev(v, field, name);
    throw v ?? new Error(`internal: device ${name} not resolved`);
  }
}

/**
 * The state of one bulk call, and the owner of its messages in the engine's ring (engine.post):
 * a message in flight costs no object of its own, only its spec (the arg) and index (the tag).
 */
class BulkRun implements AckOwner<RouteSpec> {
  ok = 0;
  readonly failed: BulkFailure[] = [];
  inflight = 0;
  aborted = false;
  /** The index the next spec taken from the source gets. */
  private index = 0;
  /** A spec fill() took that names a device not looked up yet: runBulk looks it up, then posts it. */
  held: RouteSpec | undefined;
  private wake: (() => void) | undefined;
  /** Ends the wait for the source's next spec (see nextOrAbort) when the signal aborts. */
  private unblock: ((r: undefined) => void) | undefined;
  private progressQueued = false;
  /** The last `done` onProgress was given (each is given once). */
  private reported = -1;
  private readonly lowWater: number;

  constructor(
    private readonly engine: Engine,
    private readonly message: { type: number; flags: number },
    readonly op: RouteOp,
    readonly window: number,
    readonly total: number | undefined,
    readonly onProgress: BulkOptions['onProgress'],
    private readonly ctx: RequestContext,
    private readonly writeRoute: (w: NlWriter, r: ParsedRoute) => void,
    private readonly devs: ResolvedDevs,
  ) {
    this.lowWater = Math.max(window >> 1, window - 4096);
  }

  /**
   * Takes specs from a synchronous source and posts them until the window is full or an abort
   * (false), the source ends (true), or a spec names a device not looked up yet (false, the spec in
   * `held`). This loop is the hot one; kept out of runBulk, an async function which V8 would
   * otherwise compile (and compile again in each phase, at each deopt) for it.
   */
  fill(it: Iterator<RouteSpec>): boolean {
    while (!this.aborted && this.inflight < this.window) {
      const next = it.next();
      if (next.done) return true;
      if (this.aborted) return false; // during the source's next(): nothing is sent after an abort
      const spec = next.value;
      if (this.devs.lack(spec)) {
        this.held = spec;
        return false;
      }
      this.post(spec);
    }
    return false;
  }

  /** Posts the next spec of the source (a malformed one is listed in `failed`, nothing sent). */
  post(spec: RouteSpec): void {
    const i = this.index++;
    if (this.engine.isClosed) throw new HandleClosedError();
    this.inflight++;
    try {
      this.engine.post(this.message.type, this.message.flags, this, spec, i);
    } catch (e) {
      this.inflight--;
      if (e instanceof HandleClosedError) throw e;
      this.fail(i, spec, e as Error);
    }
  }

  /**
   * Checks the spec while writing it (the commonest shape straight into the buffer): a malformed
   * one throws here and nothing of it is sent. A writer with a trace (an extended-ACK offset to map
   * to a field) takes the general path, which records the fields.
   */
  write(w: NlWriter, spec: RouteSpec): void {
    if (w.trace || !writeSimpleRoute(w, spec, this.op, this.devs))
      this.writeRoute(w, parseRoute(spec, this.op, this.devs));
  }

  context(): RequestContext {
    return this.ctx;
  }

  fail(index: number, spec: RouteSpec, e: Error): void {
    this.failed.push({ index, spec, error: specError(e, this.op, index, spec) });
  }

  settle(spec: RouteSpec, index: number, err: Error | null): void {
    if (err) this.fail(index, spec, err);
    else this.ok++;
    this.inflight--;
    if (this.wake && (this.inflight <= this.lowWater || this.inflight === 0)) this.resume();
    if (this.onProgress && !this.progressQueued) {
      this.progressQueued = true;
      queueMicrotask(() => {
        this.progressQueued = false;
        this.report();
      });
    }
  }

  /** What was confirmed so far: ok, and the failures in spec order. */
  result(): BulkResult {
    return { ok: this.ok, failed: this.failed.sort((a, b) => a.index - b.index) };
  }

  /** Calls onProgress with what is done now, unless it was given that already. */
  report(): void {
    const done = this.ok + this.failed.length;
    if (done === this.reported) return;
    this.reported = done;
    this.onProgress?.(done, this.total);
  }

  /** The signal aborted: wakes whatever the run waits for. */
  abort(): void {
    this.aborted = true;
    this.resume();
    const u = this.unblock;
    this.unblock = undefined;
    u?.(undefined);
  }

  /**
   * The async source's next spec, or undefined if the signal aborts first: its next() then goes on
   * alone, and what it brings (or throws) is dropped. A promise and two closures per spec, only for
   * async sources with a signal.
   */
  nextOrAbort(it: AsyncIterator<RouteSpec>): Promise<IteratorResult<RouteSpec> | undefined> {
    const p = it.next();
    return new Promise((resolve, reject) => {
      this.unblock = resolve;
      p.then(resolve, reject);
    });
  }

  resume(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** Resolves when the window has room again (or on abort). */
  waitBelow(): Promise<void> {
    return new Promise<void>((r) => (this.wake = r));
  }
}

/**
 * Stops the source at an abort with its return(), so a generator's finally runs. That is awaited,
 * unless the source's next() is still running: a generator then takes the return() only once that
 * next() is done (perhaps never), so it is left to finish alone, its error (if any) dropped.
 */
async function stopSource(
  it: Iterator<RouteSpec> | AsyncIterator<RouteSpec>,
  async: boolean,
  pulling: boolean,
): Promise<void> {
  if (!async) {
    (it as Iterator<RouteSpec>).return?.();
    return;
  }
  const done = Promise.resolve((it as AsyncIterator<RouteSpec>).return?.());
  if (pulling) done.catch(() => undefined);
  else await done;
}

/**
 * Runs op over every spec. Malformed specs are not sent: they are reported in `failed` with the
 * TypeError/RangeError naming the field (so one bad entry in a million does not stop the rest).
 * The options themselves, or specs that are not iterable, throw before anything is sent.
 */
export async function runBulk(
  target: BulkTarget,
  op: RouteOp,
  specs: unknown,
  opts: BulkOptions | undefined,
): Promise<BulkResult> {
  const engine = target.h.engine;
  const { onProgress, signal, window } = checkOptions(opts, BULK_WINDOW);
  const { it, async, total } = iteratorOf(specs);
  const devs = new ResolvedDevs();
  const ctx = { subject: `route.${op}Many` };
  const run = new BulkRun(engine, target.message(op), op, window, total, onProgress, ctx, target.write, devs);
  const resolve = async (name: string): Promise<void> => {
    try {
      devs.set(name, await target.lookup(name, signal));
    } catch (e) {
      devs.set(name, e as Error);
    }
  };

  run.aborted = signal?.aborted ?? false;
  const onAbort = (): void => run.abort();
  signal?.addEventListener('abort', onAbort, { once: true });

  try {
    /** The abort came while the source was producing a spec (its next() still runs). */
    let pulling = false;
    for (;;) {
      if (run.aborted) break;
      if (run.inflight >= window) {
        // Hand the kernel what is encoded before waiting; once woken, send what the engine held
        // back for its window before encoding more (the I/O thread works while this one encodes).
        engine.flush();
        await run.waitBelow();
        engine.flush();
        continue;
      }
      let spec: RouteSpec;
      if (!async) {
        if (run.fill(it as Iterator<RouteSpec>)) break;
        if (run.held === undefined) continue; // the window is full, or an abort
        spec = run.held;
        run.held = undefined;
      } else {
        const next = signal
          ? await run.nextOrAbort(it as AsyncIterator<RouteSpec>)
          : await (it as AsyncIterator<RouteSpec>).next();
        if (next === undefined) {
          pulling = true;
          break;
        }
        if (next.done) break;
        spec = next.value;
      }
      if (devs.lack(spec)) {
        const names: string[] = [];
        devNames(spec, names);
        for (const name of names) if (!devs.has(name)) await resolve(name);
      }
      if (run.aborted) break; // a lookup or the source was awaited: nothing is sent after an abort
      run.post(spec);
    }
    if (run.aborted) await stopSource(it, async, pulling);
    while (run.inflight > 0) await run.waitBelow();
  } catch (e) {
    // the handle closed meanwhile: say what was confirmed, as an abort does
    if (e instanceof HandleClosedError) e.result = run.result();
    throw e;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  const result = run.result();
  run.report();
  if (run.aborted) {
    result.aborted = true;
    const done = run.ok + result.failed.length;
    const e = new Error(`route.${op}Many aborted after ${done} ${done === 1 ? 'spec was' : 'specs were'} confirmed`, {
      cause: signal?.reason,
    }) as BulkAbortError;
    e.name = 'AbortError';
    e.result = result;
    throw e;
  }
  return result;
}
