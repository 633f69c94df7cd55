// Policy rules against the kernel, inside a throwaway namespace, both ways: what we add,
// `ip -d -j rule` lists with the same fields; what ip adds, we list with the same values; our
// whole list (both families) equals `ip rule` + `ip -6 rule`, field for field.
import t from 'tap';
import { NetlinkError } from '../../lib/index.js';
import type { Rule } from '../../types/rule.js';
import { rootSkip, tempNetns, type TempNetns } from '../helpers/netns.js';

/** What `ip -d -j rule show` prints per rule (iproute2 6.1 ip/iprule.c print_rule). */
interface IpRule {
  priority: number;
  not?: null;
  src: string;
  srclen?: number;
  dst?: string;
  dstlen?: number;
  tos?: string;
  fwmark?: string;
  fwmask?: string;
  iif?: string;
  oif?: string;
  iif_detached?: null;
  oif_detached?: null;
  l3mdev?: null;
  uid_start?: number;
  uid_end?: number;
  ipproto?: string;
  sport?: number;
  sport_start?: number;
  sport_end?: number;
  dport?: number;
  dport_start?: number;
  dport_end?: number;
  table?: string;
  suppress_prefixlen?: number;
  goto?: number;
  unresolved?: null;
  nop?: null;
  action?: string;
  protocol?: string;
}

const TABLES: Record<string, number> = { local: 255, main: 254, default: 253 };

/** ip's JSON in our Rule shape, so the two can be compared with t.same. */
function fromIp(r: IpRule, family: 4 | 6): Rule {
  const host = family === 4 ? 32 : 128;
  const out: Rule = {
    family,
    priority: r.priority,
    action:
      (r.action as Rule['action'] | undefined) ?? (r.goto !== undefined ? 'goto' : r.nop === null ? 'nop' : 'to_tbl'),
  };
  if (r.src !== 'all') out.from = `${r.src}/${r.srclen ?? host}`;
  if (r.dst !== undefined) out.to = `${r.dst}/${r.dstlen ?? host}`;
  if (r.not === null) out.not = true;
  if (r.table !== undefined) out.table = TABLES[r.table] ?? Number(r.table);
  if (r.fwmark !== undefined) {
    out.fwmark = Number(r.fwmark);
    out.fwmask = r.fwmask === undefined ? 0xffffffff : Number(r.fwmask); // ip leaves out a full mask
  }
  if (r.iif !== undefined) out.iif = r.iif;
  if (r.oif !== undefined) out.oif = r.oif;
  if (r.goto !== undefined) out.goto = r.goto;
  if (r.tos !== undefined) out.tos = Number(r.tos);
  if (r.l3mdev === null) out.l3mdev = true;
  if (r.uid_start !== undefined) out.uidrange = { start: r.uid_start, end: r.uid_end! };
  if (r.ipproto !== undefined) out.ipproto = r.ipproto;
  if (r.sport !== undefined) out.sport = r.sport;
  if (r.sport_start !== undefined) out.sport = { start: r.sport_start, end: r.sport_end! };
  if (r.dport !== undefined) out.dport = r.dport;
  if (r.dport_start !== undefined) out.dport = { start: r.dport_start, end: r.dport_end! };
  if (r.protocol !== undefined && r.protocol !== 'unspec') out.protocol = r.protocol;
  if (r.suppress_prefixlen !== undefined) out.suppressPrefixlength = r.suppress_prefixlen;
  if (r.iif_detached === null) out.iifDetached = true;
  if (r.oif_detached === null) out.oifDetached = true;
  if (r.unresolved === null) out.unresolved = true;
  return out;
}

const ipRules = (ns: TempNetns, family: 4 | 6): Rule[] =>
  ns.ipJson<IpRule[]>(family === 4 ? '-4' : '-6', '-d', 'rule', 'show').map((r) => fromIp(r, family));
const byPrio = (a: Rule, b: Rule): number => a.family - b.family || a.priority - b.priority;

