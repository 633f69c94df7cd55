// Address codec against golden bytes captured from `ip address` (iproute2 6.1,
// test/fixtures/addr/*.hex): addr.add / del on a scripted socket send ip's request byte for byte,
// and kernel replies decode to Addr objects as `ip -j address` names them. No root.
import t from 'tap';
import { NLM_F_DUMP, RTM_DELADDR, RTM_GETADDR, RTM_GETLINK, RTM_NEWADDR } from '../../lib/core/constants.js';
import { NlWriter } from '../../lib/core/attr.js';
import { DecodeError } from '../../lib/core/errors.js';
import type { Handle } from '../../lib/handle.js';
import { decodeAddr, ifa, ifaddrmsg, type IfaAttrs } from '../../lib/addr/ifa.js';
import type { Decoded } from '../../lib/core/schema.js';
import type { AddrSpec } from '../../types/addr.js';
import { fakeHandle, turn, type SentMsg, msgOf, rejectsUnknownName } from '../helpers/fake-transport.js';
import { addrFixture, scriptKernel, type KernelScript } from '../fixtures/route/kernel.js';

const LINKS = new Map([
  ['lo', 1],
  ['veth1', 2],
  ['veth0', 3],
]);

async function run(
  call: (h: Handle) => Promise<unknown>,
  k: Partial<KernelScript> = {},
): Promise<{ sent: SentMsg[]; result: unknown }> {
  const { h, fake } = fakeHandle();
  scriptKernel(fake, { links: LINKS, ...k });
  try {
    const result = await call(h);
    return { sent: fake.sent, result };
  } finally {
    h.close();
  }
}

const CASES: { file: string; type: number; call: (h: Handle) => Promise<unknown> }[] = [
  { file: 'addr-add-v4', type: RTM_NEWADDR, call: (h) => h.addr.add({ dev: 'veth0', address: '192.168.0.1/24' }) },
  {
    file: 'addr-add-brd-label',
    type: RTM_NEWADDR,
    call: (h) => h.addr.add({ dev: 'veth0', address: '192.168.0.1/24', broadcast: '+', label: 'veth0:1' }),
  },
  {
    file: 'addr-add-peer-lft',
    type: RTM_NEWADDR,
    call: (h) =>
      h.addr.add({ dev: 'veth0', address: '10.0.0.1', peer: '10.0.0.2/32', validLft: 100, preferredLft: 50 }),
  },
  // nodad | noprefixroute = 0x202 > 0xff: IFA_FLAGS instead of ifa_flags
  {
    file: 'addr-add-v6-flags',
    type: RTM_NEWADDR,
    call: (h) => h.addr.add({ dev: 'veth0', address: '2001:db8::1/64', nodad: true, noprefixroute: true }),
  },
  {
    file: 'addr-add-scope-metric',
    type: RTM_NEWADDR,
    call: (h) => h.addr.add({ dev: 'veth0', address: '172.16.0.1/16', scope: 'link', metric: 77 }),
  },
  // 127.0.0.0/8 defaults to scope host
  { file: 'addr-add-loopback', type: RTM_NEWADDR, call: (h) => h.addr.add({ dev: 'lo', address: '127.0.0.2/8' }) },
  { file: 'addr-del', type: RTM_DELADDR, call: (h) => h.addr.del({ dev: 'veth0', address: '192.168.0.1/24' }) },
  // an IPv4 address without a prefix length: IFA_LOCAL only, whatever prefix it has
  { file: 'addr-del-wildcard', type: RTM_DELADDR, call: (h) => h.addr.del({ dev: 'veth0', address: '192.168.0.1' }) },
];

