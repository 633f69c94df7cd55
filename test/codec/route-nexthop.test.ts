// Nexthop codec against golden bytes captured from `ip nexthop` (iproute2 6.1,
// test/fixtures/route/nexthop-*.hex): nexthop.add / del send ip's request byte for byte, ip's
// request decodes to the hand-written Nexthop, and bad specs are refused before anything is sent.
import t from 'tap';
import { RTM_DELNEXTHOP, RTM_GETLINK, RTM_GETNEXTHOP, RTM_NEWNEXTHOP } from '../../lib/core/constants.js';
import type { Handle } from '../../lib/handle.js';
import { decodeNexthop } from '../../lib/nexthop.js';
import type { Nexthop, NexthopSpec } from '../../types/nexthop.js';
import { fakeHandle, turn, msgOf, rejectsUnknownName } from '../helpers/fake-transport.js';
import { routeFixture, scriptKernel } from '../fixtures/route/kernel.js';

const LINKS = new Map([
  ['lo', 1],
  ['veth1', 2],
  ['veth0', 3],
]);
const NAMES = new Map([...LINKS].map(([n, i]) => [i, n]));

const base = { protocol: 'unspec', scope: 'global' };
const CASES: { file: string; type: number; call: (h: Handle) => Promise<unknown>; want: Nexthop }[] = [
  {
    file: 'nexthop-add-gw',
    type: RTM_NEWNEXTHOP,
    call: (h) => h.nexthop.add({ id: 10, via: '192.168.0.2', dev: 'veth0' }),
    want: { ...base, id: 10, family: 4, via: '192.168.0.2', dev: 'veth0', index: 3 },
  },
  {
    file: 'nexthop-add-onlink',
    type: RTM_NEWNEXTHOP,
    call: (h) => h.nexthop.add({ id: 11, via: '172.16.0.1', dev: 'veth0', onlink: true }),
    want: { ...base, id: 11, family: 4, via: '172.16.0.1', dev: 'veth0', index: 3, onlink: true },
  },
  {
    file: 'nexthop-add-blackhole',
    type: RTM_NEWNEXTHOP,
    call: (h) => h.nexthop.add({ id: 12, blackhole: true }),
    want: { ...base, id: 12, family: 4, blackhole: true },
  },
  {
    // weights travel as weight - 1
    file: 'nexthop-add-group',
    type: RTM_NEWNEXTHOP,
    call: (h) => h.nexthop.add({ id: 20, group: [{ id: 10, weight: 2 }, { id: 11 }] }),
    want: {
      ...base,
      id: 20,
      group: [
        { id: 10, weight: 2 },
        { id: 11, weight: 1 },
      ],
      groupType: 'mpath',
    },
  },
  {
    // timers in seconds here, clock_t (× 100) on the wire; NHA_RES_GROUP is flagged NESTED
    file: 'nexthop-add-resilient',
    type: RTM_NEWNEXTHOP,
    call: (h) =>
      h.nexthop.add({ id: 21, group: [{ id: 10 }, { id: 11 }], groupType: 'resilient', buckets: 32, idleTimer: 60 }),
    want: {
      ...base,
      id: 21,
      group: [
        { id: 10, weight: 1 },
        { id: 11, weight: 1 },
      ],
      groupType: 'resilient',
      buckets: 32,
      idleTimer: 60,
    },
  },
  {
    file: 'nexthop-add-v6',
    type: RTM_NEWNEXTHOP,
    call: (h) => h.nexthop.add({ id: 30, via: '2001:db8::2', dev: 'veth0' }),
    want: { ...base, id: 30, family: 6, via: '2001:db8::2', dev: 'veth0', index: 3 },
  },
  {
    file: 'nexthop-del',
    type: RTM_DELNEXTHOP,
    call: (h) => h.nexthop.del({ id: 10 }),
    want: { ...base, id: 10 },
  },
];

t.test("nexthop requests equal ip nexthop's bytes and decode to the nexthop", async (t) => {
  for (const c of CASES) {
    const golden = routeFixture(c.file).messages.find((m) => m.type === c.type)!;
    t.same(
      decodeNexthop(msgOf(Buffer.from(golden.msg)), NAMES),
      c.want,
      `${c.file}: decodes to the hand-written nexthop`,
    );
    const { h, fake } = fakeHandle();
    scriptKernel(fake, { links: LINKS });
    await c.call(h);
    const ours = fake.sent.filter((m) => m.type === c.type);
    h.close();
    t.equal(ours.length, 1);
    const mine = Buffer.from(ours[0]!.msg);
    mine.fill(0, 8, 16);
    t.equal(mine.toString('hex'), golden.msg.toString('hex'), `${c.file}: our request is ip's, byte for byte`);
  }
});

