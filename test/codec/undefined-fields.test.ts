// The input data objects (LinkSpec, LinkChange, port options, AddrSpec, RouteSpec, NeighSpec,
// FdbSpec, RuleSpec, NexthopSpec, BridgeVlanSpec) declare their optional fields `?: T | undefined`,
// so code built with exactOptionalPropertyTypes can write `{ dst, via: opts.via }`. Every encoder
// must then take an explicit undefined as the field left out: the same request bytes, the same
// answer, nothing refused. No root: specs are encoded directly, or sent over a scripted socket.
//
// The `AllUndefined<T>` literals below are the compile check (`tsc --noEmit`, run by `npm test`):
// the compiler makes each list every optional field of its type, and spreading one into a spec
// compiles only while those fields take `undefined`.
import { fstatSync, statSync } from 'node:fs';
import t, { type Test } from 'tap';
import { NlWriter } from '../../lib/core/attr.js';
import type { Handle } from '../../lib/handle.js';
import { PORTS, TYPES } from '../../lib/link/kinds/index.js';
import { resolveParts } from '../../lib/link/resolve.js';
import { checkParts, hasKindFields, splitChange, splitSpec, writeLink, type Parts } from '../../lib/link/spec.js';
import { writeSimpleRoute } from '../../lib/route/encode.js';
import { checkTun } from '../../lib/tun.js';
import type {
  AddrSpec,
  BondPortOptions,
  BridgePortChange,
  BridgePortOptions,
  BridgeVlanSpec,
  FdbSpec,
  LinkChange,
  LinkSpec,
  NeighSpec,
  NexthopSpec,
  OtherSpec,
  RouteSpec,
  RuleSpec,
  VethSpec,
} from '../../lib/index.js';
import {
  LINK_COMMON,
  CHANGE_COMMON,
  PEER,
  ADDR,
  ADDR_DEL,
  ADDR_FLUSH,
  ROUTE,
  NEXTHOP,
  METRICS,
  NEIGH,
  FDB,
  RULE,
  NH,
  MEMBER,
  VLAN,
  VLAN_FILTER,
  type AllUndefined,
  type TakesUndefined,
} from '../helpers/all-undefined.js';
import { fakeHandle, zeroSeq } from '../helpers/fake-transport.js';
import { scriptKernel } from '../fixtures/route/kernel.js';

// Compile-time: every member of the unions (each link kind's spec, each kind's change) too.
const linkSpecsTakeUndefined: TakesUndefined<LinkSpec> = true;
const linkChangesTakeUndefined: TakesUndefined<LinkChange> = true;
t.ok(linkSpecsTakeUndefined && linkChangesTakeUndefined, 'LinkSpec and LinkChange members take undefined (tsc)');

/** A kind's required fields, by name: what each needs to be a spec at all. */
const REQUIRED: Readonly<Record<string, unknown>> = { link: 2, id: 7, table: 10, peer: { name: 'x1' } };

/** `base` with every field of `keys` it does not give set to undefined (the given ones kept). */
function withUndefined(base: Record<string, unknown>, keys: Iterable<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = undefined;
  return { ...out, ...base };
}

/** The message writeLink makes of parts (nlmsghdr left out: the body is what differs). */
function linkBytes(p: Parts, index: number, withInfo: boolean): Buffer {
  const w = new NlWriter(1024);
  writeLink(w, p, index, withInfo);
  return Buffer.from(w.buf.subarray(0, w.pos));
}

