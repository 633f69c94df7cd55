// A neighbour's link-layer address (NDA_LLADDR) as iproute2 words it (lib/ll_addr.c). Written as
// `ip neigh … lladdr X` parses X (ll_addr_a2n): a dotted quad as its 4 bytes (an IPv4 tunnel's
// underlay address, NHRP/DMVPN style), colon hex of 1 to 32 bytes with bytes of one or more digits
// — and, so that a read entry is taken back, IPv6 text and '' — golden bytes beside ip's (the gre
// and ip6gre fixtures were captured under User-mode Linux 6.1, whose kernel has those drivers).
// Read as `ip neigh` prints it (ll_addr_n2a, by the device's hardware type): on an IPv4 tunnel
// 4 bytes as IPv4, on an IPv6 tunnel 16 as IPv6, else colon hex. Where the socket names devices
// (SIOCGIFNAME), list() and get() ask for a device's type only when an lladdr has 4 or 16 bytes;
// where it cannot, list() learns the types from the link dump that names the devices (no request
// more). No root.
import t from 'tap';
import {
  NLM_F_DUMP,
  RTM_DELNEIGH,
  RTM_GETLINK,
  RTM_GETNEIGH,
  RTM_NEWLINK,
  RTM_NEWNEIGH,
} from '../../lib/core/constants.js';
import { parseIPv4, parseIPv6 } from '../../lib/core/inet.js';
import { decodeNeigh } from '../../lib/neigh.js';
import { MAX_ADDR_LEN, ndaNeigh, ndaNeighOf, parseNeighLladdr } from '../../lib/neigh/nda.js';
import { KINDS } from '../../lib/monitor-kinds.js';
import type { Handle } from '../../lib/handle.js';
import type { NeighSpec } from '../../lib/index.js';
import { ack, cstr, done, fakeHandle, msgOf, nla, nlmsg, zeroSeq, type SentMsg } from '../helpers/fake-transport.js';
import { hexFixture } from '../fixtures/hex.js';

// ARPHRD_* (<linux/if_arp.h>)
const ETHER = 1;
const TUNNEL = 768;
const TUNNEL6 = 769;
const SIT = 776;
const IPGRE = 778;
const IP6GRE = 823;
const INFINIBAND = 32;

const fixture = (name: string): Buffer => hexFixture('neigh', name);
const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const ENODEV = -19;

/** RTM_NEWLINK payload: ifinfomsg of hardware type `type` + IFLA_IFNAME. */
function linkPayload(index: number, name: string, type: number): Buffer {
  const hdr = Buffer.alloc(16);
  hdr.writeUInt16LE(type, 2);
  hdr.writeInt32LE(index, 4);
  return Buffer.concat([hdr, nla(3, cstr(name))]);
}

/** RTM_NEWNEIGH payload: an IPv4 (or IPv6) permanent entry on `index` with NDA_LLADDR `lladdr` (hex). */
function neighPayload(index: number, dst: string, lladdr: string | undefined): Buffer {
  const v6 = dst.includes(':');
  const hdr = Buffer.alloc(12);
  hdr[0] = v6 ? 10 : 2;
  hdr.writeInt32LE(index, 4);
  hdr.writeUInt16LE(0x80, 8);
  const d = v6 ? parseIPv6(dst)! : parseIPv4(dst)!;
  const attrs = [nla(1, d)];
  if (lladdr !== undefined) attrs.push(nla(2, hex(lladdr)));
  return Buffer.concat([hdr, ...attrs]);
}

const neighMsg = (index: number, dst: string, lladdr: string | undefined): Buffer =>
  nlmsg(RTM_NEWNEIGH, 0, 0, neighPayload(index, dst, lladdr));

interface Kernel {
  /** [index, name, type] of every link. */
  links: [number, string, number][];
  /** Neighbour payloads a dump or get answers with. */
  neighs: Buffer[];
}

/**
 * Runs a call over a fake kernel: RTM_GETLINK dumps list `links`, an RTM_GETLINK of one link (by
 * name or index) answers it or ENODEV, RTM_GETNEIGH dumps list `neighs` and a get answers the
 * first; anything else is acked. Returns the call's result and every message sent.
 */
