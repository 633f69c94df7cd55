// Smoke test of the native addon (native/*.cc), root only, inside a throwaway named namespace.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, readdirSync, readFileSync, readlinkSync, readSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { addon } from '../../lib/binding.js';
import { ipBatch } from '../helpers/netns.js';

const RTM_NEWLINK = 16;
const RTM_NEWROUTE = 24;
const RTM_GETROUTE = 26;
const NLMSG_DONE = 3;

/** Splits a chunk into its netlink messages: type, seq, pid and the whole message. */
function messages(chunk: Buffer): { type: number; seq: number; pid: number; msg: Buffer }[] {
  const out = [];
  for (let off = 0; off + 16 <= chunk.length;) {
    const len = chunk.readUInt32LE(off);
    if (len < 16) throw new Error(`bad nlmsg_len ${len} at ${off}`);
    const msg = chunk.subarray(off, off + len);
    out.push({ type: msg.readUInt16LE(4), seq: msg.readUInt32LE(8), pid: msg.readUInt32LE(12), msg });
    off += (len + 3) & ~3;
  }
  return out;
}

/** RTM_GETLINK dump request: nlmsghdr (NLM_F_REQUEST|NLM_F_DUMP) + a zeroed ifinfomsg. */
function getlinkDump(seq: number): Buffer {
  const b = Buffer.alloc(32);
  b.writeUInt32LE(32, 0);
  b.writeUInt16LE(18, 4); // RTM_GETLINK
  b.writeUInt16LE(0x301, 6);
  b.writeUInt32LE(seq, 8);
  return b;
}

const fdCount = (): number => readdirSync('/proc/self/fd').length;
const threadCount = (): number => readdirSync('/proc/self/task').length;
const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8' });

