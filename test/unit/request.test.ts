// The request engine (lib/core/request.ts) against a FakeTransport: batching, seq matching,
// dumps (multipart, queued, NLM_F_DUMP_INTR), extended ACKs, receive and send failures, abort,
// close, and malformed replies. No root, no socket.
import t, { type Test } from 'tap';
import { constants } from 'node:os';
import { getEventListeners } from 'node:events';
import type { AbortWatch } from '../../lib/core/abort-watch.js';
import { NlWriter } from '../../lib/core/attr.js';
import {
  NLM_F_ACK,
  NLM_F_CREATE,
  NLM_F_DUMP,
  NLM_F_DUMP_INTR,
  NLM_F_EXCL,
  NLM_F_MULTI,
  NLM_F_REPLACE,
  NLM_F_REQUEST,
  NLM_F_ROOT,
  NLMSG_NOOP,
  RTM_GETLINK,
  RTM_GETROUTE,
  RTM_NEWLINK,
  RTM_NEWROUTE,
} from '../../lib/core/constants.js';
import { DecodeError, DumpInterruptedError, HandleClosedError, NetlinkError } from '../../lib/core/errors.js';
import { ifinfomsg, ifla } from '../../lib/link/ifla.js';
import { decodeLink } from '../../lib/link/link.js';
import type { NlMsg } from '../../lib/core/nlmsg.js';
import { decodeLink as codecDecodeLink, replyMessage } from '../../lib/codec.js';
import {
  ack,
  cstr,
  done,
  fakeHandle,
  linkPayload,
  nla,
  nlmsg,
  splitMessages,
  turn,
  u32le,
  zeroSeq,
  type FakeTransport,
  type SentMsg,
} from '../helpers/fake-transport.js';

const E = constants.errno;

/** Resolves to 'pending' if p has not settled after a few turns, else its outcome. */
async function state(p: Promise<unknown>): Promise<'pending' | 'resolved' | 'rejected'> {
  let s: 'pending' | 'resolved' | 'rejected' = 'pending';
  p.then(
    () => (s = 'resolved'),
    () => (s = 'rejected'),
  );
  for (let i = 0; i < 3; i++) await turn();
  return s;
}

/** The single message of the only (or last) send. */
function lastSent(fake: FakeTransport): SentMsg[] {
  const s = fake.sends.at(-1);
  if (!s) throw new Error('nothing sent');
  return splitMessages(s.buf, s.id);
}

const newlink = (seq: number, index: number, name: string, flags = NLM_F_MULTI): Buffer =>
  nlmsg(RTM_NEWLINK, flags, seq, linkPayload(index, name));

t.test('requests issued in one turn leave in one sendmsg, with REQUEST|ACK and distinct seqs', async (t) => {
  const { h, fake } = fakeHandle();
  const ps: Promise<unknown>[] = [
    h.link.get('a0'),
    h.link.get('b0'),
    h.link.get(7),
    h.request({ type: RTM_GETLINK, body: ifinfomsgBody(9) }),
  ];
  t.equal(fake.sends.length, 0, 'nothing is sent before the turn ends');
  await turn();
  t.equal(fake.sends.length, 1, 'one sendmsg');
  const msgs = lastSent(fake);
  t.equal(msgs.length, 4);
  t.equal(new Set(msgs.map((m) => m.seq)).size, 4, 'distinct seqs');
  for (const m of msgs) {
    t.equal(m.type, RTM_GETLINK);
    t.equal(m.flags, NLM_F_REQUEST | NLM_F_ACK);
  }
  t.ok(fake.refd, 'pending requests keep the loop alive');
  h.close();
  for (const p of ps) await t.rejects(p, HandleClosedError);
});

function ifinfomsgBody(index: number): Buffer {
  const w = new NlWriter(64);
  ifinfomsg.write(w, { index });
  return w.take();
}

t.test('replies are matched by seq, in any order; unknown and foreign seqs are ignored', async (t) => {
  const { h, fake } = fakeHandle();
  const names = ['a0', 'b0', 'c0', 'd0', 'e0'];
  const ps = names.map((n) => h.link.get(n));
  await turn();
  const msgs = lastSent(fake);
  // Noise first: a notification (seq 0), a reply to nobody, a duplicate ACK for nobody.
  const unknown = (Math.max(...msgs.map((m) => m.seq)) + 1000) >>> 0;
  fake.deliver(newlink(0, 99, 'zz0', 0), newlink(unknown, 98, 'yy0', 0), ack(unknown), ack(unknown, -E.EPERM));
  for (const p of ps) t.equal(await state(p), 'pending', 'noise settles nothing');
  // Answer in reverse order, each in its own chunk, reply then ACK.
  [...msgs].reverse().forEach((m) => {
    const i = msgs.indexOf(m);
    fake.deliver(newlink(m.seq, 10 + i, names[i]!, 0), ack(m.seq));
  });
  const got = await Promise.all(ps);
  t.same(
    got.map((l) => [l.name, l.index]),
    names.map((n, i) => [n, 10 + i]),
  );
  // A late reply for an answered seq is ignored too.
  t.doesNotThrow(() => fake.deliver(newlink(msgs[0]!.seq, 1, 'late', 0), ack(msgs[0]!.seq)));
  h.close();
});

