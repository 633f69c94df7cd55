// A neighbour's link-layer address (NDA_LLADDR) written as `ip neigh … lladdr X` parses X
// (iproute2's ll_addr_a2n, lib/ll_addr.c): a dotted quad as its 4 bytes (an IPv4 tunnel's underlay
// address, NHRP/DMVPN style), colon hex of 1 to 32 bytes with bytes of one or more digits — and,
// so that a read entry is taken back, IPv6 text and '' — golden bytes beside ip's (the gre and
// ip6gre fixtures were captured under User-mode Linux 6.1, whose kernel has those drivers). No root.
import t from 'tap';
import { RTM_NEWNEIGH } from '../../lib/core/constants.js';
import { MAX_ADDR_LEN, ndaNeigh, parseNeighLladdr } from '../../lib/neigh/nda.js';
import type { Handle } from '../../lib/handle.js';
import type { NeighSpec } from '../../lib/index.js';
import { ack, fakeHandle, msgOf, nla, nlmsg, zeroSeq } from '../helpers/fake-transport.js';
import { hexFixture } from '../fixtures/hex.js';

const fixture = (name: string): Buffer => hexFixture('neigh', name);

/** The one request a write sends (the device is given by index: no lookup), every request acked. */
async function request(call: (h: Handle) => Promise<unknown>): Promise<Buffer> {
  const { h, fake } = fakeHandle();
  fake.onSend = (msgs) => setImmediate(() => fake.deliver(...msgs.map((m) => ack(m.seq))));
  try {
    await call(h);
  } finally {
    h.close();
  }
  if (fake.sent.length !== 1) throw new Error(`expected one message, got ${fake.sent.length}`);
  return zeroSeq(fake.sent[0]!.msg);
}

t.test('written lladdr: what ip neigh sends, byte for byte', async (t) => {
  const cases: { file: string; call: (h: Handle) => Promise<unknown> }[] = [
    {
      // an NBMA gre tunnel's neighbour: its lladdr is the peer's underlay IPv4 address
      file: 'neigh-add-gre-v4',
      call: (h) => h.neigh.add({ dev: 2, dst: '10.0.0.2', lladdr: '192.0.2.1' }),
    },
    {
      // ip takes the 16 bytes as colon hex only; we take the IPv6 text a read gives as well
      file: 'neigh-replace-ip6gre',
      call: (h) => h.neigh.replace({ dev: 2, dst: '2001:db8:4::2', lladdr: '2001:db8:ff::21', state: 'noarp' }),
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
    },
    {
      // an InfiniBand-sized address (20 bytes), longer than a MAC
      file: 'neigh-add-lladdr20',
      call: (h) =>
        h.neigh.add({ dev: 3, dst: '10.0.0.5', lladdr: '80:00:00:48:fe:80:00:00:00:00:00:00:02:00:5e:10:00:00:00:01' }),
    },
    {
      // bytes of one digit, as sscanf("%x") reads them
      file: 'neigh-add-short-hex',
      call: (h) => h.neigh.add({ dev: 3, dst: '10.0.0.6', lladdr: '2:0:0:0:0:a' }),
    },
  ];
  for (const c of cases) {
    const golden = fixture(c.file);
    const ours = await request(c.call);
    t.equal(ours.toString('hex'), golden.toString('hex'), `${c.file}: our request is ip's, byte for byte`);
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
  const m = msgOf(nlmsg(RTM_NEWNEIGH, 0, 0, Buffer.concat([Buffer.alloc(12), nla(2, Buffer.from('c0000201', 'hex'))])));
  t.equal(ndaNeigh.decode(m.buf, m.off + 12, m.end, []).lladdr, 'c0:00:02:01', 'ndaNeigh reads colon hex');
});
