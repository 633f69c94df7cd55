// Policy-rule codec against golden bytes captured from `ip rule` (iproute2 6.1,
// test/fixtures/rule/*.hex): our request equals ip's byte for byte, the fixture decodes to a
// hand-written Rule, and bad input is refused naming its field before anything is sent. No root.
import t from 'tap';
import { NLM_F_DUMP, RTM_GETRULE, RTM_NEWRULE } from '../../lib/core/constants.js';
import { DecodeError } from '../../lib/core/errors.js';
import { decodeRule } from '../../lib/rule/fra.js';
import type { Handle } from '../../lib/handle.js';
import type { RuleSpec } from '../../types/rule.js';
import { ack, done, fakeHandle, nla, nlmsg, turn, type SentMsg, msgOf } from '../helpers/fake-transport.js';
import { hexFixture } from '../fixtures/hex.js';

const fixture = (name: string): Buffer => hexFixture('rule', name);

/** Runs call on a handle whose fake socket acks requests and answers dumps with `replies`. */
async function sent(call: (h: Handle) => Promise<unknown>, replies: Buffer[] = []): Promise<SentMsg[]> {
  const { h, fake } = fakeHandle();
  fake.onSend = (msgs) =>
    setImmediate(() => {
      for (const m of msgs) {
        if ((m.flags & NLM_F_DUMP) === NLM_F_DUMP) {
          fake.deliver(
            ...replies.map((r) => {
              const c = Buffer.from(r);
              c.writeUInt32LE(m.seq, 8);
              c.writeUInt16LE(2, 6);
              return c;
            }),
            done(m.seq),
          );
        } else {
          fake.deliver(ack(m.seq));
        }
      }
    });
  try {
    await call(h);
    return fake.sent;
  } finally {
    h.close();
  }
}

t.test("rule requests equal ip rule's bytes and decode to the rule", async (t) => {
  const cases: { file: string; op: 'add' | 'del'; spec: RuleSpec; want: object }[] = [
    {
      file: 'rule-add-v4',
      op: 'add',
      spec: { priority: 100, from: '10.0.0.0/24', table: 100 },
      want: { family: 4, priority: 100, from: '10.0.0.0/24', table: 100, action: 'to_tbl' },
    },
    {
      // a table over 255 travels in FRA_TABLE, the header's table being RT_TABLE_UNSPEC
      file: 'rule-add-fwmark',
      op: 'add',
      spec: { priority: 200, fwmark: '0x10/0xff', table: 1000, iif: 'veth0' },
      want: { family: 4, priority: 200, fwmark: 0x10, fwmask: 0xff, table: 1000, iif: 'veth0', action: 'to_tbl' },
    },
    {
      file: 'rule-add-v6',
      op: 'add',
      spec: { priority: 300, to: '2001:db8::/32', oif: 'veth0', action: 'prohibit' },
      want: { family: 6, priority: 300, to: '2001:db8::/32', oif: 'veth0', action: 'prohibit' },
    },
    {
      file: 'rule-add-extras',
      op: 'add',
      spec: {
        priority: 400,
        not: true,
        from: '192.168.0.0/16',
        protocol: 'static',
        table: 'main',
        uidrange: '1000-2000',
        ipproto: 'tcp',
        sport: '1000-2000',
        dport: 443,
      },
      want: {
        family: 4,
        priority: 400,
        not: true,
        from: '192.168.0.0/16',
        protocol: 'static',
        table: 254,
        action: 'to_tbl',
        uidrange: { start: 1000, end: 2000 },
        ipproto: 'tcp',
        sport: { start: 1000, end: 2000 },
        dport: 443,
      },
    },
    {
      file: 'rule-add-goto',
      op: 'add',
      spec: { priority: 500, goto: 600 },
      want: { family: 4, priority: 500, goto: 600, action: 'goto' },
    },
    {
      file: 'rule-del',
      op: 'del',
      spec: { priority: 100 },
      want: { family: 4, priority: 100, action: 'unspec' },
    },
  ];
  for (const c of cases) {
    const golden = fixture(c.file);
    t.same(decodeRule(msgOf(golden)), c.want, `${c.file}: the fixture decodes to the hand-written rule`);
    const msgs = await sent((h) => (c.op === 'add' ? h.rule.add(c.spec) : h.rule.del(c.spec)));
    t.equal(msgs.length, 1);
    const ours = Buffer.from(msgs[0]!.msg);
    ours.fill(0, 8, 16);
    t.equal(ours.toString('hex'), golden.toString('hex'), `${c.file}: our request is ip's, byte for byte`);
    t.same(decodeRule(msgOf(ours)), c.want, `${c.file}: our request decodes back to the rule`);
  }
});

