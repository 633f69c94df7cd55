// The bulk engine (route.addMany / replaceMany / delMany) on a scripted socket: many messages per
// sendmsg within the window, every spec counted in ok or listed in failed by index (kernel
// refusals and malformed specs alike; malformed ones never sent), device names resolved once,
// progress reported, and an abort stops sending and reports what was confirmed. No root.
import t from 'tap';
import {
  NLM_F_CREATE,
  NLM_F_EXCL,
  NLM_F_REPLACE,
  RTM_DELROUTE,
  RTM_GETLINK,
  RTM_NEWROUTE,
} from '../../lib/core/constants.js';
import { NetlinkError } from '../../lib/core/errors.js';
import type { BulkAbortError } from '../../lib/route.js';
import type { BulkResult, RouteSpec } from '../../types/route.js';
import { fakeHandle, turn, type SentMsg } from '../helpers/fake-transport.js';
import { scriptKernel } from '../fixtures/route/kernel.js';

const LINKS = new Map([
  ['lo', 1],
  ['veth1', 2],
  ['veth0', 3],
]);

function specs(n: number, extra: Partial<RouteSpec> = {}): RouteSpec[] {
  return Array.from({ length: n }, (_, i) => ({
    dst: `10.${(i >> 8) & 255}.${i & 255}.0/24`,
    via: '192.168.0.2',
    dev: 'veth0',
    ...extra,
  }));
}

/** dst of a sent RTM_NEWROUTE/DELROUTE (RTA_DST is the first attribute). */
function dstOf(m: SentMsg): string {
  return [...m.payload.subarray(16, 20)].join('.') + '/' + m.payload[1];
}

t.test('addMany: batched, every spec accounted for by index, malformed ones never sent', async (t) => {
  const { h, fake } = fakeHandle();
  const exists = new Set(['10.0.13.0/24', '10.0.77.0/24']);
  scriptKernel(fake, {
    links: LINKS,
    fail: (m) =>
      m.type === RTM_NEWROUTE && exists.has(dstOf(m)) ? { error: -17, ack: { msg: 'File exists' } } : undefined,
  });
  const list: RouteSpec[] = specs(300);
  list[7] = { dst: '10.0.7.0/40', via: '192.168.0.2' };
  list[100] = { dst: '10.0.100.0/24', via: '2001:db8::1' };
  list[200] = { dst: '10.0.200.0/24', dev: 'nosuch0' };
  const progress: number[] = [];
  const r = await h.route.addMany(list, {
    onProgress: (done, total) => {
      progress.push(done);
      t.equal(total, 300);
    },
  });
  t.equal(r.ok, 295);
  t.same(
    r.failed.map((f) => f.index),
    [7, 13, 77, 100, 200],
    'failures by index, in order',
  );
  t.equal(r.ok + r.failed.length, list.length, 'nothing lost');
  t.ok(
    r.failed[0]!.error instanceof TypeError && /"dst"/.test(r.failed[0]!.error.message),
    'a malformed dst: TypeError naming the field',
  );
  t.ok(r.failed[1]!.error instanceof NetlinkError);
  t.match(r.failed[1], { index: 13, spec: list[13], error: { code: 'EEXIST', extack: { message: 'File exists' } } });
  t.match(r.failed[1]!.error.message, /route\.addMany \[13\] 10\.0\.13\.0\/24: .*File exists/);
  t.ok(
    r.failed[3]!.error instanceof TypeError && /"via"/.test(r.failed[3]!.error.message),
    'a gateway of the wrong family',
  );
  t.match(r.failed[4], { index: 200, error: { code: 'ENODEV' } });
  const routes = fake.sent.filter((m) => m.type === RTM_NEWROUTE);
  t.equal(routes.length, 297, 'the 3 malformed specs (bad dst, bad via, unknown dev) were not sent');
  t.ok(routes.every((m) => (m.flags & (NLM_F_CREATE | NLM_F_EXCL)) === (NLM_F_CREATE | NLM_F_EXCL)));
  t.equal(fake.sent.filter((m) => m.type === RTM_GETLINK).length, 2, 'veth0 and nosuch0 looked up once each');
  const perSend = fake.sends.map((s) => s.buf.length);
  t.ok(
    fake.sends.length <= 6,
    `${routes.length} routes left in ${fake.sends.length} sendmsg (${perSend.join(', ')} bytes)`,
  );
  t.ok(
    progress.length >= 1 && progress.every((x, i) => i === 0 || x >= progress[i - 1]!) && progress.at(-1) === 300,
    'progress rises to the total',
  );
  h.close();
});