async function run<T>(
  k: Kernel,
  call: (h: Handle) => Promise<T>,
  socketNames = false,
): Promise<{ out: T; sent: SentMsg[] }> {
  const { h, fake } = fakeHandle();
  // As the native transport: device names read from the socket (SIOCGIFNAME), no link dump for them.
  if (socketNames) fake.readsNames((index) => k.links.find(([i]) => i === index)?.[1]);
  fake.onSend = (msgs) =>
    setImmediate(() => {
      for (const m of msgs) {
        const dump = (m.flags & NLM_F_DUMP) === NLM_F_DUMP;
        if (m.type === RTM_GETLINK && dump) {
          fake.deliver(
            ...k.links.map(([i, n, ty]) => nlmsg(RTM_NEWLINK, 2, m.seq, linkPayload(i, n, ty))),
            done(m.seq),
          );
        } else if (m.type === RTM_GETLINK) {
          const index = m.payload.readInt32LE(4);
          const link = k.links.find(([i, n]) => (index ? i === index : m.payload.includes(nla(3, cstr(n)))));
          fake.deliver(
            ...(link ? [nlmsg(RTM_NEWLINK, 0, m.seq, linkPayload(...link)), ack(m.seq)] : [ack(m.seq, ENODEV)]),
          );
        } else if (m.type === RTM_GETNEIGH && dump) {
          fake.deliver(...k.neighs.map((p) => nlmsg(RTM_NEWNEIGH, 2, m.seq, p)), done(m.seq));
        } else if (m.type === RTM_GETNEIGH) {
          fake.deliver(...(k.neighs[0] ? [nlmsg(RTM_NEWNEIGH, 0, m.seq, k.neighs[0]), ack(m.seq)] : [ack(m.seq, -2)]));
        } else fake.deliver(ack(m.seq));
      }
    });
  try {
    const out = await call(h);
    return { out, sent: fake.sent };
  } finally {
    h.close();
  }
}

/** The one request a write sends (no device lookup: the device is given by index). */
async function request(call: (h: Handle) => Promise<unknown>): Promise<Buffer> {
  const { sent } = await run({ links: [], neighs: [] }, call);
  if (sent.length !== 1) throw new Error(`expected one message, got ${sent.length}`);
  return zeroSeq(sent[0]!.msg);
}

t.test('written lladdr: what ip neigh sends, byte for byte, and the entry it reads back as', async (t) => {
  const cases: { file: string; call: (h: Handle) => Promise<unknown>; type: number; want: string }[] = [
    {
      // an NBMA gre tunnel's neighbour: its lladdr is the peer's underlay IPv4 address
      file: 'neigh-add-gre-v4',
      call: (h) => h.neigh.add({ dev: 2, dst: '10.0.0.2', lladdr: '192.0.2.1' }),
      type: IPGRE,
      want: '192.0.2.1',
    },
    {
      // ip takes the 16 bytes as colon hex only; we take the IPv6 text a read gives as well
      file: 'neigh-replace-ip6gre',
      call: (h) => h.neigh.replace({ dev: 2, dst: '2001:db8:4::2', lladdr: '2001:db8:ff::21', state: 'noarp' }),
      type: IP6GRE,
      want: '2001:db8:ff::21',
    },
    {
      file: 'neigh-replace-ip6gre',
      call: (h) =>
        h.neigh.replace({
          dev: 2,
          dst: '2001:db8:4::2',
          lladdr: '20:01:0d:b8:00:ff:00:00:00:00:00:00:00:00:00:21',
          state: 'noarp',
        }),
      type: IP6GRE,
      want: '2001:db8:ff::21',
    },
    {
      // an InfiniBand-sized address (20 bytes), longer than a MAC
      file: 'neigh-add-lladdr20',
      call: (h) =>
        h.neigh.add({ dev: 3, dst: '10.0.0.5', lladdr: '80:00:00:48:fe:80:00:00:00:00:00:00:02:00:5e:10:00:00:00:01' }),
      type: INFINIBAND,
      want: '80:00:00:48:fe:80:00:00:00:00:00:00:02:00:5e:10:00:00:00:01',
    },
    {
      // bytes of one digit, as sscanf("%x") reads them
      file: 'neigh-add-short-hex',
      call: (h) => h.neigh.add({ dev: 3, dst: '10.0.0.6', lladdr: '2:0:0:0:0:a' }),
      type: ETHER,
      want: '02:00:00:00:00:0a',
    },
  ];
  for (const c of cases) {
    const golden = fixture(c.file);
    const ours = await request(c.call);
    t.equal(ours.toString('hex'), golden.toString('hex'), `${c.file}: our request is ip's, byte for byte`);
    const index = msgOf(golden).buf.readInt32LE(msgOf(golden).off + 4);
    const n = decodeNeigh(msgOf(golden), undefined, new Map([[index, c.type]]));
    t.equal(n?.lladdr, c.want, `${c.file}: read on a device of type ${c.type} as ip neigh prints it`);
  }
});

