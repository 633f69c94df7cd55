// A link's addresses (IFLA_ADDRESS, IFLA_BROADCAST, IFLA_PERM_ADDRESS) read as iproute2 prints
// them, by the link's hardware type (ifinfomsg.ifi_type; lib/ll_addr.c, ll_addr_n2a): 4 bytes of an
// ARPHRD_TUNNEL, ARPHRD_SIT or ARPHRD_IPGRE link as IPv4, 16 bytes of an ARPHRD_TUNNEL6 or
// ARPHRD_IP6GRE link as IPv6, anything else as colon hex. Each test sets a tunnel's read beside the
// colon hex of the same bytes elsewhere (the controls, which read so before as well).
import t from 'tap';
import { RTM_NEWLINK } from '../../lib/core/constants.js';
import { decodeLink } from '../../lib/link/link.js';
import { cstr, msgOf, nla, nlmsg } from '../helpers/fake-transport.js';

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
