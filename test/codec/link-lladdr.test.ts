// A link's addresses (IFLA_ADDRESS, IFLA_BROADCAST, IFLA_PERM_ADDRESS) read as iproute2 prints
// them, by the link's hardware type (ifinfomsg.ifi_type; lib/ll_addr.c, ll_addr_n2a): 4 bytes of an
// ARPHRD_TUNNEL, ARPHRD_SIT or ARPHRD_IPGRE link as IPv4, 16 bytes of an ARPHRD_TUNNEL6 or
// ARPHRD_IP6GRE link as IPv6, anything else as colon hex. Each test sets a tunnel's read beside the
// colon hex of the same bytes elsewhere (the controls, which read so before as well). Written, as
// iproute2's ll_addr_a2n parses `address`: text with a '.' as a dotted quad's 4 bytes, so what a
// read gives is taken back; a MAC as before.
import t, { type Test } from 'tap';
import { RTM_GETLINK, RTM_NEWLINK } from '../../lib/core/constants.js';
import { ifla } from '../../lib/link/ifla.js';
import { decodeLink } from '../../lib/link/link.js';
import type { LinkSpec } from '../../lib/index.js';
import { ack, cstr, fakeHandle, msgOf, nla, nlmsg, turn } from '../helpers/fake-transport.js';
import { attrIn } from '../helpers/port-kernel.js';

// ARPHRD_* (<linux/if_arp.h>)
const ETHER = 1;
const TUNNEL = 768;
const TUNNEL6 = 769;
const LOOPBACK = 772;
const SIT = 776;
const IPGRE = 778;
const IP6GRE = 823;

const IFLA_ADDRESS = 1;
const IFLA_BROADCAST = 2;
const IFLA_IFNAME = 3;
const IFLA_PERM_ADDRESS = 54;

/** Hex text ('0a010203') to bytes. */
const hex = (s: string): Buffer => Buffer.from(s, 'hex');

/** An RTM_NEWLINK reply for a link of hardware type `type`, with the addresses given (hex). */
function reply(type: number, addr: { address?: string; broadcast?: string; perm?: string }): Buffer {
  const hdr = Buffer.alloc(16);
  hdr.writeUInt16LE(type, 2);
  hdr.writeInt32LE(7, 4);
  const attrs = [nla(IFLA_IFNAME, cstr('t0'))];
  if (addr.address !== undefined) attrs.push(nla(IFLA_ADDRESS, hex(addr.address)));
  if (addr.broadcast !== undefined) attrs.push(nla(IFLA_BROADCAST, hex(addr.broadcast)));
  if (addr.perm !== undefined) attrs.push(nla(IFLA_PERM_ADDRESS, hex(addr.perm)));
  return nlmsg(RTM_NEWLINK, 0, 0, Buffer.concat([hdr, ...attrs]));
}

/** The addresses decodeLink reads from such a reply. */
function read(type: number, addr: { address?: string; broadcast?: string; perm?: string }) {
  const l = decodeLink(msgOf(reply(type, addr)));
  return { address: l.address, broadcast: l.broadcast, permAddress: l.permAddress, linkType: l.linkType };
}

t.test(
  'an IPv4 tunnel (ARPHRD_TUNNEL, SIT, IPGRE): 4-byte address, broadcast and permAddress read as IPv4',
  async (t) => {
    for (const [name, type] of [
      ['ARPHRD_TUNNEL (ipip, tunl0)', TUNNEL],
      ['ARPHRD_SIT (sit0)', SIT],
      ['ARPHRD_IPGRE (gre0)', IPGRE],
    ] as const) {
      // a fallback device (tunl0, sit0, gre0): no local or remote address
      t.same(
        read(type, { address: '00000000', broadcast: '00000000' }),
        { address: '0.0.0.0', broadcast: '0.0.0.0', permAddress: undefined, linkType: type },
        `${name}: the fallback device's 0.0.0.0`,
      );
      // `ip link add … local 10.1.2.3 remote 10.9.9.9`: address is local, broadcast remote (the peer)
      t.same(
        read(type, { address: '0a010203', broadcast: '0a090909', perm: '0a010203' }),
        { address: '10.1.2.3', broadcast: '10.9.9.9', permAddress: '10.1.2.3', linkType: type },
        `${name}: local, remote, and the address it was made with`,
      );
    }
    t.same(
      read(ETHER, { address: '0a010203', broadcast: '0a090909', perm: '0a010203' }),
      { address: '0a:01:02:03', broadcast: '0a:09:09:09', permAddress: '0a:01:02:03', linkType: ETHER },
      'control: the same 4 bytes on ARPHRD_ETHER stay colon hex',
    );
  },
);

