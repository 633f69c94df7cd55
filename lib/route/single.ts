// route.add / replace / del, one call each, built to pipeline when thousands are issued at once
// (Promise.all): a call is validated synchronously, gets its device names' indexes at once where
// the transport can read them (else waits on a lookup shared by every call of that name in flight,
// no promise per waiting call), and goes to engine.post, which tracks it by sequence number with
// no object of its own; full batches leave while the caller is still issuing. Errors get the
// call's subject only when they happen.
import type { AckOwner } from '../core/ack-ring.js';
import type { Engine, RequestContext, Submission } from '../core/request.js';
import { NlWriter, rd16 } from '../core/attr.js';
import { asCallError } from '../core/errors.js';
import { checkIfName } from '../core/validate.js';
import type { RouteSpec } from '../../types/route.js';
import {
  parseRoute,
  PLACEHOLDER_DEV,
  writeSimpleRoute,
  type DevIndex,
  type ParsedRoute,
  type RouteOp,
} from './encode.js';
import { RTA_OIF } from './schema.js';

/** A device name a call still needs, and where its index goes. */
export interface NameSlot {
  name: string;
  field: string;
}

/** One pending call. */
export class Call implements Submission {
  /** Device names not yet resolved. */
  waiting = 0;
  failed = false;
  /**
   * A call waiting only for its `dev` keeps its message body here instead of its parsed route:
   * written when the call was made into its lookup's shared buffer at [at, at + len), with the
   * RTA_OIF value (the last 4 bytes) patched when the name resolves.
   */
  staged: NlWriter | undefined;
  at = 0;
  len = 0;

  constructor(
    readonly op: RouteOp,
    readonly spec: RouteSpec,
    /** Dropped once written, so a call waiting for its ACK holds only the spec. */
    public r: ParsedRoute | undefined,
    private readonly resolve: () => void,
    private readonly reject: (e: Error) => void,
  ) {}

  onDone(err: Error | null): void {
    if (err) this.fail(err);
    else this.resolve();
  }

  /** Rejects the call's promise; `dev` is the device name (and its field) that did not resolve. */
  fail(err: Error, dev?: NameSlot): void {
    if (this.failed) return;
    this.failed = true;
    this.reject(callError(this, err, dev));
  }

  /** Keeps the body just written into w from start (and no parsed route) until the name resolves. */
  stageIn(w: NlWriter, start: number): void {
    stage(this, w, start);
    this.r = undefined;
  }

  /** Puts a resolved device index where the spec named the device. */
  place(field: string, index: number): void {
    if (this.staged) {
      this.staged.put32(this.at + this.len - 4, index);
      return;
    }
    if (!this.r) return;
    if (field === 'dev') {
      this.r.oif = index;
      return;
    }
    const m = /^nexthops\[(\d+)\]\.dev$/.exec(field);
    const nh = m ? this.r.rest?.nexthops?.[Number(m[1])] : undefined;
    if (!nh) throw new Error(`internal: cannot place ${field}`);
    nh.ifindex = index;
  }
}

/**
 * A call startSimple() took: `{ dst, via?, dev? }` written without parsing, at once into the
 * engine's batch, or (naming its device) into its lookup's buffer until the name resolves. Until its
 * ACK it keeps only its spec (for an error's subject and field), that staged body, and its promise's
 * resolve function, so that 100,000 of them in flight are little for the garbage collector to copy.
 * An error rejects the promise by resolving it with a rejected one.
 */
class QuickCall {
  resolve: (v: PromiseLike<void> | void) => void = noop;
  /** The index of the device the spec names, read when the call was made (see indexNow). */
  ifindex = 0;
  /** The body staged at [at, at + len) of a lookup's buffer, RTA_OIF last; dropped once sent. */
  staged: NlWriter | undefined = undefined;
  at = 0;
  len = 0;

  constructor(
    readonly op: RouteOp,
    readonly spec: RouteSpec,
  ) {}

  /** Rejects the call's promise; `dev` is the device name (and its field) that did not resolve. */
  fail(err: Error, dev?: NameSlot): void {
    this.resolve(Promise.reject(callError(this, err, dev)));
  }
}

/** The owner of the QuickCalls in the engine's ring. */
class QuickOwner implements AckOwner<QuickCall>, DevIndex {
  /** The device index of the call being written (writeSimpleRoute asks this for it by name). */
  private writing = 0;

  constructor(private readonly writeRoute: (w: NlWriter, r: ParsedRoute) => void) {}

  /**
   * At post(): the staged body, or the shortcut (NOT_SIMPLE, nothing written, for a spec it does not
   * take); again for an error's trace: parsed from the spec (the device index holds its place).
   */
  write(w: NlWriter, call: QuickCall): void {
    if (w.trace) {
      this.writeRoute(w, parseRoute(call.spec, call.op, PLACEHOLDER_DEV));
      return;
    }
    if (writeStaged(w, call)) return;
    this.writing = call.ifindex;
    if (!writeSimpleRoute(w, call.spec, call.op, this)) throw NOT_SIMPLE;
  }

