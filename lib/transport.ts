// The native transport: one NETLINK_ROUTE socket, opened by the addon in the handle's namespace,
// with its own I/O thread. Sockets dropped without close() are closed when collected.
import { addon, type NetnsTarget } from './binding.js';
import type { Receiver, Transport, TransportFactory } from './core/transport.js';

const collected = new FinalizationRegistry<number>((fd) => {
  try {
    addon().closeSocket(fd);
  } catch {
    // already closed
  }
});

export interface SocketOptions extends NetnsTarget {
  rcvbuf?: number;
  sndbuf?: number;
}

export interface NativeTransport extends Transport {
  readonly fd: number;
  readonly portId: number;
  membership(group: number, join: boolean): void;
  setRcvbuf(bytes: number): void;
}

/** Opens the socket (throws a SystemError-shaped Error when the namespace cannot be entered). */
export function openNativeTransport(opts: SocketOptions, receive: Receiver, owner?: object): NativeTransport {
  const a = addon();
  const clean: SocketOptions = {};
  if (opts.netnsPath !== undefined) clean.netnsPath = opts.netnsPath;
  if (opts.netnsFd !== undefined) clean.netnsFd = opts.netnsFd;
  if (opts.rcvbuf !== undefined) clean.rcvbuf = opts.rcvbuf;
  if (opts.sndbuf !== undefined) clean.sndbuf = opts.sndbuf;
  // The addon holds its callback until Node's loop runs the socket's teardown, after close(): this
  // trampoline lets go of the receiver (and the engine it holds) at close() instead, so handles
  // opened and closed in one synchronous loop do not all stay alive until the loop turns.
  let to: Receiver | null = receive;
  const fd = a.openSocket(clean, (chunk, errno, sendId) => to?.(chunk, errno, sendId));
  let open = true;
  const token = {};
  const t: NativeTransport = {
    fd,
    portId: a.socketPortId(fd),
    send: (buf) => a.socketSend(fd, buf),
    ref: (on) => {
      if (open) a.socketRef(fd, on);
    },
    pause: (on) => {
      if (open) a.socketPause(fd, on);
    },
    membership: (group, join) => a.socketMembership(fd, group, join),
    setRcvbuf: (bytes) => a.socketSetRcvbuf(fd, bytes),
    rcvbuf: () => a.socketRcvbuf(fd),
    ifIndex: (name) => a.socketIfIndex(fd, name),
    ifName: (index) => a.socketIfName(fd, index),
    close: () => {
      if (!open) return;
      open = false;
      to = null;
      collected.unregister(token);
      a.closeSocket(fd);
    },
  };
  if (owner) collected.register(owner, fd, token);
  return t;
}

export function nativeTransportFactory(opts: SocketOptions, owner?: () => object): TransportFactory {
  return (receive) => openNativeTransport(opts, receive, owner?.());
}