t.test('a multipart dump is assembled up to NLMSG_DONE across chunks', async (t) => {
  const { h, fake } = fakeHandle();
  const p = h.link.list();
  await turn();
  const [m] = lastSent(fake);
  t.ok(m && (m.flags & NLM_F_DUMP) === NLM_F_DUMP && !(m.flags & NLM_F_ACK), 'a dump request, no ACK flag');
  const seq = m!.seq;
  fake.deliver(newlink(seq, 1, 'lo'), newlink(seq, 2, 'eth0'));
  t.equal(await state(p), 'pending', 'no DONE yet');
  fake.deliver(newlink(seq, 3, 'eth1'));
  fake.deliver(done(seq));
  t.same(
    (await p).map((l) => l.name),
    ['lo', 'eth0', 'eth1'],
  );
  t.notOk(fake.refd);
  h.close();
});

t.test('a dump without NLMSG_DONE stays pending; close() rejects it', async (t) => {
  const { h, fake } = fakeHandle();
  const p = h.link.list();
  await turn();
  const seq = lastSent(fake)[0]!.seq;
  fake.deliver(newlink(seq, 1, 'lo'), newlink(seq, 2, 'eth0'));
  t.equal(await state(p), 'pending');
  t.ok(fake.refd, 'a pending dump keeps the loop alive');
  h.close();
  await t.rejects(p, HandleClosedError);
});

t.test('a second dump is queued until the first completes; both complete with their own rows', async (t) => {
  const { h, fake } = fakeHandle();
  const p1 = h.link.list();
  const p2 = h.engine.dump(
    RTM_GETROUTE,
    (w) => w.zeros(12),
    (m) => m.type,
  );
  const g = h.link.get('x0'); // an ordinary request is not held back by the dump
  await turn();
  const first = lastSent(fake);
  t.same(
    first.map((m) => m.type),
    [RTM_GETLINK, RTM_GETLINK],
    'one dump and the get, not the second dump',
  );
  const dumpSeq = first[0]!.seq;
  fake.deliver(newlink(first[1]!.seq, 5, 'x0', 0), ack(first[1]!.seq));
  t.equal((await g).name, 'x0');
  fake.deliver(newlink(dumpSeq, 1, 'lo'), done(dumpSeq));
  t.same(
    (await p1).map((l) => l.name),
    ['lo'],
  );
  await turn();
  const second = lastSent(fake);
  t.equal(second.length, 1);
  t.equal(second[0]!.type, RTM_GETROUTE, 'the queued dump goes out after the first');
  t.ok((second[0]!.flags & NLM_F_DUMP) === NLM_F_DUMP);
  fake.deliver(nlmsg(RTM_NEWROUTE, NLM_F_MULTI, second[0]!.seq, Buffer.alloc(12)), done(second[0]!.seq));
  t.same(await p2, [RTM_NEWROUTE]);
  h.close();
});

t.test('NLM_F_DUMP_INTR: the dump is retried whole and never returned half-done', async (t) => {
  const { h, fake } = fakeHandle();
  const p = h.link.list();
  await turn();
  const s1 = lastSent(fake)[0]!.seq;
  fake.deliver(
    newlink(s1, 1, 'lo'),
    newlink(s1, 2, 'old0', NLM_F_MULTI | NLM_F_DUMP_INTR),
    newlink(s1, 3, 'old1'),
    done(s1, NLM_F_DUMP_INTR),
  );
  await turn();
  const retry = lastSent(fake);
  t.equal(fake.sends.length, 2, 'sent again');
  const s2 = retry[0]!.seq;
  t.not(s2, s1, 'with a new seq');
  // A stray message of the abandoned attempt is ignored.
  fake.deliver(newlink(s1, 4, 'stale0'));
  fake.deliver(newlink(s2, 1, 'lo'), newlink(s2, 3, 'new0'), done(s2));
  t.same(
    (await p).map((l) => l.name),
    ['lo', 'new0'],
    'only the clean attempt',
  );
  h.close();
});

t.test('NLM_F_DUMP_INTR set only on NLMSG_DONE still retries (the kernel checks consistency there too)', async (t) => {
  const { h, fake } = fakeHandle();
  const p = h.link.list();
  await turn();
  const s1 = lastSent(fake)[0]!.seq;
  fake.deliver(newlink(s1, 1, 'lo'), newlink(s1, 2, 'half0'), done(s1, NLM_F_DUMP_INTR));
  await turn();
  t.equal(fake.sends.length, 2, 'retried');
  const s2 = lastSent(fake)[0]!.seq;
  fake.deliver(newlink(s2, 1, 'lo'), newlink(s2, 2, 'whole0'), newlink(s2, 3, 'whole1'), done(s2));
  t.same(
    (await p).map((l) => l.name),
    ['lo', 'whole0', 'whole1'],
  );
  h.close();
});

t.test('NLM_F_DUMP_INTR every time: DumpInterruptedError after the retry limit, and the next dump runs', async (t) => {
  const { h, fake } = fakeHandle({ dumpRetries: 3 });
  const p = h.link.list();
  const next = h.link.list();
  for (let i = 0; i < 4; i++) {
    await turn();
    const s = lastSent(fake)[0]!.seq;
    fake.deliver(newlink(s, 1, 'lo', NLM_F_MULTI | NLM_F_DUMP_INTR), done(s, NLM_F_DUMP_INTR));
  }
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  t.type(err, DumpInterruptedError);
  t.equal((err as DumpInterruptedError).code, 'EINTR');
  t.match((err as Error).message, /link\.list.*4 times/);
  t.equal(fake.sends.length, 4, 'the first attempt and 3 retries');
  await turn();
  const s = lastSent(fake)[0]!.seq;
  fake.deliver(newlink(s, 1, 'lo'), done(s));
  t.same(
    (await next).map((l) => l.name),
    ['lo'],
    'the queued dump is not stuck',
  );
  t.notOk(fake.refd);
  h.close();
});