  /** DevIndex: the index of the call being written, whatever its device's name. */
  index(): number {
    return this.writing;
  }

  context(call: QuickCall): RequestContext {
    return CONTEXTS[call.op];
  }

  settle(call: QuickCall, _tag: number, err: Error | null): void {
    if (!err) call.resolve();
    else call.fail(err);
  }
}

function noop(): void {}

/** Each operation's request context: the subject naming the call is added only to an error. */
const CONTEXTS: Readonly<Record<RouteOp, RequestContext>> = {
  add: { subject: 'route.add' },
  replace: { subject: 'route.replace' },
  del: { subject: 'route.del' },
};

/** A call's error, its subject naming the call, and the device name that did not resolve (if that was it). */
function callError(call: Call | QuickCall, err: Error, dev: NameSlot | undefined): Error {
  const subject = `route.${call.op} ${String(call.spec.dst)}`;
  return dev ? asCallError(err, `${subject}: ${dev.field} ${dev.name}`, dev.field) : asCallError(err, subject);
}

/** Where a call keeps a message body staged in its lookup's buffer (see Call.staged). */
interface Staged {
  staged: NlWriter | undefined;
  at: number;
  len: number;
}

/** Keeps the body just written into w from start as the call's staged body. */
function stage(call: Staged, w: NlWriter, start: number): void {
  call.staged = w;
  call.at = start;
  call.len = w.pos - start;
}

/** Copies the call's staged body (if it has one) into w, once; false if it has none. */
function writeStaged(w: NlWriter, call: Staged): boolean {
  const staged = call.staged;
  if (!staged) return false;
  w.ensure(call.len);
  staged.buf.copy(w.buf, w.pos, call.at, call.at + call.len);
  w.pos += call.len;
  call.staged = undefined;
  return true;
}

/** The promise of a QuickCall, its resolve function kept by the call (no closure per call). */
function promiseOf(call: QuickCall): Promise<void> {
  const p = new Promise<void>(grab);
  call.resolve = grabbed;
  return p;
}

/** Thrown by QuickOwner.write() at post() for a spec the shortcut does not take. */
const NOT_SIMPLE = new Error('internal: not the simple shape (startSimple catches this)');

/** The resolve function of the promise just made with `new Promise(grab)` (no closure per call). */
let grabbed: (v: PromiseLike<void> | void) => void = noop;
function grab(resolve: (v: PromiseLike<void> | void) => void): void {
  grabbed = resolve;
}

/** Whether checkIfName() takes name (else the general path throws its error). */
function isIfName(name: string): boolean {
  try {
    checkIfName(name, 'dev');
    return true;
  } catch {
    return false;
  }
}

/**
 * The calls waiting for one device name, in the order they were made, and the field each named it
 * in (parallel arrays; a QuickCall's is always `dev`).
 */
interface Lookup {
  calls: (Call | QuickCall)[];
  fields: string[];
  /** The staged message bodies of the calls that wait for this name alone (see QuickCall, Call.staged). */
  bodies: NlWriter | undefined;
}

/**
 * Submits calls, sharing device-name lookups among the calls waiting for them. It owns the calls'
 * messages in the engine's ring (engine.post): a call in flight is its Call and its promise, nothing more.
 */
export class CallPipeline implements AckOwner<Call> {
  private readonly lookups = new Map<string, Lookup>();
  /** The owner of startSimple()'s calls in the engine's ring. */
  private readonly quick: QuickOwner;

  /** Device indexes read in this turn (see indexNow). */
  private readonly turnIndex = new Map<string, number>();
  private readonly endTurn = (): void => this.turnIndex.clear();

  constructor(
    private readonly engine: Engine,
    private readonly resolveName: (name: string) => Promise<number>,
    private readonly message: (op: RouteOp) => { type: number; flags: number },
    private readonly writeRoute: (w: NlWriter, r: ParsedRoute) => void,
  ) {
    this.quick = new QuickOwner(writeRoute);
  }