t.test('parseNeighLladdr takes what ll_addr_a2n takes (and a read entry), and names the field else', async (t) => {
  const ok: [string, string][] = [
    ['02:00:00:00:00:01', '020000000001'],
    ['AA:bb:CC:dd:EE:ff', 'aabbccddeeff'],
    ['2:0:0:0:0:1', '020000000001'],
    ['0002:01:2:3:4:5', '020102030405'], // sscanf("%x") takes leading zeros
    ['ff', 'ff'],
    ['1:2:3', '010203'],
    ['1:2:3:4:5:6:7:8', '0102030405060708'], // colon hex first, as ip (not the IPv6 address)
    ['192.0.2.1', 'c0000201'],
    ['0.0.0.0', '00000000'],
    ['2001:db8:ff::21', '20010db800ff00000000000000000021'],
    ['::', '00'.repeat(16)],
    ['fe80::1', 'fe80' + '00'.repeat(13) + '01'],
    ['', ''], // a device without an address (tun): the kernel's NOARP entries read so
    [Array(MAX_ADDR_LEN).fill('ab').join(':'), 'ab'.repeat(MAX_ADDR_LEN)],
  ];
  for (const [text, bytes] of ok)
    t.equal(parseNeighLladdr(text, 'lladdr').toString('hex'), bytes, JSON.stringify(text));
  const bad: [unknown, RegExp, (new (m: string) => Error)?][] = [
    ['192.0.2', /"lladdr" to be an IPv4 address like 192\.0\.2\.1/],
    ['192.0.2.256', /"lladdr" to be an IPv4 address/],
    ['::ffff:192.0.2.1', /"lladdr" to be an IPv4 address/], // a '.' makes it a dotted quad, as in ip
    ['100:1:2:3:4:5', /"lladdr" to be a link-layer address/], // 0x100 is no byte
    ['0x1:2:3:4:5:6', /"lladdr" to be a link-layer address/],
    ['aa:bb:', /"lladdr" to be a link-layer address/],
    ['aa-bb-cc-dd-ee-ff', /"lladdr" to be a link-layer address/],
    ['fe80::1%eth0', /"lladdr" to be a link-layer address/],
    [' aa:bb', /"lladdr" to be a link-layer address/],
    [6, /"lladdr" to be a link-layer address/],
    [null, /"lladdr" to be a link-layer address/],
    [
      Array(MAX_ADDR_LEN + 1)
        .fill('ab')
        .join(':'),
      /"lladdr" to be at most 32 bytes \(MAX_ADDR_LEN\), got 33/,
      RangeError,
    ],
  ];
  for (const [v, msg, Err = TypeError] of bad) {
    t.throws(() => parseNeighLladdr(v, 'lladdr'), msg, `${JSON.stringify(v)}: ${msg}`);
    t.throws(() => parseNeighLladdr(v, 'lladdr'), Err);
  }
});

t.test('a bad lladdr is refused before anything is sent, for add, replace and del', async (t) => {
  for (const op of ['add', 'replace', 'del'] as const) {
    const { h, fake } = fakeHandle();
    const spec = { dev: 'gre1', dst: '10.0.0.2', lladdr: '192.0.2' } as NeighSpec;
    await t.rejects(h.neigh[op](spec), /"lladdr" to be an IPv4 address/, op);
    await t.rejects(h.neigh[op]({ ...spec, lladdr: 'ab:'.repeat(33) + 'ab' }), RangeError, `${op}: too long`);
    t.equal(fake.sent.length, 0, `${op}: nothing sent (not even the device lookup)`);
    h.close();
  }
});