/** What a call does, as comparable data: its result, or its error's class and message. */
async function outcome(p: Promise<unknown>): Promise<unknown> {
  try {
    return { ok: await p };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

const LINKS = new Map([
  ['lo', 1],
  ['eth0', 2],
  ['veth0', 3],
  ['br0', 4],
  ['x0', 5],
  ['x1', 6],
]);

/** The requests `call` sends over a scripted socket (nlmsg_seq zeroed), and what it returns. */
async function sent(call: (h: Handle) => Promise<unknown>): Promise<{ msgs: Buffer[]; outcome: unknown }> {
  const { h, fake } = fakeHandle();
  scriptKernel(fake, { links: LINKS });
  try {
    const o = await outcome(call(h));
    return { msgs: fake.sent.map((m) => zeroSeq(m.msg)), outcome: o };
  } finally {
    h.close();
  }
}

/** The same requests and answer with the undefined fields as without them. */
async function same(
  t: Test,
  name: string,
  bare: (h: Handle) => Promise<unknown>,
  withUndef: (h: Handle) => Promise<unknown>,
): Promise<void> {
  const a = await sent(bare);
  const b = await sent(withUndef);
  t.same(b.outcome, a.outcome, `${name}: same answer`);
  t.not((a.outcome as { error?: string }).error?.startsWith('TypeError'), true, `${name}: the bare spec is valid`);
  t.ok(a.msgs.length > 0, `${name}: sends something`);
  t.same(b.msgs, a.msgs, `${name}: same request bytes`);
}

t.test('every link kind: each optional field undefined is the field left out (link.add)', async (t) => {
  for (const def of TYPES.values()) {
    const base: Record<string, unknown> = { type: def.type, name: 'x0' };
    for (const r of def.required) base[r] = REQUIRED[r];
    if (def.type === 'veth') base['peer'] = { name: 'x1' };
    const keys = [...Object.keys(LINK_COMMON), ...(def.data?.keys ?? []), ...Object.keys(def.aliases ?? {})];
    const spec = withUndefined(base, keys);
    if (def.type === 'veth') spec['peer'] = { name: 'x1', ...PEER };
    t.ok(
      Object.values(spec).filter((v) => v === undefined).length >= Object.keys(LINK_COMMON).length,
      `${def.type}: ${Object.keys(spec).length - Object.keys(base).length} fields undefined`,
    );
    const bare = splitSpec(base);
    const undef = splitSpec(spec);
    t.same(undef, bare, `${def.type}: same parts`);
    t.same(linkBytes(undef, 0, true), linkBytes(bare, 0, true), `${def.type}: same RTM_NEWLINK body`);
    if (def.via === 'tun') {
      const tap = def.type === 'tap';
      t.same(
        checkTun({ ...spec, name: 'x0', tap }),
        checkTun({ ...base, name: 'x0', tap }),
        `${def.type}: same TUNSETIFF`,
      );
    } else {
      await same(
        t,
        `link.add ${def.type}`,
        (h) => h.link.add(base as unknown as LinkSpec),
        (h) => h.link.add(spec as unknown as LinkSpec),
      );
    }
  }
});

t.test("a kind this package does not model: 'other' with infoData undefined", async (t) => {
  const base: OtherSpec = { type: 'other', name: 'x0', kind: 'nlmon' };
  const spec: OtherSpec = { ...LINK_COMMON, ...base, infoData: undefined };
  t.same(linkBytes(splitSpec(spec), 0, true), linkBytes(splitSpec(base), 0, true), 'same RTM_NEWLINK body');
  await same(
    t,
    'link.add other',
    (h) => h.link.add(base),
    (h) => h.link.add(spec),
  );
});

t.test('a veth written out with every optional field undefined', async (t) => {
  const bare: VethSpec = { type: 'veth', name: 'x0', peer: { name: 'x1' } };
  const spec: VethSpec = {
    type: 'veth',
    name: 'x0',
    peer: { name: 'x1', address: undefined, mtu: undefined, txqueuelen: undefined, netns: undefined },
    mtu: undefined,
    address: undefined,
    up: undefined,
    master: undefined,
    txqueuelen: undefined,
    alias: undefined,
    netns: undefined,
    linkNetnsId: undefined,
    bridgePort: undefined,
    bondPort: undefined,
  };
  await same(
    t,
    'link.add veth',
    (h) => h.link.add(bare),
    (h) => h.link.add(spec),
  );
});

t.test('a namespace { path, fd: undefined } is opened by its path, not taken as descriptor 0', async (t) => {
  const path = '/proc/self/ns/net';
  const ino = statSync(path).ino;
  const specs: [string, LinkSpec][] = [
    ['netns', { type: 'dummy', name: 'x0', netns: { path, fd: undefined } }],
    ['peer.netns', { type: 'veth', name: 'x0', peer: { name: 'x1', netns: { path, fd: undefined } } }],
  ];
  for (const [field, spec] of specs) {
    const parts = splitSpec(spec);
    checkParts(parts, true);
    const r = await resolveParts(parts, async () => 1);
    try {
      const peer = r.parts.data['peer'] as { netns?: { fd: number } } | undefined;
      const fd = field === 'netns' ? r.netnsFd : peer?.netns?.fd;
      t.type(fd, 'number', `${field}: a descriptor`);
      t.equal(fstatSync(fd!).ino, ino, `${field}: the descriptor of ${path}`);
    } finally {
      r.release();
    }
  }
});

t.test('every kind: a change whose fields are all undefined is an empty change (link.set)', async (t) => {
  for (const def of TYPES.values()) {
    const keys = ['type', ...Object.keys(CHANGE_COMMON), ...def.changeable, ...Object.keys(def.aliases ?? {})];
    const change = withUndefined({}, keys);
    t.equal(hasKindFields(change), false, `${def.type}: no kind fields, the link is not read`);
    const bare = splitChange({}, def);
    const undef = splitChange(change, def);
    t.same(undef, bare, `${def.type}: same parts`);
    t.same(linkBytes(undef, 5, false), linkBytes(bare, 5, false), `${def.type}: same RTM_NEWLINK body`);
  }
  const change: LinkChange = { ...CHANGE_COMMON, type: undefined };
  await same(
    t,
    'link.set',
    (h) => h.link.set('eth0', {}),
    (h) => h.link.set('eth0', change),
  );
  const mtu: LinkChange = { ...CHANGE_COMMON, type: undefined, mtu: 1400 };
  await same(
    t,
    'link.set mtu',
    (h) => h.link.set('eth0', { mtu: 1400 }),
    (h) => h.link.set('eth0', mtu),
  );
});

/** A writable field of each port table with a valid value, so the port has something to send. */
const PORT_GIVEN: Readonly<Record<string, Record<string, unknown>>> = {
  bridgePort: { learning: false },
  bondPort: { queueId: 1 },
  vrfPort: {},
};

t.test('every port table: each port field undefined is the field left out', async (t) => {
  t.same(Object.keys(PORT_GIVEN).sort(), [...PORTS.values()].map((p) => p.field).sort(), 'every port table');
  for (const port of PORTS.values()) {
    const given = PORT_GIVEN[port.field] ?? {};
    const all = withUndefined(given, [...port.data.keys, ...Object.keys(port.aliases)]);
    const add = (p: Record<string, unknown>): Parts =>
      splitSpec({ type: 'dummy', name: 'x0', master: 4, [port.field]: p });
    t.same(add(all), add(given), `link.add ${port.field}: same parts`);
    t.same(linkBytes(add(all), 0, true), linkBytes(add(given), 0, true), `link.add ${port.field}: same body`);
    // link.set: what it sends once the link is a port (IFLA_INFO_SLAVE_DATA)
    const set = (p: Record<string, unknown>): Parts => splitChange({ [port.field]: p }, undefined);
    t.same(set(all), set(given), `link.set ${port.field}: same parts`);
    t.same(linkBytes(set(all), 5, false), linkBytes(set(given), 5, false), `link.set ${port.field}: same body`);
  }
  // the literals: every optional field of the port options, as undefined
  const bridgePort: AllUndefined<BridgePortOptions> = {
    state: undefined,
    priority: undefined,
    cost: undefined,
    hairpin: undefined,
    guard: undefined,
    rootBlock: undefined,
    fastLeave: undefined,
    learning: undefined,
    flood: undefined,
    proxyArp: undefined,
    proxyArpWifi: undefined,
    mcastRouter: undefined,
    mcastFlood: undefined,
    mcastToUnicast: undefined,
    bcastFlood: undefined,
    groupFwdMask: undefined,
    neighSuppress: undefined,
    neighVlanSuppress: undefined,
    vlanTunnel: undefined,
    isolated: undefined,
    locked: undefined,
    mab: undefined,
    backupPort: undefined,
    backupNhid: undefined,
    mcastEhtHostsLimit: undefined,
    mcastMaxGroups: undefined,
    neighForwardGrat: undefined,
  };
  const bridgeChange: BridgePortChange = { ...bridgePort, mcastFastLeave: undefined, fdbFlush: undefined };
  const bondPort: AllUndefined<BondPortOptions> = { queueId: undefined, prio: undefined, actorPortPrio: undefined };
  const spec: LinkSpec = { type: 'dummy', name: 'x0', master: 'br0', bridgePort: { ...bridgePort, learning: false } };
  t.same(splitSpec(spec), splitSpec({ type: 'dummy', name: 'x0', master: 'br0', bridgePort: { learning: false } }));
  t.same(splitChange({ bridgePort: bridgeChange }, undefined), splitChange({ bridgePort: {} }, undefined));
  t.same(splitChange({ bondPort }, undefined), splitChange({ bondPort: {} }, undefined));
});

t.test('addr: add, del and flush', async (t) => {
  for (const address of ['10.0.0.1/24', '2001:db8::1/64']) {
    const base: AddrSpec = { dev: 'veth0', address };
    await same(
      t,
      `addr.add ${address}`,
      (h) => h.addr.add(base),
      (h) => h.addr.add({ ...ADDR, ...base }),
    );
    await same(
      t,
      `addr.del ${address}`,
      (h) => h.addr.del(base),
      (h) => h.addr.del({ ...ADDR_DEL, ...base }),
    );
  }
  await same(
    t,
    'addr.add with a label',
    (h) => h.addr.add({ dev: 'veth0', address: '10.0.0.1/24', label: 'veth0:1' }),
    (h) => h.addr.add({ ...ADDR, dev: 'veth0', address: '10.0.0.1/24', label: 'veth0:1' }),
  );
  await same(
    t,
    'addr.flush',
    (h) => h.addr.flush({ dev: 'veth0' }),
    (h) => h.addr.flush({ ...ADDR_FLUSH, dev: 'veth0' }),
  );
});

/** Route specs of several shapes (the shortcut's, the table path's, multipath, metrics). */
const ROUTES: RouteSpec[] = [
  { dst: '10.1.0.0/16', via: '10.0.0.2' },
  { dst: '10.1.0.0/16', dev: 'veth0' },
  { dst: '10.1.0.0/16', via: '10.0.0.2', dev: 'veth0', metric: 10, table: 100 },
  { dst: '2001:db8:1::/48', via: 'fe80::1', dev: 'veth0' },
  { dst: 'default', family: 6, type: 'unreachable' },
  {
    dst: '10.2.0.0/16',
    nexthops: [
      { via: '10.0.0.2', dev: 'veth0' },
      { via: '10.0.0.3', weight: 2 },
    ],
  },
  { dst: '10.3.0.0/16', dev: 'veth0', mtu: 1400, metrics: { window: 10 } },
];

/** A route spec with every optional field undefined, in the nexthops and metrics too. */
function routeWithUndefined(r: RouteSpec): RouteSpec {
  const out: RouteSpec = { ...ROUTE, ...r };
  if (r.nexthops) out.nexthops = r.nexthops.map((n) => ({ ...NEXTHOP, ...n }));
  if (r.metrics) out.metrics = { ...METRICS, ...r.metrics };
  return out;
}

t.test('route: add, replace, del, and the bulk calls', async (t) => {
  for (const r of ROUTES) {
    const u = routeWithUndefined(r);
    const name = JSON.stringify(r);
    for (const op of ['add', 'replace', 'del'] as const) {
      await same(
        t,
        `route.${op} ${name}`,
        (h) => h.route[op](r),
        (h) => h.route[op](u),
      );
    }
    await same(
      t,
      `route.addMany ${name}`,
      (h) => h.route.addMany([r]),
      (h) => h.route.addMany([u]),
    );
  }
  await same(
    t,
    'route.add with metrics whose fields are all undefined',
    (h) => h.route.add({ dst: '10.4.0.0/16', dev: 'veth0' }),
    (h) => h.route.add({ dst: '10.4.0.0/16', dev: 'veth0', metrics: { ...METRICS } }),
  );
});

t.test('the route shortcut takes { dst, via, dev } with other fields undefined', async (t) => {
  const devIndex = { index: () => 3 };
  for (const op of ['add', 'replace', 'del'] as const) {
    const bare = new NlWriter(256);
    t.ok(writeSimpleRoute(bare, { dst: '10.1.0.0/16', via: '10.0.0.2', dev: 'veth0' }, op, devIndex), op);
    const undef = new NlWriter(256);
    t.ok(
      writeSimpleRoute(undef, { ...ROUTE, dst: '10.1.0.0/16', via: '10.0.0.2', dev: 'veth0' }, op, devIndex),
      `${op}: written by the shortcut`,
    );
    t.same(undef.buf.subarray(0, undef.pos), bare.buf.subarray(0, bare.pos), `${op}: same bytes`);
  }
  t.notOk(
    writeSimpleRoute(new NlWriter(256), { dst: '10.1.0.0/16', metric: 5 }, 'add', devIndex),
    'a field given still takes the general path',
  );
});

t.test('neigh and fdb', async (t) => {
  const n: NeighSpec = { dev: 'veth0', dst: '10.0.0.9', lladdr: '02:00:00:00:00:09' };
  for (const op of ['add', 'replace', 'del'] as const) {
    await same(
      t,
      `neigh.${op}`,
      (h) => h.neigh[op](n),
      (h) => h.neigh[op]({ ...NEIGH, ...n }),
    );
  }
  await same(
    t,
    'neigh.get',
    (h) => h.neigh.get({ dev: 'veth0', dst: '10.0.0.9' }),
    (h) => h.neigh.get({ dev: 'veth0', dst: '10.0.0.9', proxy: undefined }),
  );
  await same(
    t,
    'neigh.add proxy',
    (h) => h.neigh.add({ dev: 'veth0', dst: '2001:db8::9', proxy: true }),
    (h) => h.neigh.add({ ...NEIGH, dev: 'veth0', dst: '2001:db8::9', proxy: true }),
  );
  const f: FdbSpec = { dev: 'veth0', lladdr: '02:00:00:00:00:0a' };
  for (const op of ['add', 'append', 'replace', 'del'] as const) {
    await same(
      t,
      `fdb.${op}`,
      (h) => h.fdb[op](f),
      (h) => h.fdb[op]({ ...FDB, ...f }),
    );
  }
  await same(
    t,
    'fdb.add of a VXLAN remote',
    (h) => h.fdb.add({ dev: 'veth0', lladdr: '00:00:00:00:00:00', dst: '10.0.0.2', via: 'eth0' }),
    (h) => h.fdb.add({ ...FDB, dev: 'veth0', lladdr: '00:00:00:00:00:00', dst: '10.0.0.2', via: 'eth0' }),
  );
});

t.test('rule: add and del', async (t) => {
  const specs: RuleSpec[] = [
    { priority: 100, to: '10.9.0.0/16', table: 100 },
    { priority: 101, action: 'blackhole' },
    {},
  ];
  for (const r of specs) {
    for (const op of ['add', 'del'] as const) {
      const a = await sent((h) => h.rule[op](r));
      const b = await sent((h) => h.rule[op]({ ...RULE, ...r }));
      t.same(b, a, `rule.${op} ${JSON.stringify(r)}: same requests and answer`);
    }
  }
});

t.test('nexthop: add and replace', async (t) => {
  const specs: NexthopSpec[] = [
    { id: 1, via: '10.0.0.2', dev: 'veth0' },
    { id: 2, blackhole: true },
    { id: 3, group: [{ id: 1 }, { id: 2, weight: 3 }] },
    { id: 4, group: [{ id: 1 }], groupType: 'resilient', buckets: 32 },
  ];
  for (const n of specs) {
    const u: NexthopSpec = { ...NH, ...n };
    if (n.group) u.group = n.group.map((g) => ({ ...MEMBER, ...g }));
    for (const op of ['add', 'replace'] as const) {
      await same(
        t,
        `nexthop.${op} ${JSON.stringify(n)}`,
        (h) => h.nexthop[op](n),
        (h) => h.nexthop[op](u),
      );
    }
  }
});

t.test('bridgeVlan: add, del and list', async (t) => {
  const v: BridgeVlanSpec = { dev: 'veth0', vid: 10 };
  for (const op of ['add', 'del'] as const) {
    await same(
      t,
      `bridgeVlan.${op}`,
      (h) => h.bridgeVlan[op](v),
      (h) => h.bridgeVlan[op]({ ...VLAN, ...v }),
    );
  }
  await same(
    t,
    'bridgeVlan.list',
    (h) => h.bridgeVlan.list(),
    (h) => h.bridgeVlan.list(VLAN_FILTER),
  );
});