t.test('extended ACK: NetlinkError with errno, code, op, the kernel text, and the field from the offset', async (t) => {
  const { h, fake } = fakeHandle();
  const body = (w: NlWriter): void => {
    ifinfomsg.write(w, { index: 0 });
    ifla.encode(w, { name: 'x0', mtu: 70000, txqueuelen: 5 });
  };
  const p = h.engine.request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, body, { subject: 'link.add x0' });
  const q = h.engine.request(RTM_NEWLINK, 0, body, { subject: 'link.set x0' });
  await turn();
  const [m, m2] = lastSent(fake);
  // Find IFLA_MTU (4) in the sent bytes, as the kernel's offset would point at it.
  let off = 16 + 16;
  while (off < m!.msg.length && m!.msg.readUInt16LE(off + 2) !== 4) off += (m!.msg.readUInt16LE(off) + 3) & ~3;
  t.ok(off < m!.msg.length, 'IFLA_MTU is in the request');
  fake.deliver(ack(m!.seq, -E.EINVAL, { msg: 'MTU too large', offset: off }));
  // The same with the request echoed (no NETLINK_CAP_ACK): TLVs follow the echo.
  fake.deliver(ack(m2!.seq, -E.ERANGE, { msg: 'echoed', offset: 16 + 16, echo: m2!.msg }));
  const err = (await p.then(
    () => undefined,
    (e: unknown) => e,
  )) as NetlinkError;
  t.type(err, NetlinkError);
  t.match(err, {
    errno: E.EINVAL,
    code: 'EINVAL',
    op: 'RTM_NEWLINK',
    field: 'mtu',
    extack: { message: 'MTU too large', offset: off },
  });
  t.match(err.message, /^link\.add x0: .*\(EINVAL\): MTU too large \[field "mtu"\]/);
  const err2 = (await q.then(
    () => undefined,
    (e: unknown) => e,
  )) as NetlinkError;
  t.match(err2, { errno: E.ERANGE, code: 'ERANGE', field: 'name', extack: { message: 'echoed' } });
  h.close();
});

t.test('an error without extack, and an error in NLMSG_DONE or NLMSG_ERROR for a dump', async (t) => {
  const { h, fake } = fakeHandle();
  const p = h.link.get('nope0');
  const d = h.link.list();
  await turn();
  const [g, dm] = lastSent(fake);
  fake.deliver(ack(g!.seq, -E.ENODEV));
  const err = (await p.then(
    () => undefined,
    (e: unknown) => e,
  )) as NetlinkError;
  t.match(err, { code: 'ENODEV', errno: E.ENODEV, op: 'RTM_GETLINK', extack: undefined, field: undefined });
  t.match(err.message, /^link\.get nope0: /);
  fake.deliver(newlink(dm!.seq, 1, 'lo'), done(dm!.seq, 0, -E.EMSGSIZE));
  await t.rejects(d, { name: 'NetlinkError', code: 'EMSGSIZE' });
  const d2 = h.link.list();
  await turn();
  fake.deliver(ack(lastSent(fake)[0]!.seq, -E.EINVAL, { msg: 'strict check' }));
  await t.rejects(d2, { name: 'NetlinkError', code: 'EINVAL', extack: { message: 'strict check' } });
  h.close();
});

t.test('ENOBUFS on receive rejects everything pending, and the handle goes on working', async (t) => {
  const { h, fake } = fakeHandle();
  const ps: Promise<unknown>[] = [h.link.get('a0'), h.link.list()];
  const queued = h.link.list();
  await turn();
  const dumpSeq = lastSent(fake)[1]!.seq;
  fake.fail(E.ENOBUFS);
  for (const p of ps) await t.rejects(p, { name: 'NetlinkError', code: 'ENOBUFS' });
  // The kernel paces a dump rather than dropping it: the rejected dump still runs to its DONE,
  // and until then another dump would get EBUSY, so the queued one waits for that DONE.
  await turn();
  t.equal(fake.sends.length, 1, "the queued dump waits for the rejected one's DONE");
  t.ok(fake.refd, 'and keeps the loop alive meanwhile');
  fake.deliver(newlink(dumpSeq, 1, 'lo'), done(dumpSeq));
  await turn();
  const s = lastSent(fake)[0]!.seq;
  fake.deliver(newlink(s, 1, 'lo'), done(s));
  t.same(
    (await queued).map((l) => l.name),
    ['lo'],
  );
  const g = h.link.get('b0');
  await turn();
  const s2 = lastSent(fake)[0]!.seq;
  fake.deliver(newlink(s2, 2, 'b0', 0), ack(s2));
  t.equal((await g).name, 'b0');
  h.close();
});

t.test('a failed sendmsg rejects the requests of that buffer only', async (t) => {
  const { h, fake } = fakeHandle();
  const a = [h.link.get('a0'), h.link.get('a1')];
  await turn();
  const b = [h.link.get('b0'), h.link.get('b1')];
  await turn();
  t.equal(fake.sends.length, 2);
  const [first, second] = fake.sends;
  fake.failSend(second!.id, E.EPERM);
  for (const p of b) await t.rejects(p, { name: 'NetlinkError', code: 'EPERM' });
  for (const p of a) t.equal(await state(p), 'pending', 'the other buffer is untouched');
  const ms = splitMessages(first!.buf);
  ms.forEach((m, i) => fake.deliver(newlink(m.seq, i + 1, `a${i}`, 0), ack(m.seq)));
  t.same(
    (await Promise.all(a)).map((l) => l.name),
    ['a0', 'a1'],
  );
  t.doesNotThrow(() => fake.failSend(12345, E.EPERM), 'an unknown send id is ignored');
  h.close();
});