t.test('the public ndaNeigh table writes the same forms (and reads colon hex whatever the length)', async (t) => {
  const { NlWriter } = await import('../../lib/core/attr.js');
  const w = new NlWriter(64);
  const at = w.beginMessage(RTM_NEWNEIGH, 0, 0, 0);
  ndaNeigh.encode(w, { lladdr: '192.0.2.1' });
  w.endMessage(at);
  t.equal(w.take().subarray(16).toString('hex'), '08000200c0000201', 'NDA_LLADDR: 4 bytes');
  const m = msgOf(neighMsg(5, '10.0.0.2', 'c0000201'));
  t.equal(ndaNeigh.decode(m.buf, m.off + 12, m.end, []).lladdr, 'c0:00:02:01', 'ndaNeigh reads colon hex');
  t.equal(ndaNeighOf(IPGRE).decode(m.buf, m.off + 12, m.end, []).lladdr, '192.0.2.1', 'ndaNeighOf(ARPHRD_IPGRE)');
  t.equal(ndaNeighOf(undefined), ndaNeigh, 'a type not known: the common table');
  t.equal(ndaNeighOf(ETHER), ndaNeigh, 'Ethernet: the common table');
});

t.test('read lladdr by the device type, as ll_addr_n2a prints it', async (t) => {
  const read = (type: number | undefined, lladdr: string | undefined): string | undefined =>
    decodeNeigh(
      msgOf(neighMsg(7, '10.0.0.2', lladdr)),
      undefined,
      type === undefined ? undefined : new Map([[7, type]]),
    )?.lladdr;
  for (const type of [TUNNEL, SIT, IPGRE]) {
    t.equal(read(type, 'c0000201'), '192.0.2.1', `type ${type}: 4 bytes as IPv4`);
    t.equal(read(type, '00000000'), '0.0.0.0', `type ${type}: the kernel's NOARP entries (ff02::2 lladdr 0.0.0.0)`);
    t.equal(read(type, '020000000098'), '02:00:00:00:00:98', `type ${type}: 6 bytes stay colon hex`);
    t.equal(read(type, '00'.repeat(16)), '00:'.repeat(15) + '00', `type ${type}: 16 bytes stay colon hex`);
  }
  for (const type of [TUNNEL6, IP6GRE]) {
    t.equal(read(type, '20010db800ff00000000000000000021'), '2001:db8:ff::21', `type ${type}: 16 bytes as IPv6`);
    t.equal(read(type, '00'.repeat(16)), '::', `type ${type}: ::`);
    t.equal(read(type, 'c0000201'), 'c0:00:02:01', `type ${type}: 4 bytes stay colon hex`);
  }
  t.equal(read(ETHER, 'c0000201'), 'c0:00:02:01', 'Ethernet: 4 bytes colon hex');
  t.equal(read(ETHER, '020000000001'), '02:00:00:00:00:01', 'Ethernet: a MAC');
  t.equal(read(undefined, 'c0000201'), 'c0:00:02:01', 'no type known: colon hex (as before)');
  t.equal(read(INFINIBAND, '80' + '00'.repeat(19)), '80' + ':00'.repeat(19), 'InfiniBand: 20 bytes');
  t.equal(read(ETHER, ''), '', 'no bytes (a device without an address): empty');
  t.equal(read(IPGRE, undefined), undefined, 'no NDA_LLADDR: none');
  // the monitor decodes through the same function, given the types it tracks
  const ev = KINDS.neigh.decode(
    msgOf(neighMsg(7, '10.0.0.2', 'c0000201')),
    new Map([[7, 'gre1']]),
    new Map([[7, IPGRE]]),
  );
  t.match(ev, { dev: 'gre1', lladdr: '192.0.2.1' }, "the monitor's neigh decoder takes the types");
});

const LINKS: [number, string, number][] = [
  [1, 'lo', 772],
  [2, 'gre1', IPGRE],
  [3, 'e0', ETHER],
  [4, 'ip6gre1', IP6GRE],
  [5, 'ipip1', TUNNEL],
];

