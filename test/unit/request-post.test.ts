// Engine.post(): requests tracked by sequence number in the engine's ring instead of a Pending
// object each (the path under route.addMany/replaceMany/delMany and route.add × N). Against a
// FakeTransport: every message settled exactly once with its own arg and tag, in any ACK order,
// through ring growth and shrinking, errors with the extended ACK's field, receive and send
// failures, close, a throwing writer, the window, and the fallback when the ring is at its largest.
import t from 'tap';
import { constants } from 'node:os';
import { type NlWriter } from '../../lib/core/attr.js';
import { NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REQUEST, RTM_NEWROUTE } from '../../lib/core/constants.js';
import { DecodeError, HandleClosedError, NetlinkError } from '../../lib/core/errors.js';
import type { AckOwner } from '../../lib/core/ack-ring.js';
import { Engine, type EngineTuning, type RequestContext } from '../../lib/core/request.js';
import { ack, FakeTransport, kernelAnswers, splitMessages, turn, type SentMsg } from '../helpers/fake-transport.js';

const E = constants.errno;

/** An owner whose payload is its arg as a u32 attribute (type 1, field "value"), recording settles. */
class Recorder implements AckOwner<number> {
  readonly settled = new Map<number, { tag: number; err: Error | null; count: number }>();
  readonly ctx: RequestContext = { subject: 'test.post' };
  throwFor = -1;
  onSettle: ((arg: number, err: Error | null) => void) | undefined;

  write(w: NlWriter, arg: number): void {
    if (arg === this.throwFor) throw new TypeError(`Expected "value" to be valid, got ${arg}`);
    w.u32(0); // a 4-byte family header
    const start = w.beginAttr(1);
    w.u32(arg);
    w.endAttr(start);
    w.trace?.push({ start, end: w.pos, field: 'value' });
  }

  context(): RequestContext {
    return this.ctx;
  }

  settle(arg: number, tag: number, err: Error | null): void {
    const prev = this.settled.get(arg);
    this.settled.set(arg, { tag, err, count: (prev?.count ?? 0) + 1 });
    this.onSettle?.(arg, err);
  }
}

function engine(opts: EngineTuning = {}): { e: Engine; fake: () => FakeTransport } {
  let fake: FakeTransport | undefined;
  const e = new Engine((rx) => (fake = new FakeTransport(rx)), opts);
  e.ensureOpen();
  return { e, fake: () => fake! };
}

/** Every message sent so far, and the u32 each carries (its arg). */
function sentArgs(fake: FakeTransport): { m: SentMsg; arg: number }[] {
  return fake.sends.flatMap((s) => splitMessages(s.buf, s.id)).map((m) => ({ m, arg: m.payload.readUInt32LE(8) }));
}

/** ACKs every sent message not settled yet, a turn at a time, until n are settled (at most `rounds` turns). */
async function ackOutstanding(fake: FakeTransport, rec: Recorder, n: number, rounds: number): Promise<void> {
  for (let k = 0; k < rounds && rec.settled.size < n; k++) {
    fake.deliver(...fake.sent.filter((m) => !rec.settled.has(m.payload.readUInt32LE(8))).map((m) => ack(m.seq)));
    await turn();
  }
}

