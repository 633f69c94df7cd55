// A Handle is one NETLINK_ROUTE socket bound to one network namespace, with every object
// family (link, addr, route, …) speaking through it. The module-level families are the default
// handle's own objects, opened lazily in the caller's namespace.
import type { NetnsTarget } from './binding.js';
import { Engine, type EngineOptions, type RequestContext } from './core/request.js';
import type { TransportFactory } from './core/transport.js';
import type { NlMsg } from './core/nlmsg.js';
import { nativeTransportFactory } from './transport.js';
import { netnsPath, systemError } from './netns.js';
import { checkInt, checkKnownFields, describe } from './core/validate.js';
import { LinkApi } from './link/link.js';
import { AddrApi } from './addr.js';
import { RouteApi } from './route.js';
import { NexthopApi } from './nexthop.js';
import { FdbApi, NeighApi } from './neigh.js';
import { BridgeVlanApi } from './bridge-vlan.js';
import { RuleApi } from './rule.js';
import { SysctlApi } from './sysctl.js';
import { Monitor, type MonitorGroup, type MonitorOptions } from './monitor.js';

/** open()'s options besides the namespace: socket buffer sizes, engine tuning. */
export interface SocketOptions extends EngineOptions {
  /**
   * Socket receive buffer in bytes (default 128 MiB, forced where CAP_NET_ADMIN allows): a limit, not
   * an allocation. It bounds the window (see `window`): the kernel's default sysctl limit, where
   * forcing is not allowed, leaves room for the ACKs of about 200 messages in flight.
   */
  rcvbuf?: number | undefined;
  /** Socket send buffer in bytes (default 4 MiB). */
  sndbuf?: number | undefined;
}

/**
 * Which namespace open() enters: at most one of `netns`, `netnsPath`, `netnsFd` (none = the
 * caller's). The others may be left out or `undefined`; two given are a compile error here and a
 * TypeError at run time.
 */
export type NetnsOption =
  | {
      /** A name under /run/netns (as `ip netns add` makes them). */
      netns?: string | undefined;
      /** Not with `netns`. */
      netnsPath?: undefined;
      /** Not with `netns`. */
      netnsFd?: undefined;
    }
  | {
      /** Not with `netnsPath`. */
      netns?: undefined;
      /** Any namespace file, e.g. /proc/1234/ns/net. */
      netnsPath?: string | undefined;
      /** Not with `netnsPath`. */
      netnsFd?: undefined;
    }
  | {
      /** Not with `netnsFd`. */
      netns?: undefined;
      /** Not with `netnsFd`. */
      netnsPath?: undefined;
      /** An open descriptor of a namespace file. */
      netnsFd?: number | undefined;
    };

/**
 * What open() takes: which namespace (at most one of netns, netnsPath, netnsFd; none = the caller's),
 * socket buffer sizes, engine tuning.
 */
export type OpenOptions = NetnsOption & SocketOptions;

/**
 * The request socket's receive buffer unless `rcvbuf` says otherwise: read back as 256 MiB, it holds
 * the ACKs of the default window of 131,072 messages (lib/core/request.ts) even while JavaScript reads
 * none of them, as when a caller issues that many calls in one synchronous loop.
 */
const REQUEST_RCVBUF = 128 << 20;

/** A raw request for a message this package does not model. */
export interface RawRequest {
  /** nlmsg_type, e.g. RTM_GETLINK or a type this package does not model. */
  type: number;
  /** NLM_F_* flags; NLM_F_REQUEST is added, and NLM_F_ACK unless NLM_F_DUMP is set. */
  flags?: number | undefined;
  /** The payload after nlmsghdr (family header and attributes). */
  body?: Uint8Array | undefined;
  /** Aborts the request. */
  signal?: AbortSignal | undefined;
}

/**
 * A reply message of a raw request; the codec's `replyMessage(reply)` (`rtnetlink/codec`) makes it
 * the message its decoders take.
 */
export interface RawReply {
  /** nlmsg_type of the reply. */
  type: number;
  /** nlmsg_flags of the reply. */
  flags: number;
  /** The payload after nlmsghdr. */
  body: Buffer;
}

