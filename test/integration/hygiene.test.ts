// Resource hygiene (root, throwaway namespaces). Counts that must come back are measured in child
// processes run inside a throwaway namespace (`ip netns exec`), so the caller's namespace of open()
// is a scratch one and RSS is not the test runner's: 10,000 open/close cycles in and out of
// namespaces, closed handles freed before the event loop turns, 100,000 requests, a monitor opened
// and closed 1,000 times, handles dropped without close(); every child must exit by itself.
// Concurrency is in hygiene-concurrency.test.ts.
import t, { type Test } from 'tap';
import { rootSkip, tempNetns } from '../helpers/netns.js';
import { LIB, runNode } from './hygiene-helpers.js';

/**
 * The bound for "RSS returns to its baseline": 64 MiB. The open/close cycles below run in one
 * synchronous loop, and Node frees each closed socket's thread-safe function (~1.1 KiB of native
 * memory) only when its loop turns; glibc keeps the freed heap resident. Measured (dist/, 2 cores):
 * +17 MiB after 10,000 cycles, +41 after 30,000; +4 to +6 MiB for 10,000 or 30,000 cycles when
 * the loop turns after each, so none of it is per cycle. Before closed handles let go of their
 * engines at once (the next test), 10,000 cycles grew +56 MiB and 30,000 +167. The JS heap is held
 * to 8 MiB as well.
 */
const RSS_BOUND = 64 * 1024 * 1024;
const HEAP_BOUND = 8 * 1024 * 1024;

/** Prelude of the child scripts: lib, and fds/rss/threads/gc/pool helpers. */
const PRELUDE = `
const lib = await import(${JSON.stringify(LIB)});
const { readdirSync, readlinkSync, readFileSync, openSync, closeSync } = await import('node:fs');
const { pbkdf2 } = await import('node:crypto');
const fds = () => readdirSync('/proc/self/fd').length;
const rss = () => Number(/VmRSS:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
const heap = () => process.memoryUsage().heapUsed;
const threadNs = () => readdirSync('/proc/self/task').map((t) => { try { return readlinkSync('/proc/self/task/' + t + '/ns/net'); } catch { return null; } }).filter((x) => x);
const pool = () => Promise.all(Array.from({ length: 8 }, () => new Promise((r) => pbkdf2('x', 'y', 1000, 16, 'sha1', r))));
const settle = async () => { for (let i = 0; i < 5; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 20)); } };
const self = readlinkSync('/proc/thread-self/ns/net');
const out = (o) => console.log('RESULT ' + JSON.stringify(o));
`;

interface ChildResult {
  before: { fds: number; rss: number; heap: number };
  after: { fds: number; rss: number; heap: number };
  [k: string]: unknown;
}

async function child(t: Test, ns: string, body: string, timeoutMs = 110000): Promise<ChildResult | undefined> {
  const r = await runNode(PRELUDE + body, { netns: ns, args: ['--expose-gc'], timeoutMs });
  t.equal(r.signal, null, `the child exits by itself (${r.ms} ms)`);
  t.equal(r.code, 0, r.stderr.slice(0, 2000));
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) {
    t.fail(`no result: ${r.stdout.slice(0, 1000)} ${r.stderr.slice(0, 1000)}`);
    return undefined;
  }
  return JSON.parse(line.slice(7)) as ChildResult;
}

function baseline(t: Test, r: ChildResult, what: string): void {
  t.equal(r.after.fds, r.before.fds, `${what}: descriptors ${r.before.fds} → ${r.after.fds}`);
  const grew = r.after.rss - r.before.rss;
  t.ok(grew < RSS_BOUND, `${what}: RSS ${mb(r.before.rss)} → ${mb(r.after.rss)} MiB (bound +${mb(RSS_BOUND)} MiB)`);
  t.ok(
    r.after.heap - r.before.heap < HEAP_BOUND,
    `${what}: JS heap ${mb(r.before.heap)} → ${mb(r.after.heap)} MiB (bound +${mb(HEAP_BOUND)} MiB)`,
  );
}

const mb = (n: number): string => (n / 1048576).toFixed(1);

