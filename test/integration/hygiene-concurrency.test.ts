// Concurrency and ordering (root, throwaway namespaces): 10,000 mixed requests (gets, adds, sets,
// dels, dumps) in flight on one handle each resolve with their own answer; dumps requested at once
// all complete; dumps interrupted by concurrent changes (NLM_F_DUMP_INTR, provoked by `ip -batch`
// churn) are retried and never come back half-done; many handles in many namespaces never cross.
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attrTable } from '../../lib/core/attr.js';
import { AF_INET, NLM_F_DUMP, RTM_GETADDR, RTM_NEWADDR } from '../../lib/core/constants.js';
import { formatIPv4 } from '../../lib/core/inet.js';
import { open, type Handle, type Link } from '../../lib/index.js';
import { ipBatch, rootSkip, tempNetns, type TempNetns } from '../helpers/netns.js';

/** Every link name and index in the namespace, by `ip -j link`. */
function oracleLinks(ns: TempNetns): Map<string, number> {
  return new Map(
    ns.ipJson<Array<{ ifname: string; ifindex: number }>>('link', 'show').map((l) => [l.ifname, l.ifindex]),
  );
}

t.test('concurrency and ordering', { skip: rootSkip }, async (t) => {
  t.test('10,000 mixed requests in flight on one handle each resolve with their own answer', async (t) => {
    const ns = tempNetns(t);
    const h = ns.h;
    ipBatch(
      ns.name,
      Array.from({ length: 400 }, (_, i) => `link add s${i} type ifb`),
    );
    ipBatch(
      ns.name,
      Array.from({ length: 50 }, (_, i) => `link add d${i} type ifb`),
    );
    const before = oracleLinks(ns);
    const stable = Array.from({ length: 400 }, (_, i) => `s${i}`);
    type Job = {
      kind: 'get' | 'add' | 'set' | 'del' | 'dump';
      p: Promise<unknown>;
      arg: string | number;
      mtu?: number;
    };
    const jobs: Job[] = [];
    let adds = 0;
    let sets = 0;
    let dels = 0;
    // 10,000 in one turn: 7,430 gets, 1,500 adds, 1,000 sets, 50 dels, 20 dumps, interleaved.
    for (let i = 0; jobs.length < 10000; i++) {
      const r = i % 500;
      if (r === 0) {
        jobs.push({ kind: 'dump', arg: '', p: h.link.list() });
      } else if (r % 100 === 50 && dels < 50) {
        const name = `d${dels++}`;
        jobs.push({ kind: 'del', arg: name, p: h.link.del(name) });
      } else if (r % 10 === 3 || r % 20 === 7) {
        const name = `n${adds++}`;
        jobs.push({ kind: 'add', arg: name, p: h.link.add({ type: 'ifb', name }) });
      } else if (r % 10 === 5) {
        const name = stable[(sets * 7) % 400]!;
        const mtu = 1000 + (sets++ % 400);
        jobs.push({ kind: 'set', arg: name, mtu, p: h.link.set(name, { mtu }) });
      } else {
        const name = stable[(i * 13) % 400]!;
        const arg = i % 2 ? name : before.get(name)!;
        jobs.push({ kind: 'get', arg, p: h.link.get(arg) });
      }
    }
    const settled = await Promise.allSettled(jobs.map((j) => j.p));
    const bad: string[] = [];
    settled.forEach((s, i) => {
      const j = jobs[i]!;
      if (s.status === 'rejected') {
        bad.push(`${j.kind} ${j.arg}: ${(s.reason as Error).message}`);
        return;
      }
      const v = s.value as Link | Link[] | undefined;
      const ok =
        j.kind === 'get'
          ? typeof j.arg === 'number'
            ? (v as Link).index === j.arg && before.get((v as Link).name) === j.arg
            : (v as Link).name === j.arg && (v as Link).index === before.get(j.arg)
          : j.kind === 'add'
            ? (v as Link).name === j.arg && (v as Link).type === 'ifb'
            : j.kind === 'set'
              ? (v as Link).name === j.arg && typeof (v as Link).mtu === 'number'
              : j.kind === 'del'
                ? v === undefined
                : stable.every((n) => (v as Link[]).some((l) => l.name === n && l.index === before.get(n)));
      if (!ok) bad.push(`${j.kind} ${j.arg}: wrong answer ${JSON.stringify(v).slice(0, 200)}`);
    });
    t.same(
      bad.slice(0, 10),
      [],
      `all 10,000 resolved with their own answer (${jobs.filter((j) => j.kind === 'get').length} gets, ${adds} adds, ${sets} sets, ${dels} dels, ${jobs.filter((j) => j.kind === 'dump').length} dumps)`,
    );
    const after = oracleLinks(ns);
    t.equal([...after.keys()].filter((n) => /^n\d+$/.test(n)).length, adds, 'every added link is in the kernel (ip)');
    t.equal([...after.keys()].filter((n) => /^d\d+$/.test(n)).length, 0, 'every deleted link is gone');
    // The last set of each link wins: compare with ip.
    const lastMtu = new Map<string, number>();
    for (const j of jobs) if (j.kind === 'set') lastMtu.set(j.arg as string, j.mtu!);
    const mtus = new Map(
      ns.ipJson<Array<{ ifname: string; mtu: number }>>('link', 'show').map((l) => [l.ifname, l.mtu]),
    );
    t.ok(
      [...lastMtu].every(([n, m]) => mtus.get(n) === m),
      `the last of ${sets} mtu changes holds on each of ${lastMtu.size} links`,
    );
  });

  t.test('dumps requested at once all complete with their own table', async (t) => {
    const ns = tempNetns(t);
    ipBatch(ns.name, [
      ...Array.from({ length: 50 }, (_, i) => `link add x${i} type ifb`),
      ...Array.from({ length: 50 }, (_, i) => `addr add 10.1.${i}.1/24 dev x${i}`),
      ...Array.from({ length: 50 }, (_, i) => `link set x${i} up`),
    ]);
    const raw = (type: number, family: number, size: number): Promise<number> =>
      ns.h
        .request({ type, flags: NLM_F_DUMP, body: Buffer.from([family, ...Array<number>(size - 1).fill(0)]) })
        .then((r) => r.length);
    const [links, links2, addrs, addrs2] = await Promise.all([
      ns.h.link.list(),
      ns.h.link.list({ type: 'ifb' }),
      raw(RTM_GETADDR, AF_INET, 8),
      raw(RTM_GETADDR, AF_INET, 8),
    ]);
    t.equal(links.length, oracleLinks(ns).size, 'link dump: as many links as ip shows');
    t.equal(links2.length, 50, 'second link dump (filtered): the 50 ifb links');
    const ipAddrs = ns
      .ipJson<Array<{ addr_info: unknown[] }>>('-4', 'addr', 'show')
      .reduce((n, l) => n + l.addr_info.length, 0);
    t.equal(addrs, ipAddrs, `address dump: ${addrs} = ip's ${ipAddrs}`);
    t.equal(addrs2, ipAddrs, 'second address dump, same');
  });

  t.test(
    'a dump interrupted by concurrent changes (NLM_F_DUMP_INTR) is retried, never returned half-done',
    async (t) => {
      const ns = tempNetns(t);
      // A table several receive rounds long: 200 links with 10 addresses each. (ifb, not bridge: a
      // bridge costs the kernel ~16 ms under rtnl_lock when its namespace is torn down.)
      const stable: string[] = [];
      const lines: string[] = [];
      for (let i = 0; i < 200; i++) {
        lines.push(`link add st${i} type ifb`);
        for (let j = 0; j < 10; j++) {
          const a = `10.${100 + (i >> 6)}.${((i & 63) << 2) | (j >> 3)}.${((j & 7) << 5) | 1}`;
          stable.push(a);
          lines.push(`addr add ${a}/32 dev st${i}`);
        }
      }
      lines.push('link add churn0 type ifb');
      ipBatch(ns.name, lines);
      // Churn: addresses and links come and go while we dump.
      const churn: string[] = [];
      for (let k = 0; k < 4000; k++) {
        churn.push(
          `addr add 172.16.${k % 250}.${((k >> 4) % 250) + 1}/32 dev churn0`,
          `addr del 172.16.${k % 250}.${((k >> 4) % 250) + 1}/32 dev churn0`,
        );
        if (k % 40 === 0) churn.push(`link add ch${k} type ifb`, `link del ch${k}`);
      }
      const dir = mkdtempSync(join(tmpdir(), 'rtnl-churn-'));
      const file = join(dir, 'churn.batch');
      writeFileSync(file, churn.join('\n') + '\n');
      t.teardown(() => rmSync(dir, { recursive: true, force: true }));
      const proc = spawn(
        'sh',
        ['-c', 'while :; do ip -n "$0" -force -batch "$1" >/dev/null 2>&1; done', ns.name, file],
        { stdio: 'ignore', detached: true },
      );
      t.teardown(() => {
        try {
          process.kill(-proc.pid!, 'SIGKILL');
        } catch {
          // gone
        }
      });
      const stableSet = new Set(stable);
      let restarts = 0;
      let complete = 0;
      const problems: string[] = [];
      const dumpAddrs = (h: Handle): Promise<string[]> =>
        new Promise((resolve, reject) => {
          let got: string[] = [];
          h.engine.submit(RTM_GETADDR, NLM_F_DUMP, (w) => w.bytes(Buffer.from([AF_INET, 0, 0, 0, 0, 0, 0, 0])), {
            onMessage: (m) => {
              if (m.type !== RTM_NEWADDR) return;
              const a = attrTable(m.buf, m.off + 8, m.end)[1];
              if (a) got.push(formatIPv4(m.buf, a[0]));
            },
            onRestart: () => {
              restarts++;
              got = [];
            },
            onDone: (err) => (err ? reject(err) : resolve(got)),
          });
        });
      const h = open({ netns: ns.name, dumpRetries: 1000 });
      t.teardown(() => h.close());
      const deadline = Date.now() + 20000;
      let runs = 0;
      while (Date.now() < deadline && (runs < 30 || restarts < 3)) {
        runs++;
        const [addrs, links] = await Promise.all([dumpAddrs(h), h.link.list()]);
        const seen = new Set<string>();
        let dup = 0;
        for (const a of addrs) {
          if (seen.has(a)) dup++;
          seen.add(a);
        }
        const missing = stable.filter((a) => !seen.has(a)).length;
        const missingLinks = 200 - links.filter((l) => /^st\d+$/.test(l.name)).length;
        if (missing || dup || missingLinks)
          problems.push(
            `run ${runs}: ${missing} stable addresses missing, ${dup} duplicates, ${missingLinks} stable links missing`,
          );
        else complete++;
        if (!addrs.every((a) => stableSet.has(a) || a.startsWith('172.16.')))
          problems.push(`run ${runs}: a foreign address`);
      }
      t.same(problems.slice(0, 5), [], `${runs} address+link dump pairs under churn: every one whole (${complete})`);
      t.ok(restarts > 0, `NLM_F_DUMP_INTR was provoked and retried (${restarts} address dump restarts)`);
    },
  );

  t.test(
    'a dump aborted in flight, then another at once: no EBUSY (the kernel runs the first to its end)',
    async (t) => {
      const ns = tempNetns(t);
      ipBatch(
        ns.name,
        Array.from({ length: 1000 }, (_, i) => `link add q${i} type ifb`),
      );
      const codes: string[] = [];
      let aborted = 0;
      for (let i = 0; i < 20; i++) {
        const ac = new AbortController();
        const p = ns.h.link
          .list({}, { signal: ac.signal })
          .catch((e: Error) => void (e.name === 'AbortError' && aborted++));
        await new Promise((r) => setImmediate(r));
        await new Promise((r) => setTimeout(r, i % 3));
        ac.abort();
        await p;
        codes.push(
          await ns.h.link.list().then(
            (l) => `ok ${l.length}`,
            (e: { code?: string }) => String(e.code),
          ),
        );
      }
      t.ok(aborted > 0, `${aborted} of 20 dumps were aborted in flight`);
      t.same(
        codes.filter((c) => c !== 'ok 1001'),
        [],
        'every following dump returned the whole table',
      );
    },
  );

  t.test('many handles in many namespaces at once never cross', async (t) => {
    const spaces = Array.from({ length: 16 }, () => tempNetns(t));
    spaces.forEach((ns, i) => {
      ipBatch(ns.name, [
        `link add own${i} type ifb`,
        ...Array.from({ length: i % 4 }, (_, j) => `link add pad${i}x${j} type ifb`),
      ]);
    });
    const oracle = spaces.map((ns) => oracleLinks(ns));
    const extra = spaces.map((ns) => open({ netns: ns.name }));
    t.teardown(() => extra.forEach((h) => h.close()));
    const work: Promise<string | undefined>[] = [];
    for (let round = 0; round < 100; round++) {
      spaces.forEach((ns, i) => {
        const h = round % 2 ? ns.h : extra[i]!;
        const own = `own${i}`;
        work.push(
          h.link
            .get(own)
            .then((l) =>
              l.name === own && l.index === oracle[i]!.get(own)
                ? undefined
                : `${ns.name}: get ${own} gave ${l.name}/${l.index}`,
            ),
        );
        work.push(
          h.link
            .get(oracle[i]!.get(own)!)
            .then((l) => (l.name === own ? undefined : `${ns.name}: get by index gave ${l.name}`)),
        );
        if (round % 10 === 0) {
          work.push(
            h.link.list().then((ls) => {
              const names = ls
                .map((l) => `${l.name}/${l.index}`)
                .sort()
                .join(',');
              const want = [...oracle[i]!]
                .map(([n, x]) => `${n}/${x}`)
                .sort()
                .join(',');
              return names === want ? undefined : `${ns.name}: list ${names} != ${want}`;
            }),
          );
          const otherName = `own${(i + 1) % spaces.length}`;
          work.push(
            h.link.get(otherName).then(
              (l) => `${ns.name}: saw ${otherName} (${l.index})`,
              (e: { code?: string }) => (e.code === 'ENODEV' ? undefined : `${ns.name}: ${String(e.code)}`),
            ),
          );
        }
      });
    }
    const results = await Promise.all(work);
    const crossed = results.filter((x): x is string => x !== undefined);
    t.same(
      crossed.slice(0, 5),
      [],
      `${work.length} requests over ${spaces.length * 2} handles in ${spaces.length} namespaces: none crossed`,
    );
  });
});
