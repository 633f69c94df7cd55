// What the request engine needs of a socket. lib/transport.ts's NativeTransport (the addon's
// NETLINK_ROUTE socket on its own thread) is the real one; tests inject fakes.

/** The socket under a handle. */
export interface Transport {
  /** Queues buf (whole messages) for one sendmsg; returns its send id. */
  send(buf: Buffer): number;
  /** Keep the event loop alive (true while requests are pending). */
  ref(on: boolean): void;
  /** Stop (true) or resume reading, so a slow stream consumer leaves the rest in the kernel. */
  pause?(on: boolean): void;
  /** The receive buffer the kernel granted, in bytes: it bounds the window (see Engine.window). */
  rcvbuf?(): number;
  /** The index of the device named `name` in the socket's namespace, 0 if there is none, at once. */
  ifIndex?(name: string): number;
  /** The name of the device with index `index` in the socket's namespace, undefined if there is none, at once. */
  ifName?(index: number): string | undefined;
  close(): void;
}

/**
 * How a transport reports what it received (see lib/binding.ts OnData): a chunk of whole
 * messages; or, with chunk null, a failed sendmsg (errno and its send id) or, with send id 0, the
 * kernel's ENOBUFS (replies dropped).
 */
export type Receiver = (chunk: Buffer | null, errno: number, sendId: number) => void;
export type TransportFactory = (receive: Receiver) => Transport;
