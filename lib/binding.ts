// Loads the native addon (native/*.cc, built by node-gyp or cmake-js into build/Release)
// and declares its surface. Only lib/transport.ts, lib/netns.ts, lib/sysctl.ts and lib/tun.ts
// import this file; nothing here knows the netlink protocol.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** Where a socket or file should be opened: the caller's namespace, or another one. */
export interface NetnsTarget {
  /** Path of a namespace file, e.g. /run/netns/blue or /proc/1234/ns/net. */
  netnsPath?: string;
  /** An open descriptor of a namespace file. */
  netnsFd?: number;
}

export interface OpenSocketOptions extends NetnsTarget {
  /** Receive buffer in bytes (SO_RCVBUFFORCE, falling back to SO_RCVBUF). */
  rcvbuf?: number;
  /** Send buffer in bytes (SO_SNDBUFFORCE, falling back to SO_SNDBUF). */
  sndbuf?: number;
}

/**
 * Called on the main thread with a chunk of received datagrams, concatenated (each datagram
 * holds whole netlink messages, so the chunk does too), or with an error:
 *  - (chunk, 0, 0): data.
 *  - (null, errno, 0): a receive error (ENOBUFS = the kernel dropped messages: overrun).
 *  - (null, errno, sendId): sendmsg of the buffer numbered sendId failed with errno.
 */
export type OnData = (chunk: Buffer | null, errno: number, sendId: number) => void;

export interface TunOptions extends NetnsTarget {
  name: string;
  tap: boolean;
  multiQueue: boolean;
  vnetHdr: boolean;
  /** IFF_NO_PI; iproute2's `ip tuntap` sets it unless `pi` is given. */
  noPi: boolean;
  owner?: number;
  group?: number;
  persist: boolean;
}

export interface NativeAddon {
  /** Opens a NETLINK_ROUTE socket (inside the namespace if given: setns on a private thread) and
   *  starts its I/O thread. Returns the socket's descriptor. Throws a SystemError-shaped Error. */
  openSocket(opts: OpenSocketOptions, onData: OnData): number;
  /** The socket's netlink port id (nl_pid from getsockname). */
  socketPortId(fd: number): number;
  /** Copies buf and queues it for one sendmsg on the socket's thread; returns its sendId (1, 2, …). */
  socketSend(fd: number, buf: Buffer): number;
  /** Whether the socket's thread keeps the event loop alive (ref while requests are pending). */
  socketRef(fd: number, ref: boolean): void;
  /** Stops (true) or resumes reading the socket: while paused the kernel keeps replies queued and a
   *  dump produces no more until resumed, so a slow consumer bounds memory. */
  socketPause(fd: number, paused: boolean): void;
  /** NETLINK_ADD_MEMBERSHIP / NETLINK_DROP_MEMBERSHIP for an RTNLGRP_* group number. */
  socketMembership(fd: number, group: number, join: boolean): void;
  /** Sets SO_RCVBUF (not FORCE) to bytes, e.g. small to provoke overruns in tests. */
  socketSetRcvbuf(fd: number, bytes: number): void;
  /** The receive buffer the kernel granted, in bytes (SO_RCVBUF as read back: twice what was set). */
  socketRcvbuf(fd: number): number;
  /** The index of the device named `name` in the socket's namespace (SIOCGIFINDEX), 0 if there is none. */
  socketIfIndex(fd: number, name: string): number;
  /** The name of the device with index `index` in the socket's namespace (SIOCGIFNAME), undefined if there is none. */
  socketIfName(fd: number, index: number): string | undefined;
  /** Stops the socket's thread and closes the socket. Idempotent; unknown fds are ignored. */
  closeSocket(fd: number): void;
  /** Like `ip netns add`: creates /run/netns (a shared mount), the file, a new namespace bind-mounted on it. */
  netnsCreate(path: string): void;
  /** Like `ip netns del`: lazy unmount and unlink. */
  netnsDelete(path: string): void;
  /** Opens path with open(2) flags and mode inside the namespace (setns on a private thread). */
  openInNetns(target: NetnsTarget, path: string, flags: number, mode: number): number;
  /** mknod(2): creates a device node (the /dev/tapN of a macvtap/ipvtap link when devtmpfs did not). */
  mknod(path: string, mode: number, major: number, minor: number): void;
  /** Creates a tun/tap device through /dev/net/tun (inside the namespace if given); returns its name. */
  tunCreate(opts: TunOptions): string;
}

const here = dirname(fileURLToPath(import.meta.url));
/** Both node-gyp and cmake-js write build/Release/rtnetlink.node; lib/ and dist/lib/ both find it. */
const candidates = [
  process.env['RTNETLINK_ADDON'],
  join(here, '..', 'build', 'Release', 'rtnetlink.node'),
  join(here, '..', '..', 'build', 'Release', 'rtnetlink.node'),
  join(here, '..', 'build', 'Debug', 'rtnetlink.node'),
  join(here, '..', '..', 'build', 'Debug', 'rtnetlink.node'),
].filter((p): p is string => typeof p === 'string' && p.length > 0);

let loaded: NativeAddon | undefined;

/** The addon, loaded on first use (so the codec can be used without it). */
export function addon(): NativeAddon {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const errors: string[] = [];
  for (const p of candidates) {
    try {
      loaded = require(p) as NativeAddon;
      return loaded;
    } catch (e) {
      errors.push(`${p}: ${(e as Error).message.split('\n')[0] ?? ''}`);
    }
  }
  throw new Error(`rtnetlink: the native addon is not built (run \`npm run build\`).\n${errors.join('\n')}`);
}