t.test('rules', { skip: rootSkip }, async (t) => {
  const ns = tempNetns(t);
  const { h } = ns;
  const defaults = await h.rule.list();
  t.same(
    defaults.map((r) => [r.family, r.priority, r.table]),
    [
      [4, 0, 255],
      [4, 32766, 254],
      [4, 32767, 253],
      [6, 0, 255],
      [6, 32766, 254],
    ].sort(),
    'a new namespace: local, main, default (IPv4) and local, main (IPv6)',
  );

  // ours → ip
  await h.rule.add({ priority: 100, from: '10.0.0.0/24', table: 100 });
  await h.rule.add({ priority: 200, fwmark: '0x10/0xff', table: 1000, iif: 'veth0' });
  await h.rule.add({ priority: 201, fwmark: 7, table: 7 });
  await h.rule.add({ priority: 300, to: '2001:db8::/32', oif: 'veth0', action: 'prohibit' });
  await h.rule.add({
    priority: 400,
    not: true,
    from: '192.168.0.0/16',
    protocol: 'static',
    table: 'main',
    uidrange: '1000-2000',
    ipproto: 'tcp',
    sport: '1000-2000',
    dport: 443,
  });
  await h.rule.add({ priority: 500, goto: 600 });
  await h.rule.add({ priority: 501, action: 'nop' });
  await h.rule.add({ priority: 502, from: '10.1.2.3', action: 'blackhole' });
  await h.rule.add({ priority: 503, to: '10.0.0.0/8', tos: 0x10, table: 100, suppressPrefixlength: 0 });
  await h.rule.add({ priority: 504, from: '2001:db8::1', family: 6, action: 'unreachable' });
  await h.rule.add({ priority: 505, l3mdev: true });
  const ip4 = ipRules(ns, 4);
  const ip6 = ipRules(ns, 6);
  const find = (rs: Rule[], p: number): Rule | undefined => rs.find((r) => r.priority === p);
  t.same(find(ip4, 100), { family: 4, priority: 100, from: '10.0.0.0/24', table: 100, action: 'to_tbl' });
  t.same(
    find(ip4, 200),
    {
      family: 4,
      priority: 200,
      fwmark: 16,
      fwmask: 255,
      iif: 'veth0',
      iifDetached: true,
      table: 1000,
      action: 'to_tbl',
    },
    'table > 255 through FRA_TABLE',
  );
  t.same(find(ip4, 201), { family: 4, priority: 201, fwmark: 7, fwmask: 0xffffffff, table: 7, action: 'to_tbl' });
  t.same(
    find(ip6, 300),
    { family: 6, priority: 300, to: '2001:db8::/32', oif: 'veth0', oifDetached: true, action: 'prohibit' },
    'family follows from `to`',
  );
  t.same(find(ip4, 400), {
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
  });
  t.same(find(ip4, 500), { family: 4, priority: 500, goto: 600, unresolved: true, action: 'goto' });
  t.same(find(ip4, 501), { family: 4, priority: 501, action: 'nop' });
  t.same(find(ip4, 502), { family: 4, priority: 502, from: '10.1.2.3/32', action: 'blackhole' });
  t.same(find(ip4, 503), {
    family: 4,
    priority: 503,
    to: '10.0.0.0/8',
    tos: 16,
    table: 100,
    suppressPrefixlength: 0,
    action: 'to_tbl',
  });
  t.same(find(ip6, 504), { family: 6, priority: 504, from: '2001:db8::1/128', action: 'unreachable' });
  t.same(find(ip4, 505), { family: 4, priority: 505, l3mdev: true, action: 'to_tbl' });

  // refusals
  await t.rejects(
    h.rule.add({ priority: 100, from: '10.0.0.0/24', table: 100 }),
    { name: 'NetlinkError', code: 'EEXIST' },
    'the same rule twice: EEXIST',
  );
  const back = await h.rule.add({ priority: 700, goto: 600 }).catch((e: unknown) => e);
  t.ok(
    back instanceof NetlinkError && back.code === 'EINVAL' && /Backward goto/.test(back.message),
    `the kernel's text reaches the caller: ${String(back)}`,
  );

  // ip → ours
  ns.ip(
    'rule',
    'add',
    'priority',
    '900',
    'from',
    '172.16.0.0/12',
    'to',
    '10.9.0.0/16',
    'fwmark',
    '0x20',
    'lookup',
    '250',
  );
  ns.ip('-6', 'rule', 'add', 'priority', '901', 'iif', 'lo', 'lookup', 'local');
  const ours = await h.rule.list();
  t.same(find(ours, 900), {
    family: 4,
    priority: 900,
    from: '172.16.0.0/12',
    to: '10.9.0.0/16',
    fwmark: 0x20,
    fwmask: 0xffffffff,
    table: 250,
    action: 'to_tbl',
  });
  t.same(
    find(
      ours.filter((r) => r.family === 6),
      901,
    ),
    { family: 6, priority: 901, iif: 'lo', table: 255, action: 'to_tbl' },
  );

  // whole lists agree, field for field
  t.same(
    [...ours].sort(byPrio),
    [...ipRules(ns, 4), ...ipRules(ns, 6)].sort(byPrio),
    'list() = ip -4 rule + ip -6 rule',
  );
  t.same((await h.rule.list({ family: 6 })).sort(byPrio), ipRules(ns, 6).sort(byPrio), 'family 6 = ip -6 rule');
  t.same(
    (await h.rule.list({ table: 100 })).map((r) => r.priority),
    [100, 503],
    'table filter',
  );
  t.same(
    (await h.rule.list({ table: 'main', family: 4 })).map((r) => r.priority),
    [400, 32766],
    'table by name',
  );

  // del
  await h.rule.del({ priority: 100 });
  await h.rule.del({ priority: 300, family: 6 });
  await h.rule.del({ priority: 200, fwmark: '0x10/0xff', table: 1000, iif: 'veth0' });
  t.notOk(find(ipRules(ns, 4), 100), 'del by priority');
  t.notOk(find(ipRules(ns, 6), 300), 'del in IPv6 (family given)');
  t.notOk(find(ipRules(ns, 4), 200), 'del by full selector');
  await t.rejects(h.rule.del({ priority: 100 }), { code: 'ENOENT' }, 'nothing left to delete: ENOENT');
  t.same(
    (await h.rule.list()).sort(byPrio),
    [...ipRules(ns, 4), ...ipRules(ns, 6)].sort(byPrio),
    'still equal after deletes',
  );
});