  /**
   * The commonest call, `{ dst, via?, dev? }` (IPv4, no other field but undefined ones, no options),
   * without parsing, as a QuickCall: a call naming its device writes its body now into that name's
   * lookup buffer, any other is written at once into the engine's batch. Returns undefined, having
   * done nothing, for any other spec or a value the shortcut does not take: the caller then takes
   * the general path (which words errors).
   */
  startSimple(op: RouteOp, spec: RouteSpec): Promise<void> | undefined {
    if (spec === null || typeof spec !== 'object') return undefined;
    const dev: unknown = spec.dev;
    if (typeof dev === 'string' && !isIfName(dev)) return undefined;
    const call = new QuickCall(op, spec);
    if (typeof dev === 'string') call.ifindex = this.indexNow(dev);
    if (typeof dev !== 'string' || call.ifindex > 0) {
      const { type, flags } = this.message(op);
      try {
        this.engine.post(type, flags, this.quick, call, 0);
      } catch (e) {
        if (e === NOT_SIMPLE) return undefined;
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
      return promiseOf(call);
    }
    // The transport cannot tell at once, or there is no such device: a lookup answers (or words the error).
    let l = this.lookups.get(dev);
    const w = l ? (l.bodies ??= new NlWriter(16384)) : new NlWriter(16384);
    const start = w.pos;
    if (!writeSimpleRoute(w, spec, op, PLACEHOLDER_DEV)) return undefined;
    if (!l) {
      l = this.lookup(dev);
      l.bodies = w;
    }
    stage(call, w, start);
    l.calls.push(call);
    l.fields.push('dev');
    return promiseOf(call);
  }

  /**
   * The index of a device name, read at once from the kernel where the transport can (0 where it
   * cannot, or there is no such device: a lookup then answers). Calls made in one synchronous run
   * share one reading, as they share one lookup: the name means the same device for all of them.
   */
  indexNow(name: string): number {
    let index = this.turnIndex.get(name);
    if (index === undefined) {
      if (this.turnIndex.size === 0) queueMicrotask(this.endTurn);
      index = this.engine.ifIndexNow(name);
      this.turnIndex.set(name, index);
    }
    return index;
  }

  /** The lookup of a device name, started now. */
  private lookup(name: string): Lookup {
    const entry: Lookup = { calls: [], fields: [], bodies: undefined };
    this.lookups.set(name, entry);
    this.resolveName(name).then(
      (index) => this.resolved(name, entry, index, null),
      (e: unknown) => this.resolved(name, entry, 0, e as Error),
    );
    return entry;
  }

  /** Sends the call once its names (if any) are resolved. */
  start(call: Call, names: NameSlot[] | undefined): void {
    if (!names) {
      this.send(call);
      return;
    }
    call.waiting = names.length;
    for (const { name, field } of names) {
      const l = this.lookups.get(name) ?? this.lookup(name);
      l.calls.push(call);
      l.fields.push(field);
      if (names.length === 1 && field === 'dev') this.stage(call, l);
    }
  }

  /**
   * Writes a waiting call's body now into its lookup's buffer and drops its parsed route: thousands
   * of calls issued together wait for one lookup, and a parsed route with its addresses is several
   * objects each for the GC to trace meanwhile, where the body is some 50 bytes off the heap. Only
   * for bodies the direct writer makes (RTA_OIF last, checked); others keep their parsed route.
   */
  private stage(call: Call, l: Lookup): void {
    const r = call.r;
    if (!r || r.rest) return;
    const w = (l.bodies ??= new NlWriter(16384));
    const start = w.pos;
    r.oif = 1; // a placeholder, so that the attribute is written
    this.writeRoute(w, r);
    const end = w.pos;
    if (end - start < 8 || rd16(w.buf, end - 8) !== 8 || rd16(w.buf, end - 6) !== RTA_OIF) {
      w.pos = start;
      return;
    }
    call.stageIn(w, start);
  }

  /** A device-name lookup ended: its waiters get the index (and go out when they have all theirs), or fail. */
  private resolved(name: string, l: Lookup, index: number, err: Error | null): void {
    if (this.lookups.get(name) === l) this.lookups.delete(name);
    for (let i = 0; i < l.calls.length; i++) {
      const call = l.calls[i]!;
      const field = l.fields[i]!;
      if (err) call.fail(err, { name, field });
      else if (call instanceof QuickCall) {
        call.staged!.put32(call.at + call.len - 4, index);
        this.post(call, this.quick);
      } else {
        call.place(field, index);
        if (--call.waiting === 0 && !call.failed) this.send(call);
      }
    }
  }

  private send(call: Call): void {
    this.post(call, this);
  }

  private post<C extends Call | QuickCall>(call: C, owner: AckOwner<C>): void {
    const { type, flags } = this.message(call.op);
    try {
      this.engine.post(type, flags, owner, call, 0);
    } catch (e) {
      call.fail(e as Error);
    }
  }

  /**
   * Written once, from the body staged or the route parsed when the call was made (a caller may
   * reuse and change its spec object once the call returns); written again, from the spec, only to
   * map an extended-ACK offset to a field (device indexes then only hold their place: the layout is
   * the same).
   */
  write(w: NlWriter, call: Call): void {
    if (!w.trace && writeStaged(w, call)) return;
    const r = call.r ?? parseRoute(call.spec, call.op, PLACEHOLDER_DEV);
    call.r = undefined;
    this.writeRoute(w, r);
  }

  context(call: Call): RequestContext {
    return CONTEXTS[call.op];
  }

  settle(call: Call, _tag: number, err: Error | null): void {
    call.onDone(err);
  }
}