t.test('an IPv6 tunnel (ARPHRD_TUNNEL6, IP6GRE): 16-byte address and broadcast read as IPv6', async (t) => {
  const local = '20010db8000000000000000000000001';
  const remote = '20010db8000000000000000000000002';
  for (const [name, type] of [
    ['ARPHRD_TUNNEL6 (ip6tnl0)', TUNNEL6],
    ['ARPHRD_IP6GRE (ip6gre0)', IP6GRE],
  ] as const) {
    t.same(
      read(type, { address: '00'.repeat(16), broadcast: '00'.repeat(16) }),
      { address: '::', broadcast: '::', permAddress: undefined, linkType: type },
      `${name}: the fallback device's ::`,
    );
    t.same(
      read(type, { address: local, broadcast: remote, perm: local }),
      { address: '2001:db8::1', broadcast: '2001:db8::2', permAddress: '2001:db8::1', linkType: type },
      `${name}: local and remote`,
    );
  }
  t.equal(
    read(ETHER, { address: local }).address,
    '20:01:0d:b8:00:00:00:00:00:00:00:00:00:00:00:01',
    'control: the same 16 bytes on ARPHRD_ETHER stay colon hex',
  );
});

t.test('lengths a tunnel type does not print as IP fall back to colon hex, as ll_addr_n2a does', async (t) => {
  t.equal(read(TUNNEL, { address: '0a0102' }).address, '0a:01:02', 'ARPHRD_TUNNEL, 3 bytes');
  t.equal(read(TUNNEL, { address: '0a010203' }).address, '10.1.2.3', 'ARPHRD_TUNNEL, 4 bytes');
  t.equal(read(IPGRE, { address: '02000000000a' }).address, '02:00:00:00:00:0a', 'ARPHRD_IPGRE, 6 bytes');
  t.equal(read(SIT, { address: '00'.repeat(16) }).address, '00:'.repeat(15) + '00', 'ARPHRD_SIT, 16 bytes');
  t.equal(read(TUNNEL6, { address: '0a010203' }).address, '0a:01:02:03', 'ARPHRD_TUNNEL6, 4 bytes');
  t.equal(read(IP6GRE, { address: '00'.repeat(16) }).address, '::', 'ARPHRD_IP6GRE, 16 bytes');
  t.equal(read(IP6GRE, { broadcast: 'ff'.repeat(6) }).broadcast, 'ff:ff:ff:ff:ff:ff', 'ARPHRD_IP6GRE, 6 bytes');
});

t.test('other hardware types stay colon hex: Ethernet and loopback as before, beside a tunnel', async (t) => {
  t.same(
    read(ETHER, { address: '020000000001', broadcast: 'ffffffffffff', perm: '525400123456' }),
    { address: '02:00:00:00:00:01', broadcast: 'ff:ff:ff:ff:ff:ff', permAddress: '52:54:00:12:34:56', linkType: ETHER },
    'ARPHRD_ETHER',
  );
  t.same(
    read(LOOPBACK, { address: '000000000000', broadcast: '000000000000' }),
    { address: '00:00:00:00:00:00', broadcast: '00:00:00:00:00:00', permAddress: undefined, linkType: LOOPBACK },
    'ARPHRD_LOOPBACK',
  );
  t.equal(read(TUNNEL, { address: '00000000' }).address, '0.0.0.0', 'ARPHRD_TUNNEL beside them');
});

// ---- writing: link.set / link.add take what a read gives ----

/** A link of the scripted namespace: its hardware type, address and kind. */
interface TunLink {
  index: number;
  type: number;
  address: Buffer;
  kind?: string;
}

/**
 * A scripted kernel: RTM_GETLINK answered from `links` (ENODEV otherwise), RTM_NEWLINK on an index
 * takes its IFLA_ADDRESS (a create is ACKed and its link left unknown), or is refused with `refuse`.
 */