t.test('one AbortSignal shared by many requests: one listener, no leak warning, every request aborted', async (t) => {
  const { h, fake } = fakeHandle();
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(w.name);
  process.on('warning', onWarning);
  t.teardown(() => process.off('warning', onWarning));
  const waiting = (s: AbortSignal): number =>
    (h.engine as unknown as { aborts: AbortWatch<unknown> }).aborts.watching(s);

  const ac = new AbortController();
  const answered = Array.from({ length: 20 }, (_, i) => h.link.get(`a${i}`, { signal: ac.signal }));
  await turn();
  t.equal(waiting(ac.signal), 20, 'twenty requests wait on the signal');
  t.equal(getEventListeners(ac.signal, 'abort').length, 1, 'through one listener');
  for (const m of lastSent(fake)) fake.deliver(newlink(m.seq, 1, 'a', 0), ack(m.seq));
  t.equal((await Promise.all(answered)).length, 20);
  t.equal(waiting(ac.signal), 0, 'answered, they are off it');
  t.equal(getEventListeners(ac.signal, 'abort').length, 0, 'and the listener is off the signal');

  const ac2 = new AbortController();
  const aborted = Array.from({ length: 20 }, (_, i) => h.link.get(`b${i}`, { signal: ac2.signal }));
  await turn();
  ac2.abort();
  for (const p of aborted) await t.rejects(p, { name: 'AbortError' });
  await new Promise((r) => setImmediate(r));
  t.same(warnings, [], 'no MaxListenersExceededWarning');
  h.close();
});

t.test('AbortSignal: before submit, while pending, while queued; an aborted unsent request is not sent', async (t) => {
  const { h, fake } = fakeHandle();
  const pre = AbortSignal.abort();
  await t.rejects(h.link.get('a0', { signal: pre }), { name: 'AbortError' });

  const ac = new AbortController();
  const p = h.link.get('b0', { signal: ac.signal });
  await turn();
  const seq = lastSent(fake)[0]!.seq;
  ac.abort();
  await t.rejects(p, { name: 'AbortError' });
  t.doesNotThrow(() => fake.deliver(newlink(seq, 1, 'b0', 0), ack(seq)), 'the late answer is ignored');

  const d1 = h.link.list();
  const ac2 = new AbortController();
  const d2 = h.link.list({}, { signal: ac2.signal });
  await turn();
  ac2.abort();
  await t.rejects(d2, { name: 'AbortError' });
  const s1 = lastSent(fake)[0]!.seq;
  fake.deliver(done(s1));
  t.same(await d1, []);
  await turn();
  t.equal(fake.sends.length, 2, 'the aborted queued dump never goes out');

  // Aborted in the same turn: the message must not reach the kernel as a request.
  const ac3 = new AbortController();
  const kept = h.link.get('k0');
  const gone = h.engine.request(RTM_NEWLINK, NLM_F_CREATE, (w) => ifinfomsg.write(w, {}), { signal: ac3.signal });
  ac3.abort();
  await t.rejects(gone, { name: 'AbortError' });
  await turn();
  const last = lastSent(fake);
  const live = last.filter((m) => m.type !== NLMSG_NOOP);
  t.same(
    live.map((m) => m.type),
    [RTM_GETLINK],
    'only the request that was not aborted is live',
  );
  for (const m of last.filter((x) => x.type === NLMSG_NOOP))
    t.notOk(m.flags & NLM_F_ACK, 'a cancelled slot asks for no ACK');
  fake.deliver(newlink(live[0]!.seq, 3, 'k0', 0), ack(live[0]!.seq));
  t.equal((await kept).name, 'k0');
  t.notOk(fake.refd);
  h.close();
});

t.test('aborting a dump in flight answers at once, but the next dump waits for its DONE (else EBUSY)', async (t) => {
  const { h, fake } = fakeHandle();
  const ac = new AbortController();
  const d1 = h.link.list({}, { signal: ac.signal });
  await turn();
  const s1 = lastSent(fake)[0]!.seq;
  fake.deliver(newlink(s1, 1, 'lo'));
  ac.abort();
  await t.rejects(d1, { name: 'AbortError' }, 'the caller hears at once');
  const d2 = h.link.list();
  await turn();
  t.equal(fake.sends.length, 1, 'the second dump is held back while the kernel still runs the first');
  fake.deliver(newlink(s1, 2, 'eth0', NLM_F_MULTI | NLM_F_DUMP_INTR), done(s1, NLM_F_DUMP_INTR));
  await turn();
  t.equal(fake.sends.length, 2, 'after its DONE (not retried: nobody wants it) the next dump goes out');
  const s2 = lastSent(fake)[0]!.seq;
  t.equal(lastSent(fake)[0]!.type, RTM_GETLINK);
  fake.deliver(newlink(s2, 1, 'lo'), done(s2));
  t.same(
    (await d2).map((l) => l.name),
    ['lo'],
  );
  t.notOk(fake.refd);
  h.close();
});

t.test('close() is idempotent, rejects pending and queued work, and later calls reject', async (t) => {
  const { h, fake } = fakeHandle();
  const g = h.link.get('a0');
  const d1 = h.link.list();
  const d2 = h.link.list();
  await turn();
  const seq = lastSent(fake)[0]!.seq;
  h.close();
  h.close();
  t.equal(fake.closeCalls, 1, 'the transport is closed once');
  t.ok(h.closed);
  for (const p of [g, d1, d2] as Promise<unknown>[]) await t.rejects(p, HandleClosedError);
  t.doesNotThrow(() => fake.deliver(newlink(seq, 1, 'a0', 0), ack(seq)), 'a reply after close is ignored');
  await t.rejects(h.link.get('a0'), HandleClosedError);
  await t.rejects(h.link.list(), HandleClosedError);
  await t.rejects(h.request({ type: RTM_GETLINK }), HandleClosedError);
});