/** Entries of every kind of device in LINKS, and one of a device not in it (gone, or never seen). */
const MIXED: Kernel = {
  links: LINKS,
  neighs: [
    neighPayload(2, '10.0.0.2', 'c0000201'),
    neighPayload(2, '10.0.0.4', '02000000'),
    neighPayload(3, '192.0.2.99', '020000000099'),
    neighPayload(3, '192.0.2.98', 'c0000201'),
    neighPayload(4, '2001:db8:4::2', '20010db800ff00000000000000000021'),
    neighPayload(5, '10.0.2.2', 'c0000205'),
    neighPayload(9, '10.0.9.2', 'c0000209'),
  ],
};
/** MIXED's entries as `ip neigh` prints them (dev dst lladdr). */
const MIXED_LISTED = [
  'gre1 10.0.0.2 192.0.2.1',
  'gre1 10.0.0.4 2.0.0.0',
  'e0 192.0.2.99 02:00:00:00:00:99',
  'e0 192.0.2.98 c0:00:02:01',
  'ip6gre1 2001:db8:4::2 2001:db8:ff::21',
  'ipip1 10.0.2.2 192.0.2.5',
  'if9 10.0.9.2 c0:00:02:09',
];

t.test('list: the types come with the names dump — no request more, Ethernet or not', async (t) => {
  const k = MIXED;
  const { out, sent } = await run(k, (h) => h.neigh.list());
  t.same(
    out.map((n) => `${n.dev} ${n.dst} ${n.lladdr}`),
    MIXED_LISTED,
  );
  t.same(
    sent.map((m) => m.type),
    [RTM_GETLINK, RTM_GETNEIGH],
    'one link dump (the names, as before) and the neighbour dump',
  );
  const only = await run({ links: LINKS, neighs: [k.neighs[2]!] }, (h) => h.neigh.list({ dev: 3 }));
  t.same(
    only.sent.map((m) => m.type),
    [RTM_GETLINK, RTM_GETNEIGH],
    'Ethernet only, dev by index: the same two requests',
  );
});

t.test('list with names from the socket: a link get for each device whose lladdr could be an IP address', async (t) => {
  const k = MIXED; // index 9: a device gone meanwhile (ENODEV: colon hex, if9)
  const { out, sent } = await run(k, (h) => h.neigh.list(), true);
  t.same(
    out.map((n) => `${n.dev} ${n.dst} ${n.lladdr}`),
    MIXED_LISTED,
    'as with the link dump',
  );
  t.same(
    sent.map((m) => [m.type, m.type === RTM_GETLINK ? m.payload.readInt32LE(4) : 0]),
    [
      [RTM_GETNEIGH, 0],
      [RTM_GETLINK, 2],
      [RTM_GETLINK, 3],
      [RTM_GETLINK, 4],
      [RTM_GETLINK, 5],
      [RTM_GETLINK, 9],
    ],
    'no link dump: one link get per device with a 4- or 16-byte lladdr (e0 for its 192.0.2.98), each once',
  );
  t.ok(
    sent.filter((m) => m.type === RTM_GETLINK).every((m) => (m.flags & NLM_F_DUMP) !== NLM_F_DUMP),
    'gets, not dumps',
  );
  const ether = await run({ links: LINKS, neighs: [k.neighs[2]!] }, (h) => h.neigh.list(), true);
  t.same(
    ether.sent.map((m) => m.type),
    [RTM_GETNEIGH],
    'Ethernet only: the neighbour dump alone',
  );
  const got = await run(
    { links: LINKS, neighs: [k.neighs[0]!] },
    (h) => h.neigh.get({ dev: 2, dst: '10.0.0.2' }),
    true,
  );
  t.match(got.out, { dev: 'gre1', lladdr: '192.0.2.1' });
  t.same(
    got.sent.map((m) => [m.type, (m.flags & NLM_F_DUMP) === NLM_F_DUMP]),
    [
      [RTM_GETNEIGH, false],
      [RTM_GETLINK, false],
    ],
    'get by index: the name from the socket, the type by one link get (no link dump)',
  );
});