t.test("address requests equal ip address's bytes", async (t) => {
  for (const c of CASES) {
    const fx = addrFixture(c.file);
    const golden = fx.messages.find((m) => m.type === c.type)!;
    const { sent } = await run(c.call);
    const ours = sent.filter((m) => m.type === c.type);
    t.equal(ours.length, 1);
    const mine = Buffer.from(ours[0]!.msg);
    mine.fill(0, 8, 16);
    t.equal(mine.toString('hex'), golden.msg.toString('hex'), `${c.file}: our request is ip's, byte for byte`);
  }
});

function reply(
  hdr: { family: number; prefixlen: number; flags: number; scope: number; index: number },
  a: Decoded<IfaAttrs>,
): Buffer {
  const w = new NlWriter(256);
  const s = w.beginMessage(RTM_NEWADDR, 2, 1);
  ifaddrmsg.write(w, hdr);
  ifa.encode(w, a);
  w.endMessage(s);
  return w.take();
}

const NAMES = new Map([...LINKS].map(([n, i]) => [i, n]));
const forever = { preferred: 0xffffffff, valid: 0xffffffff, cstamp: 1, tstamp: 2 };

t.test('kernel replies decode as ip -j address reads them', async (t) => {
  t.same(
    decodeAddr(
      msgOf(
        reply(
          { family: 2, prefixlen: 24, flags: 0x80, scope: 0, index: 3 },
          {
            address: '192.168.0.1',
            local: '192.168.0.1',
            broadcast: '192.168.0.255',
            label: 'veth0:1',
            flags: 0x80,
            cacheinfo: forever,
          },
        ),
      ),
      NAMES,
    ),
    {
      dev: 'veth0',
      index: 3,
      family: 4,
      address: '192.168.0.1',
      prefixlen: 24,
      cidr: '192.168.0.1/24',
      scope: 'global',
      flags: [],
      local: '192.168.0.1',
      broadcast: '192.168.0.255',
      label: 'veth0:1',
      validLft: 'forever',
      preferredLft: 'forever',
    },
  );
  t.same(
    decodeAddr(
      msgOf(
        reply(
          { family: 2, prefixlen: 32, flags: 0, scope: 0, index: 3 },
          {
            address: '10.0.0.2',
            local: '10.0.0.1',
            label: 'veth0',
            flags: 0,
            cacheinfo: { ...forever, valid: 100, preferred: 50 },
          },
        ),
      ),
      NAMES,
    ),
    {
      dev: 'veth0',
      index: 3,
      family: 4,
      address: '10.0.0.1',
      prefixlen: 32,
      cidr: '10.0.0.1/32',
      scope: 'global',
      flags: ['dynamic'],
      local: '10.0.0.1',
      peer: '10.0.0.2/32',
      label: 'veth0',
      validLft: 100,
      preferredLft: 50,
    },
    'a peer address, with lifetimes (dynamic)',
  );
  t.same(
    decodeAddr(
      msgOf(
        reply(
          { family: 10, prefixlen: 64, flags: 0xc0, scope: 253, index: 2 },
          { address: 'fe80::1', flags: 0x2c0 | 0x800, cacheinfo: forever, proto: 3 },
        ),
      ),
      NAMES,
    ),
    {
      dev: 'veth1',
      index: 2,
      family: 6,
      address: 'fe80::1',
      prefixlen: 64,
      cidr: 'fe80::1/64',
      scope: 'link',
      flags: ['tentative', 'noprefixroute', 'stablePrivacy'],
      validLft: 'forever',
      preferredLft: 'forever',
      proto: 'kernel_ll',
    },
    'IFA_FLAGS wins over ifa_flags; IPv6 link-local',
  );
  t.same(
    decodeAddr(
      msgOf(
        reply(
          { family: 10, prefixlen: 64, flags: 0x01, scope: 0, index: 9 },
          { address: '2001:db8::9', flags: 0x01 | 0x80 | 0x08 },
        ),
      ),
    ).flags,
    ['temporary', 'dadfailed'],
    'secondary is temporary in IPv6',
  );
  t.equal(
    decodeAddr(msgOf(reply({ family: 10, prefixlen: 64, flags: 0, scope: 0, index: 9 }, { address: '2001:db8::9' })))
      .dev,
    'if9',
    'an unknown device is if<N>',
  );
  const bad = reply({ family: 2, prefixlen: 24, flags: 0, scope: 0, index: 3 }, { local: '192.168.0.1' });
  bad.writeUInt16LE(7, 24); // IFA_LOCAL of 3 bytes
  t.throws(() => decodeAddr(msgOf(bad)), DecodeError);
});