t.test('del without a selector is refused and the local rules stay', { skip: rootSkip }, async (t) => {
  const ns = tempNetns(t);
  const { h } = ns;
  const before = [...ipRules(ns, 4), ...ipRules(ns, 6)].sort(byPrio);
  for (const spec of [{}, { family: 6 }, { from: 'all' }] as const)
    await t.rejects(h.rule.del(spec), TypeError, `rule.del(${JSON.stringify(spec)})`);
  t.same([...ipRules(ns, 4), ...ipRules(ns, 6)].sort(byPrio), before, 'every rule is still there');
  t.ok(
    ipRules(ns, 4).some((r) => r.priority === 0 && r.table === 255),
    '0: from all lookup local (IPv4)',
  );
  t.ok(
    ipRules(ns, 6).some((r) => r.priority === 0 && r.table === 255),
    '0: from all lookup local (IPv6)',
  );
  ns.ip('link', 'set', 'lo', 'up');
  ns.exec('ping', '-c', '1', '-W', '1', '127.0.0.1');
  t.pass('local delivery works');
});

t.test('misspelt fields are refused: nothing added', { skip: rootSkip }, async (t) => {
  const ns = tempNetns(t);
  const { h } = ns;
  const before = [...ipRules(ns, 4), ...ipRules(ns, 6)].sort(byPrio);
  await t.rejects(
    h.rule.add({ priority: 140, table: 140, src: '10.0.0.0/8' } as never),
    /Unknown field "src" in the rule spec/,
  );
  await t.rejects(h.rule.add({ priority: 141, fwmark: 0x20, mask: 0xf0 } as never), /Unknown field "mask"/);
  t.same([...ipRules(ns, 4), ...ipRules(ns, 6)].sort(byPrio), before, 'no rule was added');
  await t.rejects(h.rule.list({ dev: 'v0' } as never), /Unknown field "dev" in the rule filter/);
});

t.test('list filters agree with `ip rule show SELECTOR`', { skip: rootSkip }, async (t) => {
  const ns = tempNetns(t);
  const { h } = ns;
  await h.rule.add({ priority: 100, iif: 'v0', table: 100 });
  await h.rule.add({ priority: 101, oif: 'v0', table: 100 });
  await h.rule.add({ priority: 102, fwmark: 0x20, table: 101 });
  await h.rule.add({ priority: 103, fwmark: 0x20, fwmask: 0xf0, table: 101 });
  await h.rule.add({ priority: 104, from: '10.1.0.0/16', table: 102 });
  await h.rule.add({ priority: 105, from: '10.2.3.0/24', to: '192.168.1.0/24', table: 102 });
  await h.rule.add({ priority: 106, tos: 0x10, table: 103 });
  await h.rule.add({ priority: 107, not: true, iif: 'v1', table: 103 });
  await h.rule.add({ priority: 108, family: 6, iif: 'v0', table: 100 });
  const cases: [object, string[]][] = [
    [{ iif: 'v0', family: 4 }, ['iif', 'v0']],
    [{ oif: 'v0', family: 4 }, ['oif', 'v0']],
    [{ fwmark: 0x20, family: 4 }, ['fwmark', '0x20']],
    [{ fwmark: '0x20/0xf0', family: 4 }, ['fwmark', '0x20/0xf0']],
    [{ from: '10.0.0.0/8', family: 4 }, ['from', '10.0.0.0/8']],
    [{ from: '10.2.0.0/16', family: 4 }, ['from', '10.2.0.0/16']],
    [{ to: '192.168.0.0/16', family: 4 }, ['to', '192.168.0.0/16']],
    [{ tos: 0x10, family: 4 }, ['tos', '0x10']],
    [{ not: true, family: 4 }, ['not']],
    [{ table: 101, priority: 103, family: 4 }, ['table', '101', 'priority', '103']],
    [{ iif: 'v0', family: 6 }, ['iif', 'v0']],
  ];
  for (const [filter, args] of cases) {
    const family = (filter as { family: 4 | 6 }).family;
    const theirs = ns
      .ipJson<IpRule[]>(family === 4 ? '-4' : '-6', '-d', 'rule', 'show', ...args)
      .map((r) => r.priority);
    const ours = (await h.rule.list(filter)).map((r) => r.priority);
    t.ok(theirs.length > 0, `ip rule show ${args.join(' ')} lists something`);
    t.same(ours, theirs, `${JSON.stringify(filter)} = ip -${family} rule show ${args.join(' ')}`);
  }
});
