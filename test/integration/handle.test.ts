// Foundation, end to end (root, throwaway namespaces): netns.add/del against `ip netns`, a
// handle sees only its namespace, 1,000 concurrent gets on one handle, close() with requests in
// flight, a script that only calls link.list() exits by itself, and 1,000 open()/close() pairs
// leave no descriptor behind and no thread of the process in another namespace.
import t from 'tap';
import { readlinkSync, statSync } from 'node:fs';
import { HandleClosedError, netns, open, type OpenOptions } from '../../lib/index.js';
import { ip, ipBatch, rootSkip, tempNetns, uniqueName } from '../helpers/netns.js';
import { fdCount, LIB, runNode, threadNamespaces, warmThreadpool } from './hygiene-helpers.js';

t.test('foundation', { skip: rootSkip }, async (t) => {
  t.test('netns.add is visible to ip netns, and ip netns add to netns.list; both delete', async (t) => {
    const ours = uniqueName('nsa');
    const theirs = uniqueName('nsb');
    t.teardown(() => {
      for (const n of [ours, theirs]) {
        try {
          ip('netns', 'del', n);
        } catch {
          // removed by the test
        }
      }
    });
    await netns.add(ours);
    t.match(ip('netns', 'list'), new RegExp(`^${ours}( |$)`, 'm'), 'ip netns list shows ours');
    t.ok(netns.exists(ours));
    t.match(ip('-n', ours, 'link', 'show', 'lo'), /lo:/, 'ip -n enters ours');
    await t.rejects(netns.add(ours), { code: 'EEXIST' }, 'adding twice fails');
    ip('netns', 'add', theirs);
    t.ok(netns.list().includes(theirs), "netns.list shows iproute2's");
    t.ok(netns.exists(theirs));
    const h = open({ netns: theirs });
    t.same(
      (await h.link.list()).map((l) => l.name),
      ['lo'],
      "a handle opens inside iproute2's",
    );
    h.close();
    await netns.del(theirs);
    t.notMatch(ip('netns', 'list'), new RegExp(`^${theirs}( |$)`, 'm'), "netns.del removes iproute2's");
    ip('netns', 'del', ours);
    t.notOk(netns.exists(ours), 'ip netns del removes ours');
    t.notOk(netns.list().includes(ours));
    t.throws(() => netns.exists('a/b'), TypeError);
    await t.rejects(netns.del(ours), { code: 'ENOENT' });
  });

  t.test("a handle in a namespace sees only that namespace's links", async (t) => {
    const a = tempNetns(t);
    const b = tempNetns(t);
    a.ip('link', 'add', 'onlyA0', 'type', 'ifb');
    a.ip('link', 'add', 'shared0', 'type', 'ifb');
    b.ip('link', 'add', 'onlyB0', 'type', 'ifb');
    b.ip('link', 'add', 'shared0', 'type', 'ifb');
    for (const ns of [a, b]) {
      const ours = (await ns.h.link.list()).map((l) => `${l.name}/${l.index}`).sort();
      const oracle = ns
        .ipJson<Array<{ ifname: string; ifindex: number }>>('link', 'show')
        .map((l) => `${l.ifname}/${l.ifindex}`)
        .sort();
      t.same(ours, oracle, `${ns.name}: link.list equals ip -j link`);
    }
    await t.rejects(a.h.link.get('onlyB0'), { code: 'ENODEV' }, "the other namespace's link is not found");
    await t.rejects(b.h.link.get('onlyA0'), { code: 'ENODEV' });
    const sa = await a.h.link.get('shared0');
    const sb = await b.h.link.get('shared0');
    t.equal(sa.index, a.ipJson<Array<{ ifindex: number }>>('link', 'show', 'shared0')[0]!.ifindex);
    t.equal(sb.index, b.ipJson<Array<{ ifindex: number }>>('link', 'show', 'shared0')[0]!.ifindex);
  });

  t.test('1,000 concurrent link.get on one handle each resolve to the right link', async (t) => {
    const ns = tempNetns(t);
    const names = Array.from({ length: 50 }, (_, i) => `g${i}`);
    ipBatch(
      ns.name,
      names.map((n) => `link add ${n} type ifb`),
    );
    const oracle = new Map(
      ns.ipJson<Array<{ ifname: string; ifindex: number }>>('link', 'show').map((l) => [l.ifname, l.ifindex]),
    );
    const byIndex = new Map([...oracle].map(([n, i]) => [i, n]));
    const asks: Array<string | number> = Array.from({ length: 1000 }, (_, i) => {
      const name = names[(i * 7) % names.length]!;
      return i % 3 === 0 ? oracle.get(name)! : name;
    });
    const got = await Promise.all(asks.map((a) => ns.h.link.get(a)));
    let right = 0;
    got.forEach((l, i) => {
      const a = asks[i]!;
      if (
        typeof a === 'number' ? l.index === a && byIndex.get(a) === l.name : l.name === a && oracle.get(a) === l.index
      )
        right++;
    });
    t.equal(right, 1000, 'every answer is the link asked for, name and index as ip reports them');
  });

  t.test('close() with requests in flight rejects them all; nothing hangs', async (t) => {
    const ns = tempNetns(t);
    ipBatch(
      ns.name,
      Array.from({ length: 200 }, (_, i) => `link add c${i} type ifb`),
    );
    const h = open({ netns: ns.name });
    const ps: Promise<unknown>[] = [];
    for (let i = 0; i < 300; i++) ps.push(h.link.get(`c${i % 200}`));
    for (let i = 0; i < 3; i++) ps.push(h.link.list());
    await new Promise((r) => setImmediate(r)); // the batch leaves; the answers are not read yet
    h.close();
    const settled = await Promise.allSettled(ps);
    const rejected = settled.filter((s) => s.status === 'rejected');
    t.equal(rejected.length, ps.length, 'every request in flight rejects');
    t.ok(
      rejected.every((s) => s.reason instanceof HandleClosedError),
      'with HandleClosedError',
    );
    await t.rejects(h.link.get('c0'), HandleClosedError, 'and later requests too');
    t.doesNotThrow(() => h.close(), 'close is idempotent');
  });

  t.test('a script that only calls link.list() exits on its own', async (t) => {
    const ns = tempNetns(t, { open: false });
    ns.ip('link', 'add', 'exit0', 'type', 'ifb');
    const r = await runNode(
      `const { link } = await import(${JSON.stringify(LIB)}); console.log(JSON.stringify((await link.list()).map((l) => l.name)));`,
      { netns: ns.name, timeoutMs: 30000 },
    );
    t.equal(r.signal, null, `not killed (took ${r.ms} ms)`);
    t.equal(r.code, 0, r.stderr);
    t.same(JSON.parse(r.stdout.trim()), ['lo', 'exit0'], "listed the namespace's links");
  });

  t.test('1,000 open()/close() pairs in a namespace: no descriptor left, every thread in its namespace', async (t) => {
    const ns = tempNetns(t, { open: false });
    await warmThreadpool();
    const self = readlinkSync('/proc/thread-self/ns/net');
    const threadsBefore = threadNamespaces();
    t.ok(
      [...threadsBefore.values()].every((n) => n === self),
      `all ${threadsBefore.size} threads start in ${self}`,
    );
    const fds = fdCount();
    t.not(`net:[${statSync(`/run/netns/${ns.name}`).ino}]`, self, 'the namespace differs from ours');
    let listed = 0;
    for (let i = 0; i < 1000; i++) {
      const h = open({ netns: ns.name });
      if (i % 100 === 0) listed += (await h.link.list()).length;
      h.close();
    }
    t.equal(listed, 10, 'the handles worked (lo in each of 10 lists)');
    await warmThreadpool();
    t.equal(fdCount(), fds, `descriptors: ${fds} before, ${fdCount()} after`);
    t.equal(readlinkSync('/proc/thread-self/ns/net'), self, 'the main thread is still in its namespace');
    const after = threadNamespaces();
    const moved = [...after].filter(([, n]) => n !== self);
    t.same(moved, [], `no thread (of ${after.size}, libuv's pool included) in another namespace`);
  });
});