export function namespaceTarget(opts: OpenOptions): NetnsTarget {
  const given = [opts.netns, opts.netnsPath, opts.netnsFd].filter((x) => x !== undefined).length;
  if (given > 1) throw new TypeError('Expected at most one of "netns", "netnsPath", "netnsFd"');
  if (opts.netns !== undefined) return { netnsPath: netnsPath(opts.netns) };
  if (opts.netnsPath !== undefined) {
    if (typeof opts.netnsPath !== 'string' || !opts.netnsPath)
      throw new TypeError('Expected "netnsPath" to be a non-empty string');
    return { netnsPath: opts.netnsPath };
  }
  if (opts.netnsFd !== undefined) {
    if (!Number.isInteger(opts.netnsFd) || opts.netnsFd < 0)
      throw new TypeError('Expected "netnsFd" to be a file descriptor');
    return { netnsFd: opts.netnsFd };
  }
  return {};
}

/** The namespace a handle is opened on, for error messages: `netns blue (/run/netns/blue)`. */
function namespaceOf(opts: OpenOptions, target: NetnsTarget): string {
  if (opts.netns !== undefined) return `netns ${opts.netns} (${target.netnsPath ?? ''})`;
  if (target.netnsPath !== undefined) return `netnsPath ${target.netnsPath}`;
  if (target.netnsFd !== undefined) return `netnsFd ${target.netnsFd}`;
  return "(the caller's namespace)";
}

/** Closes the engine of a handle that was dropped without close(). */
const dropped = new FinalizationRegistry<Engine>((engine) => engine.close());

/**
 * One NETLINK_ROUTE socket bound to one network namespace, with every object family speaking through it.
 * Made by open(); `close()` it when done (a handle dropped without close() is closed when collected).
 */
export class Handle {
  /** @internal the request engine (the socket is opened on first use for the default handle). */
  readonly engine: Engine;
  /** @internal which namespace this handle works in ({} = the caller's). */
  readonly target: NetnsTarget;
  /** @internal the options the handle was opened with. */
  readonly options: OpenOptions;
  /** Links (`ip link`) in this handle's namespace. */
  readonly link: LinkApi;
  /** Addresses (`ip address`) in this handle's namespace. */
  readonly addr: AddrApi;
  /** Routes (`ip route`) in this handle's namespace. */
  readonly route: RouteApi;
  /** Nexthop objects (`ip nexthop`) in this handle's namespace. */
  readonly nexthop: NexthopApi;
  /** Neighbours (`ip neigh`) in this handle's namespace. */
  readonly neigh: NeighApi;
  /** Bridge forwarding entries (`bridge fdb`) in this handle's namespace. */
  readonly fdb: FdbApi;
  /** Bridge port VLANs (`bridge vlan`) in this handle's namespace. */
  readonly bridgeVlan: BridgeVlanApi;
  /** Policy rules (`ip rule`) in this handle's namespace. */
  readonly rule: RuleApi;
  /** This namespace's /proc/sys/net (`ip netns exec NS sysctl …`). */
  readonly sysctl: SysctlApi;

  /** @internal use open(). */
  constructor(opts: OpenOptions = {}, lazy = false, factory?: TransportFactory) {
    this.options = opts;
    this.target = namespaceTarget(opts);
    const sock: { rcvbuf?: number; sndbuf?: number } = { rcvbuf: opts.rcvbuf ?? REQUEST_RCVBUF };
    if (opts.sndbuf !== undefined) sock.sndbuf = opts.sndbuf;
    // The socket's callback holds the engine, so the engine must not hold the handle: a dropped
    // handle is then collected, and its engine closed (socket and thread with it).
    this.engine = new Engine(factory ?? nativeTransportFactory({ ...this.target, ...sock }), opts);
    dropped.register(this, this.engine, this);
    if (!lazy) {
      try {
        this.engine.ensureOpen();
      } catch (e) {
        throw systemError(`open ${namespaceOf(opts, this.target)}`, e);
      }
    }
    this.link = new LinkApi(this);
    this.addr = new AddrApi(this);
    this.route = new RouteApi(this);
    this.nexthop = new NexthopApi(this);
    this.neigh = new NeighApi(this);
    this.fdb = new FdbApi(this);
    this.bridgeVlan = new BridgeVlanApi(this);
    this.rule = new RuleApi(this);
    this.sysctl = new SysctlApi(this);
  }