/** Deterministic shuffle (xorshift), so a failure can be replayed. */
function shuffle<T>(a: T[], seed = 12345): T[] {
  let x = seed;
  for (let i = a.length - 1; i > 0; i--) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const j = (x >>> 0) % (i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

const FLAGS = NLM_F_CREATE | NLM_F_EXCL;

t.test('20,000 posts (the ring grows past its first 4,096 slots) settle once each, ACKed in any order', async (t) => {
  const { e, fake } = engine({ window: 1 << 20 });
  const rec = new Recorder();
  const n = 20_000;
  for (let i = 0; i < n; i++) e.post(RTM_NEWROUTE, FLAGS, rec, i, i * 3);
  t.equal(e.pendingCount, n);
  await turn();
  const sent = sentArgs(fake());
  t.equal(sent.length, n, 'every message sent');
  t.equal(new Set(sent.map((s) => s.m.seq)).size, n, 'distinct seqs');
  const lastOfSend = new Set(fake().sends.map((s) => splitMessages(s.buf).at(-1)!.seq));
  t.equal(lastOfSend.size, Math.ceil(n / 1024), 'sendmsgs of 1,024 messages');
  t.ok(
    sent.every(
      (s) =>
        s.m.type === RTM_NEWROUTE && s.m.flags === (FLAGS | NLM_F_REQUEST | (lastOfSend.has(s.m.seq) ? NLM_F_ACK : 0)),
    ),
    'type, and flags with REQUEST; ACK on the last of each sendmsg only',
  );
  t.same(
    sent.map((s) => s.arg),
    Array.from({ length: n }, (_, i) => i),
    'in order',
  );
  t.ok(fake().refd, 'posted requests keep the loop alive');
  // ACKs in a shuffled order, in chunks of 1,000.
  const order = shuffle(sent.slice());
  for (let k = 0; k < n; k += 1000) fake().deliver(...order.slice(k, k + 1000).map((s) => ack(s.m.seq)));
  t.equal(rec.settled.size, n, 'every arg settled');
  let bad = 0;
  for (const [arg, s] of rec.settled) if (s.count !== 1 || s.err !== null || s.tag !== arg * 3) bad++;
  t.equal(bad, 0, 'once each, without error, with its own tag');
  t.equal(e.pendingCount, 0);
  t.notOk(fake().refd, 'nothing pending: the loop may exit');
  // A duplicate ACK settles nothing again.
  fake().deliver(ack(sent[0]!.m.seq));
  t.equal(rec.settled.get(0)!.count, 1);
  e.close();
});

t.test('posts and submits share the seq space; each gets its own answer', async (t) => {
  const { e, fake } = engine();
  const rec = new Recorder();
  const subs: (Error | null)[] = [];
  for (let i = 0; i < 100; i++) {
    e.post(RTM_NEWROUTE, FLAGS, rec, i, i);
    e.submit(RTM_NEWROUTE, FLAGS, (w) => w.u32(0), { onDone: (err) => void subs.push(err) });
  }
  await turn();
  const sent = fake().sent;
  t.equal(sent.length, 200);
  // Answer the submits with EEXIST and the posts with ACKs, all in one chunk, reversed.
  fake().deliver(...sent.reverse().map((m) => (m.payload.length === 4 ? ack(m.seq, -E.EEXIST) : ack(m.seq))));
  t.equal(subs.length, 100);
  t.ok(
    subs.every((x) => x instanceof NetlinkError && x.errno === E.EEXIST),
    'submits rejected',
  );
  t.equal(rec.settled.size, 100);
  t.ok(
    [...rec.settled.values()].every((s) => s.err === null && s.count === 1),
    'posts ACKed',
  );
  e.close();
});

t.test('a sendmsg asks one ACK, of its last post: that answer settles the others, after their errors', async (t) => {
  const { e, fake } = engine();
  const rec = new Recorder();
  const subs: (Error | null)[] = [];
  // post ×3, submit, post ×2, submit: the fifth post() is the last of the sendmsg.
  let arg = 0;
  for (const kind of ['p', 'p', 'p', 's', 'p', 'p', 's']) {
    if (kind === 'p') e.post(RTM_NEWROUTE, FLAGS, rec, arg++, 0);
    else e.submit(RTM_NEWROUTE, FLAGS, (w) => w.u32(0), { onDone: (err) => void subs.push(err) });
  }
  await turn();
  t.equal(fake().sends.length, 1, 'one sendmsg');
  const sent = fake().sent;
  t.same(
    sent.map((m) => (m.flags & NLM_F_ACK ? 'ack' : '-')),
    ['-', '-', '-', 'ack', '-', 'ack', 'ack'],
    'ACK asked by the submits and by the last post only',
  );
  // The kernel fails the second post and answers the rest as netlink_rcv_skb does.
  const posts = sent.filter((m) => m.payload.length > 4);
  const answers = kernelAnswers(sent, (m) => (m.seq === posts[1]!.seq ? E.EEXIST : 0));
  t.equal(answers.length, 4, 'one error and three ACKs come back');
  fake().deliver(...answers);
  const args = posts.map((m) => m.payload.readUInt32LE(8));
  t.same(args, [0, 1, 2, 3, 4]);
  t.same(
    args.map((a) => (rec.settled.get(a)!.err as NetlinkError | null)?.errno ?? 0),
    [0, E.EEXIST, 0, 0, 0],
    "the failed one rejected, the others ACKed by the last one's answer",
  );
  t.ok(
    args.every((a) => rec.settled.get(a)!.count === 1),
    'each settled once',
  );
  t.same(subs, [null, null]);
  t.equal(e.pendingCount, 0);

  // The last post's own error settles it alone: the earlier ones of its sendmsg succeeded.
  for (let i = 0; i < 4; i++) e.post(RTM_NEWROUTE, FLAGS, rec, 100 + i, 0);
  await turn();
  const batch = splitMessages(fake().sends.at(-1)!.buf);
  fake().deliver(...kernelAnswers(batch, (m) => (m.seq === batch[3]!.seq ? E.ENETUNREACH : 0)));
  t.same(
    [100, 101, 102, 103].map((a) => (rec.settled.get(a)!.err as NetlinkError | null)?.errno ?? 0),
    [0, 0, 0, E.ENETUNREACH],
  );
  e.close();
});

t.test(
  'answers lost to an overrun cannot pass for ACKs: ENOBUFS fails the sendmsg before its last answer',
  async (t) => {
    const { e, fake } = engine();
    const rec = new Recorder();
    for (let i = 0; i < 8; i++) e.post(RTM_NEWROUTE, FLAGS, rec, i, 0);
    await turn();
    const sent = fake().sent;
    // The error of post 2 came; that of post 5 was dropped. The kernel reports the drop (ENOBUFS)
    // at the next read, and the native transport first delivers what it had read.
    fake().deliver(ack(sent[2]!.seq, -E.EEXIST));
    fake().fail(E.ENOBUFS);
    fake().deliver(ack(sent[7]!.seq));
    t.equal((rec.settled.get(2)!.err as NetlinkError).errno, E.EEXIST);
    t.ok(
      [0, 1, 3, 4, 5, 6, 7].every((a) => (rec.settled.get(a)!.err as NetlinkError | null)?.errno === E.ENOBUFS),
      'the others fail with ENOBUFS, none ACKed',
    );
    t.ok([...rec.settled.values()].every((s) => s.count === 1));
    e.close();
  },
);

t.test('the last answer of a sendmsg settles the others first, while their owner posts more', async (t) => {
  const { e, fake } = engine({ window: 1 << 20 });
  const rec = new Recorder();
  const order: number[] = [];
  // Every settle posts one more (a bulk run keeping its window full): the ring grows meanwhile.
  rec.onSettle = (arg) => {
    order.push(arg);
    if (arg < 3000) e.post(RTM_NEWROUTE, FLAGS, rec, arg + 3000, 0);
  };
  for (let i = 0; i < 3000; i++) e.post(RTM_NEWROUTE, FLAGS, rec, i, 0);
  await turn();
  for (let k = 0; k < 4 && rec.settled.size < 6000; k++) {
    const unanswered = fake().sent.filter((m) => !rec.settled.has(m.payload.readUInt32LE(8)));
    fake().deliver(...kernelAnswers(unanswered));
    await turn();
  }
  t.equal(rec.settled.size, 6000, 'all 6,000 settled');
  t.ok([...rec.settled.values()].every((s) => s.count === 1 && s.err === null));
  t.same(
    order.slice(0, 3000),
    Array.from({ length: 3000 }, (_, i) => i),
    'in the order sent',
  );
  t.equal(e.pendingCount, 0);
  e.close();
});

t.test('a kernel error names the field at the extended-ACK offset, with the owner context', async (t) => {
  const { e, fake } = engine();
  const rec = new Recorder();
  e.post(RTM_NEWROUTE, FLAGS, rec, 7, 70);
  e.post(RTM_NEWROUTE, FLAGS, rec, 8, 80);
  await turn();
  const [a, b] = fake().sent;
  // nlmsghdr 16 + family header 4: the attribute starts at offset 20.
  fake().deliver(ack(a!.seq, -E.EINVAL, { msg: 'Invalid value', offset: 24 }), ack(b!.seq, -E.ENODEV));
  const ea = rec.settled.get(7)!.err as NetlinkError;
  t.type(ea, NetlinkError);
  t.equal(ea.errno, E.EINVAL);
  t.equal(ea.code, 'EINVAL');
  t.equal(ea.op, 'RTM_NEWROUTE');
  t.equal(ea.field, 'value');
  t.equal(ea.extack?.message, 'Invalid value');
  t.match(ea.message, /^test\.post: .*Invalid value/);
  t.equal(rec.settled.get(7)!.tag, 70);
  const eb = rec.settled.get(8)!.err as NetlinkError;
  t.equal(eb.errno, E.ENODEV);
  t.equal(eb.field, undefined);
  t.equal(e.pendingCount, 0);
  e.close();
});

t.test('a throwing writer: post throws, nothing is sent, the seqs stay contiguous', async (t) => {
  const { e, fake } = engine();
  const rec = new Recorder();
  rec.throwFor = 2;
  e.post(RTM_NEWROUTE, FLAGS, rec, 1, 0);
  t.throws(() => e.post(RTM_NEWROUTE, FLAGS, rec, 2, 0), { name: 'TypeError', message: /"value"/ });
  e.post(RTM_NEWROUTE, FLAGS, rec, 3, 0);
  t.equal(e.pendingCount, 2);
  await turn();
  const sent = sentArgs(fake());
  t.same(
    sent.map((s) => s.arg),
    [1, 3],
  );
  t.equal(sent[1]!.m.seq, (sent[0]!.m.seq + 1) >>> 0, 'no seq lost to the failed message');
  e.close();
});

t.test('ENOBUFS fails every post with a NetlinkError; an owner may post again from settle', async (t) => {
  const { e, fake } = engine();
  const rec = new Recorder();
  for (let i = 0; i < 10; i++) e.post(RTM_NEWROUTE, FLAGS, rec, i, i);
  await turn();
  // Re-posting from inside settle (a bulk run that goes on) must not disturb the failing loop.
  rec.onSettle = (arg, err) => {
    if (err && arg < 10) e.post(RTM_NEWROUTE, FLAGS, rec, 100 + arg, 0);
  };
  fake().fail(E.ENOBUFS);
  for (let i = 0; i < 10; i++) {
    const s = rec.settled.get(i)!;
    t.equal(s.count, 1);
    t.ok(s.err instanceof NetlinkError && s.err.errno === E.ENOBUFS, `post ${i}: ENOBUFS`);
    t.match(s.err!.message, /receive buffer overran/);
  }
  t.equal(e.pendingCount, 10, 'the ten re-posted are pending, not failed');
  await turn();
  const resent = splitMessages(fake().sends.at(-1)!.buf);
  t.same(
    resent.map((m) => m.payload.readUInt32LE(8)),
    Array.from({ length: 10 }, (_, i) => 100 + i),
    'the re-posts left in one sendmsg',
  );
  fake().deliver(...resent.map((m) => ack(m.seq)));
  for (let i = 0; i < 10; i++) t.equal(rec.settled.get(100 + i)?.err, null, `re-post ${i} ACKed`);
  e.close();
});

t.test('a failed sendmsg fails the posts of that buffer only', async (t) => {
  const { e, fake } = engine({ batchBytes: 56 });
  const rec = new Recorder();
  // 16-byte header + 4-byte family header + 8-byte attribute = 28 bytes: a batch seals after two.
  for (let i = 0; i < 6; i++) e.post(RTM_NEWROUTE, FLAGS, rec, i, i);
  await turn();
  t.equal(fake().sends.length, 3, 'three sendmsg');
  const second = fake().sends[1]!;
  fake().failSend(second.id, E.EMSGSIZE);
  const failed = [...rec.settled].filter(([, s]) => s.err).map(([arg]) => arg);
  t.same(failed.sort(), [2, 3], 'the two messages of the failed buffer');
  t.equal((rec.settled.get(2)!.err as NetlinkError).errno, E.EMSGSIZE);
  t.equal(e.pendingCount, 4);
  e.close();
});

t.test('close() settles every post with HandleClosedError; later posts throw', async (t) => {
  const { e } = engine();
  const rec = new Recorder();
  for (let i = 0; i < 5000; i++) e.post(RTM_NEWROUTE, FLAGS, rec, i, i);
  await turn();
  e.close();
  t.equal(rec.settled.size, 5000);
  t.ok([...rec.settled.values()].every((s) => s.count === 1 && s.err instanceof HandleClosedError));
  t.equal(e.pendingCount, 0);
  t.throws(() => e.post(RTM_NEWROUTE, FLAGS, rec, 1, 1), HandleClosedError);
});

t.test('the window bounds posted messages in flight; the rest leave as ACKs come back', async (t) => {
  const { e, fake } = engine({ window: 4, batchBytes: 56 });
  const rec = new Recorder();
  for (let i = 0; i < 12; i++) e.post(RTM_NEWROUTE, FLAGS, rec, i, i);
  await turn();
  t.equal(fake().sent.length, 4, 'one window sent');
  fake().deliver(...fake().sent.map((m) => ack(m.seq)));
  await turn();
  t.equal(fake().sent.length, 8, 'the next window after the ACKs');
  fake().deliver(
    ...fake()
      .sent.slice(4)
      .map((m) => ack(m.seq)),
  );
  await turn();
  fake().deliver(
    ...fake()
      .sent.slice(8)
      .map((m) => ack(m.seq)),
  );
  t.equal(rec.settled.size, 12);
  t.equal(e.pendingCount, 0);
  e.close();
});

t.test('at its largest the ring is full: post falls back to a Pending per message, same results', async (t) => {
  const { e, fake } = engine({ ringMax: 16, window: 1 << 20 });
  const rec = new Recorder();
  const n = 100;
  for (let i = 0; i < n; i++) e.post(RTM_NEWROUTE, FLAGS, rec, i, i + 1);
  t.equal(e.pendingCount, n);
  await turn();
  const sent = fake().sent;
  t.equal(sent.length, n);
  // Fail the message of arg 50 (a fallback one: only 16 fit the ring) with an extended ACK.
  fake().deliver(
    ...shuffle(sent.slice()).map((m) =>
      m.payload.readUInt32LE(8) === 50 ? ack(m.seq, -E.EINVAL, { offset: 24, msg: 'no' }) : ack(m.seq),
    ),
  );
  t.equal(rec.settled.size, n);
  t.ok(
    [...rec.settled].every(([arg, s]) => s.count === 1 && s.tag === arg + 1),
    'once each with its tag',
  );
  const err = rec.settled.get(50)!.err as NetlinkError;
  t.equal(err.errno, E.EINVAL);
  t.equal(err.field, 'value');
  t.match(err.message, /^test\.post: /);
  t.equal(e.pendingCount, 0);
  e.close();
});

t.test('a batch holds at most half the window and leaves as soon as it is full, before the turn ends', async (t) => {
  const { e, fake } = engine({ window: 8 });
  const rec = new Recorder();
  for (let i = 0; i < 3; i++) e.post(RTM_NEWROUTE, FLAGS, rec, i, i);
  t.equal(fake().sends.length, 0, 'a batch not yet full waits for the end of the turn');
  e.post(RTM_NEWROUTE, FLAGS, rec, 3, 3);
  t.equal(fake().sends.length, 1, 'four messages (half the window): sent at once');
  for (let i = 4; i < 20; i++) e.post(RTM_NEWROUTE, FLAGS, rec, i, i);
  t.equal(fake().sends.length, 2, 'a second batch joins it in flight; the window holds the rest back');
  await turn();
  t.ok(
    fake().sends.every((s) => splitMessages(s.buf).length === 4),
    'four messages per sendmsg',
  );
  t.equal(fake().sent.length, 8, 'the window is full');
  await ackOutstanding(fake(), rec, 20, 5);
  t.equal(rec.settled.size, 20, 'all answered as the window moved');
  e.close();
});

t.test('the window shrinks to what the receive buffer holds the ACKs of (2 KiB each)', async (t) => {
  FakeTransport.rcvbufBytes = 131072; // what rcvbuf: 65536 reads back as
  t.teardown(() => void (FakeTransport.rcvbufBytes = 0));
  const { e, fake } = engine();
  t.equal(e.window, 64, '131072 / 2048');
  const rec = new Recorder();
  for (let i = 0; i < 200; i++) e.post(RTM_NEWROUTE, FLAGS, rec, i, i);
  await turn();
  t.equal(fake().sent.length, 64, 'no more in flight than the ACKs fit');
  t.ok(
    fake().sends.every((s) => splitMessages(s.buf).length <= 32),
    'at most half the window per sendmsg',
  );
  await ackOutstanding(fake(), rec, 200, 10);
  t.equal(rec.settled.size, 200);
  e.close();
  const { e: asked } = engine({ window: 16 });
  t.equal(asked.window, 16, 'a smaller window asked for stays');
  asked.close();
  FakeTransport.rcvbufBytes = 1000;
  const { e: tiny } = engine();
  t.equal(tiny.window, 1, 'never below one');
  tiny.close();
});

t.test('ENOBUFS fails what was sent; what the window still held goes out and is answered', async (t) => {
  const { e, fake } = engine({ window: 4, batchBytes: 56 });
  const rec = new Recorder();
  for (let i = 0; i < 8; i++) e.post(RTM_NEWROUTE, FLAGS, rec, i, i);
  const submitted: (Error | null)[] = [];
  e.submit(RTM_NEWROUTE, FLAGS, (w) => w.u32(0), { onDone: (err) => void submitted.push(err) });
  await turn();
  t.equal(fake().sent.length, 4, 'the window: 4 sent, 5 held');
  fake().fail(E.ENOBUFS);
  t.same(
    [...rec.settled.keys()].sort((a, b) => a - b),
    [0, 1, 2, 3],
    'only the sent ones failed',
  );
  t.ok([...rec.settled.values()].every((s) => s.err instanceof NetlinkError && s.err.errno === E.ENOBUFS));
  t.same(submitted, [], 'the held submit() is not failed either');
  await turn();
  for (let k = 0; k < 5 && submitted.length === 0; k++) {
    fake().deliver(
      ...fake()
        .sent.slice(4)
        .map((m) => ack(m.seq)),
    );
    await turn();
  }
  t.equal(fake().sent.length, 9, 'the held ones went out');
  t.same(
    [4, 5, 6, 7].map((i) => rec.settled.get(i)?.err),
    [null, null, null, null],
    'and were answered',
  );
  t.same(submitted, [null]);
  e.close();
});

t.test('an unreadable chunk fails what was sent; what the window still held goes out', async (t) => {
  const { e, fake } = engine({ window: 4, batchBytes: 56 });
  const rec = new Recorder();
  for (let i = 0; i < 8; i++) e.post(RTM_NEWROUTE, FLAGS, rec, i, i);
  await turn();
  const bad = Buffer.alloc(16);
  bad.writeUInt32LE(8, 0); // nlmsg_len shorter than its header
  fake().deliver(bad);
  t.same(
    [...rec.settled.keys()].sort((a, b) => a - b),
    [0, 1, 2, 3],
    'the four sent failed',
  );
  t.ok([...rec.settled.values()].every((s) => s.err instanceof DecodeError));
  await turn();
  fake().deliver(
    ...fake()
      .sent.slice(4)
      .map((m) => ack(m.seq)),
  );
  t.same(
    [4, 5, 6, 7].map((i) => rec.settled.get(i)?.err),
    [null, null, null, null],
    'the held four went out and were answered',
  );
  e.close();
});

t.test('a callback that throws does not stop the others; its exception is rethrown on its own', async (t) => {
  const { e, fake } = engine();
  const rec = new Recorder();
  rec.onSettle = (arg) => {
    if (arg === 2) throw new Error('owner bug');
  };
  const done: (Error | null)[] = [];
  e.submit(RTM_NEWROUTE, FLAGS, (w) => w.u32(0), {
    onDone: () => {
      throw new Error('submission bug');
    },
  });
  for (let i = 0; i < 5; i++) e.post(RTM_NEWROUTE, FLAGS, rec, i, i);
  e.submit(RTM_NEWROUTE, FLAGS, (w) => w.u32(0), { onDone: (err) => void done.push(err) });
  await turn();
  const sent = fake().sent;
  // Rethrown through queueMicrotask: caught here while the ENOBUFS is delivered, then restored.
  const thrown: unknown[] = [];
  const real = globalThis.queueMicrotask;
  globalThis.queueMicrotask = (fn) => {
    try {
      fn();
    } catch (x) {
      thrown.push(x);
    }
  };
  try {
    fake().fail(E.ENOBUFS);
  } finally {
    globalThis.queueMicrotask = real;
  }
  t.equal(rec.settled.size, 5, 'every post settled');
  t.equal(done.length, 1, 'the submit after the throwing one settled too');
  t.same(thrown.map((x) => (x as Error).message).sort(), ['owner bug', 'submission bug']);
  t.equal(e.pendingCount, 0);
  t.equal(sent.length, 7);
  e.close();
});