t.test('bad input: TypeError / RangeError naming the field, nothing sent', async (t) => {
  const { h, fake } = fakeHandle();
  scriptKernel(fake, { links: LINKS });
  const bad: [NexthopSpec, RegExp, ErrorConstructor?][] = [
    [{ id: 0, blackhole: true }, /"id"/, RangeError],
    [{ id: 1.5, blackhole: true }, /"id"/],
    [{ id: 1, via: 'gw', dev: 'veth0' }, /"via"/],
    [{ id: 1, via: '10.0.0.1', dev: 'veth0', family: 6 }, /"via"/],
    [{ id: 1, via: '10.0.0.1' }, /"dev"/],
    [{ id: 1, blackhole: true, dev: 'veth0' }, /"blackhole"/],
    [{ id: 1, group: [] }, /"group"/],
    [{ id: 1, group: [{ id: 2, weight: 0 }] }, /"group\[0\]\.weight"/, RangeError],
    [{ id: 1, group: [{ id: 2 }], via: '10.0.0.1' }, /"via" with "group"/],
    [{ id: 1, group: [{ id: 2 }], groupType: 'ecmp' as never }, /"groupType"/],
    [{ id: 1, group: [{ id: 2 }], buckets: 8 }, /resilient/],
    [{ id: 1, blackhole: true, groupType: 'mpath' }, /"group"/],
    [{ id: 1, blackhole: true, protocol: 'nope' }, /"protocol"/],
    [{ id: 1, dev: 'bad name' }, /"dev"/],
    [{ id: 1, gateway: '10.0.0.1' } as never, /Unknown field "gateway"/],
  ];
  for (const [spec, re, cls] of bad) {
    await t.rejects(h.nexthop.add(spec), cls ?? TypeError, JSON.stringify(spec));
    await t.rejects(h.nexthop.add(spec), re, JSON.stringify(spec));
  }
  await t.rejects(h.nexthop.del({ id: -1 }), /"id"/);
  await t.rejects(h.nexthop.list({ groups: 'yes' as never }), /"groups"/);
  await turn();
  t.equal(fake.sends.length, 0, 'nothing was sent');
  h.close();
});

t.test('list / get name devices through the transport where it can: no link dump', async (t) => {
  const payload = (file: string): Buffer =>
    Buffer.from(routeFixture(file).messages.find((m) => m.type === RTM_NEWNEXTHOP)!.msg).subarray(16);
  const gw = { type: RTM_NEWNEXTHOP, payload: payload('nexthop-add-gw') }; // id 10 via 192.168.0.2 dev 3
  const v6 = { type: RTM_NEWNEXTHOP, payload: payload('nexthop-add-v6') }; // id 30 dev 3
  const hole = { type: RTM_NEWNEXTHOP, payload: payload('nexthop-add-blackhole') };
  const { h, fake } = fakeHandle();
  scriptKernel(fake, {
    links: LINKS,
    dumps: new Map([[RTM_GETNEXTHOP, [gw, hole, v6]]]),
    replies: new Map([[RTM_GETNEXTHOP, [gw]]]),
  });
  const asked = fake.readsNames((i) => NAMES.get(i));
  t.same(
    (await h.nexthop.list()).map((n) => `${n.id} ${n.dev ?? '-'}`),
    ['10 veth0', '12 -', '30 veth0'],
  );
  t.same(asked, [3], 'the device read once');
  t.same((await h.nexthop.get(10)).dev, 'veth0');
  t.same(
    fake.sent.map((m) => m.type),
    [RTM_GETNEXTHOP, RTM_GETNEXTHOP],
    'the dump and the get are the only requests',
  );
  // Filters by name: the indexes read at once where the transport can (NHA_OIF, NHA_MASTER)…
  fake.readsIndexes((n) => LINKS.get(n) ?? 0);
  let sends = fake.sent.length;
  await h.nexthop.list({ dev: 'veth0', master: 'veth1' });
  const req = fake.sent.slice(sends);
  t.same(
    req.map((m) => m.type),
    [RTM_GETNEXTHOP],
  );
  t.equal(
    req[0]!.payload.subarray(8).toString('hex'),
    '0800050003000000' + '08000a0002000000',
    'NHA_OIF 3, NHA_MASTER 2',
  );
  // …and a name it does not know is asked for with RTM_GETLINK (not a link dump), whose ENODEV names the field.
  await rejectsUnknownName(t, fake, h.nexthop.list({ master: 'nosuch0' }), 'master');
  // A transport that cannot read names (ifName unset) gets a link dump first.
  delete fake.ifName;
  sends = fake.sent.length;
  t.same((await h.nexthop.list()).at(0)!.dev, 'veth0');
  t.same(
    fake.sent.slice(sends).map((m) => m.type),
    [RTM_GETLINK, RTM_GETNEXTHOP],
  );
  h.close();
});