t.test('the window bounds what is outstanding; replaceMany and delMany flags; async iterables', async (t) => {
  const { h, fake } = fakeHandle();
  scriptKernel(fake, { links: LINKS });
  async function* gen(): AsyncGenerator<RouteSpec> {
    for (const s of specs(100)) {
      yield s;
      if (Number(s.dst.split('.')[2]) % 10 === 0) await turn();
    }
  }
  let r: BulkResult = await h.route.replaceMany(gen(), { window: 8 });
  t.same(r, { ok: 100, failed: [] });
  const sends = fake.sends.map((s) => s.buf);
  t.ok(
    sends.every((b) => b.length <= 8 * 60),
    'no sendmsg holds more than the window',
  );
  t.ok(
    fake.sent
      .filter((m) => m.type === RTM_NEWROUTE)
      .every((m) => (m.flags & (NLM_F_CREATE | NLM_F_REPLACE)) === (NLM_F_CREATE | NLM_F_REPLACE)),
  );
  const before = fake.sent.length;
  r = await h.route.delMany(
    new Set(specs(50, { via: undefined as never, dev: undefined as never }).map((s) => ({ dst: s.dst }))),
  );
  t.same(r, { ok: 50, failed: [] });
  const dels = fake.sent.slice(before).filter((m) => m.type === RTM_DELROUTE);
  t.equal(dels.length, 50);
  t.equal(
    dels[0]!.payload.toString('hex', 0, 12),
    '021800' + '00fe00ff00' + '00000000',
    'del: table main, scope nowhere, protocol and type unspec',
  );
  await t.rejects(h.route.addMany(42 as never), TypeError);
  await t.rejects(h.route.addMany([], { window: 0 }), RangeError);
  await t.rejects(h.route.addMany([], { onProgress: 'x' as never }), TypeError);
  h.close();
});

t.test('abort: sending stops, what was confirmed is reported', async (t) => {
  const { h, fake } = fakeHandle();
  scriptKernel(fake, { links: LINKS });
  const ac = new AbortController();
  const list = specs(5000);
  let aborted = false;
  const err = await h.route
    .addMany(list, {
      window: 100,
      signal: ac.signal,
      onProgress: (done) => {
        if (done >= 300 && !aborted) {
          aborted = true;
          ac.abort();
        }
      },
    })
    .catch((e: unknown) => e as BulkAbortError);
  t.ok(err instanceof Error && err.name === 'AbortError');
  const res = (err as BulkAbortError).result;
  const sent = fake.sent.filter((m) => m.type === RTM_NEWROUTE).length;
  t.ok(res.aborted);
  t.equal(res.ok + res.failed.length, sent, 'every route sent is confirmed and counted');
  t.ok(sent < list.length && sent <= 300 + 200, `stopped early: ${sent} of ${list.length} sent`);
  h.close();
});

/** A promise and its resolve function. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

/** The AbortError a bulk call rejects with (a call that resolves fails the test). */
function abortErrorOf(p: Promise<BulkResult>): Promise<BulkAbortError> {
  return p.then(
    () => {
      throw new Error('not aborted');
    },
    (e: unknown) => e as BulkAbortError,
  );
}

/** The promise's outcome, or 'pending' if it has not settled within ms. */
function within<T>(p: Promise<T>, ms: number): Promise<T | 'pending'> {
  return Promise.race([p, new Promise<'pending'>((r) => setTimeout(() => r('pending'), ms))]);
}