function tunnelKernel(t: Test, links: Map<string, TunLink>, refuse = 0, extack?: string) {
  const f = fakeHandle();
  t.teardown(() => f.h.close());
  f.fake.onSend = (msgs) =>
    setImmediate(() => {
      for (const m of msgs) {
        const index = m.payload.readInt32LE(4);
        const name = index
          ? [...links].find(([, l]) => l.index === index)?.[0]
          : ifla.decode(m.payload, 16, m.payload.length).name;
        const l = name === undefined ? undefined : links.get(name);
        if (m.type === RTM_NEWLINK && refuse) {
          f.fake.deliver(ack(m.seq, -refuse, extack === undefined ? {} : { msg: extack }));
        } else if (m.type === RTM_NEWLINK) {
          if (l && index) l.address = Buffer.from(attrIn(m.payload, 16, m.payload.length, IFLA_ADDRESS));
          f.fake.deliver(ack(m.seq));
        } else if (m.type !== RTM_GETLINK || !name || !l) {
          f.fake.deliver(ack(m.seq, m.type === RTM_GETLINK ? -19 : 0));
        } else {
          const hdr = Buffer.alloc(16);
          hdr.writeUInt16LE(l.type, 2);
          hdr.writeInt32LE(l.index, 4);
          const attrs = [nla(IFLA_IFNAME, cstr(name)), nla(IFLA_ADDRESS, l.address), nla(IFLA_BROADCAST, l.address)];
          if (l.kind) attrs.push(nla(18, nla(1, cstr(l.kind)))); // IFLA_LINKINFO { IFLA_INFO_KIND }
          f.fake.deliver(nlmsg(RTM_NEWLINK, 0, m.seq, Buffer.concat([hdr, ...attrs])), ack(m.seq));
        }
      }
    });
  return f;
}

/** The IFLA_ADDRESS payloads (hex) of the RTM_NEWLINKs sent, outside any nest. */
function sentAddresses(f: ReturnType<typeof fakeHandle>): string[] {
  return f.fake.sent
    .filter((m) => m.type === RTM_NEWLINK)
    .map((m) => attrIn(m.payload, 16, m.payload.length, IFLA_ADDRESS).toString('hex'));
}

/** Awaits a call whose read-back the scripted kernel cannot answer (it knows no new link): the request went. */
async function sent(p: Promise<unknown>): Promise<void> {
  await p.catch(() => undefined);
}

t.test("link.set takes a tunnel's address back as a read gives it: a dotted quad is its 4 bytes", async (t) => {
  const links = new Map<string, TunLink>([
    ['tunl0', { index: 2, type: TUNNEL, address: hex('00000000'), kind: 'ipip' }],
    ['eth0', { index: 3, type: ETHER, address: hex('020000000001') }],
  ]);
  const f = tunnelKernel(t, links);
  const before = await f.h.link.get('tunl0');
  t.match(before, { type: 'other', kind: 'ipip', address: '0.0.0.0', broadcast: '0.0.0.0' }, 'read: IPv4');
  const after = await f.h.link.set('tunl0', { address: '10.1.2.3' });
  t.equal(after.address, '10.1.2.3', 'read back');
  t.equal(
    links.get('tunl0')!.address.toString('hex'),
    '0a010203',
    'IFLA_ADDRESS: the 4 bytes, as `ip link set tunl0 address 10.1.2.3`',
  );
  await f.h.link.set('tunl0', { address: before.address });
  t.equal(links.get('tunl0')!.address.toString('hex'), '00000000', "the read's 0.0.0.0 taken back");
  const eth = await f.h.link.set('eth0', { address: '02:00:00:00:00:0a' });
  t.equal(eth.address, '02:00:00:00:00:0a', 'control: a MAC as before');
  t.same(sentAddresses(f), ['0a010203', '00000000', '02000000000a'], 'the IFLA_ADDRESS payloads sent');
});

