// A device a call names that does not exist (no root, a scripted kernel): every family words it
// alike — the call, the field and the name in front, the kernel's "No such device (ENODEV)" once,
// `err.field` set — whether a lookup (RTM_GETLINK) failed or the links dump lacks the name; and a
// kernel's own ENODEV keeps its errno, code and extended ACK under the call's subject.
import t from 'tap';
import { RTM_NEWROUTE } from '../../lib/core/constants.js';
import { asCallError, NetlinkError, noSuchDevice } from '../../lib/core/errors.js';
import { fakeHandle } from '../helpers/fake-transport.js';
import { scriptKernel } from '../fixtures/route/kernel.js';

const LINKS = new Map([
  ['lo', 1],
  ['veth0', 2],
]);

t.test('a missing device reads the same in every family', async (t) => {
  const { h, fake } = fakeHandle();
  t.teardown(() => h.close());
  scriptKernel(fake, { links: LINKS });
  // each call's error: what it rejects with (what addMany lists)
  const cases: [string, () => Promise<unknown>, string][] = [
    // a lookup's ENODEV (RTM_GETLINK), as the call's
    ['route.add', () => h.route.add({ dst: '10.0.0.0/8', dev: 'nope0' }), 'route.add 10.0.0.0/8: dev nope0'],
    [
      'route.replace, the general path',
      () => h.route.replace({ dst: '10.1.0.0/16', dev: 'nope0', metric: 5 }),
      'route.replace 10.1.0.0/16: dev nope0',
    ],
    [
      'route.addMany',
      async () => (await h.route.addMany([{ dst: '10.2.0.0/16', dev: 'nope0' }])).failed[0]?.error,
      'route.addMany [0] 10.2.0.0/16: dev nope0',
    ],
    [
      'link.add',
      () => h.link.add({ type: 'dummy', name: 'd0', master: 'nope0' }),
      'link.add d0 (type dummy): master nope0',
    ],
    ['neigh.list', () => h.neigh.list({ dev: 'nope0' }), 'neigh.list: dev nope0'],
    // a name the links dump does not hold
    ['route.list', () => h.route.list({ dev: 'nope0' }), 'route.list: dev nope0'],
    ['route.get', () => h.route.get('10.0.0.1', { iif: 'nope0' }), 'route.get 10.0.0.1: iif nope0'],
    ['addr.list', () => h.addr.list({ dev: 'nope0' }), 'addr.list: dev nope0'],
    ['addr.flush', () => h.addr.flush({ dev: 'nope0' }), 'addr.flush: dev nope0'],
    ['nexthop.list', () => h.nexthop.list({ master: 'nope0' }), 'nexthop.list: master nope0'],
  ];
  for (const [name, call, subject] of cases) {
    const e = await call().catch((x: unknown) => x);
    const field = /: (\w+) nope0$/.exec(subject)?.[1];
    t.type(e, NetlinkError, name);
    t.match(e, { code: 'ENODEV', errno: 19, op: 'RTM_GETLINK', field }, name);
    t.equal((e as Error).message, `${subject}: No such device (ENODEV) [field "${field}"]`, name);
  }
  // The link set itself: no field, as the call names it already.
  await t.rejects(h.link.set('nope0', { mtu: 1400 }), {
    code: 'ENODEV',
    field: undefined,
    message: 'link.set nope0: No such device (ENODEV)',
  });
});

t.test("the kernel's ENODEV keeps its errno, code and extended ACK, said once", async (t) => {
  const { h, fake } = fakeHandle();
  t.teardown(() => h.close());
  scriptKernel(fake, {
    links: LINKS,
    fail: (m) => (m.type === RTM_NEWROUTE ? { error: -19, ack: { msg: 'Nexthop device is not up' } } : undefined),
  });
  const e = await h.route.add({ dst: '10.0.0.0/8', dev: 'veth0' }).catch((x: unknown) => x);
  t.match(e, { code: 'ENODEV', errno: 19, op: 'RTM_NEWROUTE', extack: { message: 'Nexthop device is not up' } });
  t.equal((e as Error).message, 'route.add 10.0.0.0/8: No such device (ENODEV): Nexthop device is not up');
  const bulk = await h.route.addMany([{ dst: '10.0.0.0/8', dev: 'veth0' }]);
  t.equal(
    bulk.failed[0]?.error.message,
    'route.addMany [0] 10.0.0.0/8: No such device (ENODEV): Nexthop device is not up',
  );
});

t.test('asCallError and noSuchDevice', async (t) => {
  const kernel = new NetlinkError({ errno: 19, op: 'RTM_GETLINK', subject: 'dev nope0', extack: { message: 'x' } });
  const e = asCallError(kernel, 'fdb.add 02:00:00:00:00:01: dev nope0', 'dev');
  t.match(e, { errno: 19, code: 'ENODEV', op: 'RTM_GETLINK', extack: { message: 'x' }, field: 'dev' });
  t.equal(e.message, 'fdb.add 02:00:00:00:00:01: dev nope0: No such device (ENODEV): x [field "dev"]');
  t.equal(asCallError(kernel, 'link.set nope0').message, 'link.set nope0: No such device (ENODEV): x', 'no field');
  const withField = new NetlinkError({ errno: 19, op: 'RTM_GETLINK', subject: 'dev nope0', field: 'dev' });
  t.match(asCallError(withField, 'route.add 10.0.0.0/8: dev nope0'), { field: 'dev' }, "the error's own field kept");
  t.match(
    asCallError(withField, 'route.add 10.0.0.0/8: dev nope0', 'oif'),
    { field: 'oif' },
    "the caller's field first",
  );
  const other = new TypeError('bad');
  t.equal(asCallError(other, 'route.add x'), other, 'any other error as it is');
  t.match(asCallError('text', 'route.add x'), { message: 'text' }, 'a thrown non-Error becomes an Error');
  t.same(
    { ...noSuchDevice('addr.list', 'dev', 'nope0'), message: noSuchDevice('addr.list', 'dev', 'nope0').message },
    {
      name: 'NetlinkError',
      errno: 19,
      code: 'ENODEV',
      op: 'RTM_GETLINK',
      extack: undefined,
      field: 'dev',
      message: 'addr.list: dev nope0: No such device (ENODEV) [field "dev"]',
    },
  );
});