t.test('equivalent spellings encode alike', async (t) => {
  const bytes = async (spec: RuleSpec): Promise<string> => {
    const [m] = await sent((h) => h.rule.add(spec));
    return m!.payload.toString('hex');
  };
  t.equal(await bytes({ fwmark: 16, fwmask: 255 }), await bytes({ fwmark: '0x10/0xff' }));
  t.equal(await bytes({ fwmark: '16' }), await bytes({ fwmark: 0x10 }));
  t.equal(await bytes({ sport: 80 }), await bytes({ sport: { start: 80, end: 80 } }));
  t.equal(await bytes({ uidrange: { start: 1, end: 9 } }), await bytes({ uidrange: '1-9' }));
  t.equal(await bytes({ ipproto: 6 }), await bytes({ ipproto: 'tcp' }));
  t.equal(await bytes({ from: 'all', table: 'local' }), await bytes({ table: 255 }));
  t.equal(await bytes({ action: 'lookup', table: 'main' }), await bytes({}), 'add defaults: to_tbl, table main');
  t.equal(await bytes({ from: '10.1.2.3' }), await bytes({ from: '10.1.2.3/32' }), 'a bare address is a host prefix');
  t.equal(await bytes({ from: '2001:db8::1' }), await bytes({ family: 6, from: '2001:db8::1/128' }));
});

t.test('list: a family-only header (strict dump), both families decoded, filters applied', async (t) => {
  const hdr = (family: number, table: number, action = 1): Buffer =>
    Buffer.from([family, 0, 0, 0, table, 0, 0, action, 0, 0, 0, 0]);
  const u32 = (v: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    return b;
  };
  const replies = [
    nlmsg(RTM_NEWRULE, 0, 0, Buffer.concat([hdr(2, 255), nla(15, u32(255)), nla(21, Buffer.from([2]))])),
    nlmsg(
      RTM_NEWRULE,
      0,
      0,
      Buffer.concat([hdr(2, 254), nla(15, u32(254)), nla(6, u32(32766)), nla(21, Buffer.from([2]))]),
    ),
    nlmsg(RTM_NEWRULE, 0, 0, Buffer.concat([hdr(10, 0), nla(15, u32(5000)), nla(6, u32(10)), nla(99, u32(1))])),
    nlmsg(RTM_NEWRULE, 0, 0, Buffer.concat([Buffer.from([128, 0, 0, 0, 254, 0, 0, 1, 0, 0, 0, 0]), nla(6, u32(1))])),
  ];
  let rules: unknown;
  const msgs = await sent(async (h) => (rules = await h.rule.list()), replies);
  t.equal(msgs[0]!.type, RTM_GETRULE);
  t.equal(msgs[0]!.payload.toString('hex'), '00'.repeat(12), 'AF_UNSPEC, nothing else');
  t.same(
    rules,
    [
      { family: 4, priority: 0, table: 255, action: 'to_tbl', protocol: 'kernel' },
      { family: 4, priority: 32766, table: 254, action: 'to_tbl', protocol: 'kernel' },
      { family: 6, priority: 10, table: 5000, action: 'to_tbl' },
    ],
    'the ipmr family (128) is skipped; FRA_TABLE wins over the header',
  );
  const m6 = await sent(async (h) => (rules = await h.rule.list({ family: 6, table: 5000 })), replies);
  t.equal(m6[0]!.payload[0], 10, 'family 6 → AF_INET6 in the header');
  t.same(
    (rules as { priority: number }[]).map((r) => r.priority),
    [10],
  );
  await sent(async (h) => (rules = await h.rule.list({ table: 'main', priority: 32766 })), replies);
  t.same(
    (rules as { priority: number }[]).map((r) => r.priority),
    [32766],
  );
  const bad = nlmsg(RTM_NEWRULE, 0, 0, Buffer.concat([hdr(2, 254), Buffer.from([8, 0, 6, 0, 1])]));
  t.throws(() => decodeRule(msgOf(bad)), DecodeError);
});