t.test('a listed address goes back to add as it was read, a protocol without a name too', async (t) => {
  for (const proto of [3, 99]) {
    const listed = decodeAddr(
      msgOf(
        reply(
          { family: 2, prefixlen: 24, flags: 0x80, scope: 0, index: 3 },
          { address: '10.0.0.1', local: '10.0.0.1', proto },
        ),
      ),
      NAMES,
    );
    t.equal(listed.proto, proto === 3 ? 'kernel_ll' : '99', 'read: a name where there is one');
    const { sent } = await run((h) => h.addr.add(listed));
    const m = msgOf(sent.find((x) => x.type === RTM_NEWADDR)!.msg);
    const back = decodeAddr(m, NAMES);
    t.equal(back.proto, listed.proto, `IFA_PROTO ${proto} sent back`);
  }
});

t.test('list: strict dump by ifindex; flush deletes secondaries first, counts those gone', async (t) => {
  const dumps = new Map([
    [
      RTM_GETADDR,
      [
        {
          type: RTM_NEWADDR,
          payload: reply(
            { family: 2, prefixlen: 24, flags: 0x80, scope: 0, index: 3 },
            { address: '192.168.0.1', local: '192.168.0.1' },
          ).subarray(16),
        },
        {
          type: RTM_NEWADDR,
          payload: reply(
            { family: 2, prefixlen: 24, flags: 0x81, scope: 0, index: 3 },
            { address: '192.168.0.2', local: '192.168.0.2' },
          ).subarray(16),
        },
        {
          type: RTM_NEWADDR,
          payload: reply(
            { family: 10, prefixlen: 64, flags: 0x80, scope: 253, index: 3 },
            { address: 'fe80::1' },
          ).subarray(16),
        },
      ],
    ],
  ]);
  let r = await run((h) => h.addr.list({ dev: 'veth0', family: 4 }), { dumps });
  const req = r.sent.find((m) => m.type === RTM_GETADDR)!;
  t.ok((req.flags & NLM_F_DUMP) === NLM_F_DUMP);
  t.equal(req.payload.toString('hex'), '0200000003000000', 'ifaddrmsg: AF_INET, ifa_index 3');
  t.same(
    (r.result as { cidr: string }[]).map((a) => a.cidr),
    ['192.168.0.1/24', '192.168.0.2/24', 'fe80::1/64'],
    'what the kernel sends is decoded',
  );
  r = await run((h) => h.addr.flush({ dev: 'veth0' }), {
    dumps,
    fail: (m) =>
      m.type === RTM_DELADDR && m.payload.includes(Buffer.from([192, 168, 0, 2])) ? { error: -99 } : undefined,
  });
  const dels = r.sent.filter((m) => m.type === RTM_DELADDR);
  t.equal(dels.length, 3, 'one RTM_DELADDR per address, pipelined');
  t.same(
    dels.map((m) => m.payload[1] === 24 && m.payload.subarray(-4).join('.')),
    ['192.168.0.2', '192.168.0.1', false],
    'the secondary before its primary (which would take it along), as the dump listed them otherwise',
  );
  t.equal(r.result, 3, 'an address already gone (EADDRNOTAVAIL) went all the same: counted, not thrown');
  r = await run((h) => h.addr.flush({ dev: 'veth0', family: 4 }), {
    dumps,
    fail: (m) => (m.type === RTM_DELADDR ? { error: -1 } : undefined),
  }).catch((e: unknown) => ({ sent: [], result: e }));
  t.match(r.result, { name: 'NetlinkError', code: 'EPERM' }, 'another error is thrown');
});