  /** Subscribes to rtnetlink multicast groups (`ip monitor`); subscribed when this returns. */
  monitor(groups: readonly MonitorGroup[], opts: MonitorOptions = {}): Monitor {
    return new Monitor(this, groups, opts);
  }

  /** Sends a message this package does not model and returns the replies (for dumps, every message). */
  async request(req: RawRequest): Promise<RawReply[]> {
    if (!Number.isInteger(req.type) || req.type < 0 || req.type > 0xffff)
      throw new TypeError('Expected "type" to be an integer in 0..65535');
    const flags = req.flags ?? 0;
    if (!Number.isInteger(flags) || flags < 0 || flags > 0xffff)
      throw new TypeError('Expected "flags" to be an integer in 0..65535');
    const body = req.body ?? new Uint8Array(0);
    if (!(body instanceof Uint8Array)) throw new TypeError('Expected "body" to be a Buffer or Uint8Array');
    const ctx: RequestContext = { signal: req.signal };
    const copy = (m: NlMsg): RawReply => ({
      type: m.type,
      flags: m.flags,
      body: Buffer.from(m.buf.subarray(m.off, m.end)),
    });
    // The engine tells a dump (an RTM_GET* with a dump bit) from an ACKed request, flags kept.
    return new Promise<RawReply[]>((resolve, reject) => {
      let replies: RawReply[] = [];
      this.engine.submit(
        req.type,
        flags,
        (w) => w.bytes(body),
        {
          onMessage: (m) => void replies.push(copy(m)),
          onRestart: () => void (replies = []),
          onDone: (err) => (err ? reject(err) : resolve(replies)),
        },
        ctx,
      );
    });
  }

  /** Closes the socket; pending requests reject with HandleClosedError. Idempotent. */
  close(): void {
    // The registry holds the engine strongly until the handle is collected and its cleanup task
    // runs; unregistered, a closed handle's engine goes with the handle at the next collection.
    dropped.unregister(this);
    this.engine.close();
  }

  /** Whether close() was called (or the handle was dropped). */
  get closed(): boolean {
    return this.engine.isClosed;
  }
}

/** Opens a handle on the caller's namespace, or on another one (`{ netns: 'blue' }`). */
export function open(opts: OpenOptions = {}): Handle {
  if (opts === null || typeof opts !== 'object') throw new TypeError('Expected the options to be an object');
  checkOpenOptions(opts);
  return new Handle(opts, false);
}

/** What open() options hold: a misspelt namespace option (`netNs`) must not open the caller's namespace. */
const OPEN_OPTIONS: ReadonlySet<string> = new Set([
  'netns',
  'netnsPath',
  'netnsFd',
  'rcvbuf',
  'sndbuf',
  'window',
  'batchBytes',
  'dumpRetries',
]);

/** Checks open()'s options before a socket is opened: TypeError/RangeError naming the field. */
function checkOpenOptions(opts: OpenOptions): void {
  checkKnownFields(opts, OPEN_OPTIONS, 'open() options');
  if (opts.netns !== undefined && typeof opts.netns !== 'string')
    throw new TypeError(`Expected "netns" to be a namespace name, got ${describe(opts.netns)}`);
  if (opts.rcvbuf !== undefined) checkInt(opts.rcvbuf, 'rcvbuf', 1024, 0x7fffffff);
  if (opts.sndbuf !== undefined) checkInt(opts.sndbuf, 'sndbuf', 1024, 0x7fffffff);
  if (opts.window !== undefined) checkInt(opts.window, 'window', 1, 0x7fffffff);
  // one batch holds at least a netlink message of NLMSG_GOODSIZE-ish size
  if (opts.batchBytes !== undefined) checkInt(opts.batchBytes, 'batchBytes', 4096, 1 << 30);
  if (opts.dumpRetries !== undefined) checkInt(opts.dumpRetries, 'dumpRetries', 0, 1000);
}