t.test('bad input: TypeError / RangeError naming the field, nothing sent', async (t) => {
  const { h, fake } = fakeHandle();
  const bad: [RuleSpec, RegExp, ErrorConstructor?][] = [
    [{ from: '10.0.0.0/33' }, /"from".*at most 32/],
    [{ to: '2001:db8::/129' }, /"to".*at most 128/],
    [{ from: '10.0.0.256/24' }, /"from"/],
    [{ from: '10.0.0.0/x' }, /"from"/],
    [{ from: '10.0.0.0/8', to: '2001:db8::/32' }, /"to".*IPv4/],
    [{ family: 6, from: '10.0.0.0/8' }, /"from".*IPv6/],
    [{ family: 5 as never }, /"family"/],
    [{ table: 'nosuchtable' }, /"table"/],
    [{ table: -1 }, /"table"/, RangeError],
    [{ priority: 2 ** 32 }, /"priority"/, RangeError],
    [{ priority: 1.5 }, /"priority"/],
    [{ action: 'drop' as never }, /"action"/],
    [{ action: 'goto' }, /"goto"/],
    [{ action: 'blackhole', goto: 5 }, /"goto"/],
    [{ fwmark: '0x10/0xff/1' }, /"fwmark"/],
    [{ fwmark: 'ten' }, /"fwmark"/],
    [{ fwmark: '0x10/0xff', fwmask: 1 }, /"fwmask"/],
    [{ fwmask: 1 }, /"fwmask"/],
    [{ iif: 'bad name' }, /"iif"/],
    [{ oif: 'x'.repeat(16) }, /"oif"/],
    [{ l3mdev: true, table: 10 }, /"table"/],
    [{ uidrange: '5' }, /"uidrange"/],
    [{ uidrange: { start: 9, end: 1 } }, /"uidrange"/, RangeError],
    [{ sport: 70000 }, /"sport"/, RangeError],
    [{ dport: '1-2-3' }, /"dport"/],
    [{ ipproto: 'tcpx' }, /"ipproto"/],
    [{ protocol: 'nope' }, /"protocol"/],
    [{ tos: 256 }, /"tos"/, RangeError],
    [{ not: 'yes' as never }, /"not"/],
  ];
  for (const [spec, re, cls] of bad) {
    await t.rejects(h.rule.add(spec), cls ?? TypeError, JSON.stringify(spec));
    await t.rejects(h.rule.add(spec), re, JSON.stringify(spec));
  }
  await t.rejects(h.rule.list({ table: 'nosuch' }), /"table"/);
  // Misspelt fields are refused, not ignored: `src` would have made `from all lookup 140`.
  for (const [spec, field] of [
    [{ priority: 140, table: 140, src: '10.0.0.0/8' }, 'src'],
    [{ fwmark: 0x20, mask: 0xf0 }, 'mask'],
    [{ pref: 10 }, 'pref'],
  ] as const) {
    await t.rejects(h.rule.add(spec as never), new TypeError(`Unknown field "${field}" in the rule spec`));
    await t.rejects(h.rule.del(spec as never), new TypeError(`Unknown field "${field}" in the rule spec`));
  }
  await t.rejects(h.rule.list({ dev: 'v0' } as never), new TypeError('Unknown field "dev" in the rule filter'));
  await t.rejects(h.rule.list({ iif: 'bad name' }), /"iif"/);
  await t.rejects(h.rule.list({ from: '10.0.0.0/33' }), /"from"/);
  await t.rejects(h.rule.list({ fwmark: 'x' }), /"fwmark"/);
  await t.rejects(h.rule.list({ fwmark: '1/2', fwmask: 3 }), /"fwmask"/);
  await t.rejects(h.rule.list({ not: 1 as never }), /"not"/);
  await turn();
  t.equal(fake.sends.length, 0, 'nothing was sent');
  h.close();
});

t.test('del without a selector is refused before anything is sent (the kernel would delete rule 0)', async (t) => {
  const { h, fake } = fakeHandle();
  for (const spec of [
    {},
    { family: 6 },
    { from: 'all' },
    { from: 'all', to: 'all', family: 4 },
    { fwmark: 0 },
    { not: true },
  ] as RuleSpec[]) {
    await t.rejects(h.rule.del(spec), TypeError, JSON.stringify(spec));
    await t.rejects(h.rule.del(spec), /rule\.del .*selector besides "family".*0: from all lookup local/);
  }
  await turn();
  t.equal(fake.sends.length, 0, 'nothing was sent');
  h.close();
  // Any one selector will do, a zero priority included (`ip rule del priority 0` deletes rule 0).
  for (const spec of [
    { priority: 0 },
    { table: 'main' },
    { from: '10.0.0.0/8' },
    { from: '0.0.0.0/0' },
    { iif: 'lo' },
    { fwmark: 1 },
    { action: 'blackhole' },
    { family: 6, priority: 100 },
  ] as RuleSpec[]) {
    const msgs = await sent((h) => h.rule.del(spec));
    t.equal(msgs.length, 1, `${JSON.stringify(spec)} is sent`);
  }
});

