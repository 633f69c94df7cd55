// Events (≈ `ip monitor`): a NETLINK_ROUTE socket of its own joined to RTNLGRP_* multicast groups
// (<linux/rtnetlink.h>), yielding typed new/del events as an async iterable. Overruns (ENOBUFS, or
// a consumer maxQueue behind) are reported, or with `resync` repaired: the monitor re-dumps on the
// same socket, so dump replies and events arrive in one order, and yields the differences from
// what the consumer was given.
import type { Handle } from './handle.js';
import { openNativeTransport, type NativeTransport } from './transport.js';
import { copyMessage, forEachMessage, type NlMsg } from './core/nlmsg.js';
import { attrTable, rd16, rd32, rds32 } from './core/attr.js';
import {
  AF_INET,
  NLM_F_REPLACE,
  RTM_DELADDR,
  RTM_DELLINK,
  RTM_NEWLINK,
  RTNLGRP_IPV4_IFADDR,
  RTNLGRP_LINK,
} from './core/constants.js';
import { DumpInterruptedError, NetlinkError } from './core/errors.js';
import { checkBool, checkInt, checkKnownFields, checkObject, describe } from './core/validate.js';
import { IFF, IFLA_IFNAME, lladdrIpLen } from './link/ifla.js';
import { GROUPS, KINDS, KINDS_BY_TYPE } from './monitor-kinds.js';
import { DumpQueue, type DumpJob } from './monitor-dumps.js';
import { View, type Change } from './monitor-view.js';
import type { MonitorEvent, MonitorGroup, MonitorKind, MonitorOptions } from '../types/monitor.js';

export type { MonitorEvent, MonitorGroup, MonitorKind, MonitorOptions } from '../types/monitor.js';

const ENOBUFS = 105;
/** Names of deleted links kept for events that arrive after the link went (e.g. its neighbours'). */
const GONE_NAMES = 256;
/** How far past the event being delivered a device's first name is looked for (see nameUnseen). */
const NAME_LOOKAHEAD = 64;

/**
 * index → name as the consumer's place in the stream has them; for a device the stream has not
 * named yet, past that place or, failing that, the namespace now (see Monitor.nameUnseen).
 */
class DeviceNames extends Map<number, string> {
  constructor(private readonly ahead: (index: number) => string | undefined) {
    super();
  }

  override get(index: number): string | undefined {
    return super.get(index) ?? this.ahead(index);
  }
}
const LINK_STATE = IFF.UP | IFF.LOWER_UP;
const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

/** A link got a name (or went: undefined): applied when the consumer reaches it (see DeviceNames). */
type NameItem = { t: 'name'; index: number; name: string | undefined };

type Item =
  | { t: 'event'; c: Change }
  | NameItem
  | { t: 'overrun' }
  | { t: 'sync'; kinds: MonitorKind[]; target: View }
  | { t: 'fail'; error: Error };

/**
 * A resync in progress: dumps of `kinds` folded with the events that arrive meanwhile, in the
 * socket's order. Events that arrive before a dump's first reply are older than the dump (among
 * them those queued before an overrun but read after it): the dump supersedes them. Events after
 * it carry the whole object and come after the change they report, so once a key has had one, its
 * events decide: a dump reply for it may have been read before that change and is ignored.
 */
interface Round {
  kinds: Set<MonitorKind>;
  target: View;
  touched: Map<MonitorKind, Set<string>>;
  jobs: Map<MonitorKind, DumpJob[]>;
  pending: number;
  /** Events were lost (or links changed) while dumping: dump `again` once this round ends. */
  again: Set<MonitorKind> | undefined;
}

function checkGroups(groups: unknown): MonitorGroup[] {
  const names = Object.keys(GROUPS);
  if (!Array.isArray(groups) || groups.length === 0) {
    throw new TypeError(`Expected "groups" to be a non-empty array of ${names.join(', ')}, got ${describe(groups)}`);
  }
  return groups.map((g: unknown, i) => {
    if (typeof g !== 'string' || !Object.hasOwn(GROUPS, g)) {
      throw new TypeError(`Expected "groups[${i}]" to be one of ${names.join(', ')}, got ${describe(g)}`);
    }
    return g as MonitorGroup;
  });
}