t.test('abort while an async source waits: rejects at once, nothing sent after, the source closed', async (t) => {
  const { h, fake } = fakeHandle();
  scriptKernel(fake, { links: LINKS });
  const ac = new AbortController();
  const [a, b, c] = specs(3);
  const later = gate();
  const yielded: string[] = [];
  let closed = false;
  async function* source(): AsyncGenerator<RouteSpec> {
    try {
      yielded.push(a!.dst);
      yield a!;
      await later.promise; // the source waits (for its producer)
      yielded.push(b!.dst);
      yield b!;
      yielded.push(c!.dst);
      yield c!;
    } finally {
      closed = true;
    }
  }
  const progress: number[] = [];
  const p = h.route.addMany(source(), { signal: ac.signal, onProgress: (done) => progress.push(done) });
  while (progress.at(-1) !== 1) await turn();
  ac.abort();
  const err = await within(abortErrorOf(p), 1000);
  t.not(err, 'pending', 'the abort settles the call while the source still waits');
  if (err === 'pending') return;
  t.equal(err.name, 'AbortError');
  t.match(err.message, /aborted after 1 spec was confirmed/);
  t.same(err.result, { ok: 1, failed: [], aborted: true }, 'the one confirmed spec, exactly');
  t.same(progress, [1], 'progress: each count once');
  later.open(); // the source goes on: what it brings now is not sent, and its finally runs
  await new Promise((r) => setTimeout(r, 20));
  t.same(yielded, [a!.dst, b!.dst], 'the source was stopped at its next yield');
  t.ok(closed, "the source's return() was called: its finally ran");
  t.same(
    fake.sent.filter((m) => m.type === RTM_NEWROUTE).map(dstOf),
    [a!.dst],
    'only the spec yielded before the abort was sent',
  );
  h.close();
});

t.test('abort with an async source that never yields again: the call still settles', async (t) => {
  const { h, fake } = fakeHandle();
  scriptKernel(fake, { links: LINKS });
  const ac = new AbortController();
  const never = new Promise<void>(() => undefined);
  async function* source(): AsyncGenerator<RouteSpec> {
    yield* specs(2);
    await never;
  }
  // The abort comes once both specs are confirmed (as in the test above), not after a fixed 20 ms,
  // which a loaded machine can spend before the first one is even sent.
  let confirmed = 0;
  const p = abortErrorOf(
    h.route.replaceMany(source(), { signal: ac.signal, onProgress: (done) => (confirmed = done) }),
  );
  while (confirmed < 2) await turn();
  ac.abort(new Error('enough'));
  const err = await within(p, 1000);
  t.not(err, 'pending', 'settled');
  if (err === 'pending') return;
  t.match(err, { name: 'AbortError', cause: { message: 'enough' }, result: { ok: 2, failed: [], aborted: true } });
  t.equal(fake.sent.filter((m) => m.type === RTM_NEWROUTE).length, 2);

  // An async source waiting with the window full, and a hand-written async iterator (no return()).
  const ac2 = new AbortController();
  let n = 0;
  const iter: AsyncIterable<RouteSpec> = {
    [Symbol.asyncIterator]: () => ({
      next: () =>
        n < 3
          ? Promise.resolve({ value: specs(3)[n++]!, done: false })
          : new Promise<IteratorResult<RouteSpec>>(() => undefined),
    }),
  };
  confirmed = 0;
  const p2 = abortErrorOf(h.route.delMany(iter, { signal: ac2.signal, onProgress: (done) => (confirmed = done) }));
  while (confirmed < 3) await turn();
  ac2.abort();
  t.match(await within(p2, 1000), { name: 'AbortError', result: { ok: 3, aborted: true } });
  h.close();
});