t.test('the window bounds messages in flight; the rest leave as ACKs come back', async (t) => {
  const { h, fake } = fakeHandle({ window: 4, batchBytes: 1 });
  const ps = Array.from({ length: 10 }, (_, i) => h.link.get(`l${i}`));
  await turn();
  t.equal(fake.sent.length, 4, 'four in flight');
  const answered = new Set<number>();
  while (answered.size < 10) {
    const out = fake.sent.filter((m) => !answered.has(m.seq));
    t.ok(out.length <= 4, `at most 4 unanswered (${out.length})`);
    t.ok(out.length > 0);
    for (const m of out) {
      answered.add(m.seq);
      fake.deliver(newlink(m.seq, answered.size, `x${answered.size}`, 0), ack(m.seq));
    }
    await turn();
  }
  t.equal((await Promise.all(ps)).length, 10);
  h.close();
});

t.test('only GET requests with a DUMP bit are dumps; NEW with REPLACE|EXCL is acked', async (t) => {
  const { h, fake } = fakeHandle();
  const add = h.request({ type: RTM_NEWROUTE, flags: NLM_F_REPLACE | NLM_F_EXCL, body: Buffer.alloc(12) });
  const root = h.request({ type: RTM_GETLINK, flags: NLM_F_ROOT, body: ifinfomsgBody(0) });
  await turn();
  const [a, r] = lastSent(fake);
  t.ok(a!.flags & NLM_F_ACK, 'RTM_NEWROUTE with REPLACE|EXCL (= the DUMP bits) asks for an ACK');
  fake.deliver(ack(a!.seq));
  t.same(await add, []);
  t.notOk(r!.flags & NLM_F_ACK, 'RTM_GETLINK with NLM_F_ROOT is dumped by the kernel: no ACK comes');
  fake.deliver(newlink(r!.seq, 1, 'lo'), done(r!.seq));
  t.equal((await root).length, 1, 'ended by NLMSG_DONE');
  h.close();
});

t.test("a raw request's replies go to the codec's decoders through replyMessage", async (t) => {
  const { h, fake } = fakeHandle();
  const dump = h.request({ type: RTM_GETLINK, flags: NLM_F_DUMP, body: ifinfomsgBody(0) });
  await turn();
  const seq = lastSent(fake)[0]!.seq;
  const wire = [newlink(seq, 1, 'lo'), newlink(seq, 7, 'eth0')];
  fake.deliver(...wire, done(seq));
  const replies = await dump;
  const links = replies.map((r) => codecDecodeLink(replyMessage(r)));
  t.same(
    links.map((l) => [l.index, l.name, l.mtu]),
    [
      [1, 'lo', 1500],
      [7, 'eth0', 1500],
    ],
  );
  for (const [i, r] of replies.entries()) {
    const m = replyMessage(r);
    t.match(m, { type: RTM_NEWLINK, flags: NLM_F_MULTI, seq: 0, pid: 0, start: 0, off: 16, end: m.buf.length });
    t.same(m.buf, zeroSeq(wire[i]!), 'the message as it came, seq and pid 0');
    t.same(m.buf.subarray(m.off, m.end), r.body, 'its payload is the reply body');
  }
  const copy = replyMessage(replies[0]!);
  const before = Buffer.from(replies[0]!.body);
  copy.buf.fill(0xee, copy.off, copy.end);
  t.same(Buffer.from(replies[0]!.body), before, "a copy: writing the message leaves the reply's body as it was");
  // a reply built by hand is checked, naming the field
  const body = Buffer.alloc(16);
  t.throws(() => replyMessage({ type: 0x10000, flags: 0, body }), { name: 'RangeError', message: /"reply\.type"/ });
  t.throws(() => replyMessage({ type: 16, flags: -1, body }), { name: 'RangeError', message: /"reply\.flags"/ });
  t.throws(() => replyMessage({ type: 16, flags: 0, body: 'x' as unknown as Buffer }), {
    name: 'TypeError',
    message: /"reply\.body" to be a Buffer or Uint8Array, got/,
  });
  t.throws(() => replyMessage(null as unknown as Parameters<typeof replyMessage>[0]), {
    name: 'TypeError',
    message: /"reply"/,
  });
  h.close();
});