t.test('flush requires "dev" (`ip address flush` without one: "Flush requires arguments")', async (t) => {
  const { h, fake } = fakeHandle();
  scriptKernel(fake, { links: LINKS });
  for (const spec of [{}, { family: 6 }, { family: 4 }, { dev: undefined }] as never[]) {
    await t.rejects(
      h.addr.flush(spec),
      new TypeError('Expected "dev" to be a non-empty interface name, got undefined'),
    );
  }
  await t.rejects(h.addr.flush({ dev: '' }), /"dev"/);
  await t.rejects(h.addr.flush({ dev: 0 }), RangeError);
  await t.rejects(h.addr.flush({ dev: 0 }), /"dev"/);
  await t.rejects(h.addr.flush({ dev: 'veth0', scope: 'link' } as never), /Unknown field "scope" in the flush spec/);
  await turn();
  t.equal(fake.sends.length, 0, 'nothing was sent');
  h.close();
});

t.test('a device name the transport reads at once (SIOCGIFINDEX) needs no RTM_GETLINK', async (t) => {
  const { h, fake } = fakeHandle();
  scriptKernel(fake, { links: LINKS });
  const asked = fake.readsIndexes((name) => (name === 'veth0' ? 3 : 0));
  await h.addr.add({ dev: 'veth0', address: '10.0.0.1/24' });
  t.equal(fake.sent.filter((m) => m.type === RTM_GETLINK).length, 0, 'no lookup');
  t.equal(msgOf(fake.sent.find((m) => m.type === RTM_NEWADDR)!.msg).buf.readUInt32LE(20), 3, 'ifa_index 3');
  await h.addr.add({ dev: 'veth1', address: '10.0.1.1/24' });
  t.equal(fake.sent.filter((m) => m.type === RTM_GETLINK).length, 1, 'a name it does not know: RTM_GETLINK');
  const err = await h.addr.add({ dev: 'nosuch0', address: '10.0.2.1/24' }).catch((e: unknown) => e);
  t.match(err, { code: 'ENODEV' }, "the lookup's error");
  t.same(asked, ['veth0', 'veth1', 'nosuch0']);
  await t.rejects(h.link.indexOf('bad name', 'dev'), TypeError, 'a bad name is refused before it is read');
  t.same(asked, ['veth0', 'veth1', 'nosuch0']);
  h.close();
});

t.test('bad input: TypeError / RangeError naming the field, nothing sent', async (t) => {
  const { h, fake } = fakeHandle();
  scriptKernel(fake, { links: LINKS });
  const bad: [AddrSpec, RegExp, ErrorConstructor?][] = [
    [{ dev: 'veth0', address: '10.0.0.1/33' }, /"address" prefix length to be at most 32/],
    [{ dev: 'veth0', address: '2001:db8::1/129' }, /"address" prefix length to be at most 128/],
    [{ dev: 'veth0', address: '10.0.0.256/24' }, /"address"/],
    [{ dev: 'veth0', address: 'ten' }, /"address"/],
    [{ dev: 'veth0', address: '10.0.0.1/24', peer: '2001:db8::2' }, /"peer"/],
    [{ dev: 'veth0', address: '10.0.0.1/24', broadcast: '2001:db8::ff' }, /"broadcast"/],
    [{ dev: 'veth0', address: '2001:db8::1/64', broadcast: '+' }, /"broadcast"/],
    [{ dev: 'veth0', address: '10.0.0.1/24', label: 'x'.repeat(16) }, /"label"/],
    [{ dev: 'veth0', address: '10.0.0.1/24', scope: 'galaxy' }, /"scope"/],
    [{ dev: 'veth0', address: '10.0.0.1/24', nodad: true }, /"nodad" only for IPv6/],
    [{ dev: 'veth0', address: '10.0.0.1/24', validLft: -1 }, /"validLft"/, RangeError],
    [{ dev: 'veth0', address: '10.0.0.1/24', validLft: 10, preferredLft: 20 }, /"preferredLft"/, RangeError],
    [{ dev: 'veth0', address: '10.0.0.1/24', metric: 1.5 }, /"metric"/],
    [{ dev: 'veth0', address: '10.0.0.1/24', proto: 'nope' }, /"proto"/],
    [{ dev: 'bad name', address: '10.0.0.1/24' }, /"dev"/],
    [{ dev: 'veth0', address: '10.0.0.1/24', brd: '+' } as never, /Unknown field "brd"/],
  ];
  for (const [spec, re, cls] of bad) {
    await t.rejects(h.addr.add(spec), cls ?? TypeError, JSON.stringify(spec));
    await t.rejects(h.addr.add(spec), re, JSON.stringify(spec));
  }
  await t.rejects(h.addr.del({ dev: 'veth0', address: '10.0.0.1/40' }), /"address"/);
  await t.rejects(h.addr.list({ family: 5 as never }), /"family"/);
  await turn();
  t.equal(fake.sends.length, 0, 'nothing was sent');
  h.close();
});