t.test('the handle closed in the middle: HandleClosedError with what was confirmed', async (t) => {
  const { h, fake } = fakeHandle();
  scriptKernel(fake, { links: LINKS });
  async function* source(): AsyncGenerator<RouteSpec> {
    yield* specs(3);
    await new Promise((r) => setTimeout(r, 20));
    h.close();
    yield* specs(3);
  }
  const err = await h.route.addMany(source()).then(
    () => undefined,
    (e: unknown) => e as Error & { result?: BulkResult },
  );
  t.match(err, { name: 'HandleClosedError', result: { ok: 3, failed: [] } });
});

t.test('a sync source that aborts as it yields: the spec pulled after the abort is not sent', async (t) => {
  const { h, fake } = fakeHandle();
  scriptKernel(fake, { links: LINKS });
  const ac = new AbortController();
  const list = specs(10);
  let closed = false;
  function* source(): Generator<RouteSpec> {
    try {
      for (let i = 0; i < list.length; i++) {
        if (i === 4) ac.abort();
        yield list[i]!;
      }
    } finally {
      closed = true;
    }
  }
  const err = await abortErrorOf(h.route.addMany(source(), { signal: ac.signal }));
  t.match(err, { name: 'AbortError', result: { ok: 4, failed: [], aborted: true } });
  t.equal(fake.sent.filter((m) => m.type === RTM_NEWROUTE).length, 4, 'specs 0-3 sent, not 4');
  t.ok(closed, 'the generator was closed');
  h.close();
});

t.test('onProgress gives each count once, and the total exactly once at the end', async (t) => {
  const { h, fake } = fakeHandle();
  scriptKernel(fake, { links: LINKS });
  for (const window of [5, 1, 4096]) {
    const calls: [number, number | undefined][] = [];
    const list = specs(11);
    list[3] = { dst: '10.0.3.0/33' }; // malformed: counted as done at once
    const r = await h.route.addMany(list, { window, onProgress: (done, total) => calls.push([done, total]) });
    t.equal(r.ok, 10);
    const dones = calls.map(([d]) => d);
    t.ok(
      dones.every((d, i) => i === 0 || d > dones[i - 1]!),
      `window ${window}: strictly rising, no count twice (${dones.join(', ')})`,
    );
    t.same(calls.at(-1), [11, 11], 'ends at the total');
    t.equal(dones.filter((d) => d === 11).length, 1, 'the final count once');
  }
  // An empty input reports its (zero) end once; an async source has no total.
  const calls: [number, number | undefined][] = [];
  await h.route.addMany([], { onProgress: (done, total) => calls.push([done, total]) });
  t.same(calls, [[0, 0]]);
  calls.length = 0;
  await h.route.addMany(
    (async function* () {
      yield* specs(3);
    })(),
    { onProgress: (done, total) => calls.push([done, total]) },
  );
  t.same(calls.at(-1), [3, undefined]);
  t.equal(calls.filter(([d]) => d === 3).length, 1);
  h.close();
});

t.test('a device name that does not resolve: the failure names the device and its field', async (t) => {
  const { h, fake } = fakeHandle();
  scriptKernel(fake, { links: LINKS });
  const list: RouteSpec[] = specs(4);
  list[1] = { dst: '10.50.4.0/24', dev: 'nope0' };
  list[2] = { dst: '10.50.5.0/24', metric: 10, nexthops: [{ dev: 'veth0' }, { dev: 'nope1' }] };
  const r = await h.route.addMany(list);
  t.equal(r.ok, 2);
  t.match(r.failed, [
    {
      index: 1,
      error: {
        name: 'NetlinkError',
        code: 'ENODEV',
        field: 'dev',
        message: /^route\.addMany \[1\] 10\.50\.4\.0\/24: dev nope0: No such device/,
      },
    },
    {
      index: 2,
      error: { code: 'ENODEV', field: 'nexthops[1].dev', message: /\[2\] 10\.50\.5\.0\/24: nexthops\[1\]\.dev nope1/ },
    },
  ]);
  h.close();
});

t.test('a closed handle fails the whole operation', async (t) => {
  const { h, fake } = fakeHandle();
  scriptKernel(fake, { links: LINKS });
  h.close();
  await t.rejects(h.route.addMany(specs(3)), { name: 'HandleClosedError' });
});