/** Monitors a consumer is waiting on: kept alive (and the process with them) until an event comes. */
const awaited = new Set<Monitor>();

/** What monitor() options hold: a misspelt one (`resyncc`) is a TypeError, not a monitor without it. */
const MONITOR_OPTIONS: ReadonlySet<string> = new Set(['resync', 'rcvbuf', 'maxQueue']);

/**
 * A subscription to rtnetlink events: `for await (const ev of m)`. One consumer; `close()` (or
 * leaving the loop) ends it. While a consumer awaits the next event the socket keeps the process
 * alive; otherwise, and once closed, it does not.
 */
export class Monitor implements AsyncIterableIterator<MonitorEvent> {
  /** The groups subscribed. */
  readonly groups: readonly MonitorGroup[];
  /** Whether it re-dumps after an overrun (the `resync` option). */
  readonly resync: boolean;
  /** The most events held for a slow consumer (the `maxQueue` option). */
  readonly maxQueue: number;
  /** Overruns so far: kernel drops (ENOBUFS) and queue overflows, reported or resynced. */
  overruns = 0;
  private readonly transport: NativeTransport;
  private readonly dumps: DumpQueue;
  /** kind → families yielded (null: any). */
  private readonly selected = new Map<MonitorKind, Set<number> | null>();
  private readonly names = new DeviceNames((index) => this.nameUnseen(index));
  /**
   * index → hardware type (ifi_type) of the IP tunnels among the links, by which a neighbour's
   * lladdr reads (as IPv4 or IPv6 text). Set as a link is seen; forgotten with its name.
   */
  private readonly types = new Map<number, number>();
  private readonly linkFlags = new Map<number, number>();
  private readonly gone: number[] = [];
  private readonly needNames: boolean;
  /** The first names dump has not completed: events wait for it (to name their devices). */
  private namesPending = false;
  /** A names dump is queued or running ('again': links changed unseen meanwhile, dump once more). */
  private namesDump: 'running' | 'again' | undefined;
  private queue: Item[] = [];
  private head = 0;
  /** Name items in the queue past head (they do not count against maxQueue). */
  private namesQueued = 0;
  /** The name item of each link pushed since the last other item: a later change updates it in place. */
  private readonly lastNames = new Map<number, NameItem>();
  private expansion: Change[] | undefined;
  private expanded = 0;
  /** A change to deliver before the queue's next item. */
  private held: Change | undefined;
  /** With resync: the objects the consumer has been given, per kind. */
  private readonly view = new View();
  private round: Round | undefined;
  private waiters: (() => void)[] = [];
  private refd = false;
  private failed = false;
  private isClosed = false;

  /** @internal use Handle.monitor() / monitor(). Subscribed when this returns. */
  constructor(h: Handle, groups: readonly MonitorGroup[], opts: MonitorOptions = {}) {
    this.groups = checkGroups(groups);
    const o = checkObject(opts, 'options');
    checkKnownFields(o, MONITOR_OPTIONS, 'monitor options');
    this.resync = o['resync'] === undefined ? false : checkBool(o['resync'], 'resync');
    this.maxQueue = o['maxQueue'] === undefined ? 10_000 : checkInt(o['maxQueue'], 'maxQueue', 1, 0x7fffffff);
    const rcvbuf = o['rcvbuf'] === undefined ? undefined : checkInt(o['rcvbuf'], 'rcvbuf', 0, 0x7fffffff);
    const join = new Set<number>();
    for (const g of this.groups) {
      const def = GROUPS[g];
      for (const n of def.groups) join.add(n);
      const prev = this.selected.get(def.kind);
      if (def.families === null || prev === null) this.selected.set(def.kind, null);
      else this.selected.set(def.kind, new Set([...(prev ?? []), ...def.families]));
      if (this.resync && !KINDS[def.kind].dump)
        throw new TypeError(`Expected "groups" to hold no ${g} with resync (it cannot be re-dumped exactly)`);
    }
    this.needNames = [...this.selected.keys()].some((k) => KINDS[k].names);
    const routes = this.resync && this.selected.has('route');
    // Internal subscriptions: links for device names and, with resync, the link and address
    // changes after which the kernel drops IPv4 routes without a word (fib_sync_down_dev).
    if (this.needNames || routes) join.add(RTNLGRP_LINK);
    if (routes) join.add(RTNLGRP_IPV4_IFADDR);

    const sock = rcvbuf === undefined ? { ...h.target } : { ...h.target, rcvbuf };
    // The socket's callback holds the monitor only weakly, so a monitor dropped without close()
    // is collected and its socket closed; while a consumer awaits next(), `awaited` holds it.
    const self = new WeakRef(this);
    const t = (this.transport = openNativeTransport(sock, (c, e, s) => self.deref()?.receive(c, e, s), this));
    this.dumps = new DumpQueue((b) => t.send(b));
    try {
      for (const g of join) t.membership(g, true);
    } catch (e) {
      t.close();
      throw e;
    }
    if (this.needNames) this.dumpNames(true);
    if (this.resync) this.startRound(new Set(this.selected.keys()));
  }