t.test('open() and monitor() options are checked before a socket is opened', async (t) => {
  const bad: [Record<string, unknown>, RegExp, string][] = [
    [{ netNs: 'blue' }, /^Unknown field "netNs" in the open\(\) options$/, 'TypeError'],
    [{ ns: 'blue' }, /^Unknown field "ns"/, 'TypeError'],
    [{ netns: 5 }, /"netns"/, 'TypeError'],
    [{ batchBytes: 0 }, /"batchBytes"/, 'RangeError'],
    [{ batchBytes: -1 }, /"batchBytes"/, 'RangeError'],
    [{ window: 0 }, /"window"/, 'RangeError'],
    [{ window: 1.5 }, /"window"/, 'TypeError'],
    [{ window: 'x' }, /"window"/, 'TypeError'],
    [{ rcvbuf: 10 }, /"rcvbuf"/, 'RangeError'],
    [{ dumpRetries: -1 }, /"dumpRetries"/, 'RangeError'],
    // a compile error in TypeScript (see openTypeChecks below), a TypeError for JavaScript callers
    [{ netns: 'a', netnsFd: 3 }, /^Expected at most one of "netns", "netnsPath", "netnsFd"$/, 'TypeError'],
    [{ netnsPath: '/proc/1/ns/net', netnsFd: 3 }, /^Expected at most one of/, 'TypeError'],
  ];
  for (const [o, message, name] of bad)
    t.throws(() => open(o as Parameters<typeof open>[0]), { name, message }, JSON.stringify(o));
  const h = open({ window: 64, batchBytes: 4096, dumpRetries: 2 });
  t.teardown(() => h.close());
  t.equal(h.engine.window, 64, 'good options are taken');
  t.throws(() => h.monitor(['link'], { resyncc: true } as never), {
    name: 'TypeError',
    message: /^Unknown field "resyncc" in the monitor options$/,
  });
});

// Compile-time checks (never run): OpenOptions takes at most one of netns, netnsPath, netnsFd, and
// `tsc --noEmit` (in `npm test`) fails if a line marked @ts-expect-error compiles.
export function openTypeChecks(name: string | undefined, path: string, fd: number, given: OpenOptions): void {
  open();
  open({});
  open({ netns: 'blue' });
  open({ netnsPath: path });
  open({ netnsFd: fd, rcvbuf: 1 << 20 });
  open({ netns: name }); // possibly undefined: the caller's namespace
  open({ netns: 'blue', netnsPath: undefined, netnsFd: undefined }); // explicit undefined is absent
  open(given);
  open({ ...given, window: 64 });
  const opts: OpenOptions = name === undefined ? { netnsFd: fd } : { netns: name };
  open(opts);
  // @ts-expect-error two namespaces
  open({ netns: 'blue', netnsPath: path });
  // @ts-expect-error two namespaces
  open({ netns: 'blue', netnsFd: fd });
  // @ts-expect-error two namespaces
  open({ netnsPath: path, netnsFd: fd });
  // @ts-expect-error three namespaces
  open({ netns: 'blue', netnsPath: path, netnsFd: fd, sndbuf: 1 << 20 });
  const both = { netns: 'blue', netnsFd: fd };
  // @ts-expect-error not only in an object literal
  open(both);
}