t.test('malformed replies reject with DecodeError and never throw out of the receive callback', async (t) => {
  const cases: Array<[string, (seq: number) => Buffer]> = [
    ['truncated header', () => Buffer.alloc(10)],
    [
      'length over the buffer',
      (seq) => {
        const b = ack(seq);
        b.writeUInt32LE(b.length + 4, 0);
        return b;
      },
    ],
    [
      'length under a header',
      (seq) => {
        const b = ack(seq);
        b.writeUInt32LE(8, 0);
        return b;
      },
    ],
    [
      'length 0',
      (seq) => {
        const b = ack(seq);
        b.writeUInt32LE(0, 0);
        return b;
      },
    ],
    ['NLMSG_ERROR shorter than nlmsgerr', (seq) => nlmsg(2, 0, seq, Buffer.alloc(6))],
  ];
  for (const [name, make] of cases) {
    const { h, fake } = fakeHandle();
    const p = h.link.get('a0');
    await turn();
    const seq = lastSent(fake)[0]!.seq;
    t.doesNotThrow(() => fake.deliver(make(seq)), `${name}: receive does not throw`);
    await t.rejects(p, DecodeError, `${name}: DecodeError`);
    h.close();
  }
  const attrCases: Array<[string, Buffer]> = [
    ['attribute length under 4', Buffer.concat([Buffer.alloc(16), Buffer.from([2, 0, 3, 0])])],
    ['attribute past the end', Buffer.concat([Buffer.alloc(16), nla(3, cstr('eth0')).subarray(0, 6)])],
    [
      'attribute length over the message',
      Buffer.concat([Buffer.alloc(16), Buffer.from([0xff, 0xff, 3, 0, 0x41, 0, 0, 0])]),
    ],
    ['ifinfomsg truncated', Buffer.alloc(8)],
    ['mtu of 2 bytes', Buffer.concat([Buffer.alloc(16), nla(4, Buffer.alloc(2))])],
    [
      'nested linkinfo with a bad inner length',
      Buffer.concat([Buffer.alloc(16), nla(18, Buffer.from([9, 0, 1, 0, 0x76, 0, 0, 0]))]),
    ],
  ];
  for (const [name, payload] of attrCases) {
    const { h, fake } = fakeHandle();
    const d = h.link.list();
    const g = h.link.get('a0');
    await turn();
    const [dm, gm] = lastSent(fake);
    t.doesNotThrow(
      () =>
        fake.deliver(
          newlink(dm!.seq, 1, 'lo'),
          nlmsg(RTM_NEWLINK, NLM_F_MULTI, dm!.seq, payload),
          newlink(dm!.seq, 3, 'eth1'),
          done(dm!.seq),
        ),
      `${name}: receive does not throw`,
    );
    await t.rejects(d, DecodeError, `${name}: the dump rejects with DecodeError`);
    t.equal(await state(g), 'pending', `${name}: other requests are not affected by one bad object`);
    t.doesNotThrow(() => fake.deliver(nlmsg(RTM_NEWLINK, 0, gm!.seq, payload), ack(gm!.seq)));
    await t.rejects(g, DecodeError, `${name}: a get rejects with DecodeError`);
    h.close();
  }
});

t.test('a dump whose decoder throws keeps its seq until DONE, then the queued dump runs', async (t) => {
  const { h, fake } = fakeHandle();
  let n = 0;
  const d1 = h.engine.dump(
    RTM_GETLINK,
    (w) => ifinfomsg.write(w, {}),
    (m) => {
      if (++n === 2) throw new DecodeError('bad', m.off);
      return decodeLink(m).name;
    },
  );
  const d2 = h.link.list();
  await turn();
  const s1 = lastSent(fake)[0]!.seq;
  fake.deliver(newlink(s1, 1, 'a'), newlink(s1, 2, 'b'), newlink(s1, 3, 'c'));
  await turn();
  t.equal(
    fake.sends.length,
    1,
    "the second dump waits for the first one's DONE (the kernel allows one dump per socket)",
  );
  fake.deliver(done(s1));
  await t.rejects(d1, DecodeError);
  await turn();
  const s2 = lastSent(fake)[0]!.seq;
  fake.deliver(newlink(s2, 1, 'lo'), done(s2));
  t.same(
    (await d2).map((l) => l.name),
    ['lo'],
  );
  h.close();
});

t.test(
  "onDumpRun: a dump's object messages as runs of whole messages in their chunk; DONE, INTR, other replies and a throw are the engine's",
  async (t) => {
    const { h, fake } = fakeHandle();
    const dump = (onDumpRun: (buf: Buffer, off: number, end: number) => void, onRestart?: () => void): Promise<void> =>
      new Promise<void>((resolve, reject) =>
        h.engine.submit(RTM_GETLINK, NLM_F_DUMP, (w) => ifinfomsg.write(w, {}), {
          onDumpRun,
          ...(onRestart ? { onRestart } : {}),
          onDone: (e) => (e ? reject(e) : resolve()),
        }),
      );
    /** The names of the links in a run, which must be whole messages ending exactly at `end`. */
    const names = (buf: Buffer, off: number, end: number): string[] => {
      const out: string[] = [];
      let o = off;
      while (o < end) {
        const len = buf.readUInt32LE(o);
        t.ok(len >= 16 && o + len <= end, 'a whole message');
        const m: NlMsg = { type: RTM_NEWLINK, flags: 0, seq: 0, pid: 0, buf, start: o, off: o + 16, end: o + len };
        out.push(decodeLink(m).name);
        o += (len + 3) & ~3;
      }
      t.equal(o, end, 'the run ends after its last message');
      return out;
    };

    let runs: string[][] = [];
    const seen: string[] = [];
    let restarts = 0;
    const d = dump(
      (buf, off, end) => {
        const run = names(buf, off, end);
        runs.push(run);
        seen.push(...run);
      },
      () => {
        restarts++;
        runs = [];
      },
    );
    await turn();
    let seq = lastSent(fake)[0]!.seq;
    fake.deliver(
      Buffer.concat([newlink(seq, 1, 'a'), nlmsg(NLMSG_NOOP, NLM_F_MULTI, seq), newlink(seq, 2, 'b')]),
      newlink(seq, 3, 'c'),
      newlink(seq, 4, 'x', NLM_F_MULTI | NLM_F_DUMP_INTR),
      newlink(seq, 5, 'y'),
      done(seq, NLM_F_DUMP_INTR),
    );
    t.same(seen, ['a', 'b', 'c'], 'NLM_F_DUMP_INTR: nothing from it on is delivered');
    t.same(runs, [], 'and the dump restarts');
    t.equal(restarts, 1);
    await turn();
    seq = lastSent(fake)[0]!.seq;
    // Another request's reply in the middle of the dump's messages splits the run.
    const other = h.engine.request(RTM_NEWLINK, 0, (w) => ifinfomsg.write(w, {}));
    await turn();
    const otherSeq = lastSent(fake)[0]!.seq;
    t.not(otherSeq, seq);
    fake.deliver(newlink(seq, 1, 'a'), newlink(seq, 2, 'b'), ack(otherSeq), newlink(seq, 3, 'c'));
    t.same(runs, [['a', 'b'], ['c']], 'one call per run; a NOOP or another reply ends one');
    await other;
    fake.deliver(newlink(seq, 4, 'd'), newlink(seq, 5, 'e'), done(seq));
    await d;
    t.same(runs, [['a', 'b'], ['c'], ['d', 'e']], 'DONE is not an object');

    // A throw fails the dump with that error; the rest of it is swallowed until DONE.
    let calls = 0;
    const failing = dump(() => {
      calls++;
      throw new RangeError('bad row');
    });
    await turn();
    seq = lastSent(fake)[0]!.seq;
    fake.deliver(newlink(seq, 1, 'a'), nlmsg(NLMSG_NOOP, NLM_F_MULTI, seq), newlink(seq, 2, 'b'));
    t.equal(calls, 1, 'not called after it threw');
    t.equal(await state(failing), 'pending', 'the dump waits for its DONE');
    fake.deliver(newlink(seq, 3, 'c'), done(seq));
    await t.rejects(failing, { name: 'RangeError', message: 'bad row' });
    t.same(
      (
        await Promise.all([
          h.link.list(),
          (async () => {
            await turn();
            const s2 = lastSent(fake)[0]!.seq;
            fake.deliver(newlink(s2, 1, 'lo'), done(s2));
          })(),
        ])
      )[0].map((l) => l.name),
      ['lo'],
      'the handle goes on',
    );
    h.close();
  },
);