  /** Whether close() was called or the iteration ended. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** With resync: a resync is under way (events of its kinds come as its differences, then `sync`). */
  get resyncing(): boolean {
    return (
      this.round !== undefined ||
      this.expansion !== undefined ||
      this.queue.some((it, i) => i >= this.head && it.t === 'sync')
    );
  }

  /** The monitor is its own async iterator: `for await (const ev of m)`. */
  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next event; `done` once closed. Rejects (and closes) if the kernel sent what cannot be decoded. */
  async next(): Promise<IteratorResult<MonitorEvent, undefined>> {
    for (;;) {
      if (this.isClosed) return DONE;
      const ev = this.take();
      if (ev) return { value: ev, done: false };
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        this.setRef(true);
      });
    }
  }

  /** Leaving a `for await` loop closes the monitor. */
  async return(): Promise<IteratorResult<MonitorEvent, undefined>> {
    this.close();
    return DONE;
  }

  /** Leaves the groups and closes the socket; a pending next() resolves done. Idempotent. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.dropQueue();
    this.view.clear();
    this.round = undefined;
    this.dumps.close();
    this.transport.close();
    awaited.delete(this);
    this.wake();
  }

  // ---- receiving ----

  private receive(chunk: Buffer | null, errno: number, sendId: number): void {
    if (this.isClosed || this.failed) return;
    if (!chunk) {
      if (sendId) this.dumps.sendFailed(sendId, errno);
      else if (errno === ENOBUFS) this.overrun();
      else this.fail(new NetlinkError({ errno, op: 'recvmsg', subject: 'monitor' }));
      return;
    }
    // Replies to our own dumps and events, in the one order the socket delivered them.
    try {
      forEachMessage(chunk, (m) => {
        if (m.pid === this.transport.portId && m.seq !== 0) this.dumps.receive(m);
        else this.event(m);
      });
    } catch (e) {
      this.fail(e as Error);
    }
  }

  private event(m: NlMsg): void {
    const defs = KINDS_BY_TYPE.get(m.type);
    if (!defs || m.end <= m.off) return;
    const family = m.buf[m.off]!;
    if ((m.type === RTM_NEWLINK || m.type === RTM_DELLINK) && family === 0) this.trackLink(m, true);
    else if (m.type === RTM_DELADDR && family === AF_INET) this.routesMayHaveGone();
    for (const d of defs) {
      const fams = this.selected.get(d.kind);
      if (fams === undefined || (fams !== null && !fams.has(family))) continue;
      if (d.accept && !d.accept(m.buf, m.off, m.end)) return;
      const del = m.type === d.delType;
      const c: Change = {
        d,
        del,
        key: d.key(m.buf, m.off, m.end),
        m: copyMessage(m),
        replace: !del && (m.flags & NLM_F_REPLACE) !== 0,
      };
      if (this.queue.length - this.head - this.namesQueued >= this.maxQueue) this.overflow();
      const round = this.round?.kinds.has(d.kind) ? this.round : undefined;
      if (!round) this.push({ t: 'event', c });
      else {
        // Before its dump's first reply, an event is older than the dump: the dump supersedes it.
        const job = round.jobs.get(d.kind)!.find((j) => j.body.owns(m.buf, m.off));
        if (!job || job.started === true) this.fold(round, c);
      }
      return;
    }
  }

  /** Keeps index → name and the UP/LOWER_UP state of every link. */
  private trackLink(m: NlMsg, live: boolean): void {
    if (m.end - m.off < 16) return;
    const index = rds32(m.buf, m.off + 4);
    if (m.type === RTM_DELLINK) {
      this.linkFlags.delete(index);
      if (live) {
        this.pushName(index, undefined);
        this.routesMayHaveGone();
      } else this.nameGone(index);
      return;
    }
    // a link keeps its type; an index reused by another link (moved in) takes that link's at once
    const type = rd16(m.buf, m.off + 2);
    if (lladdrIpLen(type) !== undefined) this.types.set(index, type);
    else this.types.delete(index);
    const a = attrTable(m.buf, m.off + 16, m.end, ['IFLA'])[IFLA_IFNAME];
    if (a) {
      let e = a[0];
      while (e < a[0] + a[1] && m.buf[e] !== 0) e++;
      const name = m.buf.toString('utf8', a[0], e);
      // a live change is the consumer's from where it stands in the stream: the events before it
      // (read later) name the device as it was called then
      if (live) this.pushName(index, name);
      else this.names.set(index, name);
    }
    const flags = rd32(m.buf, m.off + 8);
    const prev = this.linkFlags.get(index);
    this.linkFlags.set(index, flags);
    if (live && prev !== undefined && ((prev ^ flags) & LINK_STATE) !== 0) this.routesMayHaveGone();
  }

  /**
   * A live name change: applied now when the consumer has nothing left to take (no event could
   * need the old name), else queued behind what it has — one item per link at the queue's end, so
   * a consumer that does not read holds at most one per link beside its events.
   */
  private pushName(index: number, name: string | undefined): void {
    if (this.head >= this.queue.length && !this.held && !this.expansion) {
      if (name === undefined) this.nameGone(index);
      else this.names.set(index, name);
      return;
    }
    const last = this.lastNames.get(index);
    if (last) {
      last.name = name;
      return;
    }
    const item: NameItem = { t: 'name', index, name };
    this.lastNames.set(index, item);
    this.namesQueued++;
    this.queue.push(item);
  }

  /** A link went: its name is kept for the events about it still to come, up to GONE_NAMES links. */
  private nameGone(index: number): void {
    this.gone.push(index);
    if (this.gone.length > GONE_NAMES) {
      const old = this.gone.shift()!;
      if (!this.linkFlags.has(old)) {
        this.names.delete(old);
        this.types.delete(old);
      }
    }
  }

  /**
   * The name of a device the stream has not named up to the consumer's place: the kernel announces
   * a new device's netconf (and may announce other objects of it) before the device. Its name is
   * the one a little further on in the queue; if its RTM_NEWLINK has not been read yet (a consumer
   * waiting for events takes the netconf as soon as it comes, often alone in its datagram), the
   * device's name in the namespace now (SIOCGIFNAME), as `ip monitor` asks the kernel for an index
   * it has not seen. Not kept: the stream's own name for it applies once the consumer reaches it.
   */
  private nameUnseen(index: number): string | undefined {
    const end = Math.min(this.queue.length, this.head + NAME_LOOKAHEAD);
    for (let i = this.head; i < end; i++) {
      const it = this.queue[i]!;
      if (it.t === 'name' && it.index === index) return it.name;
    }
    return this.isClosed ? undefined : this.transport.ifName?.(index);
  }

  /** A link went down or away, or an IPv4 address went: the kernel may have flushed routes silently. */
  private routesMayHaveGone(): void {
    if (this.resync && this.selected.has('route')) this.requestRound(['route']);
  }

  /** Dumps the links for their names (at start, and after an overrun: link events may be lost). */
  private dumpNames(gate: boolean): void {
    if (this.namesDump) {
      this.namesDump = 'again';
      return;
    }
    if (gate) this.namesPending = true;
    this.namesDump = 'running';
    const d = KINDS.link;
    for (const body of d.dump!.bodies(0)) {
      this.dumps.add({
        type: d.dump!.type,
        body,
        subject: 'monitor: link names',
        onMessage: (m) => this.trackLink(m, false),
        onDone: (err) => {
          const again = this.namesDump === 'again';
          this.namesDump = undefined;
          if (err) this.fail(err);
          else if (again) this.dumpNames(false);
          if (gate) this.namesPending = false;
          this.wake();
        },
      });
    }
  }

  // ---- overruns and resync ----

  private overrun(): void {
    this.overruns++;
    if (this.needNames) this.dumpNames(false);
    if (this.resync) this.requestRound(this.selected.keys());
    else if (this.queue[this.queue.length - 1]?.t !== 'overrun' || this.queue.length === this.head)
      this.push({ t: 'overrun' });
  }

  /** The consumer fell maxQueue events behind: drop them and report (or resync). */
  private overflow(): void {
    this.dropQueue();
    this.overrun();
  }

  /** Forgets the events not yet taken, and what was being expanded or held for them. */
  private dropQueue(): void {
    this.queue = [];
    this.head = 0;
    this.namesQueued = 0;
    this.lastNames.clear();
    this.expansion = undefined;
    this.held = undefined;
  }

  private requestRound(kinds: Iterable<MonitorKind>): void {
    const round = this.round;
    if (!round) {
      this.startRound(new Set(kinds));
      return;
    }
    const again = (round.again ??= new Set());
    for (const k of kinds) again.add(k);
    // This round will be made again: its unsent dumps would only be thrown away.
    const mine = new Set([...round.jobs.values()].flat());
    this.dumps.cancel((j) => {
      if (!mine.has(j)) return false;
      round.pending--;
      return true;
    });
    if (round.pending === 0) this.startRound(new Set([...round.kinds, ...again]));
  }

  private startRound(kinds: Set<MonitorKind>): void {
    const round: Round = {
      kinds,
      target: new View(),
      touched: new Map(),
      jobs: new Map(),
      pending: 0,
      again: undefined,
    };
    this.round = round;
    const jobs: DumpJob[] = [];
    for (const k of kinds) {
      const target = round.target.objects(k);
      const touched = new Set<string>();
      const d = KINDS[k];
      const fams = this.selected.get(k);
      const mine: DumpJob[] = [];
      for (const family of fams ? [...fams] : [0]) {
        for (const body of d.dump!.bodies(family)) {
          mine.push({
            type: d.dump!.type,
            body,
            subject: `monitor resync: ${k}`,
            onMessage: (m) => {
              if (this.round !== round || (d.accept && !d.accept(m.buf, m.off, m.end))) return;
              const key = d.key(m.buf, m.off, m.end);
              if (!touched.has(key)) round.target.apply({ d, del: false, key, m: copyMessage(m), replace: false });
            },
            // NLM_F_DUMP_INTR: the dump is made again; forget what it gave.
            onRestart: () => {
              for (const [key, m] of target) {
                if (!touched.has(key) && body.owns(m.buf, m.off))
                  round.target.apply({ d, del: true, key, m, replace: false });
              }
            },
            onDone: (err) => this.dumped(round, err),
          });
        }
      }
      round.touched.set(k, touched);
      round.jobs.set(k, mine);
      jobs.push(...mine);
    }
    round.pending = jobs.length;
    for (const j of jobs) this.dumps.add(j);
  }

  private dumped(round: Round, err: Error | null): void {
    if (this.isClosed || this.round !== round) return;
    if (err && !(err instanceof DumpInterruptedError)) {
      this.fail(err);
      return;
    }
    if (err) round.again ??= new Set();
    if (--round.pending > 0) return;
    this.round = undefined;
    if (round.again) {
      this.startRound(new Set([...round.kinds, ...round.again]));
      return;
    }
    // Queued events of these kinds are older than the dump: it supersedes them.
    this.queue = this.queue.slice(this.head).filter((it) => it.t !== 'event' || !round.kinds.has(it.c.d.kind));
    this.head = 0;
    this.push({ t: 'sync', kinds: [...round.kinds], target: round.target });
  }

  // ---- delivering ----

  private push(item: Item): void {
    this.lastNames.clear(); // a name change after this item must not be applied before it
    this.queue.push(item);
    this.wake();
  }

  private fail(error: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.push({ t: 'fail', error });
  }

  private wake(): void {
    const w = this.waiters;
    if (w.length === 0) return;
    this.waiters = [];
    this.setRef(false);
    for (const r of w) r();
  }

  private setRef(on: boolean): void {
    if (on === this.refd || this.isClosed) return;
    this.refd = on;
    if (on) awaited.add(this);
    else awaited.delete(this);
    this.transport.ref(on);
  }

  /** The next event ready for the consumer, if any. */
  private take(): MonitorEvent | undefined {
    if (this.namesPending && !this.failed) return undefined;
    for (;;) {
      if (this.held) {
        const c = this.held;
        this.held = undefined;
        const ev = this.deliver(c);
        if (ev) return ev;
        continue;
      }
      if (this.expansion) {
        const c = this.expansion[this.expanded++];
        if (!c) {
          this.expansion = undefined;
          return { kind: 'sync' };
        }
        const ev = this.deliver(c);
        if (ev) return ev;
        continue;
      }
      if (this.head >= this.queue.length) return undefined;
      const item = this.queue[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      if (item.t === 'name') {
        this.namesQueued--;
        if (this.lastNames.get(item.index) === item) this.lastNames.delete(item.index);
        if (item.name === undefined) this.nameGone(item.index);
        else this.names.set(item.index, item.name);
        continue;
      }
      if (item.t === 'overrun') return { kind: 'overrun' };
      if (item.t === 'fail') {
        this.close();
        throw item.error;
      }
      if (item.t === 'sync') {
        this.expansion = this.view.diff(item.kinds, item.target);
        this.expanded = 0;
        continue;
      }
      const replaced = this.replaced(item.c);
      if (replaced) {
        this.held = item.c;
        const ev = this.deliver(replaced);
        if (ev) return ev;
        continue;
      }
      const ev = this.deliver(item.c);
      if (ev) return ev;
    }
  }

  /** Applies an event to a resync's target; a route replacing its slot's one route takes its place. */
  private fold(round: Round, c: Change): void {
    round.touched.get(c.d.kind)!.add(c.key);
    const t = round.target;
    if (c.replace && c.d.kind === 'route' && !t.objects('route').has(c.key)) {
      const mates = t.slotmates(c.key);
      if (mates.length > 1) (round.again ??= new Set()).add('route');
      if (mates.length === 1) t.apply({ d: c.d, del: true, key: mates[0]!, m: c.m, replace: false });
    }
    t.apply(c);
  }

  /**
   * With resync, a route that replaced another of its slot with a different path: the kernel
   * announces only the new one, so the old one's removal is yielded first. Which one went is plain
   * when the slot held one route; otherwise the routes are dumped again.
   */
  private replaced(c: Change): Change | undefined {
    if (!this.resync || !c.replace || c.d.kind !== 'route' || this.view.objects('route').has(c.key)) return undefined;
    const mates = this.view.slotmates(c.key);
    if (mates.length > 1) this.requestRound(['route']);
    if (mates.length !== 1) return undefined;
    const key = mates[0]!;
    return { d: c.d, del: true, key, m: this.view.objects('route').get(key)!, replace: false };
  }

  /** Decodes a change and, with resync, records it in the consumer's view. */
  private deliver(c: Change): MonitorEvent | undefined {
    let object: unknown;
    try {
      object = c.d.decode(c.m, this.names, this.types);
    } catch (e) {
      this.close();
      throw e;
    }
    if (object === undefined) return undefined;
    if (this.resync) this.view.apply(c);
    const ev = { kind: c.d.kind, action: c.del ? 'del' : 'new', key: c.key, object } as MonitorEvent & {
      replace?: true;
    };
    if (c.replace) ev.replace = true;
    return ev;
  }
}