t.test('link.add takes a dotted quad as its 4 bytes: a read tunnel re-added, a spec, a veth peer', async (t) => {
  const f = tunnelKernel(t, new Map([['t1', { index: 4, type: TUNNEL, address: hex('0a010203'), kind: 'ipip' }]]));
  const read = await f.h.link.get('t1');
  t.equal(read.address, '10.1.2.3');
  await sent(f.h.link.add({ ...read, name: 't2' }));
  await sent(f.h.link.add({ type: 'other', kind: 'gre', name: 'g1', address: '192.0.2.1' }));
  await sent(f.h.link.add({ type: 'dummy', name: 'd1', address: '02:00:00:00:00:0b' }));
  t.same(sentAddresses(f), ['0a010203', 'c0000201', '02000000000b'], 'IFLA_ADDRESS: a read, a spec, a MAC (control)');
  await sent(f.h.link.add({ type: 'veth', name: 'v0', peer: { name: 'v1', address: '10.0.0.9' } }));
  const veth = f.fake.sent.filter((m) => m.type === RTM_NEWLINK).at(-1)!;
  t.ok(
    veth.msg.includes(nla(IFLA_ADDRESS, hex('0a000009'))),
    "the peer's IFLA_ADDRESS in VETH_INFO_PEER, as iproute2 parses it",
  );
});

t.test('a bad address is a TypeError naming the field, and nothing is sent', async (t) => {
  const cases: [string, unknown, RegExp][] = [
    ['a short dotted quad (no shorthand)', '10.1.2', /"address" to be an IPv4 address like 192\.0\.2\.1.*"10\.1\.2"/],
    ['an octet over 255', '10.1.2.256', /"address" to be an IPv4 address/],
    ['five parts', '1.2.3.4.5', /"address" to be an IPv4 address/],
    ['a MAC with a dot', '02:00:00:00:00:01.', /"address" to be an IPv4 address/],
    [
      'IPv6 text',
      '2001:db8::1',
      /"address" to be a MAC address .* or an IPv4 tunnel's address.*IPv6 text is not taken/,
    ],
    ['a short MAC', '02:00:00:00:00', /"address" to be a MAC address like aa:bb:cc:dd:ee:ff, or an IPv4/],
    ['a number', 10, /"address" to be a MAC address/],
  ];
  for (const [what, address, msg] of cases) {
    const f = tunnelKernel(t, new Map([['tunl0', { index: 2, type: TUNNEL, address: hex('00000000') }]]));
    await t.rejects(
      f.h.link.set('tunl0', { address } as { address: string }),
      { name: 'TypeError', message: msg },
      `set: ${what}`,
    );
    const spec = { type: 'other', kind: 'ipip', name: 't1', address } as LinkSpec;
    await t.rejects(f.h.link.add(spec), { name: 'TypeError', message: msg }, `add: ${what}`);
    const veth = { type: 'veth', name: 'v0', peer: { name: 'v1', address } } as LinkSpec;
    await t.rejects(f.h.link.add(veth), { name: 'TypeError', message: /"peer\.address"/ }, `add, peer: ${what}`);
    await turn();
    t.equal(f.fake.sent.filter((m) => m.type === RTM_NEWLINK).length, 0, `${what}: no RTM_NEWLINK sent`);
  }
});

t.test(
  "link.set: the kernel's bare refusal of a dotted quad says why (`ip link set` checks the length first)",
  async (t) => {
    const links = () =>
      new Map<string, TunLink>([
        ['tunl0', { index: 2, type: TUNNEL, address: hex('00000000') }],
        ['eth0', { index: 3, type: ETHER, address: hex('020000000001') }],
      ]);
    const EINVAL = 22;
    const EOPNOTSUPP = 95;
    let f = tunnelKernel(t, links(), EINVAL);
    await t.rejects(f.h.link.set('eth0', { address: '10.1.2.3' }), {
      name: 'NetlinkError',
      code: 'EINVAL',
      message:
        /^link\.set eth0: Invalid argument \(EINVAL\) — "address" 10\.1\.2\.3 is 4 bytes .*shorter than the link's/,
    });
    await t.rejects(
      f.h.link.set('eth0', { address: '02:00:00:00:00:0a' }),
      { message: /\(EINVAL\)$/ },
      'control: a MAC, no hint',
    );
    f = tunnelKernel(t, links(), EOPNOTSUPP);
    await t.rejects(f.h.link.set('tunl0', { address: '10.1.2.3' }), {
      code: 'EOPNOTSUPP',
      message:
        /^link\.set tunl0: Operation not supported \(EOPNOTSUPP\) — the link's driver sets no "address" \(an IP tunnel's is its local address/,
    });
    f = tunnelKernel(t, links(), EINVAL, 'some other reason');
    await t.rejects(
      f.h.link.set('eth0', { address: '10.1.2.3' }),
      { message: /some other reason$/ },
      "the kernel's own words, no hint",
    );
  },
);