if (process.getuid?.() !== 0) {
  t.plan(0, 'needs root (namespaces, tun)');
} else {
  const a = addon();
  const name = `rtnl-t-addon-${process.pid}`;
  const nsPath = `/run/netns/${name}`;
  const open = new Set<number>();
  const close = (fd: number): void => {
    a.closeSocket(fd);
    open.delete(fd);
  };
  a.netnsCreate(nsPath);
  t.teardown(() => {
    for (const fd of open) a.closeSocket(fd); // a socket keeps the namespace alive
    a.netnsDelete(nsPath);
  });

  /** A socket in the namespace that keeps what it receives, until a chunk holds NLMSG_DONE. */
  const dumpSocket = (): { fd: number; chunks: Buffer[]; done: Promise<void> } => {
    const chunks: Buffer[] = [];
    let fd = -1;
    const done = new Promise<void>((resolve, reject) => {
      fd = a.openSocket({ netnsPath: nsPath }, (chunk, errno, sendId) => {
        if (!chunk) return reject(new Error(`onData error ${errno} (send ${sendId})`));
        chunks.push(chunk);
        if (messages(chunk).some((m) => m.type === NLMSG_DONE)) resolve();
      });
    });
    open.add(fd);
    return { fd, chunks, done };
  };

  t.test('netnsCreate is visible to ip netns, and refuses a second time', async (t) => {
    t.match(ip('netns', 'list'), new RegExp(`^${name}\\b`, 'm'));
    t.throws(() => a.netnsCreate(nsPath), { code: 'EEXIST', errno: -17, syscall: 'open' });
    t.throws(() => a.netnsDelete('/run/netns/rtnl-t-none'), { code: 'ENOENT', errno: -2 });
  });

  t.test('a RTM_GETLINK dump in the namespace sees only lo', async (t) => {
    const { fd, chunks, done } = dumpSocket();
    const port = a.socketPortId(fd);
    t.ok(port > 0, 'kernel-assigned port id');
    t.equal(a.socketSend(fd, getlinkDump(1)), 1, 'first sendId');
    a.socketRef(fd, true);
    await done;
    a.socketRef(fd, false);
    const msgs = messages(Buffer.concat(chunks));
    const links = msgs.filter((m) => m.type === RTM_NEWLINK);
    t.equal(links.length, 1, 'one link');
    t.ok(links[0]?.msg.includes(Buffer.from('lo\0')), 'named lo');
    t.equal(msgs.at(-1)?.type, NLMSG_DONE, 'DONE last');
    t.ok(
      msgs.every((m) => m.seq === 1 && m.pid === port),
      'seq and port id echoed',
    );
    t.equal(a.socketSend(fd, getlinkDump(2)), 2, 'second sendId');
    close(fd);
    a.closeSocket(fd); // idempotent
    t.throws(() => a.socketPortId(fd), { code: 'EBADF' });
  });

  t.test('socketRcvbuf reads back the receive buffer the kernel granted (twice what was set)', async (t) => {
    const fd = a.openSocket({ netnsPath: nsPath, rcvbuf: 65536 }, () => undefined);
    open.add(fd);
    t.equal(a.socketRcvbuf(fd), 131072, 'rcvbuf 65536 at open');
    a.socketSetRcvbuf(fd, 8192);
    t.equal(a.socketRcvbuf(fd), 16384, 'after SO_RCVBUF 8192');
    const big = a.openSocket({ netnsPath: nsPath }, () => undefined);
    open.add(big);
    t.equal(a.socketRcvbuf(big), 64 * 1024 * 1024, 'the default 32 MiB, forced past rmem_max');
    close(fd);
    close(big);
    t.throws(() => a.socketRcvbuf(fd), 'a closed socket');
  });

  t.test("socketIfIndex reads a device's index in the socket's namespace (SIOCGIFINDEX)", async (t) => {
    const fd = a.openSocket({ netnsPath: nsPath }, () => undefined);
    open.add(fd);
    ip('-n', name, 'link', 'add', 'rtnlv0', 'type', 'veth', 'peer', 'name', 'rtnlv1');
    const want = (dev: string): number =>
      (JSON.parse(ip('-n', name, '-j', 'link', 'show', dev)) as { ifindex: number }[])[0]!.ifindex;
    t.equal(a.socketIfIndex(fd, 'lo'), 1);
    t.equal(a.socketIfIndex(fd, 'rtnlv1'), want('rtnlv1'), 'as ip -j link show reports it');
    t.equal(a.socketIfIndex(fd, 'nosuch0'), 0, 'none: 0');
    const host = a.openSocket({}, () => undefined);
    open.add(host);
    t.equal(a.socketIfIndex(host, 'rtnlv0'), 0, 'not in the host namespace');
    ip('-n', name, 'link', 'set', 'rtnlv0', 'name', 'rtnlv9');
    t.equal(a.socketIfIndex(fd, 'rtnlv0'), 0, 'renamed: the old name is gone at once');
    t.equal(a.socketIfIndex(fd, 'rtnlv9'), want('rtnlv9'));
    ip('-n', name, 'link', 'del', 'rtnlv9');
    t.throws(() => a.socketIfIndex(fd, 'x'.repeat(16)), RangeError);
    t.throws(() => a.socketIfIndex(fd, ''), RangeError);
    t.throws(() => a.socketIfIndex(fd, 'a\0b'), RangeError);
    t.throws(() => a.socketIfIndex(fd, 3 as never), TypeError);
    close(fd);
    close(host);
    t.throws(() => a.socketIfIndex(fd, 'lo'), { code: 'EBADF' }, 'a closed socket');
  });

  t.test('errors are SystemError-shaped and thrown synchronously', async (t) => {
    t.throws(() => a.openSocket({ netnsPath: '/run/netns/rtnl-t-none' }, () => {}), {
      code: 'ENOENT',
      errno: -2,
      syscall: 'open',
      message: 'open: No such file or directory',
    });
    t.throws(() => a.openSocket({ netnsPath: '/etc/hostname' }, () => {}), { code: 'EINVAL', syscall: 'setns' });
    t.throws(() => a.openSocket({ rcvbuf: 'x' } as never, () => {}), TypeError);
    t.throws(() => a.socketSend(1 << 30, Buffer.alloc(16)), { code: 'EBADF' });
  });

  t.test('1000 open/close cycles leak no fds, threads or namespace', async (t) => {
    const before = { fds: fdCount(), threads: threadCount(), ns: readlinkSync('/proc/thread-self/ns/net') };
    for (let i = 0; i < 1000; i++) a.closeSocket(a.openSocket({ netnsPath: nsPath }, () => {}));
    const nsFd = a.openInNetns({}, nsPath, constants.O_RDONLY, 0);
    for (let i = 0; i < 100; i++) a.closeSocket(a.openSocket({ netnsFd: nsFd }, () => {}));
    closeSync(nsFd);
    t.equal(fdCount(), before.fds, 'fds');
    t.equal(threadCount(), before.threads, 'threads');
    t.equal(readlinkSync('/proc/thread-self/ns/net'), before.ns, 'main thread namespace');
  });

  t.test('openInNetns opens /proc/sys inside the namespace', async (t) => {
    const host = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim();
    const value = host === '1' ? '0' : '1';
    const w = a.openInNetns({ netnsPath: nsPath }, '/proc/sys/net/ipv4/ip_forward', constants.O_WRONLY, 0);
    writeSync(w, value);
    closeSync(w);
    const r = a.openInNetns({ netnsPath: nsPath }, '/proc/sys/net/ipv4/ip_forward', constants.O_RDONLY, 0);
    const buf = Buffer.alloc(8);
    const n = readSync(r, buf);
    closeSync(r);
    t.equal(buf.toString('utf8', 0, n).trim(), value, 'read back inside');
    t.equal(ip('netns', 'exec', name, 'cat', '/proc/sys/net/ipv4/ip_forward').trim(), value, 'ip netns exec agrees');
    t.equal(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim(), host, 'host untouched');
    t.throws(() => a.openInNetns({ netnsPath: nsPath }, '/proc/sys/net/ipv4/rtnl-nope', constants.O_RDONLY, 0), {
      code: 'ENOENT',
      syscall: 'open',
    });
  });

  t.test('tunCreate makes a tap in the namespace; a member socket hears RTM_NEWLINK', async (t) => {
    let fd = -1;
    const heard = new Promise<Buffer>((resolve) => {
      fd = a.openSocket({ netnsPath: nsPath }, (chunk) => {
        const m = chunk && messages(chunk).find((m) => m.type === RTM_NEWLINK && m.msg.includes('rtnltap0\0'));
        if (m) resolve(m.msg);
      });
    });
    open.add(fd);
    a.socketMembership(fd, 1, true); // RTNLGRP_LINK
    a.socketRef(fd, true);
    const tap = {
      netnsPath: nsPath,
      name: 'rtnltap0',
      tap: true,
      multiQueue: false,
      vnetHdr: true,
      noPi: true,
      persist: true,
    };
    t.equal(a.tunCreate(tap), 'rtnltap0');
    await heard;
    close(fd);
    t.match(ip('-n', name, '-d', 'link', 'show', 'rtnltap0'), /tun type tap .*vnet_hdr on/s);
    t.throws(() => ip('link', 'show', 'rtnltap0'), 'not in the host namespace');
    t.throws(() => a.tunCreate({ ...tap, name: 'x'.repeat(16) }), RangeError);
    t.throws(() => a.tunCreate({ ...tap, name: 'a\0b' }), RangeError, 'a NUL in the name');
  });

  t.test("a dump's first replies reach JS before the kernel has built the rest", async (t) => {
    // 20,000 routes are ~1.2 MB of RTM_NEWROUTE. The kernel builds a dump's next datagram (at most
    // 32 KiB) inside each recvmsg, so a thread that read 32 datagrams per recvmmsg handed JS its
    // first routes only once ~1 MiB was built; JS, idle, now gets them after the first 16 KiB.
    ip('-n', name, 'link', 'set', 'lo', 'up');
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) lines.push(`route add 172.16.${(i >> 8) & 255}.${i & 255}/32 dev lo`);
    ipBatch(name, lines);
    t.teardown(() => ip('-n', name, '-4', 'route', 'flush', 'root', '172.16.0.0/16'));
    const { fd, chunks, done } = dumpSocket();
    const req = Buffer.alloc(28); // nlmsghdr + rtmsg { family AF_INET }
    req.writeUInt32LE(28, 0);
    req.writeUInt16LE(RTM_GETROUTE, 4);
    req.writeUInt16LE(0x301, 6); // NLM_F_REQUEST | NLM_F_DUMP
    req.writeUInt32LE(1, 8);
    req[16] = 2;
    a.socketSend(fd, req);
    a.socketRef(fd, true);
    await done;
    close(fd);
    const msgs = messages(Buffer.concat(chunks));
    const ours = msgs.filter((m) => m.type === RTM_NEWROUTE && m.msg.includes(Buffer.from([172, 16]), 28));
    t.equal(ours.length, 20_000, 'every route, once');
    t.equal(msgs.at(-1)?.type, NLMSG_DONE, 'DONE last');
    t.ok(chunks[0]!.length <= 64 * 1024, `the first chunk holds ${chunks[0]!.length} bytes (at most 64 KiB)`);
    t.ok(chunks.length > 1, `${chunks.length} chunks`);
  });

  t.test('a blocked consumer backs up to the kernel: overrun arrives as ENOBUFS', async (t) => {
    const errors: number[] = [];
    let fd = -1;
    const overrun = new Promise<void>((resolve) => {
      fd = a.openSocket({ netnsPath: nsPath }, (chunk, errno) => {
        if (!chunk) errors.push(errno);
        if (errno === 105) resolve(); // ENOBUFS
      });
    });
    open.add(fd);
    a.socketMembership(fd, 7, true); // RTNLGRP_IPV4_ROUTE
    a.socketSetRcvbuf(fd, 4096);
    a.socketRef(fd, true);
    // The main thread stays blocked (in ip) while 100,000 routes are added, each an RTM_NEWROUTE of
    // ~60 bytes to the member: 16 full chunks (256 KiB each) fill the TSFN queue, then the socket
    // overruns.
    ip('-n', name, 'link', 'set', 'lo', 'up');
    const lines: string[] = [];
    for (let i = 0; i < 100_000; i++)
      lines.push(`route add 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32 dev lo`);
    ipBatch(name, lines);
    await overrun;
    close(fd);
    t.same([...new Set(errors)], [105]);
  });

  t.test('an open socket never keeps the process alive, even with data in flight', async (t) => {
    const addonPath =
      process.env['RTNETLINK_ADDON'] ?? fileURLToPath(new URL('../../build/Release/rtnetlink.node', import.meta.url));
    const script = `const a = require(${JSON.stringify(addonPath)});
      const fd = a.openSocket({ netnsPath: ${JSON.stringify(nsPath)} }, () => {});
      a.openSocket({}, () => {});
      const b = Buffer.alloc(32); b.writeUInt32LE(32, 0); b.writeUInt16LE(18, 4); b.writeUInt16LE(0x301, 6);
      for (let i = 0; i < 50; i++) a.socketSend(fd, b);
      console.log('ok');`;
    const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20000 });
    t.equal(out.trim(), 'ok');
  });
}