t.test('a throwing body sends nothing and leaves the seq sequence intact', async (t) => {
  const { h, fake } = fakeHandle();
  const bad = h.engine.request(RTM_NEWLINK, 0, (w) => ifla.encode(w, { mtu: -1 }));
  await t.rejects(bad, { name: 'RangeError', message: /"mtu"/ });
  const badDump = h.engine.dump(
    RTM_GETLINK,
    () => {
      throw new TypeError('Expected "x"');
    },
    () => 1,
  );
  await t.rejects(badDump, TypeError);
  const ok = h.link.get('a0');
  await turn();
  const msgs = fake.sent;
  t.equal(msgs.length, 1, 'only the valid request was sent');
  t.equal(msgs[0]!.type, RTM_GETLINK);
  fake.deliver(newlink(msgs[0]!.seq, 1, 'a0', 0), ack(msgs[0]!.seq));
  t.equal((await ok).name, 'a0');
  h.close();
});

/** RTM_NEWROUTE of a route.dump(): 10.0.x.y/32 in table main (rtmsg, RTA_DST, RTA_TABLE). */
function newroute(seq: number, i: number, flags = NLM_F_MULTI): Buffer {
  const rtm = Buffer.from([2, 32, 0, 0, 254, 4, 0, 1, 0, 0, 0, 0]);
  return nlmsg(
    RTM_NEWROUTE,
    flags,
    seq,
    Buffer.concat([rtm, nla(1, Buffer.from([10, 0, (i >> 8) & 255, i & 255])), nla(15, u32le(254))]),
  );
}

/** Answers the link-names dump just sent (`what` says whose) with `lo`; returns what is sent next. */
async function answerLinkNames(t: Test, fake: FakeTransport, what: string): Promise<SentMsg> {
  const names = lastSent(fake)[0]!;
  t.equal(names.type, RTM_GETLINK, what);
  const sends = fake.sends.length;
  fake.deliver(newlink(names.seq, 1, 'lo'), done(names.seq));
  while (fake.sends.length === sends) await turn();
  return lastSent(fake)[0]!;
}

/** route.dump()'s first next(), with its link-names dump answered by `lo`: the route dump's seq. */
async function startRouteDump(
  t: Test,
  h: ReturnType<typeof fakeHandle>['h'],
  fake: FakeTransport,
): Promise<{ it: AsyncIterator<{ dst: string }>; first: Promise<IteratorResult<{ dst: string }>>; seq: number }> {
  const it = h.route.dump({ family: 4 })[Symbol.asyncIterator]();
  const first = it.next();
  await turn();
  const req = await answerLinkNames(t, fake, 'the device names are read first');
  t.equal(req.type, RTM_GETROUTE, 'then the routes');
  return { it, first, seq: req.seq };
}

t.test(
  'route.dump(): NLM_F_DUMP_INTR after a route was yielded ends it with DumpInterruptedError; a queued dump then runs',
  async (t) => {
    const { h, fake } = fakeHandle();
    const { it, first, seq } = await startRouteDump(t, h, fake);
    const queued = h.link.list();
    fake.deliver(newroute(seq, 1));
    t.match(await first, { value: { dst: '10.0.0.1/32' }, done: false });
    fake.deliver(newroute(seq, 2, NLM_F_MULTI | NLM_F_DUMP_INTR), done(seq, NLM_F_DUMP_INTR));
    await t.rejects(it.next(), DumpInterruptedError);
    await turn();
    const s2 = lastSent(fake)[0]!;
    t.equal(s2.type, RTM_GETLINK);
    fake.deliver(newlink(s2.seq, 1, 'lo'), done(s2.seq));
    t.same(
      (await queued).map((l) => l.name),
      ['lo'],
      'the queued dump is not stuck behind the failed stream',
    );
    t.notOk(fake.refd);
    h.close();
  },
);