t.test('get: the device type is asked only when the lladdr could be an IP address', async (t) => {
  const gre = await run({ links: LINKS, neighs: [neighPayload(2, '10.0.0.2', 'c0000201')] }, (h) =>
    h.neigh.get({ dev: 'gre1', dst: '10.0.0.2' }),
  );
  t.match(gre.out, { dev: 'gre1', index: 2, lladdr: '192.0.2.1' });
  t.same(
    gre.sent.map((m) => m.type),
    [RTM_GETLINK, RTM_GETNEIGH, RTM_GETLINK],
    'by name, 4 bytes: the device lookup, the get, and one link get for its type',
  );
  t.equal(gre.sent[2]!.payload.readInt32LE(4), 2, 'the link get asks for the index');
  const eth = await run({ links: LINKS, neighs: [neighPayload(3, '192.0.2.99', '020000000099')] }, (h) =>
    h.neigh.get({ dev: 'e0', dst: '192.0.2.99' }),
  );
  t.equal(eth.out.lladdr, '02:00:00:00:00:99');
  t.same(
    eth.sent.map((m) => m.type),
    [RTM_GETLINK, RTM_GETNEIGH],
    'by name, a MAC: no type asked (as before)',
  );
  const v6 = await run(
    { links: LINKS, neighs: [neighPayload(4, '2001:db8:4::2', '20010db800ff00000000000000000021')] },
    (h) => h.neigh.get({ dev: 'ip6gre1', dst: '2001:db8:4::2' }),
  );
  t.equal(v6.out.lladdr, '2001:db8:ff::21', 'ip6gre, 16 bytes: IPv6');
  const ethQuad = await run({ links: LINKS, neighs: [neighPayload(3, '192.0.2.98', 'c0000201')] }, (h) =>
    h.neigh.get({ dev: 'e0', dst: '192.0.2.98' }),
  );
  t.equal(ethQuad.out.lladdr, 'c0:00:02:01', 'Ethernet, 4 bytes: asked, and colon hex');
  t.equal(ethQuad.sent.length, 3);
  const byIndex = await run({ links: LINKS, neighs: [neighPayload(2, '10.0.0.2', 'c0000201')] }, (h) =>
    h.neigh.get({ dev: 2, dst: '10.0.0.2' }),
  );
  t.match(byIndex.out, { dev: 'gre1', lladdr: '192.0.2.1' });
  t.same(
    byIndex.sent.map((m) => [m.type, (m.flags & NLM_F_DUMP) === NLM_F_DUMP]),
    [
      [RTM_GETNEIGH, false],
      [RTM_GETLINK, true],
    ],
    'by index: the names dump (as before) gives the type too',
  );
  // the device went between the get and the link get: ENODEV, colon hex (ip's ll_index_to_type -1)
  const { h, fake } = fakeHandle();
  fake.onSend = (msgs) =>
    setImmediate(() => {
      for (const m of msgs) {
        if (m.type === RTM_GETLINK && m.payload.readInt32LE(4) === 0)
          fake.deliver(nlmsg(RTM_NEWLINK, 0, m.seq, linkPayload(2, 'gre1', IPGRE)), ack(m.seq));
        else if (m.type === RTM_GETLINK) fake.deliver(ack(m.seq, ENODEV));
        else fake.deliver(nlmsg(RTM_NEWNEIGH, 0, m.seq, neighPayload(2, '10.0.0.2', 'c0000201')), ack(m.seq));
      }
    });
  t.equal((await h.neigh.get({ dev: 'gre1', dst: '10.0.0.2' })).lladdr, 'c0:00:02:01', 'gone: colon hex');
  h.close();
});

t.test('a read entry is taken back: del and replace of what list gives', async (t) => {
  const k: Kernel = {
    links: LINKS,
    neighs: [
      neighPayload(2, '10.0.0.2', 'c0000201'),
      neighPayload(4, '2001:db8:4::2', '20010db800ff00000000000000000021'),
      neighPayload(3, 'ff02::2', ''),
    ],
  };
  const { out } = await run(k, (h) => h.neigh.list());
  for (const n of out) {
    // (the device is given by name: looked up first)
    const del = await run(k, (h) => h.neigh.del(n));
    t.same(
      del.sent.map((x) => x.type),
      [RTM_GETLINK, RTM_DELNEIGH],
      `del ${n.dst} (lladdr ${JSON.stringify(n.lladdr)}): sent`,
    );
    const rep = await run(k, (h) => h.neigh.replace(n));
    const m = msgOf(rep.sent[1]!.msg);
    const again = decodeNeigh(m, new Map([[n.index, n.dev]]), new Map(LINKS.map(([i, , ty]) => [i, ty])));
    t.equal(again?.lladdr, n.lladdr, `replace ${n.dst}: the same lladdr sent back`);
  }
});