t.test('list filters as `ip rule show` does: iif, oif, fwmark, from, to, tos, not', async (t) => {
  const hdr = (o: { family?: number; src?: number; dst?: number; tos?: number; flags?: number } = {}): Buffer => {
    const b = Buffer.from([o.family ?? 2, o.dst ?? 0, o.src ?? 0, o.tos ?? 0, 254, 0, 0, 1, 0, 0, 0, 0]);
    b.writeUInt32LE(o.flags ?? 0, 8);
    return b;
  };
  const u32 = (v: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    return b;
  };
  const str = (v: string): Buffer => Buffer.from(v + '\0');
  const prio = (p: number): Buffer => nla(6, u32(p));
  const rule = (...parts: Buffer[]): Buffer => nlmsg(RTM_NEWRULE, 0, 0, Buffer.concat(parts));
  const replies = [
    rule(hdr(), prio(0)),
    rule(hdr(), prio(1), nla(3, str('v0'))), // iif v0
    rule(hdr(), prio(2), nla(17, str('v0'))), // oif v0
    rule(hdr(), prio(3), nla(10, u32(0x20)), nla(16, u32(0xffffffff))), // fwmark 0x20
    rule(hdr(), prio(4), nla(10, u32(0x20)), nla(16, u32(0xf0))), // fwmark 0x20/0xf0
    rule(hdr({ src: 16 }), prio(5), nla(2, Buffer.from([10, 1, 0, 0]))), // from 10.1.0.0/16
    rule(hdr({ src: 8 }), prio(6), nla(2, Buffer.from([10, 0, 0, 0]))), // from 10.0.0.0/8
    rule(hdr({ src: 24 }), prio(7), nla(2, Buffer.from([10, 1, 128, 0]))), // from 10.1.128.0/24
    rule(hdr({ dst: 24 }), prio(8), nla(1, Buffer.from([192, 168, 1, 0]))), // to 192.168.1.0/24
    rule(hdr({ tos: 0x10 }), prio(9)),
    rule(hdr({ flags: 2 }), prio(10), nla(3, str('v1'))), // not iif v1
    rule(hdr({ family: 10 }), prio(11)),
  ];
  const pick = async (filter: object): Promise<number[]> => {
    let rules: { priority: number }[] = [];
    await sent(async (h) => (rules = await h.rule.list(filter)), replies);
    return rules.map((r) => r.priority);
  };
  t.same(await pick({}), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  t.same(await pick({ iif: 'v0' }), [1], 'ip rule show iif v0');
  t.same(await pick({ oif: 'v0' }), [2]);
  t.same(await pick({ fwmark: 0x20 }), [3, 4], 'a mark alone: any mask');
  t.same(await pick({ fwmark: '0x20/0xf0' }), [4], 'MARK/MASK: the mask too');
  t.same(await pick({ fwmark: 0x20, fwmask: 0xffffffff }), [3]);
  t.same(await pick({ from: '10.0.0.0/8' }), [5, 6, 7], 'from: the rules whose source lies inside');
  t.same(await pick({ from: '10.1.0.0/17' }), [], 'a /16 and a /24 outside 10.1.0.0/17 do not');
  t.same(await pick({ from: '10.1.128.0/17' }), [7]);
  t.same(await pick({ from: '10.1.0.0/16' }), [5, 7]);
  t.same(await pick({ from: '0.0.0.0/0' }), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'a /0: every IPv4 rule');
  t.same(await pick({ from: 'all' }), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], "'all' does not filter");
  t.same(await pick({ to: '192.168.0.0/16' }), [8]);
  t.same(await pick({ tos: 0x10 }), [9]);
  t.same(await pick({ not: true }), [10]);
  t.same(await pick({ not: true, iif: 'v1' }), [10]);
  t.same(await pick({ not: false, iif: 'v1' }), []);
  t.same(await pick({ family: 6 }), [11]);
});

t.test("an extended ACK pointing at an attribute names the caller's field", async (t) => {
  const { h, fake } = fakeHandle();
  // rule-add-v4's layout: nlmsghdr 16 + fib_rule_hdr 12, FRA_PRIORITY at 28, FRA_SRC at 36
  fake.onSend = (msgs) =>
    setImmediate(() => fake.deliver(ack(msgs[0]!.seq, -22, { msg: 'Invalid source', offset: 36, echo: msgs[0]!.msg })));
  const err = await h.rule.add({ priority: 100, from: '10.0.0.0/24', table: 100 }).catch((e: unknown) => e);
  t.match(err, { name: 'NetlinkError', code: 'EINVAL', field: 'from', extack: { message: 'Invalid source' } });
  t.match(String(err), /rule\.add priority 100 from 10\.0\.0\.0\/24 table 100: .*Invalid source.*"from"/);
  h.close();
});