t.test('route.dump(): routes come out in order across chunks, partly taken runs, many small chunks', async (t) => {
  const { h, fake } = fakeHandle();
  const { it, first, seq } = await startRouteDump(t, h, fake);
  const dstOf = (i: number): string => `10.0.${(i >> 8) & 255}.${i & 255}/32`;
  let sent = 0;
  /** One chunk of the next n routes. */
  const deliver = (n: number): void => fake.deliver(...Array.from({ length: n }, () => newroute(seq, sent++)));
  let taken = 0;
  const wrong: string[] = [];
  const take = async (n: number): Promise<void> => {
    for (let k = 0; k < n; k++, taken++) {
      const r = await it.next();
      if (r.done || r.value.dst !== dstOf(taken)) wrong.push(`#${taken}: ${r.done ? 'done' : r.value.dst}`);
    }
  };
  /** What the stream holds on to (white-box: consumed chunks must not stay referenced). */
  const kept = (): number => (it as unknown as { runBufs: Buffer[] }).runBufs.length;
  deliver(1);
  t.match(await first, { value: { dst: dstOf(0) } });
  taken = 1;
  deliver(800);
  await take(700); // 100 of the run wait
  deliver(800); // and a second run behind them
  await take(10);
  deliver(1200); // 2,090 in three runs, taken across their bounds
  await take(2000);
  for (let c = 0; c < 100; c++) deliver(3); // 100 chunks of 3 behind the 90 left
  await take(90 + 3 * 80);
  // 20 chunks wait, and of the 83 taken whole no more than 64 are kept: 103 without letting go.
  t.ok(kept() <= 20 + 1 + 64, `consumed chunks are let go while more wait (${kept()} kept)`);
  await take(3 * 20);
  t.equal(kept(), 0, 'and all of them once the queue is empty');
  deliver(2);
  fake.deliver(done(seq));
  await take(2);
  t.same(await it.next(), { value: undefined, done: true });
  t.same(wrong, [], `${taken} routes, each once, in the order sent`);
  t.equal(taken, sent);
  h.close();
});

t.test('route.dump(): a consumer that lags holds reading, which any other request resumes', async (t) => {
  const { h, fake } = fakeHandle();
  const { it, first, seq } = await startRouteDump(t, h, fake);
  const chunk = (from: number, n: number): Buffer[] => Array.from({ length: n }, (_, k) => newroute(seq, from + k));
  // 1 route is taken by the waiting next(); the rest wait undecoded.
  for (let i = 0; i < 16; i++) fake.deliver(...chunk(i * 1000, 1000));
  t.match(await first, { value: { dst: '10.0.0.0/32' } });
  t.same(fake.pauses, [], '15,999 waiting: reading goes on');
  fake.deliver(...chunk(16000, 1000));
  t.same(fake.pauses, [true], '16,999 waiting: reading stops');
  t.notOk(fake.refd, 'a held dump does not keep the event loop alive: only its consumer can resume it');

  // A request sent meanwhile: its ACK queues behind the dump's datagrams, so reading resumes.
  const add = h.route.add({ dst: '10.9.9.9/32', dev: 1 });
  t.same(fake.pauses, [true, false], 'resumed as soon as the request is made');
  t.ok(fake.refd);
  await turn();
  const a = lastSent(fake)[0]!;
  t.equal(a.type, RTM_NEWROUTE);
  fake.deliver(...chunk(17000, 100), ack(a.seq));
  await add;
  t.same(fake.pauses, [true, false, true], 'held again once it is answered');

  // A dump queued behind this one (route.list's link names) could not start: reading resumes.
  const listed = h.route.list({ table: 'all' });
  t.same(fake.pauses, [true, false, true, false], 'a queued dump resumes reading');

  fake.deliver(done(seq));
  let taken = 1;
  for (let r = await it.next(); !r.done; r = await it.next()) taken++;
  t.equal(taken, 17_100, 'every route delivered is yielded once');
  t.notOk(fake.paused, 'not paused after the dump');
  await turn();
  const r2 = await answerLinkNames(t, fake, 'the queued dump went out after DONE');
  fake.deliver(newroute(r2.seq, 5), done(r2.seq));
  t.same(
    (await listed).map((r) => r.dst),
    ['10.0.0.5/32'],
  );
  h.close();
});

t.test(
  'route.dump(): the hold ends once the consumer has taken the backlog below 4,096, at return() and at DONE',
  async (t) => {
    const { h, fake } = fakeHandle();
    let { it, first, seq } = await startRouteDump(t, h, fake);
    const many = (from: number, n = 17_000): Buffer[] => Array.from({ length: n }, (_, k) => newroute(seq, from + k));
    fake.deliver(...many(0));
    await first;
    t.same(fake.pauses, [true], 'held with 16,999 waiting');
    let taken = 1;
    while (fake.paused) {
      await it.next();
      taken++;
    }
    t.equal(taken, 12_905, 'resumed when 4,095 wait');
    fake.deliver(...many(17_000));
    t.same(fake.pauses, [true, false, true], 'held again');
    await it.return!();
    t.same(
      fake.pauses,
      [true, false, true, false],
      'return() resumes reading: the rest of the dump is read and dropped',
    );
    fake.deliver(newroute(seq, 1), done(seq));

    // A held dump that ends (its DONE was read before the hold took effect) releases the hold too.
    ({ it, first, seq } = await startRouteDump(t, h, fake));
    fake.deliver(...many(0));
    await first;
    t.ok(fake.paused);
    fake.deliver(done(seq));
    t.notOk(fake.paused, 'DONE resumes reading');
    taken = 1;
    for (let r = await it.next(); !r.done; r = await it.next()) taken++;
    t.equal(taken, 17_000);
    h.close();
  },
);