t.test('resource hygiene (child processes in throwaway namespaces)', { skip: rootSkip }, async (t) => {
  t.test('10,000 open/close cycles in and out of namespaces', async (t) => {
    const a = tempNetns(t, { open: false });
    const b = tempNetns(t, { open: false });
    a.ip('link', 'add', 'inA0', 'type', 'ifb');
    b.ip('link', 'add', 'inB0', 'type', 'ifb');
    const r = await child(
      t,
      a.name,
      `
      const other = ${JSON.stringify(b.name)};
      const nsFd = openSync('/run/netns/' + other, 'r');
      const make = (k) => k === 0 ? lib.open() : k === 1 ? lib.open({ netns: other }) : k === 2 ? lib.open({ netnsPath: '/run/netns/' + other }) : lib.open({ netnsFd: nsFd });
      for (let i = 0; i < 200; i++) make(i % 4).close();
      await pool(); await settle();
      const before = { fds: fds(), rss: rss(), heap: heap() };
      const lists = [];
      for (let i = 0; i < 10000; i++) {
        const h = make(i % 4);
        if (i < 4 || i >= 9996) lists.push((await h.link.list()).map((l) => l.name).join(','));
        h.close();
      }
      await pool(); await settle();
      const after = { fds: fds(), rss: rss(), heap: heap() };
      closeSync(nsFd);
      out({ before, after, lists, elsewhere: threadNs().filter((n) => n !== self), main: readlinkSync('/proc/thread-self/ns/net') === self });
    `,
    );
    if (!r) return;
    baseline(t, r, '10,000 open/close');
    t.same(r['elsewhere'], [], 'no thread of the child (libuv pool included) is in another namespace');
    t.equal(r['main'], true, 'the main thread is in its namespace');
    t.same(
      r['lists'],
      ['lo,inA0', 'lo,inB0', 'lo,inB0', 'lo,inB0', 'lo,inA0', 'lo,inB0', 'lo,inB0', 'lo,inB0'],
      "open() is the caller's namespace; netns, netnsPath, netnsFd the other",
    );
  });

  t.test('a closed handle lets go of its engine at once, before the event loop turns', async (t) => {
    // The addon holds a socket's callback until Node's loop runs the socket's teardown, and the
    // handle registry held each engine until a cleanup task ran: handles opened and closed in one
    // synchronous loop all stayed alive (with their 512 KiB batch buffers) until it ended.
    const ns = tempNetns(t, { open: false });
    const r = await child(
      t,
      ns.name,
      `
      const external = () => process.memoryUsage().external;
      for (let i = 0; i < 100; i++) lib.open().close();
      await settle();
      const before = { fds: fds(), rss: rss(), heap: heap(), external: external() };
      for (let i = 0; i < 2000; i++) lib.open().close();
      globalThis.gc();
      const inLoop = { heap: heap(), external: external() };
      await settle();
      const after = { fds: fds(), rss: rss(), heap: heap() };
      out({ before, after, inLoop });
    `,
    );
    if (!r) return;
    const inLoop = r['inLoop'] as { heap: number; external: number };
    const before = r.before as ChildResult['before'] & { external: number };
    t.ok(
      inLoop.external - before.external < 256 * 1024 * 1024,
      `2,000 handles closed, collected in the same loop: external memory ${mb(before.external)} → ${mb(inLoop.external)} MiB (2,000 batch buffers would be 1,000 MiB)`,
    );
    t.ok(
      inLoop.heap - before.heap < 2 * 1024 * 1024,
      `…and JS heap ${mb(before.heap)} → ${mb(inLoop.heap)} MiB (bound +2 MiB)`,
    );
    t.equal(r.after.fds, before.fds, 'every socket closed');
  });

  t.test('100,000 requests on one handle', async (t) => {
    const ns = tempNetns(t, { open: false });
    const r = await child(
      t,
      ns.name,
      `
      const h = lib.open();
      const lo = (await h.link.get('lo')).index;
      let wrong = 0;
      const wave = async (n) => {
        const ps = [h.link.list()];
        for (let i = 0; i < n; i++) ps.push(i % 2 ? h.link.get('lo') : h.link.get(lo));
        const got = await Promise.all(ps);
        wrong += got.slice(1).filter((l) => l.name !== 'lo' || l.index !== lo).length;
      };
      // 200,000 requests first: the I/O thread's malloc arena grows while chunks wait for V8 to collect
      // them (+41 MiB under tap's loader, where collections are rarer; +2 MiB without), to a plateau
      // that 100,000 did not always reach (a CI run: baseline 278 MiB where 330 is usual, then +68).
      for (let i = 0; i < 40; i++) await wave(5000);
      await settle();
      const before = { fds: fds(), rss: rss(), heap: heap() };
      for (let i = 0; i < 20; i++) await wave(5000);
      await settle();
      const after = { fds: fds(), rss: rss(), heap: heap() };
      h.close();
      out({ before, after, wrong });
    `,
    );
    if (!r) return;
    baseline(t, r, '100,000 requests');
    t.equal(r['wrong'], 0, 'every answer was the link asked for');
  });

  t.test('a monitor opened and closed 1,000 times', async (t) => {
    const ns = tempNetns(t, { open: false });
    const r = await child(
      t,
      ns.name,
      `
      const h = lib.open();
      const cycle = async (i) => {
        const m = h.monitor(['link']);
        if (i % 100 === 0) {
          await h.link.add({ type: 'ifb', name: 'm' + i });
          for (;;) {
            const ev = await m.next();
            if (ev.value.kind === 'link' && ev.value.object.name === 'm' + i) break;
          }
        }
        m.close();
      };
      for (let i = 1; i <= 50; i++) await cycle(i);
      await pool(); await settle();
      const before = { fds: fds(), rss: rss(), heap: heap() };
      for (let i = 0; i < 1000; i++) await cycle(i);
      await pool(); await settle();
      const after = { fds: fds(), rss: rss(), heap: heap() };
      const made = (await h.link.list()).filter((l) => /^m\\d+$/.test(l.name)).length;
      h.close();
      out({ before, after, made, elsewhere: threadNs().filter((n) => n !== self) });
    `,
    );
    if (!r) return;
    baseline(t, r, '1,000 monitors');
    t.equal(r['made'], 10, 'the monitors saw the 10 links made meanwhile');
    t.same(r['elsewhere'], []);
  });

  t.test(
    'handles dropped without close() are closed when collected; the process exits with handles open',
    async (t) => {
      const ns = tempNetns(t, { open: false });
      const other = tempNetns(t, { open: false });
      const r = await child(
        t,
        ns.name,
        `
      let held = [];
      const use = async (n) => {
        for (let i = 0; i < n; i++) {
          const h = i % 2 ? lib.open() : lib.open({ netns: ${JSON.stringify(other.name)} });
          await h.link.list();
          held.push(h);
        }
      };
      await pool(); await settle();
      const before = { fds: fds(), rss: rss(), heap: heap() };
      await use(200);
      const during = fds();
      held = null;
      for (let i = 0; i < 50 && fds() > before.fds; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 20)); }
      const after = { fds: fds(), rss: rss(), heap: heap() };
      const kept = [lib.open(), lib.open({ netns: ${JSON.stringify(other.name)} })];
      await kept[0].link.get('lo');
      await lib.link.list();
      out({ before, after, during });
      // no close(), no exit(): the process must end by itself
    `,
      );
      if (!r) return;
      t.ok(
        (r['during'] as number) >= r.before.fds + 200,
        `200 handles held open: ${r.before.fds} → ${String(r['during'])} descriptors`,
      );
      t.equal(r.after.fds, r.before.fds, `after collection: ${r.after.fds} descriptors (${r.before.fds} before)`);
    },
  );

  t.test('monitors dropped without close() are closed when collected', async (t) => {
    const ns = tempNetns(t, { open: false });
    const r = await child(
      t,
      ns.name,
      `
      let held = [];
      await pool(); await settle();
      const before = { fds: fds(), rss: rss(), heap: heap() };
      for (let i = 0; i < 100; i++) held.push(lib.monitor(['link', 'ipv4-addr']));
      const during = fds();
      held = null;
      for (let i = 0; i < 50 && fds() > before.fds; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 20)); }
      const after = { fds: fds(), rss: rss(), heap: heap() };
      out({ before, after, during });
    `,
    );
    if (!r) return;
    t.ok(
      (r['during'] as number) >= r.before.fds + 100,
      `100 monitors held open: ${r.before.fds} → ${String(r['during'])} descriptors`,
    );
    t.equal(r.after.fds, r.before.fds, `after collection: ${r.after.fds} descriptors (${r.before.fds} before)`);
  });
});