t.test('list names devices through the transport where it can: no link dump, each index read once', async (t) => {
  const at = (index: number, address: string): { type: number; payload: Buffer } => ({
    type: RTM_NEWADDR,
    payload: reply({ family: 2, prefixlen: 24, flags: 0x80, scope: 0, index }, { address, local: address }).subarray(
      16,
    ),
  });
  const dumps = new Map([
    [RTM_GETADDR, [at(3, '192.168.0.1'), at(2, '192.168.1.1'), at(3, '192.168.0.2'), at(9, '192.168.9.1')]],
  ]);
  const byIndex = new Map(NAMES);
  const { h, fake } = fakeHandle();
  scriptKernel(fake, { links: LINKS, dumps });
  const asked = fake.readsNames((i) => byIndex.get(i));
  const show = (l: { cidr: string; dev: string }[]): string[] => l.map((a) => `${a.cidr} ${a.dev}`);
  t.same(show(await h.addr.list({ family: 4 })), [
    '192.168.0.1/24 veth0',
    '192.168.1.1/24 veth1',
    '192.168.0.2/24 veth0',
    '192.168.9.1/24 if9', // a device the kernel cannot name (gone meanwhile): as `ip` shows it
  ]);
  t.same(asked, [3, 2, 9], 'each device read once, an unknown one too');
  t.same(
    fake.sent.map((m) => m.type),
    [RTM_GETADDR],
    'the dump is the only request',
  );
  // A `dev` filter by name: the index read at once where the transport can…
  fake.readsIndexes((n) => LINKS.get(n) ?? 0);
  let sends = fake.sent.length;
  t.same(
    (await h.addr.list({ dev: 'veth0' })).map((a) => a.cidr),
    ['192.168.0.1/24', '192.168.0.2/24'],
  );
  t.same(
    fake.sent.slice(sends).map((m) => m.payload.readUInt32LE(4)),
    [3],
    'one RTM_GETADDR, for ifa_index 3',
  );
  // …and a name it does not know is asked for with RTM_GETLINK (not a link dump), whose ENODEV names the field.
  await rejectsUnknownName(t, fake, h.addr.list({ dev: 'nosuch0' }), 'dev');
  // A transport that cannot read names (ifName unset) gets a link dump first.
  delete fake.ifName;
  sends = fake.sent.length;
  t.same(show(await h.addr.list({ family: 4 })).at(-1), '192.168.9.1/24 if9');
  t.same(
    fake.sent.slice(sends).map((m) => m.type),
    [RTM_GETLINK, RTM_GETADDR],
  );
  h.close();
});
